package cli

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"

	"golang.org/x/sys/windows"
)

// TestExecCtrlC is the Windows twin of TestExecPassesSignals.

// TestExecHelperProcess is a helper, not a test, when SSOCLI_EXEC_HELPER is
// set (otherwise it does nothing):
//   - "command": the command under ssocli exec. It says "ready", then exits
//     42 on Ctrl-C or Ctrl-Break.
//   - "console": runs in a console of its own (so that no other process, and
//     not go test, sees the event): starts ssocli exec with the command,
//     waits for "ready", sends Ctrl-C to every process of its console,
//     itself included (it ignores it), and prints ssocli's exit code.
func TestExecHelperProcess(t *testing.T) {
	switch os.Getenv("SSOCLI_EXEC_HELPER") {
	case "command":
		c := make(chan os.Signal, 1)
		signal.Notify(c, os.Interrupt)
		fmt.Println("ready")
		<-c
		os.Exit(42)
	case "console":
		os.Exit(consoleHelper())
	}
}

func consoleHelper() int {
	fail := func(format string, args ...any) int {
		fmt.Printf("helper: "+format+"\n", args...)
		return 1
	}
	self, err := os.Executable()
	if err != nil {
		return fail("%v", err)
	}
	// Notify, not Ignore: on Windows an ignored Ctrl-C still ends the process.
	signal.Notify(make(chan os.Signal, 1), os.Interrupt)
	cmd := exec.Command(os.Getenv("SSOCLI_EXEC_BINARY"), "exec", "--profile", "dev", "--", self, "-test.run=^TestExecHelperProcess$")
	cmd.Env = append(os.Environ(), "SSOCLI_EXEC_HELPER=command")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fail("%v", err)
	}
	if err := cmd.Start(); err != nil {
		return fail("%v", err)
	}
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "ready\n" {
		_ = cmd.Process.Kill()
		return fail("the command said %q, %v", line, err)
	}
	// Group 0: every process attached to this console. (Ctrl-Break to a
	// process group of its own is what a user's console does too, but Wine
	// does not deliver it; both arrive in Go as os.Interrupt.)
	if err := windows.GenerateConsoleCtrlEvent(windows.CTRL_C_EVENT, 0); err != nil {
		_ = cmd.Process.Kill()
		return fail("GenerateConsoleCtrlEvent: %v", err)
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	switch {
	case err == nil:
		fmt.Println("exit 0")
	case errors.As(err, &ee):
		fmt.Println("exit", ee.ExitCode())
	default:
		return fail("wait: %v", err)
	}
	return 0
}

// TestExecCtrlC presses Ctrl-C on a console where ssocli exec runs a
// command: the command gets it from the console, ssocli survives it, waits,
// and exits with the command's code.
func TestExecCtrlC(t *testing.T) {
	t.Parallel()
	_, env := execHome(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run=^TestExecHelperProcess$")
	cmd.Env = append(env, "SSOCLI_EXEC_HELPER=console", "SSOCLI_EXEC_BINARY="+ssocliBinary(t))
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.CREATE_NEW_CONSOLE}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("console helper: %v\n%s%s", err, out, stderrOf(err))
	}
	if got := string(out); got != "exit 42\n" {
		t.Errorf("console helper said %q, want ssocli exec to end with the command's exit 42 after Ctrl-C", got)
	}
}
