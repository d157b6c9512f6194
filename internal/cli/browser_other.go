//go:build !windows

package cli

import "errors"

// shellOpen exists on Windows only; systemBrowser never asks for it elsewhere.
func shellOpen(string) error { return errors.New("ShellExecute is Windows only") }
