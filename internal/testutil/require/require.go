// Package require is the one place that decides what a test does when a tool,
// a peer, a privilege or a platform feature it needs is missing: on a
// developer's machine it skips with the reason; under CI (CI set to a true
// value, as CI services do) it fails, so that CI cannot pass by skipping.
//
// Use it for every skip whose cause is the environment. A skip for another
// reason (-short, an opt-in flag) is not for this package.
package require

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// InCI reports whether CI is set to a true value.
func InCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// Missing skips t with the reason, or fails it under CI.
func Missing(t testing.TB, reason string) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s (CI=true: this test must run; install or enable what it needs)", reason)
		return
	}
	t.Skipf("%s", reason)
}

// Missingf is Missing with a format.
func Missingf(t testing.TB, format string, args ...any) {
	t.Helper()
	if InCI() {
		t.Fatalf(format+" (CI=true: this test must run; install or enable what it needs)", args...)
		return
	}
	t.Skipf(format, args...)
}

// Command returns the path of the named program, or calls Missing.
func Command(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missingf(t, "%s not found: %v", name, err)
	}
	return p
}

// Root calls Missing unless the test runs as root.
func Root(t testing.TB, why string) {
	t.Helper()
	if os.Geteuid() != 0 {
		Missingf(t, "needs root: %s", why)
	}
}
