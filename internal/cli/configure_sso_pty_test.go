//go:build unix

package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/testutil/ptyterm"
	"github.com/ssocli/ssocli/internal/testutil/require"
)

// The wizards in a real terminal need a Unix pseudo-terminal (creack/pty).
// Their Windows counterpart would start ssocli.exe in a ConPTY; under Wine 10,
// where CI runs the Windows tests, a child of CreatePseudoConsole gets no
// console handles (measured), so there is none yet. TestConfigureFlagsOnly
// writes the same golden files on every system.

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
			term := ptyterm.Record(ptmx, nil)

			var stderr bytes.Buffer
			env := h.env(nil, &stderr)
			env.Stdin, env.Stdout = tty, tty
			env.StdinTTY, env.StdoutTTY = true, true
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			done := make(chan int, 1)
			go func() { done <- Run(ctx, env, tc.args) }()

			for _, s := range tc.steps {
				if err := term.Expect(s.want, 20*time.Second); err != nil {
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
				t.Fatalf("exit %d\nscreen: %q\nstderr: %s", code, term.Text(), stderr.String())
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
				term := ptyterm.Record(ptmx, nil)
				exited := make(chan error, 1)
				go func() { exited <- cmd.Wait() }()
				for _, prev := range tc.steps[:i] {
					if err := term.Expect(prev.want, 20*time.Second); err != nil {
						cmd.Process.Kill()
						t.Fatalf("%v\nstderr: %s", err, stderr.String())
					}
					if prev.send != "" {
						io.WriteString(ptmx, prev.send)
					}
				}
				if err := term.Expect(s.want, 20*time.Second); err != nil {
					cmd.Process.Kill()
					t.Fatalf("%v\nstderr: %s", err, stderr.String())
				}
				io.WriteString(ptmx, "\x03")
				select {
				case <-exited:
				case <-time.After(20 * time.Second):
					cmd.Process.Kill()
					<-exited
					screen := term.Text()
					t.Fatalf("Ctrl-C at %q did not end ssocli; the terminal ends with %q", s.want, screen[max(0, len(screen)-200):])
				}
				if code := cmd.ProcessState.ExitCode(); code != 130 {
					t.Errorf("exit %d after Ctrl-C, want 130\nstderr: %s", code, stderr.String())
				}
				after, afterErr := os.ReadFile(h.configPath())
				if string(before) != string(after) || (beforeErr == nil) != (afterErr == nil) {
					t.Errorf("Ctrl-C at %q changed ~/.aws/config:\n%s", s.want, after)
				}
				entries, _ := os.ReadDir(h.path(".aws"))
				for _, e := range entries {
					if strings.Contains(e.Name(), ".tmp") {
						t.Errorf("Ctrl-C left %s in ~/.aws", e.Name())
					}
				}
			})
		}
	}
}

func requireTerminal(t *testing.T, err error) {
	t.Helper()
	require.Missingf(t, "no pseudo-terminal here: %v", err)
}
