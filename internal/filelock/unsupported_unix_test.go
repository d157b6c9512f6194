//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package filelock

import "syscall"

var unsupportedErrors = []error{syscall.ENOTSUP, syscall.EOPNOTSUPP, syscall.ENOLCK}
