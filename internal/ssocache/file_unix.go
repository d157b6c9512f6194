//go:build unix

package ssocache

import (
	"io/fs"
	"syscall"
)

// readRegular reads a regular file without following a symlink at its last
// component (O_NOFOLLOW) and without blocking on a FIFO (O_NONBLOCK). It uses the
// syscalls directly: this is the credential hot path, and *os.File costs several
// allocations that buy nothing for one small read.
func readRegular(path string) (string, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err == syscall.ELOOP || err == syscall.EMLINK { // EMLINK: FreeBSD's answer to O_NOFOLLOW on a link
		return "", errIsSymlink
	}
	if err != nil {
		return "", &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return "", &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return "", &fs.PathError{Op: "open", Path: path, Err: errNotRegular}
	}
	if st.Size > maxFileSize {
		return "", errTooLarge
	}
	// One byte more than the size, so a file that grew meanwhile is read whole.
	buf := make([]byte, 0, int(st.Size)+1)
	for {
		if len(buf) == cap(buf) {
			if len(buf) > maxFileSize {
				return "", errTooLarge
			}
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := syscall.Read(fd, buf[len(buf):cap(buf)])
		if err == syscall.EINTR || err == syscall.EAGAIN {
			continue
		}
		if err != nil {
			return "", &fs.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return string(buf), nil
		}
		buf = buf[:len(buf)+n]
	}
}
