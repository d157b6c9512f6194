//go:build unix

package procs

import (
	"errors"
	"os/exec"
	"syscall"
)

// killed reports whether a command ended by SIGKILL (the crash hook's
// os.Process.Kill of itself).
func killed(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}
