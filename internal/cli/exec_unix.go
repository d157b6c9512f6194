//go:build !windows

package cli

import (
	"os"
	"syscall"
)

// execSignals are the signals exec passes on to the command.
var execSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM}

// forwardSignal passes s on to the command, which decides what it means.
func forwardSignal(p *os.Process, s os.Signal) { _ = p.Signal(s) }
