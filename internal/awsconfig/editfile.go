package awsconfig

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/ssocli/ssocli/internal/atomicfile"
	"github.com/ssocli/ssocli/internal/filelock"
	"github.com/ssocli/ssocli/internal/usererr"
)

// EditOptions say how EditFile runs.
type EditOptions struct {
	// DryRun applies the edit and reports the change without writing (and
	// without taking the lock).
	DryRun bool
	// Debug receives a --debug line when the file system has no locks (see
	// internal/filelock). It may be nil.
	Debug filelock.Debug

	// onWait, for tests, runs when another process holds the lock.
	onWait func()
}

// Change is what EditFile did: the file's contents before and after the edit.
// They are equal when the edit changed nothing (and nothing was written).
type Change struct {
	Before, After []byte
}

// EditFile is the one read-modify-write of a config file. Under a
// cross-process lock (the file ".NAME.lock" beside the file, after symlinks,
// never deleted), it reads the file afresh, parses it as a Document (a file
// botocore could not read is refused, as the AWS CLI refuses it), applies edit,
// checks that botocore can read the result, and writes it atomically
// (internal/atomicfile) if it changed: the file keeps its mode (a new one is
// 0600), its line endings and every byte edit does not change, and a symlink
// stays a symlink. So parallel edits (twenty `configure sso` runs at once) all
// survive. A new file on Windows uses CRLF (see LineEnding).
//
// A missing file is an empty one; a path that is not a regular file is refused.
// An error from edit is returned as it is, and nothing is written.
func EditFile(ctx context.Context, path string, edit func(*Document) error, o EditOptions) (*Change, error) {
	if !o.DryRun {
		unlock, err := lockFor(ctx, path, o)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	before, err := atomicfile.ReadFile(ctx, path, atomicfile.ReadOptions{MaxSize: maxConfigSize, FollowSymlinks: true})
	if errors.Is(err, fs.ErrNotExist) {
		before, err = nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config file %s: %w", path, err)
	}
	d, err := ParseDocument(before)
	if err != nil {
		return nil, usererr.Wrap(usererr.CodeOther, "Unable to parse config file: "+path, err).WithHint(err.Error())
	}
	if err := edit(d); err != nil {
		return nil, err
	}
	after := d.Bytes()
	c := &Change{Before: before, After: after}
	if bytes.Equal(before, after) || o.DryRun {
		return c, nil
	}
	if _, err := ParseDocument(after); err != nil {
		return nil, fmt.Errorf("refusing to write config file %s: the edit would make it unreadable to botocore: %w", path, err)
	}
	if err := atomicfile.WriteFile(ctx, path, after, atomicfile.Options{Perm: 0o600, KeepPerm: true, FollowSymlinks: true}); err != nil {
		return nil, fmt.Errorf("write config file %s: %w", path, err)
	}
	return c, nil
}

// lockFor takes the edit lock of the config file at path: ".NAME.lock" in the
// directory of the file a symlink at path leads to, so that two names of one
// file share a lock. The directory is created (0700) if missing.
func lockFor(ctx context.Context, path string, o EditOptions) (func(), error) {
	real := path
	if r, err := filepath.EvalSymlinks(path); err == nil {
		real = r
	}
	dir := filepath.Dir(real)
	if err := atomicfile.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("lock config file %s: %w", path, err)
	}
	lock := filepath.Join(dir, "."+filepath.Base(real)+".lock")
	unlock, ok, err := filelock.TryLock(lock, o.Debug)
	if err != nil {
		return nil, fmt.Errorf("lock config file %s: %w", path, err)
	}
	if ok {
		return unlock, nil
	}
	if o.onWait != nil {
		o.onWait()
	}
	unlock, err = filelock.Lock(ctx, lock, o.Debug)
	if err != nil {
		return nil, fmt.Errorf("lock config file %s: %w", path, err)
	}
	return unlock, nil
}
