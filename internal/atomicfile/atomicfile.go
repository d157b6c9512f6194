// Package atomicfile writes and reads the files ssocli shares with the AWS CLI
// and the SDKs (the SSO caches, ~/.aws/config, the local CA), so that a reader
// never sees a partial file and no write goes where it should not.
//
// WriteFile promises, for every caller:
//   - A reader sees the old file or the new one, never a mix: the data goes to a
//     temporary file in the same directory (named "."+base+".tmp-*": hidden and
//     not ending in ".json", so directory scans skip it), which is fsynced and
//     renamed over the target; then the directory is fsynced, so the rename
//     survives a power cut (best effort: not every file system can). The AWS
//     CLI 2.9.19 truncates and rewrites in place, which is how its cache files
//     get torn (spec §3.4, botocore#3213).
//   - On any failure before the rename the old file is untouched and the
//     temporary file is removed.
//   - A target that exists but is not a regular file (a directory, FIFO, socket
//     or device) is refused, as tailscale's atomicfile refuses it, instead of
//     being renamed over.
//   - A symlink at the target is followed only inside its own directory, unless
//     the caller asks to follow it anywhere (Options.FollowSymlinks).
//   - The file's mode is forced (set with Chmod, so the umask cannot change it)
//     or kept from the file being replaced (Options.KeepPerm).
//   - On Windows the rename is retried while another process holds the target
//     open (internal/robustio).
//
// ReadFile is the matching reader: regular files only (a FIFO is never waited
// on, a device is never read), bounded in size, with the same symlink policy.
//
// The package is not for deciding what goes into a file or for locking: the
// callers own their formats, and internal/filelock their locks.
package atomicfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/ssocli/ssocli/internal/robustio"
)

var (
	// ErrUnsafeSymlink is wrapped by the error for a symlink that leads outside
	// its directory, or dangles, when the policy follows links only inside it.
	// Following it would let whoever placed the link read or overwrite another
	// file with our secrets.
	ErrUnsafeSymlink = errors.New("symlink leads outside its directory")
	// ErrNotRegular is wrapped by the error for a path that exists but is not a
	// regular file.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge is wrapped by the error for a file larger than the reader's
	// bound.
	ErrTooLarge = errors.New("file too large")
)

// Options say how WriteFile treats the file it replaces.
type Options struct {
	// Perm is the mode of the written file. With KeepPerm it is the mode of a
	// new file only. Windows has no Unix modes and ignores it.
	Perm fs.FileMode
	// KeepPerm keeps the mode of the file being replaced (config files: the
	// user's choice stands).
	KeepPerm bool
	// DirPerm is the mode of missing parent directories, set with Chmod
	// whatever the umask (0700 when zero). Existing directories are left as
	// they are.
	DirPerm fs.FileMode
	// FollowSymlinks follows a symlink at the target wherever it leads, so that
	// a config file kept in a dotfiles repository stays a link. Without it a
	// link is followed only when its target lies in the link's own (resolved)
	// directory; any other, and a dangling one, is refused with
	// ErrUnsafeSymlink.
	FollowSymlinks bool
	// InPlace allows the AWS CLI 2.9.19's way as a fallback: when the directory
	// refuses a new file (permission denied) but the target exists and can be
	// opened for writing, it is truncated, rewritten and fsynced in place. A
	// reader may then see a partial file, which is better than losing data the
	// caller cannot get again (a refreshed token whose refresh token the
	// server has already rotated). Never used for a full disk or a read-only
	// file system: those fail as they are.
	InPlace bool

	// beforeRename, for tests, runs just before the rename; an error fails
	// the write there.
	beforeRename func(tmp string) error
}

func (o Options) dirPerm() fs.FileMode {
	if o.DirPerm == 0 {
		return 0o700
	}
	return o.DirPerm
}

// WriteFile replaces path with data; see the package documentation. ctx bounds
// the Windows retries (about 2 s at most in any case). Errors name path.
func WriteFile(ctx context.Context, path string, data []byte, o Options) (err error) {
	target, existing, err := prepare(path, o)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	perm := o.Perm
	if o.KeepPerm && existing != nil {
		perm = existing.Mode().Perm()
	}
	dir, base := filepath.Split(target)
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		if o.InPlace && existing != nil && errors.Is(err, fs.ErrPermission) {
			if opened, ierr := writeInPlace(target, data, perm); opened {
				if ierr != nil {
					return fmt.Errorf("write %s in place (its directory refuses new files: %v): %w", path, err, ierr)
				}
				return nil
			}
		}
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if runtime.GOOS != "windows" {
		// CreateTemp asks for 0600; Chmod makes the mode exact under any umask.
		if err = f.Chmod(perm); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err = writeData(f, target, data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write %s: sync: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if o.beforeRename != nil {
		if err = o.beforeRename(tmp); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err = robustio.Rename(ctx, tmp, target); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// prepare creates the missing parent directories, applies the symlink policy
// and returns the file to replace and, if it exists, its FileInfo.
func prepare(path string, o Options) (target string, existing fs.FileInfo, err error) {
	if err := MkdirAll(filepath.Dir(path), o.dirPerm()); err != nil {
		return "", nil, err
	}
	target = path
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return target, nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		if o.FollowSymlinks {
			target, err = filepath.EvalSymlinks(path)
			if errors.Is(err, fs.ErrNotExist) {
				// A dangling link: create what it names, as the AWS CLI would.
				if target, err = danglingTarget(path); err != nil {
					return "", nil, err
				}
			} else if err != nil {
				return "", nil, err
			}
		} else if target, err = ResolveInside(path); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				err = fmt.Errorf("refusing to write through dangling symlink %s: %w", path, ErrUnsafeSymlink)
			}
			return "", nil, err
		}
		if fi, err = os.Lstat(target); errors.Is(err, fs.ErrNotExist) {
			return target, nil, MkdirAll(filepath.Dir(target), o.dirPerm())
		} else if err != nil {
			return "", nil, err
		}
	}
	if !fi.Mode().IsRegular() {
		return "", nil, fmt.Errorf("refusing to replace %s (%s): %w", target, describe(fi.Mode()), ErrNotRegular)
	}
	return target, fi, nil
}

// danglingTarget follows a chain of links that ends at a missing file and
// returns the absolute path of that file.
func danglingTarget(path string) (string, error) {
	for range 40 { // the kernel's own limit on links followed
		dest, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		fi, err := os.Lstat(dest)
		if errors.Is(err, fs.ErrNotExist) {
			return dest, nil
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return dest, nil
		}
		path = dest
	}
	return "", fmt.Errorf("resolve %s: too many levels of symbolic links", path)
}

func describe(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.Type().String()
}

// writeInPlace is the AWS CLI 2.9.19's write: open the existing file without
// creating it, truncate, write, fsync. The mode is tightened to perm when the
// file is ours (best effort: it may belong to someone else). opened reports
// whether the file could be opened, that is whether anything was tried.
func writeInPlace(path string, data []byte, perm fs.FileMode) (opened bool, err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|openNoFollow, 0)
	if err != nil {
		return false, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return false, ErrNotRegular
	}
	if runtime.GOOS != "windows" {
		_ = f.Chmod(perm)
	}
	if err := f.Truncate(0); err != nil {
		return true, err
	}
	if err := writeData(f, path, data); err != nil {
		return true, err
	}
	if err := f.Sync(); err != nil {
		return true, fmt.Errorf("sync: %w", err)
	}
	return true, f.Close()
}

// CanWrite reports (as a nil error) whether WriteFile with o could replace
// path now: the directory accepts a new file, or (with o.InPlace) the file
// exists and can be opened for writing. It creates and removes a probe file;
// it writes nothing else. A caller about to spend something it cannot get
// back, such as a single-use refresh token, asks first.
func CanWrite(path string, o Options) error {
	target, existing, err := prepare(path, o)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	dir, base := filepath.Split(target)
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err == nil {
		name := f.Name()
		f.Close()
		os.Remove(name)
		return nil
	}
	if o.InPlace && existing != nil && errors.Is(err, fs.ErrPermission) {
		w, werr := os.OpenFile(target, os.O_WRONLY|openNoFollow, 0)
		if werr == nil {
			w.Close()
			return nil
		}
	}
	return fmt.Errorf("write %s: %w", path, err)
}

// syncDir makes a rename in dir durable. It is best effort: the new file is in
// place already, and some file systems (and Windows) refuse to fsync a
// directory.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// MkdirAll creates dir and any missing parents with mode perm, set with Chmod
// so the umask cannot widen or narrow it. Directories that already exist are
// left as they are (the AWS CLI creates them 0755; we do not tighten the
// user's choice). A parent that is a file is an error.
func MkdirAll(dir string, perm fs.FileMode) error {
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
		if err := MkdirAll(parent, perm); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, perm); err != nil {
		if errors.Is(err, fs.ErrExist) { // another process made it first
			if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
				return nil
			}
		}
		return err
	}
	if runtime.GOOS == "windows" {
		return nil
	}
	return os.Chmod(dir, perm)
}

// ResolveInside resolves the symlink at path and returns its target if that
// lies inside the (resolved) directory holding path. The directory itself may
// be a symlink: people keep ~/.aws in a dotfiles repository. A dangling link
// gives an error satisfying errors.Is(err, fs.ErrNotExist); any other refusal
// wraps ErrUnsafeSymlink.
func ResolveInside(path string) (string, error) {
	dir, err := filepath.EvalSymlinks(filepath.Dir(path))
	if err != nil {
		return "", fmt.Errorf("resolve directory of %s: %w", path, err)
	}
	target, err := filepath.EvalSymlinks(path)
	if errors.Is(err, fs.ErrNotExist) {
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

// crashEnv names the test-only variable that makes a write die half-way (see
// writeData). It is read here rather than passed in because the crash tests
// drive the real binary; nothing else in the program reads it.
const crashEnv = "SSOCLI_TEST_CRASH_WRITE"

var crashMatch = sync.OnceValue(func() string { return os.Getenv(crashEnv) })

// writeData writes data to f. When SSOCLI_TEST_CRASH_WRITE is set and the
// target's path (with forward slashes) contains its value, it writes half of
// the data, syncs, and kills the process, so that a crash test sees exactly the
// state a SIGKILL just before the rename leaves: with the temporary file and
// rename, the target is whole; a writer that truncated the target and wrote
// into it would leave half a file.
func writeData(f *os.File, target string, data []byte) error {
	if m := crashMatch(); m != "" && strings.Contains(filepath.ToSlash(target), m) {
		f.Write(data[:len(data)/2])
		f.Sync()
		if p, err := os.FindProcess(os.Getpid()); err == nil {
			p.Kill()
		}
		select {} // the kill is on its way
	}
	_, err := f.Write(data)
	return err
}
