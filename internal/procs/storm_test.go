package procs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ssocli/ssocli/internal/idc/idctest"
)

// TestStorm starts many processes at once with an empty role cache and a
// token in its refresh window: every one prints valid credentials, and the
// server sees exactly one refresh and one GetRoleCredentials per role.
func TestStorm(t *testing.T) {
	tests := []struct {
		name            string
		procs, profiles int
	}{
		{"32 processes, one profile", 32, 1},
		{"32 processes, 8 profiles on one session", 32, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, tt.profiles)
			w.mustRun("sso", "login", "--profile", "p1", "--use-device-code")
			w.intoRefreshWindow()
			before := w.srv.Server.Counts()

			type proc struct {
				cmd      *exec.Cmd
				out, err bytes.Buffer
				profile  int
			}
			procs := make([]*proc, tt.procs)
			for i := range procs {
				p := &proc{profile: i%tt.profiles + 1}
				p.cmd = w.cmd("configure", "export-credentials", "--profile", fmt.Sprintf("p%d", p.profile))
				p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.err
				procs[i] = p
			}
			for _, p := range procs {
				if err := p.cmd.Start(); err != nil {
					t.Fatal(err)
				}
			}
			keys := map[int]string{}
			for _, p := range procs {
				if err := p.cmd.Wait(); err != nil {
					t.Errorf("a process failed: %v\n%s", err, p.err.String())
					continue
				}
				var c struct {
					Version                                    int
					AccessKeyId, SecretAccessKey, SessionToken string
					Expiration                                 string
				}
				if err := json.Unmarshal(p.out.Bytes(), &c); err != nil || c.Version != 1 || c.AccessKeyId == "" || c.SessionToken == "" || c.Expiration == "" {
					t.Errorf("a process printed no valid credentials (%v)", err)
					continue
				}
				if k, ok := keys[p.profile]; ok && k != c.AccessKeyId {
					t.Errorf("profile p%d got two different credentials", p.profile)
				}
				keys[p.profile] = c.AccessKeyId
			}
			after := w.srv.Server.Counts()
			if got := after["CreateToken/refresh_token"] - before["CreateToken/refresh_token"]; got != 1 {
				t.Errorf("refreshes = %d, want 1", got)
			}
			if got := after["GetRoleCredentials"] - before["GetRoleCredentials"]; got != tt.profiles {
				t.Errorf("GetRoleCredentials calls = %d, want %d (one per role)", got, tt.profiles)
			}
			w.checkCaches()
		})
	}
}

// TestParallelLoginProcesses: logins started at once in several terminals for
// one session run one device flow; the others wait and use its token.
func TestParallelLoginProcesses(t *testing.T) {
	// The approval takes 2 s, so every process starts while the first one
	// is still waiting for it.
	w := newWorld(t, 1, idctest.WithAutoApproveDelay(2*time.Second))
	const n = 6
	cmds := make([]*exec.Cmd, n)
	errs := make([]*bytes.Buffer, n)
	for i := range cmds {
		cmds[i] = w.cmd("sso", "login", "--profile", "p1", "--use-device-code")
		errs[i] = &bytes.Buffer{}
		cmds[i].Stderr = errs[i]
		cmds[i].Stdout = io.Discard
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("login %d failed: %v\n%s", i, err, errs[i])
		}
	}
	if got := w.srv.Server.Counts()["StartDeviceAuthorization"]; got != 1 {
		t.Errorf("device authorizations = %d, want 1", got)
	}
	waited := 0
	for _, e := range errs {
		if strings.Contains(e.String(), "waiting for it to finish") {
			waited++
		}
	}
	if waited != n-1 {
		t.Errorf("%d logins said they were waiting, want %d", waited, n-1)
	}
}
