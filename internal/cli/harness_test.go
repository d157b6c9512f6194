package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssocli/ssocli/internal/idc/idctest"
)

// harness runs ssocli commands in-process, in a temporary home, against a
// real local Identity Center on loopback (idctest: its client refuses to
// dial anything else). vars is the environment; AWS_ENDPOINT_URL points at
// the server and may be switched to another.
type harness struct {
	t     testing.TB
	srv   *idctest.TestServer
	home  string
	vars  map[string]string
	now   func() time.Time
	stdin string
	tty   bool // stdin and stderr are terminals

	browser      func(string) error // Env.OpenBrowser
	browserCheck func() error       // Env.BrowserCheck
}

const (
	testAccount = "111122223333"
	testRole    = "AdministratorAccess"
)

// newHarness starts a local Identity Center with opts (approving alice at
// once unless they say otherwise) and a home whose ~/.aws/config is
// defaultConfig.
func newHarness(t testing.TB, opts ...idctest.Option) *harness {
	t.Helper()
	opts = append([]idctest.Option{idctest.WithAutoApprove("alice"), idctest.WithAutoApproveDelay(-1)}, opts...)
	h := (&harness{t: t, srv: idctest.NewServer(t, opts...)}).anotherHome()
	h.writeConfig(h.defaultConfig())
	return h
}

// anotherHome returns a harness on the same server with a new, empty home
// (as another user or machine).
func (h *harness) anotherHome() *harness {
	home := h.t.TempDir()
	return &harness{t: h.t, srv: h.srv, home: home, vars: map[string]string{
		"HOME":             home,
		"AWS_ENDPOINT_URL": h.srv.URL,
	}}
}

// defaultConfig has an sso-session profile "p", a legacy profile "legacy",
// and a profile with static keys.
func (h *harness) defaultConfig() string {
	return strings.NewReplacer("START", h.srv.StartURL, "REGION", h.srv.Region, "ACCT", testAccount, "ROLE", testRole).Replace(`[default]
region = us-east-1

[sso-session corp]
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
}

func (h *harness) configPath() string { return h.path(".aws", "config") }

func (h *harness) writeConfig(s string) {
	h.t.Helper()
	if err := os.MkdirAll(filepath.Dir(h.configPath()), 0o700); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(h.configPath(), []byte(s), 0o600); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) readConfig() string {
	h.t.Helper()
	b, err := os.ReadFile(h.configPath())
	if err != nil {
		h.t.Fatal(err)
	}
	return string(b)
}

func (h *harness) env(stdout, stderr *bytes.Buffer) *Env {
	return &Env{
		Stdin:      strings.NewReader(h.stdin),
		StdinTTY:   h.tty,
		StderrTTY:  h.tty,
		Stdout:     stdout,
		Stderr:     stderr,
		Getenv:     func(k string) string { return h.vars[k] },
		Environ:    h.environ,
		Home:       h.home,
		Now:        h.now,
		HTTPClient: h.srv.Client(),

		OpenBrowser:  h.browser,
		BrowserCheck: h.browserCheck,
	}
}

func (h *harness) environ() []string {
	var out []string
	for k, v := range h.vars {
		out = append(out, k+"="+v)
	}
	return out
}

// run runs ssocli with args (and h.stdin) and returns its stdout, stderr
// and exit code. The timeout only ends a test that hangs.
func (h *harness) run(args ...string) (string, string, int) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	return h.runCtx(ctx, args...)
}

func (h *harness) runCtx(ctx context.Context, args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	code := Run(ctx, h.env(&out, &errb), args)
	return out.String(), errb.String(), code
}

// mustRun runs ssocli and fails the test unless it exits 0.
func (h *harness) mustRun(args ...string) string {
	h.t.Helper()
	out, errs, code := h.run(args...)
	if code != 0 {
		h.t.Fatalf("ssocli %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func (h *harness) path(rel ...string) string {
	return filepath.Join(append([]string{h.home}, rel...)...)
}

// files lists the files under ~/.aws/<dir> by base name.
func (h *harness) files(dir string) []string {
	h.t.Helper()
	entries, err := os.ReadDir(h.path(".aws", dir))
	if err != nil && !os.IsNotExist(err) {
		h.t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func (h *harness) count(op string) int { return h.srv.Server.Counts()[op] }
