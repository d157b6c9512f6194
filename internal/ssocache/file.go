package ssocache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// readCacheFile returns the contents of a cache file as a string (the parsers take
// substrings of it). A symlink is followed only when it stays inside the file's
// directory (see resolveInside). A missing file gives an error satisfying
// errors.Is(err, fs.ErrNotExist).
func readCacheFile(path, kind string) (string, error) {
	data, err := readRegular(path)
	if errors.Is(err, errIsSymlink) {
		var target string
		if target, err = resolveInside(path); err == nil {
			data, err = readRegular(target)
		}
	}
	if errors.Is(err, errTooLarge) {
		return "", &CorruptError{Path: path, Kind: kind, Reason: "file is larger than 1 MiB", InvalidJSON: true}
	}
	if err != nil {
		return "", fmt.Errorf("read %s cache %s: %w", kind, path, err)
	}
	return data, nil
}

var (
	errIsSymlink  = errors.New("is a symlink")
	errTooLarge   = errors.New("file too large")
	errNotRegular = errors.New("not a regular file")
)

// resolveInside resolves the symlink at path and returns its target if that lies
// inside the (resolved) directory holding path. The directory itself may be a
// symlink: people keep ~/.aws in a dotfiles repository.
func resolveInside(path string) (string, error) {
	dir, err := filepath.EvalSymlinks(filepath.Dir(path))
	if err != nil {
		return "", fmt.Errorf("resolve directory of %s: %w", path, err)
	}
	target, err := filepath.EvalSymlinks(path)
	if errors.Is(err, fs.ErrNotExist) {
		// A dangling link: report it as missing, as reading a missing file would.
		return "", fmt.Errorf("resolve symlink %s: %w", path, err)
	}
	if err != nil {
		return "", fmt.Errorf("refusing to follow symlink %s: %w (%v)", path, ErrUnsafeSymlink, err)
	}
	rel, err := filepath.Rel(dir, target)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", fmt.Errorf("refusing to follow symlink %s to %s: %w %s", path, target, ErrUnsafeSymlink, dir)
	}
	return target, nil
}

// WriteFileAtomic replaces path with data so that a concurrent reader sees either
// the old file or the new one, never a mix (the AWS CLI truncates and rewrites in
// place, which is how its cache files get corrupted: spec §3.4, botocore#3213).
//
// It writes a temporary file in the same directory (its name starts with '.' and
// does not end in ".json", so directory scans skip it), fsyncs it, sets 0600,
// renames it over path and fsyncs the directory (best effort: not every file
// system can). Missing parent directories are created 0700 whatever the umask. On
// any failure before the rename the old file is untouched and the temporary file is
// removed. If path is a symlink it is followed only inside its directory.
func WriteFileAtomic(path string, data []byte) error {
	return writeFileAtomic(path, data, nil)
}

// writeFileAtomic is WriteFileAtomic with a hook run just before the rename, which
// tests use to make a write fail at its last step.
func writeFileAtomic(path string, data []byte, beforeRename func(tmp string) error) (err error) {
	if err := mkdirAll(filepath.Dir(path)); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		target, err := resolveInside(path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				err = fmt.Errorf("refusing to write through dangling symlink %s: %w", path, ErrUnsafeSymlink)
			}
			return fmt.Errorf("write %s: %w", path, err)
		}
		path = target
	}
	dir, base := filepath.Split(path)
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	// CreateTemp already asks for 0600; Chmod makes it exact under any umask.
	if err = f.Chmod(0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write %s: sync: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if beforeRename != nil {
		if err = beforeRename(tmp); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable. It is best effort: the new file is in
// place already, and some file systems refuse to fsync a directory.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// mkdirAll creates dir and any missing parents with mode 0700, set with Chmod so
// the umask cannot widen or narrow it. Directories that already exist are left as
// they are (the AWS CLI creates them 0755; we do not tighten the user's choice).
func mkdirAll(dir string) error {
	fi, err := os.Stat(dir)
	if err == nil {
		if !fi.IsDir() {
			return &fs.PathError{Op: "mkdir", Path: dir, Err: errors.New("not a directory")}
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := mkdirAll(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		if errors.Is(err, fs.ErrExist) { // another process made it first
			if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
				return nil
			}
		}
		return err
	}
	return os.Chmod(dir, 0o700)
}

// Remove deletes a cache file; a file that does not exist is not an error (logout
// and a failed refresh both remove files another process may have removed first).
func Remove(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	return nil
}
