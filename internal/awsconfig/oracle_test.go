package awsconfig

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ssocli/ssocli/internal/testutil/require"
)

var oracleRandom = flag.Int("oracle.random", 300, "random configs to compare with botocore in TestBotocoreOracle")

// oracleExtra are inputs for the botocore comparison beyond the table tests.
var oracleExtra = []string{
	"[a]\n  [b]\nk = v\n",
	"[a]\nk = v\n  [b]\n",
	"[profile a]\nk = v\n\t\tcont\n \tx\n",
	"[profile a]\ns3 =\n\n\n  x = 1\n  # c\n  y=2=3\n",
	"[profile a]\ns3 = inline\n  x = 1\n",
	"[profile a]\nk = v\v\n",
	"[profile a]\nk = \fv\x1c\n",
	"[profile a]\ns3 =\n  a = 1\x0bb = 2\n",
	"[profile a]\nk = v\r\n\r\n\r\n",
	"[profile a]\r\r\nk = v",
	"[DEFAULT]\ns3 =\n  x = 1\n[profile a]\n[profile b]\ns3 = y\n",
	"[profile a]\n[sso-session a]\n[services a]\n[sso-session]\n[services x y]\n[servicesx y]\n",
	"   [profile a]\n   k = v\n     c\n   j = w\n",
	"[profile a]\nk=v\n[profile  a]\nj=w\n",
	"[default]\nk : v : w\n",
	"[default]\nk=\n",
	"\n\n# only comments\n; here\n",
	"[profile \u00a0a]\nk = v\n",
	"[profile a\u2028b]\nk = v\n",
	"[default]\nk\u3000= v\u3000\n\u3000cont\n",
}

func TestBotocoreOracle(t *testing.T) {
	// Debian's python3 with Debian's botocore (python3-botocore, installed by
	// scripts/test.sh): a python3 earlier in PATH (pyenv) has no botocore.
	const python = "/usr/bin/python3"
	if out, err := exec.Command(python, "-c", "import botocore.configloader").CombinedOutput(); err != nil {
		require.Missingf(t, "botocore is not importable by %s (apt-get install python3-botocore): %v %s", python, err, out)
	}
	type input struct{ config, credentials string }
	var inputs []input
	for _, c := range profileCases {
		inputs = append(inputs, input{c.config, c.credentials})
	}
	for _, c := range parseErrorCases {
		inputs = append(inputs, input{c.config, c.credentials})
	}
	for _, c := range oracleExtra {
		inputs = append(inputs, input{c, ""})
	}
	inputs = append(inputs, input{benchConfig(20), ""})
	seeds, _ := filepath.Glob("testdata/fuzz/FuzzParse/*")
	for _, path := range seeds {
		if args := readCorpusFile(t, path); len(args) == 2 {
			inputs = append(inputs, input{string(args[0]), string(args[1])})
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range *oracleRandom {
		inputs = append(inputs, input{randomConfig(rng), randomConfig(rng)})
	}

	var req [][2]string
	for _, in := range inputs {
		req = append(req, [2]string{base64.StdEncoding.EncodeToString([]byte(in.config)), base64.StdEncoding.EncodeToString([]byte(in.credentials))})
	}
	body, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "testdata/botocore_oracle.py")
	cmd.Stdin = bytes.NewReader(body)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle: %v", err)
	}
	var want []any
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatalf("oracle output: %v", err)
	}
	if len(want) != len(inputs) {
		t.Fatalf("oracle answered %d cases, want %d", len(want), len(inputs))
	}
	withServices := 0
	for i, in := range inputs {
		got := oracleView(t, in.config, in.credentials)
		// An older botocore does not read [services] (see the script):
		// compare the rest. The services parser has its own table tests.
		if w, ok := want[i].(map[string]any); ok && w["error"] == nil {
			if _, ok := w["services"]; ok {
				withServices++
			} else if g, ok := got.(map[string]any); ok {
				delete(g, "services")
			}
		}
		if diff := cmp.Diff(want[i], got); diff != "" {
			t.Errorf("case %d differs from botocore\nconfig:      %q\ncredentials: %q\n(-botocore +ours):\n%s", i, in.config, in.credentials, diff)
		}
	}
	if withServices == 0 {
		t.Logf("this botocore does not read [services] sections: compared %d cases without them", len(inputs))
	}
}

// oracleView renders our parse in the oracle's JSON shape.
func oracleView(t *testing.T, config, credentials string) any {
	c, err := Parse([]byte(config), []byte(credentials), "config")
	if err != nil {
		return map[string]any{"error": true}
	}
	list := func(sm *sectionMap) [][2]any {
		out := [][2]any{}
		for _, name := range sm.names() {
			s, _ := c.get(sm, name)
			v := map[string]any{}
			for k, val := range s.Values {
				v[k] = val
			}
			for k, sub := range s.Sub {
				v[k] = sub
			}
			out = append(out, [2]any{name, v})
		}
		return out
	}
	view := map[string]any{"profiles": list(&c.profiles), "sso_sessions": list(&c.ssoSessions), "services": list(&c.services)}
	b, err := json.Marshal(view)
	if err != nil {
		t.Fatal(err)
	}
	var norm any
	if err := json.Unmarshal(b, &norm); err != nil {
		t.Fatal(err)
	}
	return norm
}

// randomConfig builds a config from fragments chosen to hit RawConfigParser's
// corners: indentation, comments, delimiters, duplicates, quoting, line endings.
func randomConfig(rng *rand.Rand) string {
	headers := []string{"[default]", "[DEFAULT]", "[profile a]", "[profile \"a b\"]", "[profile a b]", "[profile 'x]", "[sso-session s]",
		"[services dev]", "[Default]", "  [profile c]", "[profile a] tail", "[]", "[x]]", "[profile\td]"}
	keys := []string{"region", "Region", "sso_session", "s3", "k", "a b", " k", "x:y", "=", ""}
	vals := []string{"v", "", " spaced ", "a=b", "; c", "# c", "ü", "\u00a0"}
	indents := []string{"", " ", "  ", "\t", "    "}
	ends := []string{"\n", "\n", "\n", "\r\n", "\r"}
	var b strings.Builder
	for range rng.IntN(12) {
		ind := indents[rng.IntN(len(indents))]
		switch rng.IntN(7) {
		case 0:
			b.WriteString(ind + headers[rng.IntN(len(headers))])
		case 1:
			b.WriteString(ind + []string{"# c", "; c", ""}[rng.IntN(3)])
		case 2:
			b.WriteString(ind + vals[rng.IntN(len(vals))])
		default:
			delim := []string{" = ", "=", ":", " : "}[rng.IntN(4)]
			b.WriteString(ind + keys[rng.IntN(len(keys))] + delim + vals[rng.IntN(len(vals))])
		}
		b.WriteString(ends[rng.IntN(len(ends))])
	}
	return b.String()
}

// readCorpusFile decodes a "go test fuzz v1" file of []byte arguments.
func readCorpusFile(t *testing.T, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var args [][]byte
	for _, line := range strings.Split(string(data), "\n")[1:] {
		lit, ok := strings.CutPrefix(strings.TrimSpace(line), "[]byte(")
		if !ok {
			continue
		}
		s, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		args = append(args, []byte(s))
	}
	return args
}
