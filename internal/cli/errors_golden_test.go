package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/ssocache"
)

// The error goldens: for every failure situation of
// testdata/awscli-2.36.7/errors/cases.json, what the AWS CLI 2.36.7 printed
// (scripts/awscli-latest-goldens.sh writes one txtar per case and error
// format). TestErrorGoldens runs ssocli in process on the same inputs and
// compares stdout, stderr and the exit code byte for byte, after mapping the
// golden's deliberate differences of name (mapGolden) and removing ssocli's
// documented additions, its hint (stripHints). Volatile parts are normalised
// as the generator does: the server's base URL is {{endpoint}}, the home
// directory {{home}}, a device flow's user code {{user_code}}. A case with an
// interrupt section is cancelled (Ctrl-C) once its stdout shows that text
// and the end of its line.

const errorGoldenDir = "testdata/awscli-2.36.7/errors"

// awsUsage is the AWS CLI's usage block (argparser.py USAGE); ssocli prints
// usageLines in its place, with its own name and --help.
const awsUsage = `usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]
To see help text, you can run:

  aws help
  aws <command> help
  aws <command> <subcommand> help
`

// mapGolden turns the AWS CLI's output into ssocli's where ssocli says its
// own name: the "aws: [ERROR]:" prefix and the usage block (also inside the
// JSON form's Message). Nothing else is mapped: "aws configure" advice inside
// messages stays as the AWS CLI words it.
func mapGolden(s string) string {
	s = strings.ReplaceAll(s, awsUsage, usageLines)
	jsonEsc := func(v string) string { q := string(ssocache.AppendPyString(nil, v)); return q[1 : len(q)-1] }
	s = strings.ReplaceAll(s, jsonEsc(awsUsage), jsonEsc(usageLines))
	return regexp.MustCompile(`(?m)^aws: \[ERROR\]:`).ReplaceAllString(s, errorPrefix)
}

var (
	homePath = regexp.MustCompile(`\{\{home\}\}[^\s"']*`)
	userCode = regexp.MustCompile(`\b[A-Z]{4}-[A-Z]{4}\b`)
	hintLine = regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(hintPrefix) + `.*\n`)
	jsonHint = regexp.MustCompile(`,\n    "Hint": "(?:[^"\\]|\\.)*"\n}\n`)
	yamlHint = regexp.MustCompile(`(?m)^Hint: .*\n(?:  .*\n)*`)
)

// stripHints removes ssocli's hint from its stderr: the hint lines of the
// text forms, the last "Hint" key of the JSON form and the Hint of the YAML
// form (errorformat.go). It reports how many it removed.
func stripHints(s string) (string, int) {
	n := len(hintLine.FindAllString(s, -1)) + len(jsonHint.FindAllString(s, -1)) + len(yamlHint.FindAllString(s, -1))
	s = hintLine.ReplaceAllString(s, "")
	s = jsonHint.ReplaceAllString(s, "\n}\n")
	s = yamlHint.ReplaceAllString(s, "")
	return s, n
}

// errorCase is a parsed golden.
type errorCase struct {
	args, login    []string
	interrupt      string
	env            map[string]string
	server         string
	home           map[string]string
	stdout, stderr string
	exit           int
	deliberate     string
}

func loadErrorCase(t *testing.T, path string) errorCase {
	t.Helper()
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c := errorCase{env: map[string]string{}, home: map[string]string{}, exit: -1}
	lines := func(b []byte) []string {
		if len(b) == 0 {
			return nil
		}
		return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	}
	for _, f := range ar.Files {
		switch {
		case f.Name == "args":
			c.args = lines(f.Data)
		case f.Name == "login":
			c.login = lines(f.Data)
		case f.Name == "env":
			for _, l := range lines(f.Data) {
				k, v, _ := strings.Cut(l, "=")
				c.env[k] = v
			}
		case f.Name == "interrupt":
			c.interrupt = strings.TrimSuffix(string(f.Data), "\n")
		case f.Name == "server":
			c.server = strings.TrimSpace(string(f.Data))
		case strings.HasPrefix(f.Name, "home/"):
			c.home[strings.TrimPrefix(f.Name, "home/")] = string(f.Data)
		case f.Name == "stdout":
			c.stdout = string(f.Data)
		case f.Name == "stderr":
			c.stderr = string(f.Data)
		case f.Name == "exit":
			c.exit, err = strconv.Atoi(strings.TrimSpace(string(f.Data)))
			if err != nil {
				t.Fatal(err)
			}
		case f.Name == "deliberate":
			c.deliberate = string(f.Data)
		default:
			t.Fatalf("%s: unknown section %q", path, f.Name)
		}
	}
	if c.exit < 0 {
		t.Fatalf("%s: no exit section", path)
	}
	return c
}

// faultServer answers every request with the golden's fixed response.
func faultServer(t *testing.T, spec string) string {
	var f struct {
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
		Body    string            `json:"body"`
	}
	if err := json.Unmarshal([]byte(spec), &f); err != nil {
		t.Fatalf("server %s: %v", spec, err)
	}
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		for k, v := range f.Headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(f.Status)
		_, _ = io.WriteString(w, f.Body)
	}))
	t.Cleanup(s.Close)
	return s.URL
}

// offlineClient reaches loopback only, and fails every other host as a
// machine without a network does (the goldens ran in `unshare -n`): the name
// does not resolve.
func offlineClient() *http.Client {
	c := idctest.LoopbackClient()
	d := &net.Dialer{Timeout: 5 * time.Second}
	c.Transport.(*http.Transport).DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "Temporary failure in name resolution", Name: host, IsTemporary: true}}
		}
		return d.DialContext(ctx, network, addr)
	}
	return c
}

func TestErrorGoldens(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(errorGoldenDir, "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	// Every case of cases.json has its golden (and no golden is left over).
	var cases []struct {
		Name     string   `json:"name"`
		Variants []string `json:"variants"`
	}
	b, err := os.ReadFile(filepath.Join(errorGoldenDir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, c := range cases {
		want[c.Name] = true
		for _, v := range c.Variants {
			want[c.Name+"."+v] = true
		}
	}
	if len(want) != len(paths) || len(cases) < 30 {
		t.Errorf("%d goldens for %d case variants (%d cases): run scripts/awscli-latest-goldens.sh", len(paths), len(want), len(cases))
	}
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		if !want[name] {
			t.Errorf("%s: not in cases.json", path)
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := loadErrorCase(t, path)
			home := t.TempDir()
			vars := map[string]string{"HOME": home}
			endpoint := ""
			switch {
			case c.server == "idc":
				srv := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithAutoApproveDelay(-1))
				endpoint = srv.URL
			case c.server == "idc-pending":
				endpoint = idctest.NewServer(t).URL
			case c.server != "":
				endpoint = faultServer(t, c.server)
			}
			for k, v := range c.env {
				vars[k] = strings.ReplaceAll(v, "{{endpoint}}", endpoint)
			}
			for rel, data := range c.home {
				p := filepath.Join(home, filepath.FromSlash(rel))
				if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			run := func(args []string, interrupt string) (string, string, int) {
				var out, errb bytes.Buffer
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				var stdout io.Writer = &out
				var ctrlC *cancelOnLine
				if interrupt != "" {
					ctrlC = &cancelOnLine{w: &out, want: interrupt, cancel: cancel}
					stdout = ctrlC
				}
				env := &Env{
					Stdin: strings.NewReader(""), Stdout: stdout, Stderr: &errb,
					Getenv:  func(k string) string { return vars[k] },
					Environ: func() []string { return nil },
					Home:    home, HTTPClient: offlineClient(),
				}
				code := Run(ctx, env, args)
				if ctrlC != nil && !ctrlC.fired {
					t.Errorf("stdout never showed %q: not interrupted", interrupt)
				}
				return out.String(), errb.String(), code
			}
			if c.login != nil {
				if _, errs, code := run(c.login, ""); code != 0 {
					t.Fatalf("login %v: exit %d: %s", c.login, code, errs)
				}
			}
			stdout, stderr, code := run(c.args, c.interrupt)
			norm := func(s string) string {
				if endpoint != "" {
					s = strings.ReplaceAll(s, endpoint, "{{endpoint}}")
				}
				s = strings.ReplaceAll(s, home, "{{home}}")
				s = userCode.ReplaceAllString(s, "{{user_code}}")
				// Paths under the home as the goldens (made on Linux) write them.
				return homePath.ReplaceAllStringFunc(s, filepath.ToSlash)
			}
			stdout, stderr = norm(stdout), norm(stderr)
			stderr, _ = stripHints(stderr)
			if code != c.exit {
				t.Errorf("exit %d, want %d", code, c.exit)
			}
			if d := cmp.Diff(mapGolden(c.stdout), stdout); d != "" {
				t.Errorf("stdout (-2.36.7 +ssocli):\n%s", d)
			}
			if c.deliberate != "" {
				return
			}
			if d := cmp.Diff(mapGolden(c.stderr), stderr); d != "" {
				t.Errorf("ssocli %s\nstderr (-2.36.7 +ssocli):\n%s", strings.Join(c.args, " "), d)
			}
		})
	}
}

// TestStripHints checks that the comparison removes ssocli's hints and
// nothing else.
func TestStripHints(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"\nssocli: [ERROR]: x\nssocli: [HINT]: run: y\n", "\nssocli: [ERROR]: x\n"},
		{"{\n    \"Code\": \"C\",\n    \"Message\": \"m\",\n    \"Hint\": \"run: \\\"y\\\"\"\n}\n", "{\n    \"Code\": \"C\",\n    \"Message\": \"m\"\n}\n"},
		{"Code: C\nMessage: m\nHint: a b\n  c\n", "Code: C\nMessage: m\n"},
		{"\nssocli: [ERROR]: x\nrun: y\n", "\nssocli: [ERROR]: x\nrun: y\n"},
	} {
		if got, _ := stripHints(tc.in); got != tc.want {
			t.Errorf("stripHints(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// cancelOnLine writes to w and calls cancel, as Ctrl-C would, once what was
// written holds want and the end of its line.
type cancelOnLine struct {
	w      *bytes.Buffer
	want   string
	cancel func()
	fired  bool
}

func (c *cancelOnLine) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	s := c.w.String()
	if i := strings.Index(s, c.want); !c.fired && i >= 0 && strings.Contains(s[i:], "\n") {
		c.fired = true
		c.cancel()
	}
	return n, err
}
