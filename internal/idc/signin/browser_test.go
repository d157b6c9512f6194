package signin

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/testutil/browser"
)

// newPagesServer runs the pages on a loopback httptest server.
func newPagesServer(t *testing.T) (*httptest.Server, *fakeBackend) {
	t.Helper()
	b := newFakeBackend()
	p := &Pages{Backend: b, Now: func() time.Time { return t0 }}
	mux := http.NewServeMux()
	p.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, b
}

// callbackServer stands in for the AWS CLI's loopback listener (spec §2.3):
// it answers any path and reports the first query that has a code or an
// error.
func callbackServer(t *testing.T) (*httptest.Server, <-chan url.Values) {
	t.Helper()
	got := make(chan url.Values, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Has("code") || q.Has("error") {
			select {
			case got <- q:
			default:
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><title>Amazon Web Services Sign-in</title><p id="done">You can now close this tab.</p>`))
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

// TestBrowser drives the pages in headless Chromium: sign in, approve a
// device code, then consent to an authorization request that ends at a
// loopback listener with the code and state. It checks what the browser
// really enforces: the CSP (form-action on the redirect after the consent
// POST), SameSite cookies and the cross-origin check on same-origin posts.
func TestBrowser(t *testing.T) {
	ctx := browser.NewBrowser(t)
	srv, backend := newPagesServer(t)
	cb, got := callbackServer(t)

	// Device flow: the URL the AWS CLI opens (verificationUriComplete).
	var result string
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/device?user_code=abcd-efgh"),
		chromedp.WaitVisible("#username"),
		chromedp.SendKeys("#username", testUser),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Click(`button[type="submit"].primary`),
		chromedp.WaitVisible(`button[value="approve"]`),
		chromedp.Click(`button[value="approve"]`),
		chromedp.WaitVisible(".message.success"),
	)
	if err != nil {
		t.Fatalf("device flow: %v", err)
	}
	if result, err = chromedp.Run(ctx, chromedp.Text("main")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(result, "Request approved. You can close this window.") {
		t.Errorf("result page says %q", result)
	}
	res, ok := backend.resolution(liveCode)
	if !ok {
		t.Fatal("backend saw no resolution")
	}
	if diff := cmp.Diff(resolution{User: testUser, Approve: true}, res); diff != "" {
		t.Errorf("resolution (-want +got):\n%s", diff)
	}

	// Authorization code flow, still signed in: consent, then the redirect.
	redirect := cb.URL + "/oauth/callback"
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+authorizeURL(redirect, nil)),
		chromedp.WaitVisible(`button[value="allow"]`),
		chromedp.Click(`button[value="allow"]`),
		chromedp.WaitVisible("#done"),
	)
	if err != nil {
		t.Fatalf("consent flow: %v", err)
	}
	var q url.Values
	select {
	case q = <-got:
	case <-ctx.Done():
		t.Fatal("the loopback listener got no code")
	}
	issued := backend.issuedCodes()
	if len(issued) != 1 {
		t.Fatalf("backend issued %d codes, want 1", len(issued))
	}
	want := url.Values{"code": {issued[0].Code}, "state": {"507d3252-8c1e-4e62-9b43-0f3c1a2b4c5d"}}
	if diff := cmp.Diff(want, q); diff != "" {
		t.Errorf("callback query (-want +got):\n%s", diff)
	}
}

// runSteps is chromedp.Do with the test failed on error.
func runSteps(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
