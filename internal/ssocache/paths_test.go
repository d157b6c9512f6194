package ssocache

import (
	"bufio"
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ssocli/ssocli/internal/testutil/require"
)

func TestFileNames(t *testing.T) {
	t.Parallel()
	const url = "https://example.awsapps.com/start"
	scopes := []string{"sso:account:access"}
	tests := []struct {
		name string
		got  string
		want string
	}{
		// spec §3.1
		{"token sso-session", TokenFileName("my-sso", url), "0ad374308c5a4e22f723adf10145eafad7c4031c.json"},
		{"token legacy", TokenFileName("", url), "e8be5486177c5b5392bd9aa76563515b29358e6e.json"},
		{"registration sso-session", RegistrationFileName(url, "us-east-1", scopes, "my-sso"), "e83b78ff73aa2ebd41812af5abcc466dca567738.json"},
		{"registration legacy", RegistrationFileName(url, "us-east-1", nil, ""), "6c6f31f93a84fcbeca9b94bb5d13f4109559e71a.json"},
		// spec §5
		{"role sso-session", RoleCredsFileName("111122223333", "ReadOnly", "my-sso", url), "0521d1f6a6c4e68f9e18540309367cc3cccb6305.json"},
		{"role legacy", RoleCredsFileName("111122223333", "ReadOnly", "", url), "d3ba23668517df553ec07b5972942cedc5e3df49.json"},
		// Written by the AWS CLI 2.9.19's own code (testdata/awscli/names.txt):
		// non-ASCII, astral, quote, backslash, tab and DEL in the inputs.
		{"token unicode", TokenFileName("s\u00e9ssion \U0001F511", "x"), "c4ebaebef36a69c50b79003897e240c5b7431c8a.json"},
		{"registration unicode", RegistrationFileName("https://ex\u00e4mple.awsapps.com/start?a=<b>&c=\"d\"/\\\U0001F600\t\x7f", "us-east-1",
			[]string{"sso:account:access", "x:\u00fc"}, "s\u00e9ssion \U0001F511"), "e0390c170bf111cac7afbb589ed1a9188a2ed5e9.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %s, want %s", tt.got, tt.want)
			}
		})
	}
}

// TestFileNamesMatchAWSCLI checks the names the AWS CLI chose for the fixtures in
// testdata/awscli (recorded by generate.py) against TokenFileName & co.
func TestFileNamesMatchAWSCLI(t *testing.T) {
	t.Parallel()
	sc := bufio.NewScanner(bytes.NewReader(readTestdata(t, "awscli/names.txt")))
	n := 0
	for sc.Scan() {
		fixture, want, _ := strings.Cut(sc.Text(), " ")
		n++
		t.Run(fixture, func(t *testing.T) {
			got := nameFor(t, fixture)
			if got != want {
				t.Errorf("got %s, want %s", got, want)
			}
		})
	}
	if n < 8 {
		t.Fatalf("names.txt has %d entries, want 8", n)
	}
}

// nameFor computes the cache name of a fixture from the inputs generate.py used.
func nameFor(t *testing.T, fixture string) string {
	const url = "https://example.awsapps.com/start"
	const uurl = "https://ex\u00e4mple.awsapps.com/start?a=<b>&c=\"d\"/\\\U0001F600\t\x7f"
	const usess = "s\u00e9ssion \U0001F511"
	switch fixture {
	case "token-sso-session.json":
		return TokenFileName("my-sso", url)
	case "registration-sso-session.json":
		return RegistrationFileName(url, "us-east-1", []string{"sso:account:access"}, "my-sso")
	case "token-legacy.json":
		return TokenFileName("", url)
	case "registration-legacy.json":
		return RegistrationFileName(url, "us-east-1", nil, "")
	case "token-unicode.json":
		return TokenFileName(usess, uurl)
	case "registration-unicode.json":
		return RegistrationFileName(uurl, "us-east-1", []string{"sso:account:access", "x:\u00fc"}, usess)
	case "rolecreds-sso-session.json":
		return RoleCredsFileName("111122223333", "ReadOnly", "my-sso", url)
	case "rolecreds-legacy.json":
		return RoleCredsFileName("111122223333", "ReadOnly", "", url)
	}
	t.Fatalf("no inputs known for %s", fixture)
	return ""
}

func TestPaths(t *testing.T) {
	t.Parallel()
	home := filepath.FromSlash("/home/u")
	tests := []struct{ got, want string }{
		{SSODir(home), filepath.FromSlash("/home/u/.aws/sso/cache")},
		{CLIDir(home), filepath.FromSlash("/home/u/.aws/cli/cache")},
		{LockDir(home), filepath.FromSlash("/home/u/.aws/sso/locks")},
		{TokenPath(home, "my-sso", "u"), filepath.FromSlash("/home/u/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json")},
		{RegistrationPath(home, "https://example.awsapps.com/start", "us-east-1", nil, ""), filepath.FromSlash("/home/u/.aws/sso/cache/6c6f31f93a84fcbeca9b94bb5d13f4109559e71a.json")},
		{RoleCredsPath(home, "111122223333", "ReadOnly", "my-sso", "u"), filepath.FromSlash("/home/u/.aws/cli/cache/0521d1f6a6c4e68f9e18540309367cc3cccb6305.json")},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
}

// TestPyStringMatchesPython compares AppendPyString with Python's json.dumps for
// every character class (control, DEL, ASCII, BMP, astral, invalid UTF-8). It
// needs a python3 (skipped without one, failed under CI).
func TestPyStringMatchesPython(t *testing.T) {
	t.Parallel()
	py := require.Command(t, "python3")
	var in strings.Builder
	for r := rune(0); r < 0x300; r++ {
		in.WriteRune(r)
	}
	in.WriteString("\u2028\u2029\ufeff\uffff\U00010000\U0001F600\U0010FFFF</script>&")
	s := in.String()
	// Python reads the input as UTF-8 from a hex dump, so no shell quoting matters.
	cmd := exec.Command(py, "-c", `import json,sys; sys.stdout.write(json.dumps(bytes.fromhex(sys.argv[1]).decode("utf-8", "replace")))`,
		hexString(s+"\xff\xc3"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	got := AppendPyString(nil, s+"\xff\xc3")
	if d := diffBytes(got, out); d != "" {
		t.Errorf("AppendPyString differs from json.dumps: %s", d)
	}
}

func hexString(s string) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, digits[s[i]>>4], digits[s[i]&15])
	}
	return string(b)
}
