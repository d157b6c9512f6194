// Package robustio retries the file operations that Windows refuses while
// another process has the file open: replacing a file (rename over it),
// reading it and removing it. Go's os.Open does not share delete access, and
// neither does Python's open(), so while ssocli, the AWS CLI or an SDK reads a
// cache file, a rename over it fails with ERROR_ACCESS_DENIED and a remove or
// open with ERROR_SHARING_VIOLATION (measured under Wine: 62 % of contended
// replaces, research/portability.md §3.5). The retries are bounded: about 2 s
// of jittered backoff, or less if the context ends first.
//
// The design is that of Go's own toolchain, cmd/go/internal/robustio (public
// copy in golang.org/x/tools/internal/robustio): the same errors, the same
// 2-second bound and jitter, with a context added. "Not found" is never retried
// here: our temporary files have unique names, and a missing file is a real
// answer for a reader.
//
// Elsewhere every function calls the operation once: POSIX rename replaces an
// open file, and nothing here is worth retrying.
package robustio

import (
	"context"
	"math/rand/v2"
	"os"
	"time"
)

// maxWait bounds the retries of one operation, as in cmd/go's robustio.
const maxWait = 2 * time.Second

// maxSleep caps one wait. cmd/go's backoff grows without a cap (about 20 tries
// in 2 s); against readers that reopen a file in a loop, the rename needs a
// moment when nobody holds it, and more tries find one. Measured under Wine
// with a reader in a tight loop: uncapped, a few of 100 replaces still failed
// after 2 s; capped at 20 ms fewer, at 4 ms fewer still.
const maxSleep = 4 * time.Millisecond

// Rename is os.Rename (on Windows MoveFileEx with MOVEFILE_REPLACE_EXISTING),
// retried while the target is held open by another process.
func Rename(ctx context.Context, oldpath, newpath string) error {
	return Retry(ctx, func() error { return os.Rename(oldpath, newpath) })
}

// Remove is os.Remove, retried while the file is held open by another process.
func Remove(ctx context.Context, path string) error {
	return Retry(ctx, func() error { return os.Remove(path) })
}

// Retry runs op until it succeeds, fails with an error that is not ephemeral
// (see IsEphemeral), about 2 s have passed or ctx is done, and returns op's
// last error. Callers wrap an open or a read with it.
func Retry(ctx context.Context, op func() error) error {
	return retry(ctx, op, isEphemeral, time.Now)
}

// IsEphemeral reports whether err may go away by waiting: on Windows
// ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION and ERROR_ACCESS_DENIED (what
// a rename over an open file returns; a real permission problem gives the same
// code, so it too is retried before it is reported). Elsewhere never.
func IsEphemeral(err error) bool { return isEphemeral(err) }

func retry(ctx context.Context, op func() error, ephemeral func(error) bool, now func() time.Time) error {
	var start time.Time
	next := time.Millisecond
	for {
		err := op()
		if err == nil || !ephemeral(err) {
			return err
		}
		if start.IsZero() {
			start = now()
		}
		left := maxWait - now().Sub(start)
		if left <= 0 {
			return err
		}
		t := time.NewTimer(min(next, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		next = min(next+rand.N(next), maxSleep) // jitter, as cmd/go's robustio
	}
}
