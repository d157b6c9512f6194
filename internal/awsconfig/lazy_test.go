package awsconfig

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// parseEager is parseINI storing every section's options as it reads them
// (the parser before sections were read lazily): the reference the lazy
// parse must match exactly.
func parseEager(s string) (*rawFile, error) {
	if err := checkUTF8(s); err != nil {
		return nil, err
	}
	p := iniParser{}
	if err := p.run(s, 0); err != nil {
		return nil, err
	}
	for _, r := range p.file.sections {
		r.stored()
	}
	if d := p.file.defaults; d != nil {
		d.stored()
		if len(p.file.sections) > 0 {
			pairs := d.storedPairs()
			for i := range pairs {
				if err := nest(&pairs[i]); err != nil {
					return nil, err
				}
			}
		}
	}
	return &p.file, nil
}

// dumpRaw is everything a parse gives: the error, or each section's header
// and options (sub-sections included), [DEFAULT] first.
func dumpRaw(f *rawFile, err error) []string {
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	var out []string
	dump := func(r *rawSection) {
		out = append(out, fmt.Sprintf("[%s] line %d", r.header, r.line))
		for _, p := range r.getPairs() {
			out = append(out, fmt.Sprintf("  %q=%q sub=%v line %d", p.key, p.val, p.sub, p.line))
		}
	}
	if f.defaults != nil {
		dump(f.defaults)
	}
	for _, r := range f.sections {
		dump(r)
	}
	return out
}

func checkLazy(t *testing.T, config string) {
	t.Helper()
	lazyFile, lazyErr := parseINI([]byte(config))
	lazy := dumpRaw(lazyFile, lazyErr)
	eager := dumpRaw(parseEager(config))
	if diff := cmp.Diff(eager, lazy); diff != "" {
		t.Fatalf("lazy parse of %q differs from the eager one (-eager +lazy):\n%s", config, diff)
	}
	checkIndex(t, config, eager)
}

// checkIndex: the parse rebuilt from the index of config's parse is the
// eager parse. Every file that parses without a [DEFAULT] section gets an
// index.
func checkIndex(t *testing.T, config string, eager []string) {
	t.Helper()
	f, err := parseINIString(config) // unread sections, as a new parse leaves them; substrings of config
	if err != nil {
		return
	}
	sum := fileSum(config)
	b := encodeIndex(f, config, sum)
	if f.defaults != nil {
		if b != nil {
			t.Fatalf("%q has a [DEFAULT] section and got an index", config)
		}
		return
	}
	if b == nil {
		t.Fatalf("no index for %q", config)
	}
	fromIndex := decodeIndex(b, config, sum)
	if fromIndex == nil {
		t.Fatalf("the index of %q does not decode", config)
	}
	if diff := cmp.Diff(eager, dumpRaw(fromIndex, nil)); diff != "" {
		t.Fatalf("the parse of %q from its index differs from the eager one (-eager +index):\n%s", config, diff)
	}
}

// TestLazyParseMatchesEager: reading a section's options on first use gives
// exactly what reading them with the whole file gives, errors included.
func TestLazyParseMatchesEager(t *testing.T) {
	var inputs []string
	for _, c := range profileCases {
		inputs = append(inputs, c.config, c.credentials)
	}
	for _, c := range parseErrorCases {
		inputs = append(inputs, c.config, c.credentials)
	}
	inputs = append(inputs, oracleExtra...)
	inputs = append(inputs, benchConfig(30),
		"[a]\nk = v\n[DEFAULT]\nd = 1\n[b]\nj = w\n[DEFAULT]\ne = 2\n",
		"[a]\nk =\n  x = 1\n  [b]\n[c]\nk = v",
		"[a]\r\nk = v\r\n  more\r\n[b]\rj = w\r",
		"[a]\n\n\n[b]\n",
		"[a]",
		"[a]\ns3 =\n  x = 1\n  y\n",
		// The lazy pass's own loops (checkBody, plainLines): plain lines up
		// to the map at 32 keys and past it, a duplicate after plain lines
		// and after the map, upper case and multi-byte keys, CR line ends,
		// comments, a bad sub-section closed by a plain line or a header,
		// a bad line after it, and lines that end the file without a newline.
		manyKeys(31)+"k30 = again\n", manyKeys(33)+"k32 = again\n", manyKeys(40),
		"[a]\nKey = 1\nkEY = 2\n", "[a]\nAbcdefghIJ = 1\nabcdefghij = 2\n",
		"[a]\nk\u00e9 = 1\nK\u00c9 = 2\n", "[a]\nk = \u00a0\n  x\n[b]\n",
		"[a]\r\nk = 1\r\nj = 2\r\n[b]\r\nk = 3\r\nk = 4\r\n", "[a]\rk = 1\r#c\r[b]\r",
		"[a]\n# c\n; d\nk = 1\n#\nj = 2\n\n[b]\nk=1",
		"[a]\ns3 =\n  x\nk = 1\n", "[a]\ns3 =\n\n# c\n  x\n[b]\n", "[a]\ns3 =\n  x\n[b]\n", "[a]\ns3 =\n  x\nbad line\n",
		"[a]\ns3 = \n\n  x = 1\n\n  y = 2\nk = 1\n[a]\n", "[a]\nk = 1\n [b]\n[c]x\n[]\n",
		"[a]\nk = v", "[a]\nk", "[a]\n=v\n", "[a]\n:v\n", "[a]\nk:v\nk=w\n",
		"[a]\nabcdefg=1\nabcdefgh=2\nabcdefghi=3\nabcdefg =4\n",
	)
	for _, in := range inputs {
		checkLazy(t, in)
	}
}

// manyKeys is a section with n options k0 ... k(n-1).
func manyKeys(n int) string {
	s := "[a]\n"
	for i := range n {
		s += fmt.Sprintf("k%d = %d\n", i, i)
	}
	return s
}

// FuzzLazyParse compares the lazy parse with the eager one on any input.
func FuzzLazyParse(f *testing.F) {
	f.Add(benchConfig(3))
	for _, c := range oracleExtra {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, config string) { checkLazy(t, config) })
}

// TestIndexDelim checks the eight-bytes-at-a-time scan against the plain
// loop it stands for, on strings of every length up to 40 built from the
// bytes that matter to it.
func TestIndexDelim(t *testing.T) {
	naive := func(s string) (int, bool) {
		upper := false
		for i := 0; i < len(s); i++ {
			if s[i] == '=' || s[i] == ':' {
				return i, upper
			}
			if s[i] >= 'A' && s[i] <= 'Z' || s[i] >= 0x80 {
				upper = true
			}
		}
		return -1, upper
	}
	alphabet := []byte("aAzZ@[`{=:_ 9\x7f\x80\xc3\xff\x3c\x3e\x39\x3b")
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 0; n <= 40; n++ {
		for range 2000 {
			b := make([]byte, n)
			for i := range b {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
			s := string(b)
			gd, gu := indexDelim(s)
			wd, wu := naive(s)
			if gd != wd || gu != wu {
				t.Fatalf("indexDelim(%q) = %d, %v; want %d, %v", s, gd, gu, wd, wu)
			}
		}
	}
}
