package interop

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/idctest"
)

// TestAWSCLIAgainstServer runs the AWS CLI alone against the local Identity
// Center, through HTTPS_PROXY and AWS_CA_BUNDLE (spec §12): login with the
// device flow, role credentials and the caller identity they belong to, and
// logout (spec §2.2, §5, §6, §8).
func TestAWSCLIAgainstServer(t *testing.T) {
	t.Parallel()
	for _, p := range []profile{sessionProfile, legacyProfile} {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			// A short delay, so the CLI's first poll is pending and it prints
			// the code before the approval.
			f := newFixture(t, idctest.WithAutoApprove(user), idctest.WithAutoApproveDelay(200e6))

			login := f.aws(t, "sso", "login", "--profile", p.name, "--no-browser")
			f.loggedIn(t, login)
			if !strings.Contains(login.stdout, f.srv.URL+"/device?user_code=") {
				t.Errorf("login printed no verification URL of the server\n%s", login)
			}
			if !exists(t, f.tokenPath(p)) {
				t.Fatalf("no token file after login")
			}
			if !exists(t, f.registrationPath(p)) {
				t.Fatalf("no registration file after login")
			}
			checkWrittenLikeSSOCLI(t, f.tokenPath(p))

			before := f.counts()
			f.checkIdentity(t, f.aws(t, "sts", "get-caller-identity", "--profile", p.name))
			f.noNewLogin(t, "aws sts get-caller-identity", before)
			if diff := cmp.Diff(map[string]int{"GetRoleCredentials": 1, "GetCallerIdentity": 1},
				f.newCalls(before, "GetRoleCredentials", "GetCallerIdentity")); diff != "" {
				t.Errorf("calls of aws sts get-caller-identity (-want +got):\n%s", diff)
			}
			if !exists(t, f.roleCachePath(p)) {
				t.Errorf("no role cache file %s after get-caller-identity", f.roleCachePath(p))
			}

			before = f.counts()
			logout := f.aws(t, "sso", "logout")
			mustSucceed(t, logout)
			if logout.stdout != "" {
				t.Errorf("logout printed %q, want nothing (spec §6)", logout.stdout)
			}
			if diff := cmp.Diff(map[string]int{"Logout": 1}, f.newCalls(before, "Logout")); diff != "" {
				t.Errorf("calls of aws sso logout (-want +got):\n%s", diff)
			}
			for _, c := range []struct {
				what, path string
				want       bool
			}{
				{"token file", f.tokenPath(p), false},
				{"registration file", f.registrationPath(p), true},
				{"role cache file", f.roleCachePath(p), false},
			} {
				if got := exists(t, c.path); got != c.want {
					t.Errorf("after logout, %s exists = %v, want %v", c.what, got, c.want)
				}
			}

			// With the token and the role cache gone, nothing is left to use.
			after := f.aws(t, "sts", "get-caller-identity", "--profile", p.name)
			if after.code != 255 || !strings.Contains(after.stderr, "Error loading SSO Token: Token for ") {
				t.Errorf("get-caller-identity after logout: want exit 255 and the token loader's error\n%s", after)
			}
		})
	}
}
