package ssocache

import (
	"fmt"

	"github.com/ssocli/ssocli/internal/atomicfile"
)

// CorruptError reports a cache file that exists but cannot be used: not JSON, not
// an object, or missing a required key. It names the file and what is wrong, never
// the contents (they hold secrets). The usual fix is to log in again, which
// rewrites the file; deleting it also works.
type CorruptError struct {
	Path        string // the file
	Kind        string // "SSO token", "client registration" or "role credentials"
	Reason      string // what is wrong, e.g. "missing accessToken" or "invalid character at byte 17"
	InvalidJSON bool   // the file is not a JSON object at all (as opposed to a missing or mistyped key)
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("%s cache file %s is corrupt: %s", e.Kind, e.Path, e.Reason)
}

// ErrUnsafeSymlink is wrapped by the error returned when a cache file is a symlink
// that leads outside its cache directory (or cannot be resolved). Following it would
// let whoever placed the link read or overwrite another file with our secrets.
var ErrUnsafeSymlink = atomicfile.ErrUnsafeSymlink

// maxFileSize bounds what we read: real cache files are a few kilobytes.
const maxFileSize = 1 << 20
