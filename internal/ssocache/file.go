package ssocache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/ssocli/ssocli/internal/atomicfile"
	"github.com/ssocli/ssocli/internal/robustio"
)

// cacheWrite is how every cache file is written (internal/atomicfile): 0600
// and directories 0700 whatever the umask, a symlink followed only inside its
// directory, and, when the directory refuses new files but the file exists and
// is writable (a cache directory left owned by root by a sudo run), the AWS CLI
// 2.9.19's truncate-and-rewrite in place rather than no write at all:
// otherwise a refreshed token, whose old refresh token the server has just
// rotated, would be lost with the session (adversarial B8).
var cacheWrite = atomicfile.Options{Perm: 0o600, DirPerm: 0o700, InPlace: true}

// readCacheFile returns the contents of a cache file as a string (the parsers
// take substrings of it): a regular file of at most 1 MiB, a symlink followed
// only when it stays inside the file's directory. A missing file gives an error
// satisfying errors.Is(err, fs.ErrNotExist).
func readCacheFile(path, kind string) (string, error) {
	data, err := atomicfile.ReadFile(context.Background(), path, atomicfile.ReadOptions{MaxSize: maxFileSize})
	if errors.Is(err, atomicfile.ErrTooLarge) {
		return "", &CorruptError{Path: path, Kind: kind, Reason: "file is larger than 1 MiB", InvalidJSON: true}
	}
	if err != nil {
		return "", fmt.Errorf("read %s cache %s: %w", kind, path, err)
	}
	return string(data), nil
}

// writeFile replaces path with data so that a concurrent reader sees either
// the old file or the new one, never a mix (see internal/atomicfile; the AWS
// CLI truncates and rewrites in place, which is how its cache files get
// corrupted: spec §3.4, botocore#3213).
func writeFile(path string, data []byte) error {
	return atomicfile.WriteFile(context.Background(), path, data, cacheWrite)
}

// CanWrite reports (as a nil error) whether the cache file at path can be
// written now, atomically or in place. A caller about to spend something it
// cannot get back asks first: a refresh rotates the refresh token, so a
// refreshed token that cannot be saved ends the session.
func CanWrite(path string) error { return atomicfile.CanWrite(path, cacheWrite) }

// Remove deletes a cache file; a file that does not exist is not an error (logout
// and a failed refresh both remove files another process may have removed first).
// On Windows it is retried while another process reads the file.
func Remove(path string) error {
	if err := robustio.Remove(context.Background(), path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	return nil
}
