// Package procs tests ssocli as separate processes: many at once against one
// session (one refresh and one GetRoleCredentials per role, whatever the
// number of processes), processes killed with SIGKILL while they write the
// caches (no file is ever left that fails to parse), and parallel logins.
// These are the AWS CLI's and its peers' most common failures
// (spec/aws-cli-sso.md §10 items 3-4; peers.md §5).
package procs

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssocli/ssocli/internal/testutil/ssoclibin"

	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/ssocache"
)

var ssocliBin string

func TestMain(m *testing.M) { ssoclibin.TestMain(m, &ssocliBin) }

// world is a home with a config of n profiles on one session, logged in,
// against a local Identity Center with one account and n roles.
type world struct {
	t    *testing.T
	srv  *idctest.TestServer
	home string
}

func newWorld(t *testing.T, roles int, opts ...idctest.Option) *world {
	t.Helper()
	opts = append([]idctest.Option{idctest.WithDirectory(directory.Generate(1, roles)), idctest.WithAutoApprove("alice"), idctest.WithAutoApproveDelay(-1)}, opts...)
	w := &world{t: t, srv: idctest.NewServer(t, opts...), home: t.TempDir()}
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "[sso-session corp]\nsso_start_url = %s\nsso_region = %s\nsso_registration_scopes = sso:account:access\n", w.srv.StartURL, w.srv.Region)
	for r := 1; r <= roles; r++ {
		fmt.Fprintf(&cfg, "\n[profile p%d]\nsso_session = corp\nsso_account_id = 100000000000\nsso_role_name = Role%02d\nregion = us-east-1\n", r, r)
	}
	if err := os.MkdirAll(filepath.Join(w.home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.home, ".aws", "config"), []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return w
}

// cmd returns an ssocli command in the world's home, reaching the server
// through AWS_ENDPOINT_URL and nothing else from the outer environment.
func (w *world) cmd(args ...string) *exec.Cmd {
	c := exec.Command(ssocliBin, args...)
	c.Env = append(ssoclibin.HomeEnv(w.home), "AWS_ENDPOINT_URL="+w.srv.URL, "PATH="+os.Getenv("PATH"))
	return c
}

func (w *world) run(args ...string) (string, string, error) {
	c := w.cmd(args...)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	return out.String(), errb.String(), err
}

func (w *world) mustRun(args ...string) string {
	w.t.Helper()
	out, errs, err := w.run(args...)
	if err != nil {
		w.t.Fatalf("ssocli %s: %v\n%s", strings.Join(args, " "), err, errs)
	}
	return out
}

// intoRefreshWindow rewrites the cached token so that it has 10 minutes
// left: inside the 15-minute refresh window, still valid on the server.
func (w *world) intoRefreshWindow() {
	w.t.Helper()
	p := ssocache.TokenPath(w.home, "corp", "")
	tok, err := ssocache.ReadToken(p)
	if err != nil {
		w.t.Fatal(err)
	}
	tok.ExpiresAt = time.Now().Add(10 * time.Minute).UTC().Truncate(time.Second)
	if err := ssocache.WriteToken(p, tok); err != nil {
		w.t.Fatal(err)
	}
}

// checkCaches fails the test if any cache file does not parse.
func (w *world) checkCaches() {
	w.t.Helper()
	for _, dir := range []string{ssocache.SSODir(w.home), ssocache.CLIDir(w.home)} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			name := e.Name()
			if !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, ".") {
				continue // temp files of a killed writer are never read
			}
			p := filepath.Join(dir, name)
			var err error
			switch {
			case dir == ssocache.CLIDir(w.home):
				if _, err = ssocache.ReadRoleCredentials(p); err != nil {
					_, err = ssocache.ReadAssumedRole(p) // an assumed role shares the directory
				}
			case name == ssocache.TokenFileName("corp", ""):
				_, err = ssocache.ReadToken(p)
			default:
				_, err = ssocache.ReadRegistration(p)
			}
			if err != nil {
				w.t.Errorf("cache file %s does not parse: %v", name, err)
			}
		}
	}
}
