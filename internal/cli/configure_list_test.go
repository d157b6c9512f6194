package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// listGoldens are the cases of scripts/awscli-configure-goldens.sh, with the
// AWS CLI 2.36.7's output (see the README.md there).
const listGoldens = "testdata/awscli-2.36.7/configure-list"

// roleKeyTail is what the generator normalises: the last four characters of
// role credentials, new on every run.
var roleKeyTail = regexp.MustCompile(`(?m)^(access_key|secret_key) : \*{16}[^ ]{4}( *: sso )`)

// TestConfigureListMatchesAWSCLI236 runs each golden case with ssocli (in
// process, against the local Identity Center for the IAM Identity Center
// cases) and compares stdout and the exit code byte for byte, stderr too when
// the AWS CLI printed no error, and otherwise that ssocli's stderr carries
// the AWS CLI's message (its prefix is the error renderer's).
func TestConfigureListMatchesAWSCLI236(t *testing.T) {
	t.Parallel()
	dirs, err := os.ReadDir(listGoldens)
	if err != nil {
		t.Fatal(err)
	}
	srv := newHarness(t)
	n := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		n++
		name := d.Name()
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(listGoldens, name)
			read := func(f string) (string, bool) {
				b, err := os.ReadFile(filepath.Join(dir, f))
				if os.IsNotExist(err) {
					return "", false
				}
				if err != nil {
					t.Fatal(err)
				}
				return string(b), true
			}
			lines := func(s string) []string {
				if s == "" {
					return nil
				}
				return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
			}
			_, login := read("login")
			h := srv.anotherHome()
			if login {
				// Its own server, whose call counts are this case's alone.
				h = newHarness(t).anotherHome()
			}
			h.t = t
			h.vars["AWS_EC2_METADATA_DISABLED"] = "true"
			placeholders := strings.NewReplacer("START_URL", h.srv.StartURL, "SSO_REGION", h.srv.Region, "ACCOUNT", testAccount, "ROLE", testRole)
			for _, f := range []string{"config", "credentials"} {
				if s, ok := read(f); ok {
					writeFile(t, h.path(".aws", f), placeholders.Replace(s))
				}
			}
			if s, ok := read("elsewhere.config"); ok {
				writeFile(t, h.path("elsewhere", "config"), s)
			}
			envs, _ := read("env")
			for _, kv := range lines(envs) {
				k, v, _ := strings.Cut(kv, "=")
				h.vars[k] = strings.ReplaceAll(v, "HOME", h.home)
			}
			argsText, _ := read("args")
			args := append([]string{"configure", "list"}, lines(argsText)...)
			if login {
				p, _ := read("login")
				h.mustRun("sso", "login", "--profile", strings.TrimSpace(p), "--use-device-code", "--no-browser")
			}
			if _, warm := read("warm"); warm {
				h.mustRun(args...)
			}
			before := h.count("GetRoleCredentials")
			stdout, stderr, code := h.run(args...)

			wantOut, _ := read("stdout")
			wantErr, _ := read("stderr")
			exitText, _ := read("exit")
			wantCode, err := strconv.Atoi(strings.TrimSpace(exitText))
			if err != nil {
				t.Fatalf("exit file: %v", err)
			}
			stdout = strings.ReplaceAll(stdout, h.home, "HOME")
			stdout = roleKeyTail.ReplaceAllString(stdout, "$1 : ****************XXXX$2")
			if code != wantCode {
				t.Errorf("exit %d, want %d\nstderr: %s", code, wantCode, stderr)
			}
			if diff := cmp.Diff(wantOut, stdout); diff != "" {
				t.Errorf("stdout (-awscli +ssocli):\n%s", diff)
			}
			if wantCode == 0 {
				if stderr != wantErr {
					t.Errorf("stderr %q, want %q", stderr, wantErr)
				}
			} else {
				msg := strings.TrimSpace(wantErr)
				msg = strings.TrimPrefix(msg, "aws: [ERROR]: ")
				msg = strings.TrimPrefix(msg, "An error occurred (ParamValidation): ")
				if !strings.Contains(stderr, msg) {
					t.Errorf("stderr %q does not carry the AWS CLI's message %q", stderr, msg)
				}
			}
			// An IAM Identity Center profile shows its role credentials:
			// fetched with the cached login, or read from the role cache.
			if roleKeyTail.MatchString(wantOut) {
				want := 1
				if _, warm := read("warm"); warm {
					want = 0
				}
				if got := h.count("GetRoleCredentials") - before; got != want {
					t.Errorf("GetRoleCredentials calls: %d, want %d", got, want)
				}
			}
		})
	}
	if n < 15 {
		t.Errorf("only %d golden cases in %s", n, listGoldens)
	}
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
