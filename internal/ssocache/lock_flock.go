//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package ssocache

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/ssocli/ssocli/internal/atomicfile"
)

// Lock takes the exclusive lock called name in LockDir(home), waiting until it is
// free or ctx is done (then it returns ctx's error). The lock is a flock(2) on the
// file name+".lock", so the kernel releases it when the holder exits or is killed:
// a crashed ssocli never leaves a stale lock. It excludes other processes and also
// other callers in this process (each call opens the file anew, and flock locks
// belong to the open file). unlock releases it and may be called more than once.
//
// Waiting polls with a jittered backoff up to 50 ms rather than blocking in
// flock(2), which could not be cancelled by ctx.
func Lock(ctx context.Context, home, name string) (unlock func(), err error) {
	f, err := openLockFile(home, name)
	if err != nil {
		return nil, err
	}
	delay := time.Millisecond
	for {
		ok, err := tryFlock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
		}
		if ok {
			return unlocker(f), nil
		}
		t := time.NewTimer(delay/2 + rand.N(delay))
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, fmt.Errorf("wait for lock %s: %w", f.Name(), ctx.Err())
		case <-t.C:
		}
		delay = min(2*delay, 50*time.Millisecond)
	}
}

// TryLock takes the lock called name if it is free and reports whether it did.
func TryLock(home, name string) (unlock func(), ok bool, err error) {
	f, err := openLockFile(home, name)
	if err != nil {
		return nil, false, err
	}
	ok, err = tryFlock(f)
	if err != nil || !ok {
		f.Close()
		if err != nil {
			return nil, false, fmt.Errorf("lock %s: %w", f.Name(), err)
		}
		return nil, false, nil
	}
	return unlocker(f), true, nil
}

func openLockFile(home, name string) (*os.File, error) {
	path, err := lockPath(home, name)
	if err != nil {
		return nil, err
	}
	if err := atomicfile.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().Perm() != 0o600 {
		_ = f.Chmod(0o600) // the umask may have narrowed it; the file holds nothing secret
	}
	return f, nil
}

// tryFlock takes an exclusive flock without waiting.
func tryFlock(f *os.File) (bool, error) {
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

// unlocker returns a function that releases the lock by closing the file (close
// drops the flock), once.
func unlocker(f *os.File) func() {
	var once sync.Once
	return func() { once.Do(func() { f.Close() }) }
}
