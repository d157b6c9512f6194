package ssocache

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/ssocli/ssocli/internal/atomicfile"
	"github.com/ssocli/ssocli/internal/filelock"
)

// Lock takes the exclusive cross-process lock called name in LockDir(home)
// (internal/filelock: flock on Unix, LockFileEx on Windows, released by the
// kernel if the holder dies), waiting until it is free or ctx is done (then it
// returns ctx's error). It excludes other processes and other callers in this
// process. unlock releases it and may be called more than once. On a file
// system without locks it takes none and tells debug (which may be nil).
//
// Lock names: callers pass the cache file's base name (for example
// TokenFileName(...) for a login or refresh of one token, RoleCredsFileName(...)
// for one GetRoleCredentials), so every ssocli process agrees on the lock for a
// file.
func Lock(ctx context.Context, home, name string, debug filelock.Debug) (unlock func(), err error) {
	path, err := lockPath(home, name)
	if err != nil {
		return nil, err
	}
	return filelock.Lock(ctx, path, debug)
}

// TryLock takes the lock called name if it is free and reports whether it did.
func TryLock(home, name string, debug filelock.Debug) (unlock func(), ok bool, err error) {
	path, err := lockPath(home, name)
	if err != nil {
		return nil, false, err
	}
	return filelock.TryLock(path, debug)
}

// lockPath validates name and returns its lock file, creating LockDir (0700)
// when missing.
func lockPath(home, name string) (string, error) {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`+"\x00") {
		return "", fmt.Errorf("invalid lock name %q", name)
	}
	path := filepath.Join(LockDir(home), name+".lock")
	if err := atomicfile.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("lock %s: %w", path, err)
	}
	return path, nil
}
