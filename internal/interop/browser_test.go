package interop

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/ssocache"
	"github.com/ssocli/ssocli/internal/testutil/browser"
)

// The sign-in pages' elements (internal/idc/signin templates).
const (
	usernameField  = "#username"
	passwordField  = "#password"
	signInButton   = `button[type="submit"].primary`
	approveButton  = `button[value="approve"]`
	allowButton    = `button[value="allow"]`
	denyButton     = `button[value="deny"]`
	successMessage = ".message.success"
)

// signIn is what a person does on the sign-in page: alice and her password.
func signIn() []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.WaitVisible(usernameField),
		chromedp.SendKeys(usernameField, user),
		chromedp.SendKeys(passwordField, directory.DemoAlicePassword),
		chromedp.Click(signInButton),
	}
}

// TestDeviceLoginInChromium approves an ssocli device login in headless
// Chromium: ssocli prints the verification URL and waits; a person opens it,
// signs in and approves; ssocli's polling then gets the token (spec §2.2).
func TestDeviceLoginInChromium(t *testing.T) {
	t.Parallel()
	f := newFixture(t) // no auto-approve: the browser approves
	ctx := browser.NewBrowser(t)
	p := start(t, ssocliBin, f.ssocliEnv(viaEndpoint), "sso", "login", "--profile", sessionProfile.name, "--use-device-code", "--no-browser")
	u := p.waitFor(t, regexp.MustCompile(`which will autofill the code upon loading:\n(\S+)\n`))[1]
	if !strings.HasPrefix(u, f.srv.URL+"/device?user_code=") {
		t.Fatalf("verificationUriComplete %q is not the server's device page", u)
	}

	steps := append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(u)}, signIn()...)
	steps = append(steps, chromedp.WaitVisible(approveButton), chromedp.Click(approveButton))
	if err := browse(ctx, steps...); err != nil {
		t.Fatalf("approve in the browser: %v", err)
	}
	msg, err := textAt(ctx, f.srv.URL+"/device", successMessage)
	if err != nil {
		t.Fatalf("approve in the browser: %v", err)
	}
	if !strings.Contains(msg, "approved") {
		t.Errorf("the device page says %q after approving", msg)
	}
	f.loggedIn(t, p.wait(t))
	if tok := readToken(t, f.tokenPath(sessionProfile)); tok.RefreshToken == "" {
		t.Errorf("the token file has no refreshToken")
	}
}

// TestPKCELoginInChromium logs in with the authorization code flow (issue 3,
// spec §2.3): ssocli opens the authorize URL through $BROWSER, which hands it
// to the test's Chromium; a person signs in and allows (or denies) on the
// consent page; the browser is redirected to ssocli's loopback listener.
func TestPKCELoginInChromium(t *testing.T) {
	t.Parallel()
	f := newFixture(t) // no auto-approve: the browser consents
	ctx := browser.NewBrowser(t)
	// BROWSER is a script that appends the URL to a file the test reads.
	dir := t.TempDir()
	urls := filepath.Join(dir, "urls")
	script := filepath.Join(dir, "browser.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s\\n' \"$1\" >> '"+urls+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := f.ssocliEnv(viaEndpoint, "BROWSER="+script)
	printed := regexp.MustCompile(`If you are unable to open the URL on this device, run this command again with the '--use-device-code' option\.\n\n(\S+)\n`)

	// login starts `ssocli sso login` and returns it with the URL it opened.
	login := func(t *testing.T) (*process, string) {
		t.Helper()
		if err := os.Remove(urls); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		p := start(t, ssocliBin, env, "sso", "login", "--profile", sessionProfile.name)
		u := p.waitFor(t, printed)[1]
		opened := waitForLine(t, p, urls)
		if opened != u {
			t.Errorf("BROWSER was given %q, but ssocli printed %q", opened, u)
		}
		if want := f.srv.URL + "/authorize?response_type=code&client_id="; !strings.HasPrefix(opened, want) {
			t.Fatalf("ssocli opened %q, want a URL beginning %s", opened, want)
		}
		return p, opened
	}
	// callbackHeading runs steps that end at ssocli's loopback listener and
	// returns the heading of the page it answers.
	callbackHeading := func(t *testing.T, p *process, authorizeURL string, steps ...chromedp.Action[chromedp.Void]) string {
		t.Helper()
		u, err := url.Parse(authorizeURL)
		if err != nil {
			t.Fatal(err)
		}
		err = browse(ctx, steps...)
		h := ""
		if err == nil {
			h, err = textAt(ctx, u.Query().Get("redirect_uri"), "h1")
		}
		if err != nil {
			t.Fatalf("browser: %v\n%s", err, p.resultSoFar())
		}
		return h
	}

	if !t.Run("allow", func(t *testing.T) {
		before := f.counts()
		p, u := login(t)
		steps := append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(u)}, signIn()...)
		steps = append(steps, chromedp.WaitVisible(allowButton), chromedp.Click(allowButton))
		if h := callbackHeading(t, p, u, steps...); h != "Signed in" {
			t.Errorf("the loopback listener's page says %q, want \"Signed in\"", h)
		}
		f.loggedIn(t, p.wait(t))
		if diff := cmp.Diff(map[string]int{"CreateToken/authorization_code": 1, "StartDeviceAuthorization": 0},
			f.newCalls(before, "CreateToken/authorization_code", "StartDeviceAuthorization")); diff != "" {
			t.Errorf("calls of the login (-want +got):\n%s", diff)
		}
		if tok := readToken(t, f.tokenPath(sessionProfile)); tok.RefreshToken == "" {
			t.Errorf("the token file has no refreshToken")
		}
		reg, err := ssocache.ReadRegistration(f.registrationPath(sessionProfile))
		if err != nil {
			t.Fatalf("read registration: %v", err)
		}
		if !slices.Contains(reg.GrantTypes, "authorization_code") {
			t.Errorf("registration grantTypes = %q, want authorization_code among them (spec §3.3)", reg.GrantTypes)
		}

		before = f.counts()
		f.checkIdentity(t, f.aws(t, "sts", "get-caller-identity", "--profile", sessionProfile.name))
		f.noNewLogin(t, "aws sts get-caller-identity after the PKCE login", before)
	}) {
		return
	}

	t.Run("deny", func(t *testing.T) {
		aws := filepath.Join(f.home, ".aws")
		snapshot := treeSnapshot(t, aws)
		// Still signed in from "allow": the consent page comes at once.
		p, u := login(t)
		if h := callbackHeading(t, p, u, chromedp.Navigate(u), chromedp.WaitVisible(denyButton), chromedp.Click(denyButton)); h != "Sign-in failed" {
			t.Errorf("the loopback listener's page says %q, want \"Sign-in failed\"", h)
		}
		r := p.wait(t)
		const want = "Error loading authorization code: Failed to retrieve an authorization code."
		if r.code != 255 || !strings.Contains(r.stderr, want) {
			t.Errorf("want exit 255 and %q\n%s", want, r)
		}
		if diff := cmp.Diff(snapshot, treeSnapshot(t, aws)); diff != "" {
			t.Errorf("a denied login changed ~/.aws (-before +after):\n%s", diff)
		}
	})
}

// stepGuard bounds one browsing sequence, so that a page that never shows
// what a step waits for fails with a description of where the browser is,
// while the browser (whose whole session has a guard of its own) still
// answers. It is not a speed requirement.
const stepGuard = 45 * time.Second

// browse runs steps in the browser; on failure the error tells the page the
// browser is on and its text.
func browse(ctx context.Context, steps ...chromedp.Action[chromedp.Void]) error {
	sctx, cancel := context.WithTimeout(ctx, stepGuard)
	defer cancel()
	err := chromedp.Do(sctx, steps...)
	if err == nil {
		return nil
	}
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(qctx, chromedp.Location())
	text, _ := chromedp.Run(qctx, chromedp.Text("body"))
	return fmt.Errorf("%w\n(the browser is at %s, showing:\n%s)", err, redactURL(loc), strings.TrimSpace(text))
}

// textAt waits until the browser shows a loaded page whose URL begins with
// prefix and that has an element sel, and returns the element's text. It asks the page afresh every
// tenth of a second: a click that submits a form navigates on its own time,
// and chromedp's element waits can hold on to the page being left.
func textAt(ctx context.Context, prefix, sel string) (string, error) {
	sctx, cancel := context.WithTimeout(ctx, stepGuard)
	defer cancel()
	js := `(location.href.startsWith(` + jsString(prefix) + `) && document.readyState === "complete") ? ((document.querySelector(` + jsString(sel) + `) || {}).textContent || "") : ""`
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		qctx, qcancel := context.WithTimeout(sctx, 5*time.Second)
		h, err := chromedp.Run(qctx, chromedp.Evaluate[string](js))
		qcancel()
		if err == nil && h != "" {
			return h, nil
		}
		select {
		case <-tick.C:
		case <-sctx.Done():
			qctx, qcancel := context.WithTimeout(ctx, 5*time.Second)
			defer qcancel()
			loc, _ := chromedp.Run(qctx, chromedp.Location())
			// A chrome-error:// page names the network error in its text.
			text, _ := chromedp.Run(qctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
			return "", fmt.Errorf("no page with %s at %s: the browser is at %s, showing:\n%s", sel, prefix, redactURL(loc), strings.TrimSpace(text))
		}
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// codeParam matches the authorization code in a redirect URL.
var codeParam = regexp.MustCompile(`([?&]code=)[^&]*`)

// redactURL hides an authorization code in a URL.
func redactURL(u string) string { return codeParam.ReplaceAllString(u, "$1<secret>") }

// waitForLine waits until the file holds a whole line and returns it; it
// fails the test if p ends first. The file is polled: the BROWSER script
// writes it once and exits.
func waitForLine(t *testing.T, p *process, path string) string {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	guard := time.NewTimer(hangGuard)
	defer guard.Stop()
	for {
		if b, err := os.ReadFile(path); err == nil {
			if line, _, ok := strings.Cut(string(b), "\n"); ok {
				return line
			}
		}
		select {
		case <-tick.C:
		case <-p.done:
			t.Fatalf("%s ended before opening a browser\n%s", p.name, p.result())
		case <-guard.C:
			t.Fatalf("%s opened no browser within %v", p.name, hangGuard)
		}
	}
}
