package directory

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLoadExample(t *testing.T) {
	t.Parallel()
	d, err := Load("testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range d.AccountsFor("bob") {
		got = append(got, a.ID+" "+a.Name+" "+strings.Join(d.RolesFor("bob", a.ID), ","))
	}
	want := []string{"111122223333 Development ReadOnly", "444455556666 Production ReadOnly"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bob's roles (-want +got):\n%s", diff)
	}
	if got, want := d.RolesFor("alice", "111122223333"), []string{"AdministratorAccess", "ReadOnly"}; !cmp.Equal(got, want) {
		t.Errorf("alice in Development = %v, want %v", got, want)
	}
	if ps, _ := d.PermissionSet("ReadOnly"); ps.SessionDuration != 8*time.Hour {
		t.Errorf("ReadOnly duration = %s, want 8h", ps.SessionDuration)
	}
	if !d.CheckPassword("alice", "wonderland") || d.CheckPassword("alice", "builder") || d.CheckPassword("carol", "") {
		t.Error("CheckPassword accepts a wrong password or rejects the right one")
	}
	if d.Instance.StartURL != "https://d-0000000000.awsapps.com/start" {
		t.Errorf("start URL = %q", d.Instance.StartURL)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml, want string
	}{
		{"typo in user", "users:\n  alice:\n    pasword: x\n", `directory.yaml:3: unknown key "pasword" in user "alice"; did you mean "password"?`},
		{"typo at top", "user:\n  alice:\n    password: x\n", `directory.yaml:1: unknown key "user" in the directory; did you mean "users"?`},
		{"far from any key", "users:\n  alice:\n    password: x\n    shoe: 9\n", `directory.yaml:4: unknown key "shoe" in user "alice"; known keys are password, email, displayName, groups`},
		{"case", "users:\n  alice:\n    password: x\n    display_name: A\n", `directory.yaml:4: unknown key "display_name" in user "alice"; did you mean "displayName"?`},
		{"bad account id", "users:\n  a:\n    password: x\naccounts:\n  - id: 12345\n", `directory.yaml:5: account id "12345" must be exactly 12 digits (quote it, e.g. id: "012345678901")`},
		{"unknown group of user", "users:\n  a:\n    password: x\n    groups: [ops]\n", `directory.yaml:4: user "a" is in unknown group "ops"; define it under groups:`},
		{"unknown account", "users:\n  a:\n    password: x\npermissionSets:\n  P: {}\nassignments:\n  - user: a\n    account: Dev\n    permissionSet: P\n", `directory.yaml:8: assignment #1 names unknown account "Dev"; define it under accounts:`},
		{"unknown user", "users:\n  a:\n    password: x\nassignments:\n  - user: b\n    account: Dev\n", `directory.yaml:5: assignment #1 names unknown user "b"; define it under users:`},
		{"unknown pset", "users:\n  a:\n    password: x\naccounts:\n  - id: \"111122223333\"\nassignments:\n  - user: a\n    account: \"111122223333\"\n    permissionSet: Admin\n", `directory.yaml:9: assignment #1 names unknown permission set "Admin"; define it under permissionSets:`},
		{"bad duration", "users:\n  a:\n    password: x\npermissionSets:\n  P:\n    sessionDuration: 13h\n", `directory.yaml:6: sessionDuration "13h" of permission set "P" must be a duration from 15m to 12h, e.g. 1h or 90m`},
		{"no password", "users:\n  a:\n    email: a@b\n", `directory.yaml:2: user "a" has no password; add a line "password: ..."`},
		{"duplicate user", "users:\n  a:\n    password: x\n  a:\n    password: y\n", `directory.yaml:4: "a" appears twice in users`},
		{"both user and group", "users:\n  a:\n    password: x\ngroups:\n  g: {}\nassignments:\n  - user: a\n    group: g\n", `directory.yaml:7: assignment #1 must have exactly one of user: or group:`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("directory.yaml", []byte(tt.yaml))
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := Load(path)
	if !os.IsNotExist(unwrapAll(err)) || !strings.Contains(err.Error(), path) {
		t.Errorf("Load(missing) = %v, want a not-exist error naming the path", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}

func TestDemo(t *testing.T) {
	t.Parallel()
	d := Demo()
	tests := []struct {
		user, account, pset string
		want                bool
	}{
		{"alice", DemoProdAccount, "AdministratorAccess", true},
		{"bob", DemoProdAccount, "ReadOnly", true},
		{"bob", DemoProdAccount, "AdministratorAccess", false},
		{"bob", DemoSandboxAccount, "AdministratorAccess", true},
		{"carol", DemoSandboxAccount, "AdministratorAccess", false},
	}
	for _, tt := range tests {
		t.Run(tt.user+"/"+tt.account+"/"+tt.pset, func(t *testing.T) {
			if got := d.HasAccess(tt.user, tt.account, tt.pset); got != tt.want {
				t.Errorf("HasAccess = %v, want %v", got, tt.want)
			}
		})
	}
	if got := len(d.AccountsFor("alice")); got != 3 {
		t.Errorf("alice has %d accounts, want 3", got)
	}
	if !d.CheckPassword("alice", DemoAlicePassword) || !d.CheckPassword("bob", DemoBobPassword) {
		t.Error("demo passwords rejected")
	}
}

func TestRoleNameStable(t *testing.T) {
	t.Parallel()
	d := Demo()
	a := d.RoleName(DemoDevAccount, "ReadOnly")
	if a != Demo().RoleName(DemoDevAccount, "ReadOnly") {
		t.Error("role name differs between two builds of the same directory")
	}
	if a == d.RoleName(DemoProdAccount, "ReadOnly") {
		t.Error("role name is the same in two accounts")
	}
	if !strings.HasPrefix(a, "AWSReservedSSO_ReadOnly_") || len(a) != len("AWSReservedSSO_ReadOnly_")+16 {
		t.Errorf("role name %q is not AWSReservedSSO_ReadOnly_<16 hex>", a)
	}
	if id := d.RoleID(DemoDevAccount, "ReadOnly"); !strings.HasPrefix(id, "AROA") || len(id) != 21 {
		t.Errorf("role id %q is not AROA + 17 characters", id)
	}
}

func TestGenerate(t *testing.T) {
	t.Parallel()
	d := Generate(250, 7)
	accts := d.AccountsFor("alice")
	if len(accts) != 250 || accts[0].ID != "100000000000" || accts[249].ID != "100000000249" {
		t.Fatalf("got %d accounts from %v", len(accts), accts[0])
	}
	if got := d.RolesFor("bob", "100000000123"); len(got) != 7 || got[0] != "Role01" {
		t.Errorf("RolesFor = %v", got)
	}
}
