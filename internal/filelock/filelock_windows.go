package filelock

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

const openNoFollow = 0

// fixMode does nothing: Windows has no Unix modes.
func fixMode(*os.File) {}

// tryLock takes an exclusive LockFileEx lock on the whole file (all bytes, as
// cmd/go's lockedfile does) without waiting.
func tryLock(f *os.File) (bool, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return false, err
	}
	var lerr error
	if err := rc.Control(func(h uintptr) {
		lerr = windows.LockFileEx(windows.Handle(h), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY,
			0, ^uint32(0), ^uint32(0), new(windows.Overlapped))
	}); err != nil {
		return false, err
	}
	if errors.Is(lerr, windows.ERROR_LOCK_VIOLATION) || errors.Is(lerr, windows.ERROR_IO_PENDING) {
		return false, nil
	}
	return lerr == nil, lerr
}

// unsupported: a file system or redirector that has no byte-range locks.
func unsupported(err error) bool {
	return errors.Is(err, windows.ERROR_NOT_SUPPORTED) || errors.Is(err, windows.ERROR_INVALID_FUNCTION)
}

// unlock releases the lock explicitly (Windows releases a closed handle's
// locks only eventually) and closes the file.
func unlock(f *os.File) {
	if rc, err := f.SyscallConn(); err == nil {
		_ = rc.Control(func(h uintptr) {
			_ = windows.UnlockFileEx(windows.Handle(h), 0, ^uint32(0), ^uint32(0), new(windows.Overlapped))
		})
	}
	f.Close()
}
