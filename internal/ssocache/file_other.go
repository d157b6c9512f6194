//go:build !unix

package ssocache

import (
	"io/fs"
	"os"
)

// readRegular reads a regular file, reporting a symlink as errIsSymlink so the
// caller can check where it leads.
func readRegular(path string) (string, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return "", err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return "", errIsSymlink
	}
	if !fi.Mode().IsRegular() {
		return "", &fs.PathError{Op: "open", Path: path, Err: errNotRegular}
	}
	if fi.Size() > maxFileSize {
		return "", errTooLarge
	}
	b, err := os.ReadFile(path)
	return string(b), err
}
