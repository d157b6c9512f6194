//go:build unix

package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/testutil/ptyterm"
	"github.com/ssocli/ssocli/internal/testutil/require"
)

// runOnTerminal runs ssocli in-process with stdout on a pseudo-terminal of
// 40 rows and 100 columns, and returns the terminal's screen, stderr and the
// exit code once it has shown want.
func runOnTerminal(t *testing.T, h *harness, want string, args ...string) (*ptyterm.Recorder, string, int) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		require.Missingf(t, "no pseudo-terminal here: %v", err)
	}
	t.Cleanup(func() { ptmx.Close(); tty.Close() })
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 100}); err != nil {
		t.Fatal(err)
	}
	term := ptyterm.Record(ptmx, nil)
	var stderr bytes.Buffer
	env := h.env(nil, &stderr)
	env.Stdout, env.StdoutTTY = tty, true
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- Run(ctx, env, args) }()
	if err := term.Expect(want, 20*time.Second); err != nil {
		cancel()
		t.Fatalf("%v\nstderr: %s", err, stderr.String())
	}
	code := <-done
	return term, stderr.String(), code
}

// TestPagerOnTerminal: on a terminal the output goes through AWS_PAGER,
// split as a shell would, with LESS=FRX added and the terminal as the
// pager's stdout, and the pager gets exactly what a pipe gets.
func TestPagerOnTerminal(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.vars["PATH"] = os.Getenv("PATH")
	h.mustRun("sso", "login", "--profile", "p", "--use-device-code")
	args := []string{"sts", "get-caller-identity", "--profile", "p", "--output", "table"}
	piped := h.mustRun(args...)

	got := filepath.Join(t.TempDir(), "paged")
	h.vars["AWS_PAGER"] = `sh -c 'cat > "$0"; echo "LESS=$LESS"; [ -t 1 ] && echo "PAGER-STDOUT-IS-A-TTY"' ` + got
	term, stderr, code := runOnTerminal(t, h, "PAGER-STDOUT-IS-A-TTY", args...)
	if code != 0 {
		t.Fatalf("exit %d\nscreen: %q\nstderr: %s", code, term.Text(), stderr)
	}
	if !strings.Contains(term.Text(), "LESS=FRX") {
		t.Errorf("the pager's environment has no LESS=FRX; screen %q", term.Text())
	}
	b, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	// The table is as wide as the terminal allows (100 columns), and
	// coloured, as on the AWS CLI's terminal; a pipe gets neither.
	if strings.Contains(string(b), colorResetSeq) == false {
		t.Errorf("the table sent to the pager on a terminal has no colour:\n%s", b)
	}
	if diff := cmp.Diff(piped, stripColor(string(b))); diff != "" {
		t.Errorf("paged output without its colours (-pipe +pager):\n%s", diff)
	}
}

// TestLessOnTerminal: with no pager configured the terminal gets less,
// the first on PATH (here a wrapper that notes it ran, then runs the real
// one, which with LESS=FRX prints a short output and quits). The pager is
// looked up on the process's PATH, as every command ssocli starts, so the
// test sets it and does not run in parallel.
func TestLessOnTerminal(t *testing.T) {
	less, err := exec.LookPath("less")
	if err != nil {
		require.Missingf(t, "less is not installed: %v", err)
	}
	bin := t.TempDir()
	ran := filepath.Join(bin, "ran")
	wrapper := "#!/bin/sh\necho \"$LESS\" > " + ran + "\nexec " + less + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "less"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	h := newHarness(t)
	h.vars["PATH"] = os.Getenv("PATH")
	h.vars["TERM"] = "xterm"
	h.mustRun("sso", "login", "--profile", "p", "--use-device-code")
	term, stderr, code := runOnTerminal(t, h, "arn:aws:sts::"+testAccount, "sts", "get-caller-identity", "--profile", "p", "--query", "Arn", "--output", "text")
	if code != 0 {
		t.Fatalf("exit %d\nscreen: %q\nstderr: %s", code, term.Text(), stderr)
	}
	if b, err := os.ReadFile(ran); err != nil || string(b) != "FRX\n" {
		t.Errorf("less ran with LESS=%q (%v), want FRX", b, err)
	}
}

// TestPagerNotFound: a pager that cannot be started is the AWS CLI's
// Pager error (PagerErrorHandler, 253), and nothing is printed without it.
func TestPagerNotFound(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.vars["PATH"] = os.Getenv("PATH")
	h.vars["AWS_PAGER"] = "no-such-pager-ssocli --flag"
	term, stderr, code := runOnTerminal(t, h, "", "sso", "status", "--output", "yaml")
	want := "An error occurred (Pager): Unable to redirect output to pager. Received the following error when opening pager:\n[Errno 2] No such file or directory: 'no-such-pager-ssocli'\n\n" +
		`Learn more about configuring the output pager by running "aws help config-vars".`
	if code != 253 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr %q; want 253 and %q", code, stderr, want)
	}
	if s := term.Text(); s != "" {
		t.Errorf("the terminal shows %q", s)
	}
}

// TestPagerLazy: nothing to print starts no pager (the AWS CLI's
// LazyPager), so a missing one is no error then.
func TestPagerLazy(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.vars["PATH"] = os.Getenv("PATH")
	h.mustRun("sso", "login", "--sso-session", "corp", "--use-device-code")
	h.vars["AWS_PAGER"] = "no-such-pager-ssocli"
	term, stderr, code := runOnTerminal(t, h, "", "sso", "status", "--sso-session", "corp", "--output", "off")
	if code != 0 || stderr != "" {
		t.Errorf("exit %d, stderr %q, screen %q; want 0 and nothing", code, stderr, term.Text())
	}
}
