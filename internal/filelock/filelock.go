// Package filelock provides exclusive cross-process advisory locks on files:
// flock(2) on Unix, LockFileEx on Windows. The kernel releases a lock when its
// holder exits or is killed, so a crashed process never leaves a stale lock.
// Each Lock or TryLock opens the file anew, and both flock and LockFileEx locks
// belong to the open file, so a lock also excludes other callers in the same
// process.
//
// Waiting polls with a jittered backoff (up to 50 ms) instead of blocking in
// the kernel, so that a context can end it.
//
// A file system without locks (ENOTSUP, EOPNOTSUPP or ENOLCK from flock, as on
// some network home directories; ERROR_NOT_SUPPORTED on Windows) does not fail
// the caller: the lock degrades to no lock, and the caller's debug function
// hears about it once per call. That is what the AWS CLI always does, and
// better than refusing to log in on an NFS home.
//
// The package is not for deciding what to lock or where the lock files live:
// internal/ssocache names its locks, internal/idc/proxy its CA lock. Lock files
// are never deleted: removing one while another process waits on it would let
// two processes hold "the" lock at once.
package filelock

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"time"
)

// Debug receives a line for --debug: a message and slog-style key-value pairs
// ((*slog.Logger).Debug fits). It may be nil.
type Debug func(msg string, args ...any)

// Lock takes the exclusive lock on path (created 0600 if missing; its
// directory must exist), waiting until it is free or ctx is done (then it
// returns ctx's error). unlock releases it and may be called more than once.
func Lock(ctx context.Context, path string, debug Debug) (unlock func(), err error) {
	return lock(ctx, path, debug, tryLock)
}

// TryLock takes the lock on path if it is free and reports whether it did.
func TryLock(path string, debug Debug) (unlock func(), ok bool, err error) {
	f, err := openLockFile(path)
	if err != nil {
		return nil, false, err
	}
	ok, err = tryOrDegrade(f, debug, tryLock)
	if err != nil || !ok {
		f.Close()
		return nil, false, err
	}
	return unlocker(f), true, nil
}

func lock(ctx context.Context, path string, debug Debug, try func(*os.File) (bool, error)) (func(), error) {
	f, err := openLockFile(path)
	if err != nil {
		return nil, err
	}
	delay := time.Millisecond
	for {
		ok, err := tryOrDegrade(f, debug, try)
		if err != nil {
			f.Close()
			return nil, err
		}
		if ok {
			return unlocker(f), nil
		}
		t := time.NewTimer(delay/2 + rand.N(delay))
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, fmt.Errorf("wait for lock %s: %w", path, ctx.Err())
		case <-t.C:
		}
		delay = min(2*delay, 50*time.Millisecond)
	}
}

// tryOrDegrade tries the lock once; on a file system without locks it reports
// success (no lock is held, the file is merely open) after telling debug.
func tryOrDegrade(f *os.File, debug Debug, try func(*os.File) (bool, error)) (bool, error) {
	ok, err := try(f)
	if err == nil {
		return ok, nil
	}
	if unsupported(err) {
		if debug != nil {
			debug("file locks are not supported here; going on without the lock", "lock", f.Name(), "error", err)
		}
		return true, nil
	}
	return false, fmt.Errorf("lock %s: %w", f.Name(), err)
}

func openLockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|openNoFollow, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	fixMode(f)
	return f, nil
}

// unlocker returns a function that releases the lock, once.
func unlocker(f *os.File) func() {
	var once sync.Once
	return func() { once.Do(func() { unlock(f) }) }
}
