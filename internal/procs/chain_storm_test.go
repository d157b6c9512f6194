package procs

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
)

// TestChainedStorm: 32 processes asking at once for a role assumed from an
// IAM Identity Center profile, with empty role caches and the token in its
// refresh window, make one refresh, one GetRoleCredentials and one
// AssumeRole, and all print the same credentials (issue 9).
func TestChainedStorm(t *testing.T) {
	d := directory.Generate(1, 1)
	const acct = "100000000000"
	d.Roles = append(d.Roles, directory.Role{Account: acct, Name: "Target", Trust: []directory.Trust{
		{Kind: directory.TrustPermissionSet, Account: acct, Name: "Role01"}}})
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, 1, idctest.WithDirectory(d))
	cfg := filepath.Join(w.home, ".aws", "config")
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, "\n[profile chained]\nrole_arn = arn:aws:iam::"+acct+":role/Target\nsource_profile = p1\nregion = us-east-1\n"...)
	if err := os.WriteFile(cfg, b, 0o600); err != nil {
		t.Fatal(err)
	}
	w.mustRun("sso", "login", "--profile", "p1", "--use-device-code")
	w.intoRefreshWindow()
	before := w.srv.Server.Counts()

	const n = 32
	cmds := make([]*exec.Cmd, n)
	outs, errs := make([]bytes.Buffer, n), make([]bytes.Buffer, n)
	for i := range cmds {
		cmds[i] = w.cmd("configure", "export-credentials", "--profile", "chained")
		cmds[i].Env = append(cmds[i].Env, "AWS_EC2_METADATA_DISABLED=true")
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &errs[i]
	}
	for _, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	key := ""
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("a process failed: %v\n%s", err, errs[i].String())
			continue
		}
		var cr struct {
			Version                                    int
			AccessKeyId, SecretAccessKey, SessionToken string
			Expiration                                 string
		}
		if err := json.Unmarshal(outs[i].Bytes(), &cr); err != nil || cr.Version != 1 || cr.AccessKeyId == "" || cr.SessionToken == "" || cr.Expiration == "" {
			t.Errorf("a process printed no valid credentials (%v)", err)
			continue
		}
		if key != "" && cr.AccessKeyId != key {
			t.Errorf("the processes got different credentials")
		}
		key = cr.AccessKeyId
	}
	after := w.srv.Server.Counts()
	got := map[string]int{}
	for _, op := range []string{"CreateToken/refresh_token", "GetRoleCredentials", "AssumeRole"} {
		got[op] = after[op] - before[op]
	}
	if diff := cmp.Diff(map[string]int{"CreateToken/refresh_token": 1, "GetRoleCredentials": 1, "AssumeRole": 1}, got); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	w.checkCaches()
}
