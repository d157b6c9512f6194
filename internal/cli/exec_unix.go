//go:build !windows

package cli

import (
	"os"
)

// forwardSignal passes s on to the command, which decides what it means.
func forwardSignal(p *os.Process, s os.Signal) { _ = p.Signal(s) }
