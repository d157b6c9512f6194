//go:build linux

package robust

// These tests use mount namespaces, other users' uids and chown: Linux only.

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/ssocache"
	"github.com/ssocli/ssocli/internal/testutil/require"
)

// procResult runs the ssocli binary for h (its HOME and endpoint), wrapped by
// wrap (e.g. unshare), as uid when uid >= 0.
func (h *home) proc(wrap []string, uid int, args ...string) result {
	h.t.Helper()
	argv := append(append(append([]string{}, wrap...), ssocliBin), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = []string{"HOME=" + h.dir, "AWS_ENDPOINT_URL=" + h.vars["AWS_ENDPOINT_URL"], "PATH=" + os.Getenv("PATH")}
	if uid >= 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		h.t.Fatalf("run ssocli: %v", err)
	}
	return result{args: args, stdout: out.String(), stderr: errb.String(), code: code}
}

// canUnshareMount reports whether this process may make a private mount
// namespace (root, and a kernel and container that allow it).
func canUnshareMount(t *testing.T) {
	t.Helper()
	require.Root(t, "a mount namespace (unshare -m) for full and read-only file systems")
	if out, err := exec.Command("unshare", "-m", "--propagation", "private", "sh", "-c", "mount -t tmpfs tmpfs /mnt").CombinedOutput(); err != nil {
		require.Missingf(t, "mount namespaces are not permitted here: %v %s", err, out)
	}
}

// snapshotDir is snapshot for any directory; the directory's own entry is
// left out (a mount point's mode is the mount's).
func snapshotDir(t *testing.T, root string) map[string]string {
	t.Helper()
	m := snapshot(t, filepath.Dir(root), filepath.Base(root))
	delete(m, ".")
	return m
}

// diskCase is a cache directory under a fault and the command that must
// write there.
type diskCase struct {
	name    string
	dir     func(h *home) string // the cache directory under the fault
	prepare func(h *home)
	args    []string
	// mayCacheFail: the command may succeed without the cache (role
	// credentials are good even if they cannot be kept, and a refreshed token
	// is used even when it cannot be saved: internal/creds), but must then
	// warn, naming the directory and the cause.
	mayCacheFail bool
	// inPlace: the file the command writes exists, so a directory that
	// refuses new files but leaves the file writable (mode 0500) gets it
	// rewritten in place, as the AWS CLI does, and the command succeeds.
	inPlace bool
}

var diskCases = []diskCase{
	{
		name:    "token cache, sso login",
		dir:     func(h *home) string { return ssocache.SSODir(h.dir) },
		prepare: func(h *home) { h.login(); h.setTokenExpiry(time.Now().Add(-time.Hour)) },
		args:    []string{"sso", "login", "--profile", "p", "--use-device-code"},
		inPlace: true,
	},
	{
		name:         "token cache, refresh",
		dir:          func(h *home) string { return ssocache.SSODir(h.dir) },
		prepare:      func(h *home) { h.login(); h.setTokenExpiry(time.Now().Add(-time.Minute)) },
		args:         []string{"configure", "export-credentials", "--profile", "p"},
		mayCacheFail: true,
		inPlace:      true,
	},
	{
		name:         "role cache, export-credentials",
		dir:          func(h *home) string { return ssocache.CLIDir(h.dir) },
		prepare:      func(h *home) { h.login(); h.mustRun("configure", "export-credentials", "--profile", "ro") },
		args:         []string{"configure", "export-credentials", "--profile", "p"},
		mayCacheFail: true,
	},
}

// checkDiskResult: the command failed with a message naming the cache file's
// directory and the cause, or (mayCacheFail) succeeded with credentials and
// a warning naming them.
func checkDiskResult(t *testing.T, tc diskCase, r result, dir string, cause *regexp.Regexp) {
	t.Helper()
	t.Logf("%v:\n%s", r, r.stderr)
	if tc.mayCacheFail && r.code == 0 {
		if !strings.Contains(r.stdout, `"SecretAccessKey"`) {
			t.Errorf("%v printed no credentials", r)
		}
		if !strings.Contains(r.stderr, dir) || !cause.MatchString(r.stderr) {
			t.Errorf("%v: no warning naming %s and the cause (%v):\n%s", r, dir, cause, r.stderr)
		}
		return
	}
	if r.code == 0 {
		t.Errorf("%v, want a failure: the cache cannot be written", r)
		return
	}
	if !strings.Contains(r.stderr, dir) || !cause.MatchString(r.stderr) {
		t.Errorf("%v: the message does not name %s and the cause (%v):\n%s", r, dir, cause, r.stderr)
	}
}

// TestDiskFull fills a small tmpfs mounted over the cache directory, in a
// private mount namespace, and runs the command that must write there: it
// fails saying so (or, for role credentials, works without the cache), and
// the directory holds exactly what it held, no temporary file left behind.
func TestDiskFull(t *testing.T) {
	canUnshareMount(t)
	for _, tc := range diskCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithAutoApproveDelay(-1))
			h := newHome(t, srv, srv.URL)
			tc.prepare(h)
			dir := tc.dir(h)
			before := snapshotDir(t, dir)
			after := t.TempDir()
			// Copy the directory into a full tmpfs over it, run, copy out.
			script := `D="$1"; OUT="$2"; shift 2
S=$(mktemp -d); cp -a "$D"/. "$S"/
mount -t tmpfs -o size=64k,mode=0700 tmpfs "$D" || exit 97
cp -a "$S"/. "$D"/; rm -rf "$S"
dd if=/dev/zero of="$D/filler" bs=1k 2>/dev/null
[ -s "$D/filler" ] || exit 98
"$@"; rc=$?
rm -f "$D/filler"; cp -a "$D"/. "$OUT"/
exit $rc`
			r := h.proc([]string{"unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", dir, after}, -1, tc.args...)
			if r.code == 97 || r.code == 98 {
				t.Fatalf("could not set up the full tmpfs (exit %d): %s", r.code, r.stderr)
			}
			if d := cmp.Diff(before, snapshotDir(t, after)); d != "" {
				t.Errorf("the cache directory changed on a full disk (-before +after):\n%s", d)
			}
			checkDiskResult(t, tc, r, dir, regexp.MustCompile(`(?i)no space left on device`))
		})
	}
}

// TestReadOnlyCache makes the cache directory read-only (a read-only bind
// mount in a private mount namespace, since root ignores modes) and runs the
// command that must write there.
func TestReadOnlyCache(t *testing.T) {
	canUnshareMount(t)
	for _, tc := range diskCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithAutoApproveDelay(-1))
			h := newHome(t, srv, srv.URL)
			tc.prepare(h)
			dir := tc.dir(h)
			before := snapshot(t, dir)
			script := `D="$1"; shift
mount --bind "$D" "$D" && mount -o remount,bind,ro "$D" || exit 97
exec "$@"`
			r := h.proc([]string{"unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", dir}, -1, tc.args...)
			if r.code == 97 {
				t.Fatalf("could not mount read-only: %s", r.stderr)
			}
			checkUnchanged(t, dir, before)
			checkDiskResult(t, tc, r, dir, regexp.MustCompile(`(?i)read-only file system`))
		})
	}
}

// nobody is the user the permission tests run ssocli as.
const nobody = 65534

// TestCacheDirPermissions runs ssocli as an ordinary user (nobody) whose
// cache directory it cannot write (mode 0500) or that another user owns
// (root, 0700): the command fails with a message that names the directory
// and the cause, and the cache is left as it was.
func TestCacheDirPermissions(t *testing.T) {
	require.Root(t, "to run ssocli as another user")
	perms := []struct {
		name  string
		apply func(dir string) error
	}{
		{"mode 0500", func(dir string) error { return os.Chmod(dir, 0o500) }},
		{"owned by another user", func(dir string) error { return os.Chown(dir, 0, 0) }},
	}
	for _, tc := range diskCases {
		for _, p := range perms {
			t.Run(tc.name+"/"+p.name, func(t *testing.T) {
				t.Parallel()
				srv := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithAutoApproveDelay(-1))
				// A home nobody can reach: not under t.TempDir, whose parent is 0700.
				dir, err := os.MkdirTemp("", "ssocli-robust-home-")
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { os.RemoveAll(dir) })
				h := newHome(t, srv, srv.URL)
				h.dir = dir
				h.vars["HOME"] = dir
				h.writeConfig(srv)
				tc.prepare(h)
				if err := chownAll(dir, nobody); err != nil {
					t.Fatal(err)
				}
				cache := tc.dir(h)
				if err := p.apply(cache); err != nil {
					t.Fatal(err)
				}
				before := snapshot(t, cache)
				r := h.proc(nil, nobody, tc.args...)
				if tc.inPlace && p.name == "mode 0500" {
					if r.code != 0 {
						t.Errorf("%v, want success: the file is rewritten in place\n%s", r, r.stderr)
					}
					checkSameFiles(t, cache, before)
					return
				}
				checkUnchanged(t, cache, before)
				checkDiskResult(t, tc, r, cache, regexp.MustCompile(`(?i)permission denied`))
			})
		}
	}
}

// checkSameFiles fails the test if dir holds other files than before (a
// temporary file left behind, or a file made or removed); contents may differ.
func checkSameFiles(t *testing.T, dir string, before map[string]string) {
	t.Helper()
	names := func(m map[string]string) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		return slices.Sorted(slices.Values(out))
	}
	if d := cmp.Diff(names(before), names(snapshot(t, dir))); d != "" {
		t.Errorf("files under %s (-before +after):\n%s", dir, d)
	}
}

// TestRefreshInUnwritableCacheDir is the adversarial run's B8: ~/.aws/sso/cache
// left owned by root (a sudo run) while the token file is the user's. A
// refresh rotates the refresh token on the server, so the new token must be
// kept: it is written in place, as the AWS CLI does, and a second refresh
// works. When the token file cannot be written either, the refresh token is
// not spent: the command says why, and once the directory is fixed the
// session still refreshes.
func TestRefreshInUnwritableCacheDir(t *testing.T) {
	require.Root(t, "to run ssocli as another user")
	srv := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithAutoApproveDelay(-1))
	dir, err := os.MkdirTemp("", "ssocli-robust-home-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	h := newHome(t, srv, srv.URL)
	h.dir, h.vars["HOME"] = dir, dir
	h.writeConfig(srv)
	h.login()
	if err := chownAll(dir, nobody); err != nil {
		t.Fatal(err)
	}
	cache := ssocache.SSODir(dir)
	if err := os.Chown(cache, 0, 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(cache, 0o755); err != nil {
		t.Fatal(err)
	}
	refreshes := func() int { return srv.Server.Counts()["CreateToken/refresh_token"] }
	// exportInWindow puts the token in its refresh window (expired a minute
	// ago) and asks for credentials as nobody.
	exportInWindow := func() result {
		t.Helper()
		tok, err := ssocache.ReadToken(h.tokenPath())
		if err != nil {
			t.Fatal(err)
		}
		tok.ExpiresAt = time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
		// Root writes it in place too: the directory is root's, the file nobody's.
		if err := os.WriteFile(h.tokenPath(), tok.Marshal(), 0o600); err != nil {
			t.Fatal(err)
		}
		os.RemoveAll(ssocache.CLIDir(dir))
		return h.proc(nil, nobody, "configure", "export-credentials", "--profile", "p")
	}

	t.Run("token file writable: rewritten in place, the session lives on", func(t *testing.T) {
		for i := range 2 {
			before := refreshes()
			r := exportInWindow()
			if r.code != 0 || !strings.Contains(r.stdout, `"SecretAccessKey"`) {
				t.Fatalf("export-credentials #%d: %v\n%s", i+1, r, r.stderr)
			}
			if got := refreshes() - before; got != 1 {
				t.Errorf("export-credentials #%d: %d refreshes, want 1", i+1, got)
			}
			if strings.Contains(r.stderr, "warning") {
				t.Errorf("export-credentials #%d warned:\n%s", i+1, r.stderr)
			}
			tok, err := ssocache.ReadToken(h.tokenPath())
			if err != nil || !tok.ExpiresAt.After(time.Now().Add(30*time.Minute)) {
				t.Errorf("after #%d the cached token was not renewed (%v)", i+1, err)
			}
		}
	})
	t.Run("token file read-only too: the refresh token is not spent", func(t *testing.T) {
		if err := os.Chown(h.tokenPath(), 0, 0); err != nil { // readable, not writable, for nobody
			t.Fatal(err)
		}
		if err := os.Chmod(h.tokenPath(), 0o644); err != nil {
			t.Fatal(err)
		}
		before := refreshes()
		r := exportInWindow()
		if got := refreshes() - before; got != 0 {
			t.Errorf("%d refreshes with a token that could not be saved, want 0", got)
		}
		if r.code == 0 || !strings.Contains(r.stderr, "cannot be written") || !strings.Contains(r.stderr, h.tokenPath()) {
			t.Errorf("%v, want a failure saying the token file cannot be written:\n%s", r, r.stderr)
		}
		// Fixed: the session (its refresh token) is still good.
		if err := os.Chown(cache, nobody, nobody); err != nil {
			t.Fatal(err)
		}
		if r := exportInWindow(); r.code != 0 {
			t.Errorf("after the fix: %v\n%s", r, r.stderr)
		}
	})
}

func chownAll(root string, uid int) error {
	return filepath.Walk(root, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, uid)
	})
}

// TestSymlinkedCacheFiles plants cache files that are symlinks. One that
// leads outside its cache directory is never followed, for reading or for
// writing: the command fails naming the link (or, for role credentials,
// fetches fresh ones and does not keep them), and the file it points to is
// untouched. One that stays inside the directory is followed, as dotfile
// setups need.
func TestSymlinkedCacheFiles(t *testing.T) {
	srv := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithAutoApproveDelay(-1))
	tests := []struct {
		name string
		// file is the cache file to replace by a link.
		file func(h *home) string
		// prepare runs before the link is planted.
		prepare func(h *home)
		args    []string
		inside  bool // the link points into the same directory
		wantOK  bool
	}{
		{"token read, link outside", (*home).tokenPath, func(h *home) { h.login(); h.clearRoleCache() },
			[]string{"configure", "export-credentials", "--profile", "p"}, false, false},
		{"token written by login, link outside", (*home).tokenPath, func(h *home) { h.login(); h.setTokenExpiry(time.Now().Add(-time.Hour)) },
			[]string{"sso", "login", "--profile", "p", "--use-device-code"}, false, false},
		{"token written by refresh, link outside", (*home).tokenPath, func(h *home) { h.login(); h.setTokenExpiry(time.Now().Add(-time.Minute)) },
			[]string{"configure", "export-credentials", "--profile", "p"}, false, false},
		{"role credentials, link outside", roleCredsPath, func(h *home) { h.login(); h.mustRun("configure", "export-credentials", "--profile", "p") },
			[]string{"configure", "export-credentials", "--profile", "p"}, false, true},
		{"token read, link inside", (*home).tokenPath, func(h *home) { h.login(); h.clearRoleCache() },
			[]string{"configure", "export-credentials", "--profile", "p"}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHome(t, srv, srv.URL)
			tt.prepare(h)
			file := tt.file(h)
			content, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			// The link's target holds the same valid file: only where it
			// lies decides whether it may be used.
			target := filepath.Join(t.TempDir(), "elsewhere.json")
			if tt.inside {
				target = filepath.Join(filepath.Dir(file), "real-"+filepath.Base(file))
			}
			if err := os.WriteFile(target, content, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(file); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, file); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, h.dir)
			r := h.run(tt.args...)
			if tt.inside {
				if r.code != 0 {
					t.Errorf("%v through a link inside the cache directory:\n%s", r, r.stderr)
				}
				return
			}
			got, err := os.ReadFile(target)
			if err != nil || !bytes.Equal(got, content) {
				t.Errorf("the file outside the cache directory was changed or removed (%v)", err)
			}
			checkUnchanged(t, h.dir, before)
			if tt.wantOK {
				if r.code != 0 || !strings.Contains(r.stdout, `"SecretAccessKey"`) {
					t.Errorf("%v: want fresh credentials, not kept:\n%s", r, r.stderr)
				}
				return
			}
			if r.code == 0 {
				t.Errorf("%v: followed a symlink out of the cache directory", r)
			} else if !strings.Contains(r.stderr, "symlink") || !strings.Contains(r.stderr, file) {
				t.Errorf("%v: the message does not name the symlink %s:\n%s", r, file, r.stderr)
			}
		})
	}
}

func roleCredsPath(h *home) string {
	files, _ := filepath.Glob(filepath.Join(ssocache.CLIDir(h.dir), "*.json"))
	if len(files) != 1 {
		h.t.Fatalf("want one role credential file, have %d", len(files))
	}
	return files[0]
}
