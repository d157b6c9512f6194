//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package filelock

import (
	"errors"
	"os"
	"syscall"
)

// openNoFollow: a symlink planted at the lock's name is not followed.
const openNoFollow = syscall.O_NOFOLLOW

// fixMode makes the lock file 0600 when the umask narrowed it; it holds
// nothing secret, so this is best effort.
func fixMode(f *os.File) {
	if fi, err := f.Stat(); err == nil && fi.Mode().Perm() != 0o600 {
		_ = f.Chmod(0o600)
	}
}

// tryLock takes an exclusive flock without waiting.
func tryLock(f *os.File) (bool, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return false, err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) {
		for {
			ferr = syscall.Flock(int(fd), syscall.LOCK_EX|syscall.LOCK_NB)
			if ferr != syscall.EINTR {
				return
			}
		}
	}); err != nil {
		return false, err
	}
	if errors.Is(ferr, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return ferr == nil, ferr
}

// unsupported: the file system has no flock (macOS NFS without lockd and SMB
// mounts answer ENOTSUP; Linux NFS without lockd ENOLCK).
func unsupported(err error) bool {
	return errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENOLCK)
}

// unlock closes the file, which drops the flock.
func unlock(f *os.File) { f.Close() }
