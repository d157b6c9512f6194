package atomicfile

import (
	"context"
	"os"

	"golang.org/x/sys/windows"

	"github.com/ssocli/ssocli/internal/robustio"
)

// openRegular opens after the stat check. It shares delete access
// (FILE_SHARE_DELETE, which os.Open does not), so that another process can
// rename a new version over the file while this one reads the old one, as on
// Unix: without it, every replace fails while any reader holds the file, and
// a busy reader can keep a writer out past its retries. The open itself is
// retried while a writer holds the file without sharing.
func openRegular(ctx context.Context, path string, follow bool) (*os.File, error) {
	if err := checkRegular(path, follow); err != nil {
		return nil, err
	}
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	var f *os.File
	err = robustio.Retry(ctx, func() error {
		h, err := windows.CreateFile(p, windows.GENERIC_READ,
			windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
			nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
		if err != nil {
			return &os.PathError{Op: "open", Path: path, Err: err}
		}
		f = os.NewFile(uintptr(h), path)
		return nil
	})
	return f, err
}
