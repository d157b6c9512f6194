//go:build unix

package cli

import (
	"bufio"
	"errors"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

func TestExecPassesSignals(t *testing.T) {
	t.Parallel()
	_, env := execHome(t)
	for _, tc := range []struct {
		name string
		sig  syscall.Signal
		trap string
		want int
	}{
		{"SIGINT", syscall.SIGINT, "INT", 42},
		{"SIGTERM", syscall.SIGTERM, "TERM", 43},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			script := "trap 'exit " + map[int]string{42: "42", 43: "43"}[tc.want] + "' " + tc.trap + "; echo ready; while :; do sleep 0.05; done"
			cmd := exec.Command(ssocliBinary(t), "exec", "--profile", "dev", "--", "sh", "-c", script)
			cmd.Env = env
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(stdout).ReadString('\n')
			if err != nil || line != "ready\n" {
				_ = cmd.Process.Kill()
				t.Fatalf("child said %q, %v", line, err)
			}
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			waited := make(chan error, 1)
			go func() { waited <- cmd.Wait() }()
			select {
			case err = <-waited:
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatal("ssocli exec did not end after the signal")
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tc.want {
				t.Errorf("ssocli exec ended with %v, want exit %d (the child's trap)", err, tc.want)
			}
		})
	}
}
