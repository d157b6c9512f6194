package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/testutil/require"
)

const testStartURL = "https://d-0000000000.awsapps.com/start"

// ptyStep waits for the terminal to show want, then types send.
type ptyStep struct{ want, send string }

const (
	keyDown  = "\x1b[B"
	keyEnter = "\r"
)

// configureCases are driven twice: through a pseudo-terminal with the
// answers of steps, and with flags only, without a terminal. Both must write
// testdata/configure/<name>.golden, which gen.py made with the AWS CLI's own
// config writer for the same answers.
var configureCases = []struct {
	name  string
	args  []string // the command and --profile, common to both forms
	steps []ptyStep
	flags []string
}{
	{
		name: "sso-new-session",
		args: []string{"configure", "sso", "--profile", "dev", "--use-device-code"},
		steps: []ptyStep{
			{"SSO session name (Recommended): ", "corp\r"},
			{"SSO start URL [None]: ", testStartURL + "\r"},
			{"SSO region [None]: ", "us-east-1\r"},
			{"SSO registration scopes [sso:account:access]: ", "\r"},
			{"There are 12 AWS accounts available to you.", ""},
			{"Filter: ", "0007"},
			{"(1 of 12;", keyEnter},
			{"Using the account ID 100000000007", ""},
			{"There are 3 roles available to you.", keyDown + keyDown + keyEnter},
			{`Using the role name "Role03"`, ""},
			{"CLI default client Region [None]: ", "eu-west-1\r"},
			{"CLI default output format [None]: ", "json\r"},
			{"aws s3 ls --profile dev", ""},
		},
		flags: []string{"--sso-session", "corp", "--start-url", testStartURL, "--region", "us-east-1",
			"--account-id", "100000000007", "--role-name", "Role03", "--default-region", "eu-west-1", "--output-format", "json", "--non-interactive"},
	},
	{
		name: "sso-existing-session",
		args: []string{"configure", "sso", "--use-device-code"},
		steps: []ptyStep{
			{"SSO session name (Recommended): ", "corp\r"},
			{"There are 12 AWS accounts available to you.", ""},
			{"Filter: ", "account-0002"},
			{"(1 of 12;", keyEnter},
			{"Using the account ID 100000000002", ""},
			{"There are 3 roles available to you.", "role01"},
			{"(1 of 3;", keyEnter},
			{"CLI default client Region [us-west-2]: ", "\r"},
			{"CLI default output format [text]: ", "\r"},
			{"CLI profile name [Role01-100000000002]: ", "\r"},
			{"aws s3 ls --profile Role01-100000000002", ""},
		},
		flags: []string{"--sso-session", "corp", "--account-id", "100000000002", "--role-name", "Role01", "--non-interactive"},
	},
	{
		name: "sso-legacy",
		args: []string{"configure", "sso", "--profile", "dev"},
		steps: []ptyStep{
			{"SSO session name (Recommended): ", "\r"},
			{"WARNING: Configuring using legacy format", ""},
			{"SSO start URL [None]: ", "not a url\r"},
			{"Not a valid Start URL", testStartURL + "\r"},
			{"SSO region [None]: ", "\r"},
			{"A value is required", "us-east-1\r"},
			{"Filter: ", "account-0011"},
			{"(1 of 12;", keyEnter},
			{"There are 3 roles available to you.", keyDown + keyEnter},
			{"CLI default client Region [ap-south-1]: ", "\r"},
			{"CLI default output format [None]: ", "yaml\r"},
			{"aws s3 ls --profile dev", ""},
		},
		flags: []string{"--sso-session", "", "--start-url", testStartURL, "--region", "us-east-1",
			"--account-id", "100000000011", "--role-name", "Role02", "--output-format", "yaml", "--non-interactive"},
	},
	{
		name: "sso-session",
		args: []string{"configure", "sso-session"},
		steps: []ptyStep{
			{"SSO session name: ", "my corp\r"},
			{"SSO start URL [None]: ", testStartURL + "\r"},
			{"SSO region [None]: ", "eu-central-1\r"},
			{"SSO registration scopes [sso:account:access]: ", "sso:account:access, codewhisperer completions\r"},
			{"Scope values must be separated by commas", "sso:account:access,codewhisperer:completions\r"},
			{"aws sso login --sso-session my corp", ""},
		},
		flags: []string{"--sso-session", "my corp", "--start-url", testStartURL, "--region", "eu-central-1",
			"--scopes", "sso:account:access,codewhisperer:completions", "--non-interactive"},
	},
}

// newConfigureHome returns a harness with the case's input config and a
// local Identity Center of 12 accounts with 3 roles each.
func newConfigureHome(t *testing.T, name string) *p5 {
	t.Helper()
	srv := idctest.NewServer(t, idctest.WithDirectory(directory.Generate(12, 3)),
		idctest.WithAutoApprove("alice"), idctest.WithAutoApproveDelay(-1))
	h := newP5(t, srv.URL)
	if in, err := os.ReadFile(filepath.Join("testdata", "configure", name+".input")); err == nil {
		h.writeConfig(string(in))
	}
	return h
}

func golden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "configure", name+".golden"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestConfigureWizardPTY(t *testing.T) {
	t.Parallel()
	for _, tc := range configureCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newConfigureHome(t, tc.name)
			ptmx, tty, err := pty.Open()
			if err != nil {
				require.Missingf(t, "no pseudo-terminal here: %v", err)
			}
			defer ptmx.Close()
			defer tty.Close()
			term := newScreen(ptmx)

			var stderr bytes.Buffer
			env := h.env("", nil, &stderr)
			env.Stdin, env.Stdout = tty, tty
			env.StdinTTY, env.StdoutTTY = true, true
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			done := make(chan int, 1)
			go func() { done <- Run(ctx, env, tc.args) }()

			for _, s := range tc.steps {
				if err := term.expect(s.want, 20*time.Second); err != nil {
					cancel()
					t.Fatalf("%v\nstderr: %s", err, stderr.String())
				}
				if s.send != "" {
					if _, err := io.WriteString(ptmx, s.send); err != nil {
						t.Fatal(err)
					}
				}
			}
			if code := <-done; code != 0 {
				t.Fatalf("exit %d\nscreen: %q\nstderr: %s", code, term.text(), stderr.String())
			}
			if diff := cmp.Diff(golden(t, tc.name), h.readConfig()); diff != "" {
				t.Errorf("config written (-aws cli +ssocli):\n%s", diff)
			}
			if fi, err := os.Stat(h.configPath()); err == nil && tc.name == "sso-new-session" && fi.Mode().Perm() != 0o600 {
				t.Errorf("new config file mode %v, want 0600", fi.Mode().Perm())
			}
		})
	}
}

func TestConfigureFlagsOnly(t *testing.T) {
	t.Parallel()
	for _, tc := range configureCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newConfigureHome(t, tc.name)
			out, errs, code := h.run("", append(append([]string{}, tc.args...), tc.flags...)...)
			if code != 0 {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errs)
			}
			if strings.Contains(out, "[None]") {
				t.Errorf("the flag-only form asked a question:\n%s", out)
			}
			if diff := cmp.Diff(golden(t, tc.name), h.readConfig()); diff != "" {
				t.Errorf("config written (-aws cli +ssocli):\n%s", diff)
			}
		})
	}
}

func TestConfigureNonInteractiveErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want string
		code int
	}{
		{"start URL required", []string{"configure", "sso-session", "--sso-session", "x", "--non-interactive"}, "SSO start URL: a value is required; give it with --start-url.", 252},
		{"bad start URL", []string{"configure", "sso-session", "--sso-session", "x", "--start-url", "nope", "--region", "r", "--non-interactive"}, "argument --start-url: Not a valid Start URL", 252},
		{"http start URL", []string{"configure", "sso-session", "--sso-session", "x", "--start-url", "http://d-0000000000.awsapps.com/start", "--region", "r", "--non-interactive"},
			"argument --start-url: The sso_start_url must use the https scheme.", 252},
		{"many accounts", []string{"configure", "sso", "--profile", "p", "--sso-session", "corp", "--start-url", testStartURL, "--region", "us-east-1", "--non-interactive", "--use-device-code"},
			"There are 12 AWS accounts available to you: choose one with --account-id.", 252},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newConfigureHome(t, tc.name)
			_, errs, code := h.run("", tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d with %q", code, errs, tc.code, tc.want)
			}
		})
	}
}

// screen collects what a program writes to a pseudo-terminal.
type screen struct {
	mu   sync.Mutex
	cond *sync.Cond
	buf  []byte
	pos  int // where the next expect starts looking
	err  error
}

func newScreen(r io.Reader) *screen {
	s := &screen{}
	s.cond = sync.NewCond(&s.mu)
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := r.Read(b)
			s.mu.Lock()
			s.buf = append(s.buf, b[:n]...)
			if err != nil {
				s.err = err
			}
			s.cond.Broadcast()
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return s
}

func (s *screen) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.buf)
}

// expect waits until want appears after the previous match.
func (s *screen) expect(want string, timeout time.Duration) error {
	timer := time.AfterFunc(timeout, func() {
		s.mu.Lock()
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer timer.Stop()
	deadline := time.Now().Add(timeout)
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if i := strings.Index(string(s.buf[s.pos:]), want); i >= 0 {
			s.pos += i + len(want)
			return nil
		}
		if s.err != nil || time.Now().After(deadline) {
			return &expectError{want: want, got: string(s.buf[s.pos:])}
		}
		s.cond.Wait()
	}
}

type expectError struct{ want, got string }

func (e *expectError) Error() string {
	return "the terminal never showed " + strconvQuote(e.want) + "; after the last match it shows " + strconvQuote(e.got)
}

func strconvQuote(s string) string { return "\"" + strings.ReplaceAll(s, "\"", "\\\"") + "\"" }

// TestConfigureCtrlC runs the real binary under a pseudo-terminal and
// presses Ctrl-C at each question of the wizards, line prompts (where the
// terminal turns it into SIGINT) and choosers (raw mode, where it is a byte)
// alike: ssocli must exit 130 at once and leave ~/.aws/config as it was.
func TestConfigureCtrlC(t *testing.T) {
	t.Parallel()
	bin := ssocliBinary(t)
	seen := map[string]bool{}
	for _, tc := range configureCases {
		for i, s := range tc.steps {
			if s.send == "" || seen[s.want] {
				continue
			}
			seen[s.want] = true
			t.Run(tc.name+"/"+s.want, func(t *testing.T) {
				t.Parallel()
				h := newConfigureHome(t, tc.name)
				before, beforeErr := os.ReadFile(h.configPath())
				cmd := exec.Command(bin, tc.args...)
				cmd.Env = []string{"HOME=" + h.home, "AWS_ENDPOINT_URL=" + h.vars["AWS_ENDPOINT_URL"], "PATH=/usr/bin:/bin", "TERM=xterm"}
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				ptmx, err := pty.Start(cmd)
				if err != nil {
					requireTerminal(t, err)
				}
				defer ptmx.Close()
				term := newScreen(ptmx)
				exited := make(chan error, 1)
				go func() { exited <- cmd.Wait() }()
				for _, prev := range tc.steps[:i] {
					if err := term.expect(prev.want, 20*time.Second); err != nil {
						cmd.Process.Kill()
						t.Fatalf("%v\nstderr: %s", err, stderr.String())
					}
					if prev.send != "" {
						io.WriteString(ptmx, prev.send)
					}
				}
				if err := term.expect(s.want, 20*time.Second); err != nil {
					cmd.Process.Kill()
					t.Fatalf("%v\nstderr: %s", err, stderr.String())
				}
				io.WriteString(ptmx, "\x03")
				select {
				case <-exited:
				case <-time.After(20 * time.Second):
					cmd.Process.Kill()
					<-exited
					screen := term.text()
					t.Fatalf("Ctrl-C at %q did not end ssocli; the terminal ends with %q", s.want, screen[max(0, len(screen)-200):])
				}
				if code := cmd.ProcessState.ExitCode(); code != 130 {
					t.Errorf("exit %d after Ctrl-C, want 130\nstderr: %s", code, stderr.String())
				}
				after, afterErr := os.ReadFile(h.configPath())
				if string(before) != string(after) || (beforeErr == nil) != (afterErr == nil) {
					t.Errorf("Ctrl-C at %q changed ~/.aws/config:\n%s", s.want, after)
				}
				entries, _ := os.ReadDir(filepath.Dir(h.configPath()))
				for _, e := range entries {
					if strings.Contains(e.Name(), ".tmp") {
						t.Errorf("Ctrl-C left %s in ~/.aws", e.Name())
					}
				}
			})
		}
	}
}

// requireTerminal skips the test without a pseudo-terminal (fails under CI).
func requireTerminal(t *testing.T, err error) {
	t.Helper()
	require.Missingf(t, "no pseudo-terminal here: %v", err)
}
