package cli

import (
	"bytes"
	"fmt"
	"os"
	"runtime"

	"golang.org/x/term"

	"github.com/ssocli/ssocli/internal/creds"
)

// promptSecretOnTTY asks on the controlling terminal, as Python's
// getpass.getpass does for the AWS CLI's MFA prompt: the prompt is written to
// the terminal itself (so it shows even when stdout and stderr are pipes, as
// under credential_process) once echo is off, the answer is read without
// echo, and a newline follows. Without a terminal it returns creds.ErrNoTerminal.
func promptSecretOnTTY(prompt string) (string, error) {
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
	restore, err := echoOff(int(r.Fd()))
	if err != nil {
		return "", fmt.Errorf("turn off the terminal's echo: %w", err)
	}
	defer restore()
	fmt.Fprint(w, prompt)
	b, err := term.ReadPassword(int(r.Fd()))
	fmt.Fprint(w, "\n")
	if err != nil {
		return "", fmt.Errorf("read from the terminal: %w", err)
	}
	return string(bytes.TrimRight(b, "\r\n")), nil
}
