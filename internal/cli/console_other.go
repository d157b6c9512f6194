//go:build !windows

package cli

import "os"

// consoleANSI reports whether the terminals interpret ANSI escape sequences:
// they do on Unix unless TERM says "dumb" (Emacs' shell, some CI logs).
func consoleANSI(...*os.File) bool { return os.Getenv("TERM") != "dumb" }
