package netns

import (
	"os/exec"
	"runtime"
	"syscall"
)

// runTiedToParent runs cmd and makes the kernel kill it if this process dies
// (go test's timeout kills it), so the re-run does not outlive it. The death
// signal is tied to the thread that started the child, so this goroutine
// stays on it until the child ends.
func runTiedToParent(cmd *exec.Cmd) error {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return cmd.Run()
}
