package atomicfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ReadOptions say what ReadFile accepts.
type ReadOptions struct {
	// MaxSize bounds the file's size; a larger file gives ErrTooLarge.
	MaxSize int64
	// FollowSymlinks follows a symlink wherever it leads; without it a link is
	// followed only inside its own directory (as WriteFile's policy).
	FollowSymlinks bool
}

// errIsSymlink reports a link at the last component when links are not
// followed.
var errIsSymlink = errors.New("is a symlink")

// ReadFile reads a regular file of at most o.MaxSize bytes. A path that exists
// but is not a regular file (a directory, FIFO, socket or device) gives an
// error wrapping ErrNotRegular before anything is read from it: it is checked
// with stat before the open, opened without blocking (O_NONBLOCK on Unix, so a
// FIFO swapped in meanwhile cannot hang the open) and checked again on the
// open file. A missing file gives an error satisfying
// errors.Is(err, fs.ErrNotExist). ctx ends a long read and bounds the Windows
// retries of the open (a file being replaced by another process).
func ReadFile(ctx context.Context, path string, o ReadOptions) ([]byte, error) {
	data, err := readRegular(ctx, path, o)
	if errors.Is(err, errIsSymlink) {
		var target string
		if target, err = ResolveInside(path); err == nil {
			data, err = readRegular(ctx, target, o)
		}
	}
	return data, err
}

func readRegular(ctx context.Context, path string, o ReadOptions) ([]byte, error) {
	f, err := openRegular(ctx, path, o.FollowSymlinks)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "open", Path: path, Err: ErrNotRegular}
	}
	if fi.Size() > o.MaxSize {
		return nil, &fs.PathError{Op: "read", Path: path, Err: ErrTooLarge}
	}
	// One byte more than the size, so a file that grew meanwhile is read whole
	// (up to the bound).
	buf := make([]byte, 0, fi.Size()+1)
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		if len(buf) == cap(buf) {
			if int64(len(buf)) > o.MaxSize {
				return nil, &fs.PathError{Op: "read", Path: path, Err: ErrTooLarge}
			}
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := f.Read(buf[len(buf):min(cap(buf), len(buf)+1<<20)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			if int64(len(buf)) > o.MaxSize {
				return nil, &fs.PathError{Op: "read", Path: path, Err: ErrTooLarge}
			}
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// checkRegular is the stat before the open: nothing that is not a regular
// file is opened at all (opening some devices has effects).
func checkRegular(path string, follow bool) error {
	stat := os.Lstat
	if follow {
		stat = os.Stat
	}
	fi, err := stat(path)
	if err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return errIsSymlink
	}
	if !fi.Mode().IsRegular() {
		return &fs.PathError{Op: "open", Path: path, Err: ErrNotRegular}
	}
	return nil
}
