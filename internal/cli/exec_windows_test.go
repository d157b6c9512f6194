package cli

import (
	"os"
	"strconv"
)

// systemPath is the PATH the exec tests give ssocli after its own directory:
// where cmd.exe lives.
var systemPath = os.Getenv("SystemRoot") + `\System32;` + os.Getenv("SystemRoot")

// exitCommand is a command that exits with code.
func exitCommand(code int) []string { return []string{"cmd", "/c", "exit " + strconv.Itoa(code)} }

// TestExecPassesSignals has no twin here: ssocli exec on Windows forwards
// Ctrl-C and Ctrl-Break through the console the child shares, and Wine (where
// CI runs the Windows tests) gives a process with piped standard streams no
// console: GenerateConsoleCtrlEvent fails with ERROR_INVALID_ACCESS.
