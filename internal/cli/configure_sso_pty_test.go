//go:build unix

package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/testutil/require"
)

// The wizard in a real terminal needs a Unix pseudo-terminal. Its Windows
// counterpart would start ssocli.exe in a ConPTY; under Wine 10, where CI runs
// the Windows tests, a child of CreatePseudoConsole gets no console handles
// (measured), so there is none yet. TestConfigureFlagsOnly writes the same
// golden files on every system.

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
