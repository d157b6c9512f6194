// Package robust tries to break ssocli as a whole: servers that fail in every
// way a network can (5xx, garbage, silence, a cut connection, a certificate
// from another CA), a cache directory that is full, read-only, foreign-owned
// or booby-trapped with symlinks, and a search of every byte ssocli writes for
// the secrets it holds. Each fault must end in a clear message and leave
// ~/.aws exactly as it was (issue 6, "Robustness"; spec/aws-cli-sso.md §3.4,
// §11; the house rule that no token or key is ever printed).
//
// Commands run in-process (cli.Run with an Env) against the local Identity
// Center of internal/idc/idctest, or behind a small fault-injecting front that
// passes every other call through to it. Tests that need the kernel's help (a
// full or read-only file system in a private mount namespace, a user without
// root's privileges) run the built ssocli binary as a process.
//
// It holds tests only. The fuzz targets for the same inputs live next to the
// code they fuzz (see scripts/fuzz.sh).
package robust

import (
	"testing"

	"github.com/ssocli/ssocli/internal/testutil/ssoclibin"
)

// ssocliBin is the ssocli binary built for the process tests, in a directory
// every user may read (the permission tests run it as another user).
var ssocliBin string

func TestMain(m *testing.M) { ssoclibin.TestMain(m, &ssocliBin) }
