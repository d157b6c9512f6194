package procs

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

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
	const n = 6
	// The login that takes the lock is approved only once the n-1 others
	// have said they wait for it, however slowly the processes start.
	var waiting atomic.Int32
	w := newWorld(t, 1, idctest.WithApproveWhen(func() bool { return waiting.Load() == n-1 }))
	cmds := make([]*exec.Cmd, n)
	errs := make([]*strings.Builder, n)
	read := make([]chan struct{}, n)
	for i := range cmds {
		cmds[i] = w.cmd("sso", "login", "--profile", "p1", "--use-device-code")
		cmds[i].Stdout = io.Discard
		stderr, err := cmds[i].StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		errs[i], read[i] = &strings.Builder{}, make(chan struct{})
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
		go func() {
			defer close(read[i])
			sc := bufio.NewScanner(stderr)
			for sc.Scan() {
				errs[i].WriteString(sc.Text() + "\n")
				if strings.Contains(sc.Text(), "waiting for it to finish") {
					waiting.Add(1)
				}
			}
		}()
	}
	for i, c := range cmds {
		<-read[i] // all of stderr, before Wait closes the pipe
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
