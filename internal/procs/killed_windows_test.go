package procs

import (
	"errors"
	"os/exec"
)

// killed reports whether a command ended by the crash hook's os.Process.Kill
// of itself: on Windows that is TerminateProcess with exit code 1, a code
// ssocli never exits with (its own are 0, 130 and 252 to 255).
func killed(err error) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee) && ee.ExitCode() == 1
}
