//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package ssocache

import (
	"context"
	"errors"
	"fmt"
)

// Lock is not available on this system: ssocli's cross-process locks use flock(2).
func Lock(ctx context.Context, home, name string) (unlock func(), err error) {
	if _, err := lockPath(home, name); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("lock %s: %w", name, errors.ErrUnsupported)
}

// TryLock is not available on this system.
func TryLock(home, name string) (unlock func(), ok bool, err error) {
	_, err = Lock(context.Background(), home, name)
	return nil, false, err
}
