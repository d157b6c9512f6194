//go:build linux

package interop

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/ssocli/ssocli/internal/idc/directory"
)

// TestMFACtrlC: Ctrl-C at the MFA prompt ends ssocli at once with exit 130
// and the terminal's echo back on, as getpass does for the AWS CLI. The source
// has static keys, so nothing has waited on the process's context before the
// prompt: the prompt itself must ask for the signal (sigctx), or the default
// action ends the process with echo off. Before that the read went on until
// Enter.
func TestMFACtrlC(t *testing.T) {
	f := newChainFixture(t)
	writeFile(t, filepath.Join(f.home, ".aws", "config"), readFileString(t, filepath.Join(f.home, ".aws", "config"))+
		"\n[profile mfa]\nrole_arn = arn:aws:iam::"+prodAccount+":role/"+directory.DemoMFARole+"\nsource_profile = ci\nmfa_serial = "+directory.DemoMFASerial+"\n")
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	defer tty.Close()
	cmd := exec.Command(ssocliBin, "sts", "get-caller-identity", "--profile", "mfa")
	cmd.Env, cmd.Dir = f.peerEnv(), f.home
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var out bytes.Buffer
	readMFAPrompt(t, ptmx, &out)
	if _, err := ptmx.Write([]byte("\x03")); err != nil {
		t.Fatal(err)
	}
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("Ctrl-C at the MFA prompt did not end ssocli; terminal: %q", out.String())
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("ssocli after Ctrl-C at the MFA prompt: %v, want exit 130; terminal: %q", err, out.String())
	}
	tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if tio.Lflag&unix.ECHO == 0 {
		t.Error("ssocli left the terminal's echo off")
	}
}
