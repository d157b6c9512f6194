//go:build unix

package main

import (
	"os"
	"syscall"
)

// maxRSS is the child's peak resident set in KiB (Linux's unit; 0 if the
// system does not say).
func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}
