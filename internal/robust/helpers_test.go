package robust

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/cli"
	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/ssocache"
)

const (
	testAccount = "111122223333"
	testRole    = "AdministratorAccess"
)

// home is a temporary HOME with a config whose profiles point at one local
// Identity Center, in which ssocli commands run in-process.
type home struct {
	t    *testing.T
	dir  string
	vars map[string]string // the whole environment ssocli sees
	// client replaces the HTTP client built from the environment; nil lets
	// ssocli build its own (proxies, CA bundle), as the TLS tests need.
	client  *http.Client
	browser func(url string) error
	now     func() time.Time
	tee     io.Writer // also gets stdout as it is written, when set
}

// newHome writes a config for srv (start URL and region) and sends every
// AWS call to endpoint (srv.URL, or a fault front for it).
func newHome(t *testing.T, srv *idctest.TestServer, endpoint string) *home {
	t.Helper()
	h := &home{t: t, dir: t.TempDir(), client: idctest.LoopbackClient()}
	h.vars = map[string]string{"HOME": h.dir, "AWS_ENDPOINT_URL": endpoint}
	h.writeConfig(srv)
	return h
}

func (h *home) writeConfig(srv *idctest.TestServer) {
	h.t.Helper()
	cfg := strings.NewReplacer("START", srv.StartURL, "REGION", srv.Region, "ACCT", testAccount, "ROLE", testRole).Replace(`[sso-session corp]
sso_start_url = START
sso_region = REGION
sso_registration_scopes = sso:account:access

[profile p]
sso_session = corp
sso_account_id = ACCT
sso_role_name = ROLE
region = us-west-2
output = json

[profile ro]
sso_session = corp
sso_account_id = ACCT
sso_role_name = ReadOnly
region = us-west-2

[profile legacy]
sso_start_url = START
sso_region = REGION
sso_account_id = ACCT
sso_role_name = ROLE
region = eu-west-1
`)
	p := filepath.Join(h.dir, ".aws", "config")
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		h.t.Fatal(err)
	}
}

// result is what one command did.
type result struct {
	args           []string
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("ssocli %s: exit %d", strings.Join(r.args, " "), r.code)
}

// run runs ssocli in-process with args.
func (h *home) run(args ...string) result {
	h.t.Helper()
	return h.runCtx(context.Background(), args...)
}

func (h *home) runCtx(ctx context.Context, args ...string) result {
	h.t.Helper()
	var out, errb lockedBuffer
	var stdout io.Writer = &out
	if h.tee != nil {
		stdout = io.MultiWriter(&out, h.tee)
	}
	env := &cli.Env{
		Stdin:       strings.NewReader(""),
		Stdout:      stdout,
		Stderr:      &errb,
		Getenv:      func(k string) string { return h.vars[k] },
		Environ:     func() []string { return nil },
		Home:        h.dir,
		Now:         h.now,
		HTTPClient:  h.client,
		OpenBrowser: h.browser,
	}
	if h.browser == nil {
		env.BrowserCheck = func() error { return fmt.Errorf("no browser in tests") }
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	code := cli.Run(ctx, env, args)
	return result{args: args, stdout: out.String(), stderr: errb.String(), code: code}
}

// mustRun runs ssocli and fails the test unless it exits 0. It never prints
// stdout, which may hold credentials.
func (h *home) mustRun(args ...string) result {
	h.t.Helper()
	r := h.run(args...)
	if r.code != 0 {
		h.t.Fatalf("%v\nstderr: %s", r, r.stderr)
	}
	return r
}

// login logs profile p in with the device flow.
func (h *home) login() {
	h.t.Helper()
	h.mustRun("sso", "login", "--profile", "p", "--use-device-code")
}

func (h *home) tokenPath() string { return ssocache.TokenPath(h.dir, "corp", "") }

// setTokenExpiry rewrites the cached token's expiry (to put it in its refresh
// window or past its end).
func (h *home) setTokenExpiry(at time.Time) {
	h.t.Helper()
	tok, err := ssocache.ReadToken(h.tokenPath())
	if err != nil {
		h.t.Fatal(err)
	}
	tok.ExpiresAt = at.UTC().Truncate(time.Second)
	if err := ssocache.WriteToken(h.tokenPath(), tok); err != nil {
		h.t.Fatal(err)
	}
}

// clearRoleCache removes the role credentials so the next call asks the portal.
func (h *home) clearRoleCache() {
	h.t.Helper()
	if err := os.RemoveAll(ssocache.CLIDir(h.dir)); err != nil {
		h.t.Fatal(err)
	}
}

// snapshot describes every file and directory under ~/.aws by mode and the
// sha256 of its bytes (never the bytes: they are secrets). The lock files in
// ~/.aws/sso/locks are left out: they are empty, hold nothing, and a command
// creates one whenever it takes a lock, which is before it knows it will fail.
// sub names the directory under dir to describe instead of .aws.
func snapshot(t *testing.T, dir string, sub ...string) map[string]string {
	t.Helper()
	root := filepath.Join(dir, ".aws")
	if len(sub) > 0 {
		root = filepath.Join(dir, sub[0])
	}
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && p == root {
				return filepath.SkipAll
			}
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if rel == filepath.Join("sso", "locks") {
			return filepath.SkipDir
		}
		if rel == "sso" && onlyLocks(p) {
			return filepath.SkipDir // made only to hold the locks
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		desc := fi.Mode().String()
		switch {
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			desc += " sha256:" + hex.EncodeToString(sum[:8])
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			desc += " -> " + target
		}
		out[rel] = desc
		return nil
	})
	if err != nil {
		t.Fatalf("snapshot %s: %v", root, err)
	}
	return out
}

func onlyLocks(dir string) bool {
	entries, err := os.ReadDir(dir)
	return err == nil && len(entries) == 1 && entries[0].Name() == "locks"
}

// checkUnchanged fails the test if ~/.aws differs from before.
func checkUnchanged(t *testing.T, dir string, before map[string]string) {
	t.Helper()
	if d := cmp.Diff(before, snapshot(t, dir)); d != "" {
		t.Errorf("~/.aws changed (-before +after):\n%s", d)
	}
}

// lockedBuffer is a bytes.Buffer safe for the concurrent writes of a server
// goroutine and a reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// redact replaces every secret in s, so a failure message can show the rest.
func redact(s string, secrets map[string]string) string {
	for name, v := range secrets {
		if v != "" {
			s = strings.ReplaceAll(s, v, "<"+name+">")
		}
	}
	return s
}
