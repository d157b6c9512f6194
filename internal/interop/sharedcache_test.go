package interop

import (
	"bytes"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/idctest"
)

// approveAtOnce makes the server approve every device authorization as alice
// before the first poll, so logins that only set a test up take no waiting.
func approveAtOnce() []idctest.Option {
	return []idctest.Option{idctest.WithAutoApprove(user), idctest.WithAutoApproveDelay(-1)}
}

// withoutAccountID drops the AccountId key, which only AWS CLI ≥2.25.0 (and
// ssocli, which writes the latest format) puts into role cache files
// (spec §5); the AWS CLI here is 2.9.19.
func withoutAccountID(s []string) []string {
	return slices.DeleteFunc(slices.Clone(s), func(k string) bool { return k == "Credentials.AccountId=string" })
}

// TestSSOCLILoginUsedByAWSCLI logs in with ssocli and has the AWS CLI use
// ssocli's token and role cache files, with no login of its own: the server
// sees no new login call, and the AWS CLI hands out the very credentials
// ssocli cached, without fetching any.
func TestSSOCLILoginUsedByAWSCLI(t *testing.T) {
	t.Parallel()
	for _, v := range []via{viaEndpoint, viaProxy} {
		t.Run(v.String(), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, approveAtOnce()...)
			p := sessionProfile
			f.loggedIn(t, f.ssocli(t, v, "sso", "login", "--profile", p.name, "--use-device-code"))
			tok := readToken(t, f.tokenPath(p))
			if tok.RefreshToken == "" {
				t.Errorf("ssocli's token file has no refreshToken")
			}

			before := f.counts()
			f.checkIdentity(t, f.aws(t, "sts", "get-caller-identity", "--profile", p.name))
			f.noNewLogin(t, "aws sts get-caller-identity after ssocli sso login", before)
			if diff := cmp.Diff(map[string]int{"GetRoleCredentials": 1}, f.newCalls(before, "GetRoleCredentials")); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			awsRole, err := os.ReadFile(f.roleCachePath(p))
			if err != nil {
				t.Fatalf("the AWS CLI wrote no role cache: %v", err)
			}

			// Now ssocli fills the role cache, and the AWS CLI reads it.
			removeRoleCache(t, f.roleCachePath(p))
			exp := f.ssocli(t, v, "configure", "export-credentials", "--profile", p.name)
			cached := cachedCredentials(t, f.roleCachePath(p))
			sameCredentials(t, "ssocli export-credentials against its role cache", processCredentials(t, exp), cached)
			ours, err := os.ReadFile(f.roleCachePath(p))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(withoutAccountID(shape(t, awsRole)), withoutAccountID(shape(t, ours))); diff != "" {
				t.Errorf("role cache files of the AWS CLI and ssocli differ in shape (-aws +ssocli):\n%s", diff)
			}

			before = f.counts()
			awsExp := f.aws(t, "configure", "export-credentials", "--profile", p.name)
			sameCredentials(t, "aws configure export-credentials against ssocli's role cache", processCredentials(t, awsExp), cached)
			f.noNewLogin(t, "aws configure export-credentials", before)
			if diff := cmp.Diff(map[string]int{"GetRoleCredentials": 0}, f.newCalls(before, "GetRoleCredentials")); diff != "" {
				t.Errorf("aws configure export-credentials fetched credentials (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAWSCLILoginUsedBySSOCLI logs in with the AWS CLI and has ssocli use its
// files with no login of its own, then checks that the AWS CLI's token file
// is, byte for byte, what ssocli writes, and has the same shape as the file
// an ssocli login writes (spec §3.2).
func TestAWSCLILoginUsedBySSOCLI(t *testing.T) {
	t.Parallel()
	f := newFixture(t, approveAtOnce()...)
	p := sessionProfile
	f.loggedIn(t, f.aws(t, "sso", "login", "--profile", p.name, "--no-browser"))
	awsToken, err := os.ReadFile(f.tokenPath(p))
	if err != nil {
		t.Fatal(err)
	}
	awsReg, err := os.ReadFile(f.registrationPath(p))
	if err != nil {
		t.Fatal(err)
	}
	checkWrittenLikeSSOCLI(t, f.tokenPath(p))

	// The AWS CLI's role cache, handed out by ssocli.
	f.checkIdentity(t, f.aws(t, "sts", "get-caller-identity", "--profile", p.name))
	awsRole := cachedCredentials(t, f.roleCachePath(p))
	awsRoleBytes, err := os.ReadFile(f.roleCachePath(p))
	if err != nil {
		t.Fatal(err)
	}
	before := f.counts()
	exp := f.ssocli(t, viaEndpoint, "configure", "export-credentials", "--profile", p.name)
	sameCredentials(t, "ssocli export-credentials against the AWS CLI's role cache", processCredentials(t, exp), awsRole)
	f.noNewLogin(t, "ssocli configure export-credentials", before)
	if diff := cmp.Diff(map[string]int{"GetRoleCredentials": 0}, f.newCalls(before, "GetRoleCredentials")); diff != "" {
		t.Errorf("ssocli fetched credentials the AWS CLI had cached (-want +got):\n%s", diff)
	}

	// The AWS CLI's token, used by ssocli to fetch role credentials.
	removeRoleCache(t, f.roleCachePath(p))
	before = f.counts()
	f.checkIdentity(t, f.ssocli(t, viaEndpoint, "sts", "get-caller-identity", "--profile", p.name))
	f.noNewLogin(t, "ssocli sts get-caller-identity", before)
	if diff := cmp.Diff(map[string]int{"GetRoleCredentials": 1}, f.newCalls(before, "GetRoleCredentials")); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if now, _ := os.ReadFile(f.tokenPath(p)); !bytes.Equal(now, awsToken) {
		t.Errorf("ssocli rewrote the AWS CLI's token file though it had an hour left")
	}
	ourRole, err := os.ReadFile(f.roleCachePath(p))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(withoutAccountID(shape(t, awsRoleBytes)), withoutAccountID(shape(t, ourRole))); diff != "" {
		t.Errorf("role cache files of the AWS CLI and ssocli differ in shape (-aws +ssocli):\n%s", diff)
	}

	// An ssocli login over the AWS CLI's: it reuses the AWS CLI's device
	// registration (spec §2.4) and writes a token file of the same shape.
	before = f.counts()
	f.loggedIn(t, f.ssocli(t, viaEndpoint, "sso", "login", "--profile", p.name, "--use-device-code"))
	if diff := cmp.Diff(map[string]int{"RegisterClient": 0}, f.newCalls(before, "RegisterClient")); diff != "" {
		t.Errorf("ssocli registered again instead of using the AWS CLI's registration (-want +got):\n%s", diff)
	}
	if now, _ := os.ReadFile(f.registrationPath(p)); !bytes.Equal(now, awsReg) {
		t.Errorf("ssocli rewrote the AWS CLI's registration file:\n%s\nwant\n%s", redact(now), redact(awsReg))
	}
	ourToken, err := os.ReadFile(f.tokenPath(p))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(ourToken, awsToken) {
		t.Fatalf("ssocli's login left the token file as it was")
	}
	if diff := cmp.Diff(shape(t, awsToken), shape(t, ourToken)); diff != "" {
		t.Errorf("token files of the AWS CLI and ssocli differ in shape (-aws +ssocli):\n%s\naws:    %s\nssocli: %s",
			diff, redact(awsToken), redact(ourToken))
	}
}

// TestRefreshInterop has each peer refresh the token of an sso-session
// profile (spec §4) and the other use the rotated token. The server rotates
// refresh tokens and revokes the session when an old one is reused, so a
// peer that went on with a stale refresh token would fail.
func TestRefreshInterop(t *testing.T) {
	t.Parallel()
	f := newFixture(t, approveAtOnce()...)
	p := sessionProfile
	path := f.tokenPath(p)
	f.loggedIn(t, f.ssocli(t, viaEndpoint, "sso", "login", "--profile", p.name, "--use-device-code"))

	// refreshedBy runs cmd with the token inside the refresh window and no
	// role cache, and checks it refreshed once and wrote a rotated token.
	refreshedBy := func(t *testing.T, run func() result) {
		t.Helper()
		moveIntoRefreshWindow(t, path)
		if exists(t, f.roleCachePath(p)) {
			removeRoleCache(t, f.roleCachePath(p))
		}
		old := readToken(t, path)
		before := f.counts()
		r := run()
		mustSucceed(t, r)
		if diff := cmp.Diff(map[string]int{"CreateToken/refresh_token": 1, "GetRoleCredentials": 1},
			f.newCalls(before, "CreateToken/refresh_token", "GetRoleCredentials")); diff != "" {
			t.Errorf("%s: calls (-want +got):\n%s", r.cmd, diff)
		}
		nt := readToken(t, path)
		switch {
		case nt.RefreshToken == "":
			t.Errorf("%s: the refreshed token file has no refreshToken", r.cmd)
		case nt.RefreshToken == old.RefreshToken:
			t.Errorf("%s: the token file still holds the old refresh token", r.cmd)
		}
		if nt.AccessToken == old.AccessToken {
			t.Errorf("%s: the token file still holds the old access token", r.cmd)
		}
		if left := time.Until(nt.ExpiresAt); left < 30*time.Minute {
			t.Errorf("%s: the refreshed token expires in %v, want about an hour", r.cmd, left)
		}
		checkWrittenLikeSSOCLI(t, path)
	}
	// usedBy checks that cmd works from the token file as it is, with no
	// refresh or login.
	usedBy := func(t *testing.T, run func() result) {
		t.Helper()
		removeRoleCache(t, f.roleCachePath(p))
		tok, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		before := f.counts()
		f.checkIdentity(t, run())
		f.noNewLogin(t, "get-caller-identity after the other peer's refresh", before)
		if now, _ := os.ReadFile(path); !bytes.Equal(now, tok) {
			t.Errorf("the token file changed though it had an hour left")
		}
	}
	awsSTS := func() result { return f.aws(t, "sts", "get-caller-identity", "--profile", p.name) }
	ssocliSTS := func() result { return f.ssocli(t, viaEndpoint, "sts", "get-caller-identity", "--profile", p.name) }
	ssocliExport := func() result {
		return f.ssocli(t, viaEndpoint, "configure", "export-credentials", "--profile", p.name)
	}

	if !t.Run("ssocli refreshes, AWS CLI uses", func(t *testing.T) {
		refreshedBy(t, ssocliExport)
		usedBy(t, awsSTS)
	}) {
		return
	}
	if !t.Run("AWS CLI refreshes, ssocli uses", func(t *testing.T) {
		refreshedBy(t, awsSTS)
		usedBy(t, ssocliSTS)
	}) {
		return
	}
	// ssocli refreshes with the refresh token the AWS CLI wrote: with a stale
	// one the server would revoke the session and the refresh would fail.
	t.Run("ssocli refreshes the AWS CLI's refresh", func(t *testing.T) {
		refreshedBy(t, ssocliExport)
		usedBy(t, awsSTS)
	})
}
