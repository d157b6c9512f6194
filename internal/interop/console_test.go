package interop

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/testutil/browser"
)

// consoleURL runs `ssocli console --url-only` and returns the URL, checking
// that it is all stdout holds.
func consoleURL(t *testing.T, f *fixture, v via, args ...string) *url.URL {
	t.Helper()
	r := run(t, ssocliBin, f.ssocliEnv(v), append([]string{"console", "--url-only"}, args...)...)
	r.secret = true // the URL signs in whoever opens it
	mustSucceed(t, r)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 1 {
		t.Fatalf("stdout has %d lines, want only the URL", len(lines))
	}
	u, err := url.Parse(lines[0])
	if err != nil {
		t.Fatalf("stdout is not a URL: %v", err)
	}
	if q := u.Query(); q.Get("Action") != "login" || q.Get("SigninToken") == "" || q.Get("Issuer") == "" {
		t.Fatalf("the URL is not a federation login URL (Action %q)", q.Get("Action"))
	}
	return u
}

// TestConsoleInChromium opens the URL of `ssocli console --url-only` for an
// SSO profile in headless Chromium, which lands on the local Identity
// Center's console page signed in as the profile's role.
func TestConsoleInChromium(t *testing.T) {
	t.Parallel()
	f := newFixture(t, idctest.WithAutoApprove(user), idctest.WithAutoApproveDelay(-1))
	f.loggedIn(t, f.ssocli(t, viaEndpoint, "sso", "login", "--profile", sessionProfile.name, "--use-device-code"))
	before := f.counts()
	u := consoleURL(t, f, viaEndpoint, "--profile", sessionProfile.name)
	if want := f.srv.URL + "/federation"; !strings.HasPrefix(u.String(), want+"?") {
		t.Fatalf("the URL is not the server's federation endpoint %s", want)
	}
	dest := f.srv.URL + "/console/home?region=" + stsRegion
	if got := u.Query().Get("Destination"); got != dest {
		t.Errorf("Destination %q, want %q", got, dest)
	}
	ctx := browser.NewBrowser(t)
	if err := browse(ctx, chromedp.Navigate(u.String())); err != nil {
		t.Fatalf("open the sign-in URL: %v", err)
	}
	got := map[string]string{}
	for _, id := range []string{"account", "role", "session", "region"} {
		text, err := textAt(ctx, f.srv.URL+"/console/home", "#"+id)
		if err != nil {
			t.Fatalf("the console page shows no #%s: %v", id, err)
		}
		got[id] = text
	}
	want := map[string]string{"account": account, "role": f.dir.RoleName(account, permissionSet), "session": user, "region": stsRegion}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("the console page shows %s %q, want %q", k, got[k], v)
		}
	}
	if d := f.newCalls(before, "Federation/getSigninToken", "Federation/login"); d["Federation/getSigninToken"] != 1 || d["Federation/login"] != 1 {
		t.Errorf("federation calls %v, want one getSigninToken and one login", d)
	}
	// The URL is spent: opening it again does not sign in.
	ctx2 := browser.NewBrowser(t)
	if err := browse(ctx2, chromedp.Navigate(u.String())); err != nil {
		t.Fatalf("open the sign-in URL again: %v", err)
	}
	if h, err := textAt(ctx2, f.srv.URL+"/federation", "h1"); err != nil || h != "Sign-in link expired" {
		t.Errorf("the spent URL shows %q (%v), want \"Sign-in link expired\"", h, err)
	}
}

// TestConsoleThroughProxy: with HTTPS_PROXY (the AWS CLI 2.9.19's way) the
// URL names the real sign-in host, and a client trusting the server's CA
// follows it through the proxy to <region>.console.aws.amazon.com, where the
// console page shows the role.
func TestConsoleThroughProxy(t *testing.T) {
	t.Parallel()
	f := newFixture(t, idctest.WithAutoApprove(user), idctest.WithAutoApproveDelay(-1))
	f.loggedIn(t, f.ssocli(t, viaProxy, "sso", "login", "--profile", sessionProfile.name, "--use-device-code"))
	u := consoleURL(t, f, viaProxy, "--profile", sessionProfile.name, "--service", "ec2")
	if u.Scheme+"://"+u.Host+u.Path != "https://signin.aws.amazon.com/federation" {
		t.Fatalf("the URL goes to %s://%s%s, want https://signin.aws.amazon.com/federation", u.Scheme, u.Host, u.Path)
	}
	dest := "https://" + stsRegion + ".console.aws.amazon.com/ec2/home?region=" + stsRegion
	if got := u.Query().Get("Destination"); got != dest {
		t.Errorf("Destination %q, want %q", got, dest)
	}
	pem, err := os.ReadFile(f.srv.Server.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	proxy, _ := url.Parse(f.srv.URL)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Transport: &http.Transport{Proxy: http.ProxyURL(proxy), TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := c.Get(u.String())
	if err != nil {
		t.Fatalf("follow the URL through the proxy: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	page := string(b)
	if resp.StatusCode != 200 || resp.Request.URL.String() != dest {
		t.Fatalf("landed on %s with %d, want %s with 200:\n%s", resp.Request.URL, resp.StatusCode, dest, page)
	}
	for _, want := range []string{`id="account">` + account + `<`, `id="role">` + f.dir.RoleName(account, permissionSet) + `<`, `id="path">/ec2/home<`} {
		if !strings.Contains(page, want) {
			t.Errorf("the console page lacks %s:\n%s", want, page)
		}
	}
}

// TestConsoleExpiredSession: without a live session, console says so with
// the login command and prints no URL.
func TestConsoleExpiredSession(t *testing.T) {
	t.Parallel()
	f := newFixture(t, idctest.WithAutoApprove(user), idctest.WithAutoApproveDelay(-1))
	f.loggedIn(t, f.ssocli(t, viaEndpoint, "sso", "login", "--profile", sessionProfile.name, "--use-device-code"))
	mustSucceed(t, f.ssocli(t, viaEndpoint, "sso", "logout"))
	before := f.counts()
	r := f.ssocli(t, viaEndpoint, "console", "--url-only", "--profile", sessionProfile.name)
	if r.code != 255 || r.stdout != "" || !strings.Contains(r.stderr, "run: ssocli sso login --profile p") {
		t.Errorf("want exit 255, no URL and the login hint\n%s", r)
	}
	if d := f.newCalls(before, "Federation/getSigninToken"); d["Federation/getSigninToken"] != 0 {
		t.Errorf("a getSigninToken was made without a session")
	}
}

// TestConsoleChainedInChromium: the URL of `ssocli console --url-only` for a
// profile that assumes a role from an SSO profile (role_arn + source_profile)
// signs headless Chromium in as the assumed role.
func TestConsoleChainedInChromium(t *testing.T) {
	t.Parallel()
	f := newChainFixture(t)
	u := consoleURL(t, f.fixture, viaEndpoint, "--profile", "role-on-sso")
	ctx := browser.NewBrowser(t)
	if err := browse(ctx, chromedp.Navigate(u.String())); err != nil {
		t.Fatalf("open the sign-in URL: %v", err)
	}
	want := map[string]string{"account": prodAccount, "role": directory.DemoCrossAccountRole}
	for id, v := range want {
		got, err := textAt(ctx, f.srv.URL+"/console/", "#"+id)
		if err != nil {
			t.Fatalf("the console page shows no #%s: %v", id, err)
		}
		if got != v {
			t.Errorf("the console page shows %s %q, want %q (the assumed role)", id, got, v)
		}
	}
}
