package procs

import (
	"math/rand/v2"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/ssocli/ssocli/internal/ssocache"
)

// TestCrashConsistency kills writers with SIGKILL at random moments while
// they refresh the token and write role credentials, and checks after every
// kill that each cache file still parses and that the survivors still work.
func TestCrashConsistency(t *testing.T) {
	w := newWorld(t, 2)
	iterations := 40
	if testing.Short() {
		iterations = 15
	}
	for i := range iterations {
		// A writer killed after the server rotated the refresh token but
		// before it saved the new one leaves a refresh token the server
		// treats as reused, which ends the session (reuse detection); so
		// each round starts from a fresh login.
		w.mustRun("sso", "login", "--profile", "p1", "--use-device-code")
		w.intoRefreshWindow()
		os.RemoveAll(ssocache.CLIDir(w.home))
		var cmds []*osProc
		for p := range 4 {
			c := w.cmd("configure", "export-credentials", "--profile", []string{"p1", "p2"}[p%2])
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			cmds = append(cmds, &osProc{c.Process, c.Wait})
		}
		// Kill half of them somewhere between start-up and the end of their work.
		time.Sleep(time.Duration(rand.IntN(15_000)) * time.Microsecond)
		for j, c := range cmds {
			if j%2 == 0 {
				c.p.Signal(syscall.SIGKILL)
			}
		}
		for _, c := range cmds {
			c.wait()
		}
		w.checkCaches()
		if t.Failed() {
			t.Fatalf("iteration %d left a broken cache file", i)
		}
	}
	// After all that, a login makes everything work again.
	w.mustRun("sso", "login", "--profile", "p1", "--use-device-code")
	w.mustRun("configure", "export-credentials", "--profile", "p1")
	w.mustRun("configure", "export-credentials", "--profile", "p2")
}

type osProc struct {
	p    *os.Process
	wait func() error
}
