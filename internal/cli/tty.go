package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"

	"golang.org/x/term"

	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/sigctx"
)

// promptSecretOnTTY asks on the controlling terminal, as Python's
// getpass.getpass does for the AWS CLI's MFA prompt: the prompt is written to
// the terminal itself (so it shows even when stdout and stderr are pipes, as
// under credential_process) once echo is off, the answer is read without
// echo, and a newline follows. Without a terminal it returns creds.ErrNoTerminal.
// When ctx ends first (Ctrl-C: the terminal still sends SIGINT with echo off)
// it returns ctx.Err() at once with echo back on, as getpass does on
// KeyboardInterrupt; the read left blocked ends with the process.
func promptSecretOnTTY(ctx context.Context, prompt string) (string, error) {
	in, out := "/dev/tty", "/dev/tty"
	if runtime.GOOS == "windows" {
		in, out = "CONIN$", "CONOUT$"
	}
	r, err := os.OpenFile(in, os.O_RDWR, 0)
	if err != nil {
		return "", fmt.Errorf("%w: open %s: %v", creds.ErrNoTerminal, in, err)
	}
	defer r.Close()
	w := r
	if out != in {
		if w, err = os.OpenFile(out, os.O_WRONLY, 0); err != nil {
			return "", fmt.Errorf("%w: open %s: %v", creds.ErrNoTerminal, out, err)
		}
		defer w.Close()
	}
	if !term.IsTerminal(int(r.Fd())) {
		return "", fmt.Errorf("%w: %s is not a terminal", creds.ErrNoTerminal, in)
	}
	// Catch the Ctrl-C from here on (sigctx asks for signals when waited on):
	// by the default action the process would end with echo off.
	sigctx.Arm(ctx)
	restore, err := echoOff(int(r.Fd()))
	if err != nil {
		return "", fmt.Errorf("turn off the terminal's echo: %w", err)
	}
	defer restore()
	fmt.Fprint(w, prompt)
	type answer struct {
		b   []byte
		err error
	}
	read := make(chan answer, 1)
	go func() {
		b, err := term.ReadPassword(int(r.Fd()))
		read <- answer{b, err}
	}()
	var a answer
	select {
	case a = <-read:
	case <-ctx.Done():
		fmt.Fprint(w, "\n")
		return "", ctx.Err()
	}
	fmt.Fprint(w, "\n")
	if a.err != nil {
		return "", fmt.Errorf("read from the terminal: %w", a.err)
	}
	return string(bytes.TrimRight(a.b, "\r\n")), nil
}
