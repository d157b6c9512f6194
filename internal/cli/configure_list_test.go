package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/awsconfig"
)

// listGoldens are the cases of scripts/awscli-configure-goldens.sh, with the
// AWS CLI 2.36.7's output (see the README.md there).
const listGoldens = "testdata/awscli-2.36.7/configure-list"

// roleKeyTail is what the generator normalises: the last four characters of
// role credentials, new on every run.
var roleKeyTail = regexp.MustCompile(`(?m)^(access_key|secret_key) : \*{16}[^ ]{4}( *: sso )`)

// awsGolden is one case of scripts/awscli-configure-goldens.sh: its directory
// (inputs and the AWS CLI's outputs, see the README.md there).
type awsGolden struct {
	t   *testing.T
	dir string
}

// read returns a file of the case and whether it exists.
func (g awsGolden) read(f string) (string, bool) {
	b, err := os.ReadFile(filepath.Join(g.dir, f))
	if os.IsNotExist(err) {
		return "", false
	}
	if err != nil {
		g.t.Fatal(err)
	}
	return string(b), true
}

func (g awsGolden) has(f string) bool { _, ok := g.read(f); return ok }

// lines returns the lines of a file of the case (none when it is absent).
func (g awsGolden) lines(f string) []string {
	s, _ := g.read(f)
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// eachGolden runs test for every case directory under dir.
func eachGolden(t *testing.T, dir string, test func(t *testing.T, g awsGolden)) {
	dirs, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		n++
		t.Run(d.Name(), func(t *testing.T) {
			t.Parallel()
			test(t, awsGolden{t: t, dir: filepath.Join(dir, d.Name())})
		})
	}
	if n < 10 {
		t.Errorf("only %d awsGolden cases in %s", n, dir)
	}
}

// setUp writes the case's files and environment into h's home and logs in
// as the case says.
func (g awsGolden) setUp(h *harness) {
	placeholders := strings.NewReplacer("START_URL", h.srv.StartURL, "SSO_REGION", h.srv.Region, "ACCOUNT", testAccount, "ROLE", testRole)
	for _, f := range []string{"config", "credentials"} {
		if s, ok := g.read(f); ok {
			writeFile(g.t, h.path(".aws", f), placeholders.Replace(s))
		}
	}
	if s, ok := g.read("elsewhere.config"); ok {
		writeFile(g.t, h.path("elsewhere", "config"), s)
	}
	for _, kv := range g.lines("env") {
		k, v, _ := strings.Cut(kv, "=")
		h.vars[k] = strings.ReplaceAll(v, "HOME", h.home)
	}
	if g.has("login") {
		h.mustRun("sso", "login", "--profile", g.lines("login")[0], "--use-device-code", "--no-browser")
	}
}

// compare checks ssocli's run against the AWS CLI's: the exit code and
// stdout byte for byte, stderr too when the AWS CLI printed no error, and
// otherwise that ssocli's stderr carries the AWS CLI's message (its prefix
// is the error renderer's).
func (g awsGolden) compare(stdout, stderr string, code int) {
	t := g.t
	t.Helper()
	wantOut, _ := g.read("stdout")
	wantErr, _ := g.read("stderr")
	exitText, _ := g.read("exit")
	wantCode, err := strconv.Atoi(strings.TrimSpace(exitText))
	if err != nil {
		t.Fatalf("exit file: %v", err)
	}
	if code != wantCode {
		t.Errorf("exit %d, want %d\nstderr: %s", code, wantCode, stderr)
	}
	if diff := cmp.Diff(wantOut, stdout); diff != "" {
		t.Errorf("stdout (-awscli +ssocli):\n%s", diff)
	}
	if wantCode <= 1 {
		if stderr != wantErr {
			t.Errorf("stderr %q, want %q", stderr, wantErr)
		}
		return
	}
	msg := strings.TrimSpace(wantErr)
	msg = strings.TrimPrefix(msg, "aws: [ERROR]: ")
	msg = strings.TrimPrefix(msg, "An error occurred (ParamValidation): ")
	msg = strings.TrimPrefix(msg, "aws: [ERROR]: ") // set.py puts it in its message too
	if !strings.Contains(stderr, msg) {
		t.Errorf("stderr %q does not carry the AWS CLI's message %q", stderr, msg)
	}
}

// TestConfigureListMatchesAWSCLI236 runs each awsGolden case with ssocli (in
// process, against the local Identity Center for the IAM Identity Center
// cases) and compares it with the AWS CLI 2.36.7's run.
func TestConfigureListMatchesAWSCLI236(t *testing.T) {
	t.Parallel()
	srv := newHarness(t)
	eachGolden(t, listGoldens, func(t *testing.T, g awsGolden) {
		h := srv.anotherHome()
		if g.has("login") {
			// Its own server, whose call counts are this case's alone.
			h = newHarness(t).anotherHome()
		}
		h.t = t
		h.vars["AWS_EC2_METADATA_DISABLED"] = "true"
		g.setUp(h)
		args := append([]string{"configure", "list"}, g.lines("args")...)
		if g.has("warm") {
			h.mustRun(args...)
		}
		before := h.count("GetRoleCredentials")
		stdout, stderr, code := h.run(args...)
		stdout = strings.ReplaceAll(stdout, h.home, "HOME")
		stdout = roleKeyTail.ReplaceAllString(stdout, "$1 : ****************XXXX$2")
		g.compare(stdout, stderr, code)
		// An IAM Identity Center profile shows its role credentials:
		// fetched with the cached login, or read from the role cache.
		if wantOut, _ := g.read("stdout"); roleKeyTail.MatchString(wantOut) {
			want := 1
			if g.has("warm") {
				want = 0
			}
			if got := h.count("GetRoleCredentials") - before; got != want {
				t.Errorf("GetRoleCredentials calls: %d, want %d", got, want)
			}
		}
	})
}

// TestConfigureGetSetMatchesAWSCLI236 runs the get and set cases that only
// the AWS CLI 2.36 has (sub-section flags, aws_security_token) and compares
// the output and the resulting files with 2.36.7's.
func TestConfigureGetSetMatchesAWSCLI236(t *testing.T) {
	t.Parallel()
	srv := newHarness(t)
	eachGolden(t, "testdata/awscli-2.36.7/configure-get-set", func(t *testing.T, g awsGolden) {
		h := srv.anotherHome()
		h.t = t
		g.setUp(h)
		stdout, stderr, code := h.run(append([]string{"configure"}, g.lines("args")...)...)
		g.compare(stdout, stderr, code)
		for _, f := range []string{"config", "credentials"} {
			want, wantOK := g.read(f + ".after")
			got, err := os.ReadFile(h.path(".aws", f))
			if gotOK := err == nil; gotOK != wantOK {
				t.Errorf("~/.aws/%s exists: %v, want %v", f, gotOK, wantOK)
				continue
			}
			if !g.has(f) {
				// A new file has the system's line endings (CRLF on Windows).
				want = strings.ReplaceAll(want, "\n", awsconfig.LineEnding(nil))
			}
			if diff := cmp.Diff(want, string(got)); wantOK && diff != "" {
				t.Errorf("~/.aws/%s (-awscli +ssocli):\n%s", f, diff)
			}
		}
	})
}

// writeFile writes a file for a test, creating its directory.
func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestMaskValue(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"AKIAIOSFODNN7EXAMPLE": "****************MPLE",
		"abc":                  "****************abc",
		"":                     "****************",
		"clé-üñî":              "****************-üñî",
	} {
		if got := maskValue(in); got != want {
			t.Errorf("maskValue(%q) = %q, want %q", in, got, want)
		}
	}
}
