package creds_test

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/ssocache"
	"github.com/ssocli/ssocli/internal/usererr"
)

// accepted reports whether the server still accepts an access token.
func (w *world) accepted(t *testing.T, accessToken string) bool {
	t.Helper()
	api := sso.New(sso.Options{Region: w.ts.Region, BaseEndpoint: aws.String(w.ts.URL), HTTPClient: w.ts.Client(), Credentials: aws.AnonymousCredentials{}})
	_, err := api.ListAccounts(context.Background(), &sso.ListAccountsInput{AccessToken: &accessToken})
	if err != nil && usererr.APICode(err) != "UnauthorizedException" {
		t.Fatalf("ListAccounts: %v", err)
	}
	return err == nil
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func exists(t *testing.T, path string) bool {
	t.Helper()
	_, err := os.Lstat(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return err == nil
}

// TestLogout: every token file is revoked on the server and deleted, with the
// role credentials made from it; registrations, other providers' credentials
// and files that are not JSON objects stay (spec §6).
func TestLogout(t *testing.T) {
	t.Parallel()
	w, sess, leg := loggedIn(t)
	tokens := []string{w.token(t, sess).AccessToken, w.token(t, leg).AccessToken}

	// A token as another SDK may write it, without expiresAt: the AWS CLI
	// reads only accessToken and region, so it is revoked and deleted too.
	bare := w.otherSession(t)
	barePath := filepath.Join(ssocache.SSODir(w.home), "other-sdk.json")
	writeFile(t, barePath, `{"startUrl": "`+w.ts.StartURL+`", "region": "`+w.ts.Region+`", "accessToken": "`+bare+`"}`)
	keep := []string{
		filepath.Join(ssocache.SSODir(w.home), "botocore-client-id-us-east-1.json"),
		filepath.Join(ssocache.CLIDir(w.home), "assume-role.json"),
		filepath.Join(ssocache.SSODir(w.home), "broken.json"),
	}
	writeFile(t, keep[0], `{"clientId": "c", "clientSecret": "s", "expiresAt": "2027-01-01T00:00:00Z"}`)
	writeFile(t, keep[1], `{"Credentials": {"AccessKeyId": "A", "SecretAccessKey": "S", "SessionToken": "T", "Expiration": "2027-01-01T00:00:00Z"}}`)
	writeFile(t, keep[2], `{"accessToken": `)
	regs, _ := filepath.Glob(filepath.Join(ssocache.SSODir(w.home), "*.json"))

	res, err := w.m.Logout(context.Background(), creds.LogoutOptions{PortalEndpoint: w.ts.URL})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(creds.LogoutResult{Sessions: 3, Roles: 2}, *res); diff != "" {
		t.Errorf("Logout result (-want +got):\n%s", diff)
	}
	if n := w.count("Logout"); n != 3 {
		t.Errorf("Logout calls = %d, want 3", n)
	}
	for i, tok := range append(tokens, bare) {
		if w.accepted(t, tok) {
			t.Errorf("token %d is still accepted after the logout", i)
		}
	}
	for _, p := range keep {
		if !exists(t, p) {
			t.Errorf("%s was deleted", filepath.Base(p))
		}
	}
	left, _ := filepath.Glob(filepath.Join(ssocache.SSODir(w.home), "*.json"))
	for _, p := range regs {
		isToken := p == barePath || p == ssocache.TokenPath(w.home, sess.SessionName, sess.StartURL) || p == ssocache.TokenPath(w.home, "", leg.StartURL)
		if got := slices.Contains(left, p); got == isToken {
			t.Errorf("%s: kept = %v, want %v", filepath.Base(p), got, !isToken)
		}
	}
}

// TestLogoutUnreachable: when the server cannot be reached the files are
// still deleted, and the error says so truthfully: which session (once, though
// an sso-session and a legacy login share its start URL), why, and until when
// the server accepts the token (adversarial W5).
func TestLogoutUnreachable(t *testing.T) {
	t.Parallel()
	w, sess, leg := loggedIn(t)
	expires := w.token(t, sess).ExpiresAt
	if e := w.token(t, leg).ExpiresAt; e.After(expires) {
		expires = e
	}
	down := closedPort(t)
	res, err := w.m.Logout(context.Background(), creds.LogoutOptions{PortalEndpoint: down})
	u := usererr.As(err)
	if u == nil || u.Code != 255 {
		t.Fatalf("Logout error = %v, want a usererr with exit 255", err)
	}
	want := "Could not revoke the session on the server for: " + w.ts.StartURL + " (its access token is valid until " + expires.Format("2006-01-02T15:04:05Z07:00") + "). " +
		`Could not connect to the endpoint URL: "` + down + `/logout"` + "\n" +
		"The local cache files were deleted, so nothing on this machine can use the session any more; the server accepts the access token until it expires."
	if u.Msg != want {
		t.Errorf("message:\n got %q\nwant %q", u.Msg, want)
	}
	if strings.Contains(u.Hint, "again") {
		t.Errorf("hint %q offers a retry that cannot work: the files are gone", u.Hint)
	}
	if diff := cmp.Diff(&creds.LogoutResult{Sessions: 2, Roles: 2, Failed: []string{w.ts.StartURL}}, res); diff != "" {
		t.Errorf("Logout result (-want +got):\n%s", diff)
	}
	for _, tg := range []*creds.Target{sess, leg} {
		if p := ssocache.TokenPath(w.home, tg.SessionName, tg.StartURL); exists(t, p) {
			t.Errorf("token file %s survived", filepath.Base(p))
		}
	}
}

// TestLogoutOneSession: with Sessions set, only those sessions' files go.
func TestLogoutOneSession(t *testing.T) {
	t.Parallel()
	w, sess, leg := loggedIn(t)
	res, err := w.m.Logout(context.Background(), creds.LogoutOptions{Sessions: []*creds.Target{sess}, PortalEndpoint: w.ts.URL})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(creds.LogoutResult{Sessions: 1, Roles: 1}, *res); diff != "" {
		t.Errorf("Logout result (-want +got):\n%s", diff)
	}
	if exists(t, ssocache.TokenPath(w.home, sess.SessionName, sess.StartURL)) || !exists(t, ssocache.TokenPath(w.home, "", leg.StartURL)) {
		t.Errorf("the wrong token file went")
	}
	if w.m.CachedRoleCredentials(sess) != nil || w.m.CachedRoleCredentials(leg) == nil {
		t.Errorf("the wrong role credentials went")
	}
}

// closedPort returns the URL of a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String()
	ln.Close()
	return u
}
