//go:build unix

package robust

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ssocli/ssocli/internal/idc/idctest"
)

// TestFileModesUnderUmask000 logs in, fetches role credentials and starts
// serve (its CA) with the umask at 000: every directory ssocli creates is
// 0700 and every file holding a secret 0600; the CA certificate, which is
// public and meant for AWS_CA_BUNDLE, may be 0644 but never writable by
// others. It changes the process umask, so it must not run in parallel.
func TestFileModesUnderUmask000(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)

	srv := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithAutoApproveDelay(-1))
	h := newHome(t, srv, srv.URL)
	// The config lives elsewhere, so ssocli creates ~/.aws itself.
	cfg := filepath.Join(t.TempDir(), "config")
	if err := os.Rename(filepath.Join(h.dir, ".aws", "config"), cfg); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(h.dir, ".aws")); err != nil {
		t.Fatal(err)
	}
	h.vars["AWS_CONFIG_FILE"] = cfg
	h.login()
	h.mustRun("sso", "login", "--profile", "legacy")
	h.mustRun("configure", "export-credentials", "--profile", "p")
	h.mustRun("sts", "get-caller-identity", "--profile", "ro")

	dataHome := filepath.Join(h.dir, ".local", "share")
	_, _, _, stop := serveInProcess(t, "--addr", "127.0.0.1:0", "--quiet", "--data-dir", filepath.Join(dataHome, "ssocli", "serve"))
	stop()

	var checked int
	for _, root := range []string{filepath.Join(h.dir, ".aws"), filepath.Join(h.dir, ".local")} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			fi, err := os.Lstat(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(h.dir, p)
			perm := fi.Mode().Perm()
			switch {
			case fi.IsDir():
				if perm != 0o700 {
					t.Errorf("directory ~/%s has mode %#o, want 0700", rel, perm)
				}
			case strings.HasSuffix(p, ".pem") && !strings.Contains(filepath.Base(p), "key"):
				if perm&0o022 != 0 || perm&0o100 != 0 {
					t.Errorf("certificate ~/%s has mode %#o, want 0644 or tighter", rel, perm)
				}
			default:
				if perm != 0o600 {
					t.Errorf("file ~/%s has mode %#o, want 0600", rel, perm)
				}
			}
			checked++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// sso/cache: token, 2 registrations; cli/cache: 2 role credentials;
	// the CA's key and certificate; and their directories.
	if checked < 12 {
		t.Errorf("checked only %d paths: ssocli wrote less than the test expects", checked)
	}
}
