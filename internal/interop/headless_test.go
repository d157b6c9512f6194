package interop

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/idctest"
)

// TestHeadlessFallsBackToDeviceCode runs `ssocli sso login` for an
// sso-session profile where no browser can be opened (issue 3, spec §10.2):
// instead of waiting for a redirect that can never come, it uses the device
// code flow and says why, in one line on stderr.
func TestHeadlessFallsBackToDeviceCode(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		env    []string
		reason string
	}{
		{"no display", nil, "no display and no BROWSER"},
		{"ssh", []string{"SSH_CONNECTION=192.0.2.1 50000 192.0.2.2 22"}, "an SSH session without a display"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			// A short approval delay, so that ssocli shows the code first.
			f := newFixture(t, idctest.WithAutoApprove(user), idctest.WithAutoApproveDelay(200e6))
			env := f.ssocliEnv(viaEndpoint, append([]string{"BROWSER=", "DISPLAY=", "WAYLAND_DISPLAY="}, c.env...)...)
			before := f.counts()
			r := run(t, ssocliBin, env, "sso", "login", "--profile", sessionProfile.name)
			f.loggedIn(t, r)
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			reason := "No browser can be opened here (" + c.reason + "): using the device code flow instead."
			if lines[0] != reason {
				t.Errorf("stderr begins %q, want %q\n%s", lines[0], reason, r)
			}
			if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(f.srv.URL) + `/device\S*$`).MatchString(r.stdout) {
				t.Errorf("stdout shows no verification URL of the server\n%s", r)
			}
			if diff := cmp.Diff(map[string]int{"StartDeviceAuthorization": 1, "CreateToken/authorization_code": 0},
				f.newCalls(before, "StartDeviceAuthorization", "CreateToken/authorization_code")); diff != "" {
				t.Errorf("calls of the login (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{reason}, lines); diff != "" {
				t.Errorf("stderr lines (-want +got):\n%s", diff)
			}
		})
	}
}
