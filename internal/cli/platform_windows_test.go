package cli

import (
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/windows"
)

// What the tests do differently on Windows and on Unix, side by side with
// platform_unix_test.go. The twin of TestExecPassesSignals is TestExecCtrlC
// (exec_windows_test.go).

// systemPath is the PATH the exec tests give ssocli after its own directory:
// where cmd.exe lives.
var systemPath = os.Getenv("SystemRoot") + `\System32;` + os.Getenv("SystemRoot")

// exitCommand is a command that exits with code.
func exitCommand(code int) []string { return []string{"cmd", "/c", "exit " + strconv.Itoa(code)} }

// envCommand prints its environment, one NAME=value a line (CRLF).
var envCommand = []string{"cmd", "/c", "set"}

// unreadableConfig returns a config path that exists but cannot be read, and
// the reason ssocli should give. A path through a regular file is "not found"
// on Windows (botocore's os.path.isfile says False, and the config reads as
// empty), so here it is a file another process holds open without sharing:
// every open fails with a sharing violation until the test ends.
func unreadableConfig(t *testing.T, h *harness) (path, why string) {
	t.Helper()
	path = h.path("config-held")
	if err := os.WriteFile(path, []byte("[profile p]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		t.Fatal(err)
	}
	held, err := windows.CreateFile(p, windows.GENERIC_READ, 0, nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { windows.CloseHandle(held) })
	return path, windows.ERROR_SHARING_VIOLATION.Error()
}
