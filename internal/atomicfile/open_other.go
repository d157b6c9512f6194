//go:build !unix

package atomicfile

// openNoFollow is 0: outside Unix the callers check for a link with Lstat
// before they open.
const openNoFollow = 0
