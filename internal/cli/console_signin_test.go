package cli

import (
	"io"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/ssocache"
)

// follow opens a console sign-in URL as a browser would (cookies, redirects)
// and returns the page it lands on.
func follow(t *testing.T, h *harness, loginURL string) (int, string, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := h.srv.Client()
	c.Jar = jar
	resp, err := c.Get(loginURL)
	if err != nil {
		t.Fatalf("open the sign-in URL: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Request.URL.String(), string(b)
}

func TestConsoleURLOnlySignsInAsTheProfilesRole(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustRun("sso", "login", "--profile", "p", "--use-device-code")
	before := h.count("Federation/getSigninToken")
	out, errs, code := h.run("console", "--profile", "p", "--url-only", "--debug")
	if code != 0 {
		t.Fatalf("console: exit %d\n%s", code, errs)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 1 {
		t.Fatalf("stdout has %d lines, want only the URL:\n%s", len(lines), out)
	}
	u, err := url.Parse(lines[0])
	if err != nil || !strings.HasPrefix(lines[0], h.srv.URL+"/federation?") {
		t.Fatalf("stdout %q is not a login URL of the server's federation endpoint", lines[0])
	}
	q := u.Query()
	wantDest := h.srv.URL + "/console/home?region=us-west-2"
	if q.Get("Action") != "login" || q.Get("Issuer") != "ssocli" || q.Get("Destination") != wantDest || q.Get("SigninToken") == "" {
		t.Errorf("login URL parameters %v, want Action=login Issuer=ssocli Destination=%s and a SigninToken", q, wantDest)
	}
	if !strings.Contains(errs, "console sign-in") {
		t.Errorf("--debug logged nothing of the sign-in:\n%s", errs)
	}
	if n := h.count("Federation/getSigninToken") - before; n != 1 {
		t.Errorf("%d getSigninToken calls, want 1", n)
	}
	// --debug never shows the sign-in token, the URL or the credentials.
	for _, secret := range []string{q.Get("SigninToken"), lines[0], cachedRoleSecret(t, h, "p")} {
		if strings.Contains(errs, secret) {
			t.Errorf("stderr shows a secret:\n%s", errs)
		}
	}
	status, landed, page := follow(t, h, lines[0])
	if status != 200 || landed != wantDest {
		t.Fatalf("the URL lands on %s with %d, want %s with 200:\n%s", landed, status, wantDest, page)
	}
	for _, want := range []string{`id="account">` + testAccount + `<`, `id="role">AWSReservedSSO_` + testRole + `_`, `id="session">alice<`} {
		if !strings.Contains(page, want) {
			t.Errorf("the console page lacks %s:\n%s", want, page)
		}
	}
}

// cachedRoleSecret is the secret key of the profile's cached role credentials.
func cachedRoleSecret(t *testing.T, h *harness, profile string) string {
	t.Helper()
	if profile != "p" {
		t.Fatalf("no cache path for %s", profile)
	}
	rc, err := ssocache.ReadRoleCredentials(ssocache.RoleCredsPath(h.home, testAccount, testRole, "corp", h.srv.StartURL))
	if err != nil {
		t.Fatalf("read the role cache: %v", err)
	}
	return rc.SecretAccessKey
}

func TestConsoleDestinations(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustRun("sso", "login", "--profile", "p", "--use-device-code")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--service", "ec2"}, h.srv.URL + "/console/ec2/home?region=us-west-2"},
		{[]string{"--region", "eu-central-1"}, h.srv.URL + "/console/home?region=eu-central-1"},
		{[]string{"--destination", h.srv.URL + "/console/s3/buckets"}, h.srv.URL + "/console/s3/buckets"},
	}
	for _, tt := range tests {
		out := h.mustRun(append([]string{"console", "--profile", "p", "--url-only"}, tt.args...)...)
		u, err := url.Parse(strings.TrimSpace(out))
		if err != nil {
			t.Fatal(err)
		}
		if got := u.Query().Get("Destination"); got != tt.want {
			t.Errorf("%v: Destination %q, want %q", tt.args, got, tt.want)
		}
	}
}

func TestConsoleOpensTheBrowser(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var opened []string
	h.browser = func(u string) error { opened = append(opened, u); return nil }
	h.mustRun("sso", "login", "--profile", "p", "--use-device-code")
	out, errs, code := h.run("console", "--profile", "p", "--session-duration", "2h")
	if code != 0 || out != "" {
		t.Fatalf("console: exit %d, stdout %q (want nothing)\n%s", code, out, errs)
	}
	if len(opened) != 1 || !strings.HasPrefix(opened[0], h.srv.URL+"/federation?Action=login&") {
		t.Fatalf("opened %q, want one login URL", opened)
	}
	if !strings.Contains(errs, "Opening the AWS console for profile p in your browser.") {
		t.Errorf("stderr %q does not say it opens the console", errs)
	}
	if status, _, page := follow(t, h, opened[0]); status != 200 {
		t.Errorf("the opened URL lands with %d:\n%s", status, page)
	}
}

func TestConsoleRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.writeConfig(h.defaultConfig() + `
[profile static]
aws_access_key_id = AKIAEXAMPLE
aws_secret_access_key = secret

[profile chained]
role_arn = arn:aws:iam::111122223333:role/Admin
source_profile = p
`)
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"not logged in", []string{"--profile", "p"}, 255, "run: ssocli sso login --profile p"},
		{"long-term keys", []string{"--profile", "static"}, 253, "needs temporary credentials"},
		{"session too long", []string{"--profile", "p", "--session-duration", "13h"}, 252, "from 15 minutes to 12 hours"},
		{"session too short", []string{"--profile", "p", "--session-duration", "10m"}, 252, "from 15 minutes to 12 hours"},
		{"duration with role chaining", []string{"--profile", "chained", "--session-duration", "1h"}, 252, "leave out --session-duration"},
		{"both destinations", []string{"--profile", "p", "--service", "ec2", "--destination", "https://x.example/"}, 252, "cannot be used together"},
		{"bad service", []string{"--profile", "p", "--service", "EC2/../x"}, 252, "not a console service name"},
		{"relative destination", []string{"--profile", "p", "--destination", "/ec2/home"}, 252, "not an absolute URL"},
	}
	for _, tt := range tests {
		out, errs, code := h.run(append([]string{"console", "--url-only"}, tt.args...)...)
		if code != tt.code || !strings.Contains(errs, tt.msg) || out != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr:\n%s\nwant exit %d and %q", tt.name, code, out, errs, tt.code, tt.msg)
		}
	}
}

func TestConsoleExpiredCredentials(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.vars["AWS_ACCESS_KEY_ID"], h.vars["AWS_SECRET_ACCESS_KEY"], h.vars["AWS_SESSION_TOKEN"] = "ASIAOLD", "secret", "token"
	h.vars["AWS_CREDENTIAL_EXPIRATION"] = time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	_, errs, code := h.run("console", "--url-only")
	// The chain refuses them first, in botocore's words (docs/credential-chain.md §2).
	if code != 255 || !strings.Contains(errs, "Credentials were refreshed, but the refreshed credentials are still expired.") {
		t.Errorf("exit %d, stderr:\n%s", code, errs)
	}
	// Credentials the service does not know are refused by it, in words.
	h.vars["AWS_CREDENTIAL_EXPIRATION"] = ""
	_, errs, code = h.run("console", "--url-only")
	if code != 254 || !strings.Contains(errs, "The AWS sign-in service refused the credentials of profile default (HTTP 403: the credentials are not valid") {
		t.Errorf("exit %d, stderr:\n%s", code, errs)
	}
	// A 254 is a service error in every error format, with the status as
	// its code.
	_, errs, code = h.run("console", "--url-only", "--cli-error-format", "json")
	if code != 254 || !strings.HasPrefix(errs, "{\n    \"Code\": \"403\",\n    \"Message\": \"The AWS sign-in service refused") {
		t.Errorf("json form: exit %d, stderr:\n%s", code, errs)
	}
}

// TestConsoleChainedProfile: a profile that assumes a role from an SSO
// profile's credentials (issue 9) signs in to the console as the assumed
// role, not as the SSO role behind it.
func TestConsoleChainedProfile(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.writeConfig(h.chainedConfig())
	h.mustRun("sso", "login", "--profile", "p", "--use-device-code")
	out, errs, code := h.run("console", "--profile", "chained", "--url-only")
	if code != 0 {
		t.Fatalf("console --profile chained: exit %d\n%s", code, errs)
	}
	if n := h.count("AssumeRole"); n != 1 {
		t.Errorf("%d AssumeRole calls, want 1", n)
	}
	status, landed, page := follow(t, h, strings.TrimSpace(out))
	if status != 200 || !strings.HasPrefix(landed, h.srv.URL+"/console/") {
		t.Fatalf("the URL lands on %s with %d:\n%s", landed, status, page)
	}
	for _, want := range []string{`id="account">` + directory.DemoProdAccount + `<`, `id="role">` + directory.DemoCrossAccountRole + `<`} {
		if !strings.Contains(page, want) {
			t.Errorf("the console page lacks %s (the assumed role):\n%s", want, page)
		}
	}
}
