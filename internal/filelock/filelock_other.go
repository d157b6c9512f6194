//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package filelock

import (
	"errors"
	"os"
)

const openNoFollow = 0

func fixMode(*os.File) {}

// tryLock: this system has neither flock nor LockFileEx, so every lock
// degrades to no lock (see unsupported).
func tryLock(*os.File) (bool, error) { return false, errors.ErrUnsupported }

func unsupported(err error) bool { return errors.Is(err, errors.ErrUnsupported) }

func unlock(f *os.File) { f.Close() }
