package procs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ssocli/ssocli/internal/ssocache"
)

// crashEnv is internal/atomicfile's test hook: a write whose path contains the
// variable's value writes half of its data and then SIGKILLs the process, right
// before the rename that would publish it.
const crashEnv = "SSOCLI_TEST_CRASH_WRITE"

// TestCrashConsistency kills ssocli in the middle of each cache write it makes
// (a login's token, a refresh's token, role credentials), at the worst moment
// and on every run: through the hook, not a timer. Each time the file must
// still be the old one, byte for byte (or absent if there was none), every
// cache file must parse, no temporary file may be read as a cache file, and
// the next run, without the hook, must work. A writer that truncated and
// rewrote in place, as the AWS CLI does, fails this every time: the killed
// process leaves half a file.
func TestCrashConsistency(t *testing.T) {
	w := newWorld(t, 2)
	w.mustRun("sso", "login", "--profile", "p1", "--use-device-code")
	tokenFile := "sso/cache/" + ssocache.TokenFileName("corp", "")
	rolePath := func(role string) string {
		return filepath.Join(ssocache.CLIDir(w.home), ssocache.RoleCredsFileName("100000000000", role, "corp", ""))
	}
	for _, tc := range []struct {
		name    string
		prepare func()
		crashOn string // the path (part) whose write is killed
		file    string // the file that must keep its old bytes
		args    []string
		// relogin: the killed process had already had its refresh token
		// rotated by the server, which then treats the old one as reused and
		// ends the session (reuse detection), so the next run logs in first.
		relogin bool
	}{
		{
			name:    "login",
			crashOn: tokenFile, file: ssocache.TokenPath(w.home, "corp", ""),
			args: []string{"sso", "login", "--profile", "p1", "--use-device-code"},
		},
		{
			name:    "refresh",
			prepare: func() { w.intoRefreshWindow(); os.RemoveAll(ssocache.CLIDir(w.home)) },
			crashOn: tokenFile, file: ssocache.TokenPath(w.home, "corp", ""),
			args:    []string{"configure", "export-credentials", "--profile", "p1"},
			relogin: true,
		},
		{
			name:    "new role credentials",
			prepare: func() { os.RemoveAll(ssocache.CLIDir(w.home)) },
			crashOn: "cli/cache/", file: rolePath("Role01"),
			args: []string{"configure", "export-credentials", "--profile", "p1"},
		},
		{
			name: "replaced role credentials",
			prepare: func() {
				w.mustRun("configure", "export-credentials", "--profile", "p2")
				w.expireRoleCredentials(rolePath("Role02"))
			},
			crashOn: "cli/cache/", file: rolePath("Role02"),
			args: []string{"configure", "export-credentials", "--profile", "p2"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.prepare != nil {
				tc.prepare()
			}
			old, oldErr := os.ReadFile(tc.file)
			c := w.cmd(tc.args...)
			c.Env = append(c.Env, crashEnv+"="+tc.crashOn)
			var stderr bytes.Buffer
			c.Stderr = &stderr
			err := c.Run()
			if !killed(err) {
				t.Fatalf("ssocli %v was not killed by the hook (%v): the write to %s never happened\n%s", tc.args, err, tc.crashOn, stderr.String())
			}
			now, nowErr := os.ReadFile(tc.file)
			switch {
			case errors.Is(oldErr, os.ErrNotExist) && !errors.Is(nowErr, os.ErrNotExist):
				t.Errorf("%s: a killed write left a file (%d bytes) where there was none", filepath.Base(tc.file), len(now))
			case oldErr == nil && !bytes.Equal(old, now):
				t.Errorf("%s: a killed write changed the file (%d bytes, then %d, %v)", filepath.Base(tc.file), len(old), len(now), nowErr)
			}
			w.checkCaches()
			if tc.relogin {
				w.mustRun("sso", "login", "--profile", "p1", "--use-device-code")
			}
			w.mustRun(tc.args...)
			w.checkCaches()
		})
	}
}

// expireRoleCredentials makes cached role credentials expired, so the next
// call fetches and replaces them.
func (w *world) expireRoleCredentials(path string) {
	w.t.Helper()
	rc, err := ssocache.ReadRoleCredentials(path)
	if err != nil {
		w.t.Fatal(err)
	}
	rc.Expiration = time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	if err := ssocache.WriteRoleCredentials(path, rc); err != nil {
		w.t.Fatal(err)
	}
}
