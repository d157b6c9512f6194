//go:build unix

package atomicfile

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"syscall"
)

func openRegular(_ context.Context, path string, follow bool) (*os.File, error) {
	if err := checkRegular(path, follow); err != nil {
		if follow && errors.Is(err, syscall.ELOOP) {
			return nil, &fs.PathError{Op: "open", Path: path, Err: ErrNotRegular}
		}
		return nil, err
	}
	flags := os.O_RDONLY | syscall.O_NONBLOCK | syscall.O_CLOEXEC
	if !follow {
		flags |= syscall.O_NOFOLLOW
	}
	f, err := os.OpenFile(path, flags, 0)
	if err != nil {
		// ELOOP: a link swapped in since the stat (EMLINK is FreeBSD's answer
		// to O_NOFOLLOW on a link).
		if errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK) {
			if follow {
				return nil, &fs.PathError{Op: "open", Path: path, Err: ErrNotRegular}
			}
			return nil, errIsSymlink
		}
		return nil, err
	}
	return f, nil
}
