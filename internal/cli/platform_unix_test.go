//go:build unix

package cli

import (
	"os"
	"strconv"
	"testing"
)

// What the tests do differently on Unix and on Windows, side by side with
// platform_windows_test.go.

// systemPath is the PATH the exec tests give ssocli after its own directory.
const systemPath = "/usr/bin:/bin"

// exitCommand is a command that exits with code.
func exitCommand(code int) []string { return []string{"sh", "-c", "exit " + strconv.Itoa(code)} }

// envCommand prints its environment, one NAME=value a line.
var envCommand = []string{"env"}

// unreadableConfig returns a config path that exists but cannot be read, and
// the reason ssocli should give: a path through a regular file.
func unreadableConfig(t *testing.T, h *harness) (path, why string) {
	t.Helper()
	notDir := h.path("a-file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return notDir + "/config", "not a directory"
}
