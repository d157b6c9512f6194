//go:build !windows

package cli

import "testing"

func TestConsoleANSIUnix(t *testing.T) {
	t.Setenv("TERM", "dumb")
	if consoleANSI() {
		t.Error("TERM=dumb: consoleANSI = true, want false")
	}
	t.Setenv("TERM", "xterm-256color")
	if !consoleANSI() {
		t.Error("TERM=xterm-256color: consoleANSI = false, want true")
	}
}
