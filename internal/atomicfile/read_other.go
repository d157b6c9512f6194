//go:build !unix && !windows

package atomicfile

import (
	"context"
	"os"

	"github.com/ssocli/ssocli/internal/robustio"
)

// openRegular opens after the stat check; on Windows the open is retried
// while another process replaces the file (a sharing violation).
func openRegular(ctx context.Context, path string, follow bool) (*os.File, error) {
	if err := checkRegular(path, follow); err != nil {
		return nil, err
	}
	var f *os.File
	err := robustio.Retry(ctx, func() (err error) {
		f, err = os.Open(path)
		return err
	})
	return f, err
}
