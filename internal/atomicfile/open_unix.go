//go:build unix

package atomicfile

import "syscall"

// openNoFollow makes an open fail on a symlink at the last component.
const openNoFollow = syscall.O_NOFOLLOW
