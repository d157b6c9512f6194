package signin

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/testutil/browser"
	"github.com/ssocli/ssocli/internal/testutil/require"
)

// newPagesServer runs the pages on a loopback httptest server.
func newPagesServer(t *testing.T) (*httptest.Server, *fakeBackend) {
	t.Helper()
	b := newFakeBackend()
	p := &Pages{Backend: b, Now: func() time.Time { return t0 }, Logger: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	p.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, b
}

// callbackServer stands in for the AWS CLI's loopback listener (spec §2.3)
// on host ("127.0.0.1" or "[::1]"): it answers any path and reports the first
// query that has a code or an error.
func callbackServer(t *testing.T, host string) (*httptest.Server, <-chan url.Values) {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(strings.Trim(host, "[]"), "0"))
	if err != nil {
		require.Missingf(t, "no loopback listener on %s: %v", host, err)
	}
	got := make(chan url.Values, 1)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Has("code") || q.Has("error") {
			select {
			case got <- q:
			default:
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><title>Amazon Web Services Sign-in</title><p id="done">You can now close this tab.</p>`))
	})}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, got
}

// TestBrowser drives the pages in headless Chromium: sign in, approve a
// device code, then consent to authorization requests that end at loopback
// listeners with the code and state. It checks what only a browser enforces:
// the CSP (form-action also governs the redirect after the consent POST),
// SameSite cookies and the cross-origin check letting same-origin posts in.
func TestBrowser(t *testing.T) {
	ctx := browser.NewBrowser(t)
	srv, backend := newPagesServer(t)

	t.Run("device", func(t *testing.T) {
		// The URL the AWS CLI opens (verificationUriComplete), typed in
		// lower case.
		runSteps(t, ctx, "device flow",
			chromedp.Navigate(srv.URL+"/device?user_code=abcd-efgh"),
			chromedp.WaitVisible("#username"),
			chromedp.SendKeys("#username", testUser),
			chromedp.SendKeys("#password", testPassword),
			chromedp.Click(`button[type="submit"].primary`),
			chromedp.WaitVisible(`button[value="approve"]`),
			chromedp.Click(`button[value="approve"]`),
			chromedp.WaitVisible(".message.success"),
		)
		result, err := chromedp.Run(ctx, chromedp.Text("main"))
		if err != nil {
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
	})

	t.Run("cross-site post", func(t *testing.T) {
		// A page on another site (localhost is not the same site as
		// 127.0.0.1) posts the device form: the browser marks it
		// cross-site and the pages refuse it, even with the session cookie
		// (SameSite=Lax would not send it anyway).
		evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><form method="post" action="%s/device">
<input type="hidden" name="user_code" value="%s"><input type="hidden" name="action" value="approve">
<input type="hidden" name="csrf" value="guess"><button id="go">Go</button></form>`, srv.URL, otherCode)
		}))
		t.Cleanup(evil.Close)
		runSteps(t, ctx, "cross-site post",
			chromedp.Navigate(strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)),
			chromedp.Click("#go"),
			chromedp.WaitVisible(".message.error"),
		)
		text, err := chromedp.Run(ctx, chromedp.Text("main"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, "Request refused") {
			t.Errorf("page says %q, want the cross-site refusal", text)
		}
		if r, ok := backend.resolution(otherCode); ok {
			t.Errorf("backend saw a resolution %+v, want none", r)
		}
	})

	// Still signed in: consent, then the redirect to the loopback listener.
	for _, host := range []string{"127.0.0.1", "[::1]"} {
		t.Run("consent "+host, func(t *testing.T) {
			cb, got := callbackServer(t, host)
			before := len(backend.issuedCodes())
			runSteps(t, ctx, "consent flow",
				chromedp.Navigate(srv.URL+authorizeURL(cb.URL+"/oauth/callback", nil)),
				chromedp.WaitVisible(`button[value="allow"]`),
				chromedp.Click(`button[value="allow"]`),
				chromedp.WaitVisible("#done"),
			)
			var q url.Values
			select {
			case q = <-got:
			case <-ctx.Done():
				t.Fatal("the loopback listener got no code")
			}
			issued := backend.issuedCodes()
			if len(issued) != before+1 {
				t.Fatalf("backend issued %d codes, want 1", len(issued)-before)
			}
			want := url.Values{"code": {issued[before].Code}, "state": {"507d3252-8c1e-4e62-9b43-0f3c1a2b4c5d"}}
			if diff := cmp.Diff(want, q); diff != "" {
				t.Errorf("callback query (-want +got):\n%s", diff)
			}
		})
	}
}

// runSteps is chromedp.Do with the test failed on error.
func runSteps(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
