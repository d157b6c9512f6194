package ssocache

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Lock names: callers pass the cache file's base name (for example
// TokenFileName(...) for a login or refresh of one token, RoleCredsFileName(...)
// for one GetRoleCredentials), so every ssocli process agrees on the lock for a
// file. Lock files live in LockDir and are never deleted: removing one while
// another process waits on it would let two processes hold "the" lock at once.
func lockPath(home, name string) (string, error) {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`+"\x00") {
		return "", fmt.Errorf("invalid lock name %q", name)
	}
	return filepath.Join(LockDir(home), name+".lock"), nil
}
