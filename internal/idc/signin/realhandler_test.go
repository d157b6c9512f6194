package signin_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/idc/signin"
)

// TestAuthorizeRefusedRealServer runs TestAuthorizeRefused's table against
// the real server (idc.New(...).Handler(), with real client registrations
// behind the pages): every bad request ends on an error page and never at
// the redirect URI, signed in or not and with auto-approve on.
func TestAuthorizeRefusedRealServer(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"signed out", "signed in", "auto-approve"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			var opts []idctest.Option
			if mode == "auto-approve" {
				opts = append(opts, idctest.WithAutoApprove("alice"))
			}
			ts := idctest.NewServer(t, opts...)
			pkce := register(t, ts, map[string]any{"clientName": "botocore-client-corp", "clientType": "public", "scopes": []string{"sso:account:access"},
				"grantTypes": []string{"authorization_code", "refresh_token"}, "redirectUris": []string{"http://127.0.0.1/oauth/callback", "http://[::1]/oauth/callback"},
				"issuerUrl": ts.StartURL})
			device := register(t, ts, map[string]any{"clientName": "botocore-client-dev", "clientType": "public"})
			hc := browser(t)
			if mode == "signed in" {
				signIn(t, hc, ts.URL)
			}
			for _, tt := range signin.Refusals(pkce, device) {
				t.Run(tt.Name, func(t *testing.T) {
					resp, err := hc.Get(ts.URL + "/authorize?" + tt.Query)
					if err != nil {
						t.Fatal(err)
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if loc := resp.Header.Get("Location"); loc != "" {
						t.Errorf("Location %q, want none", loc)
					}
					if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), tt.WantText) {
						t.Errorf("status %d, want 400 with %q; body:\n%s", resp.StatusCode, tt.WantText, body)
					}
				})
			}
			// The control: the same client and redirect with a good request
			// are accepted, so the refusals above are the table's doing.
			good := signin.Refusals(pkce, device)[0].Query
			q, _ := url.ParseQuery(good)
			q.Set("client_id", pkce)
			resp, err := hc.Get(ts.URL + "/authorize?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusBadRequest {
				t.Errorf("a valid request for the PKCE client was refused: status %d", resp.StatusCode)
			}
		})
	}
}

// register registers a client with the real OIDC API and returns its id.
func register(t *testing.T, ts *idctest.TestServer, req map[string]any) string {
	t.Helper()
	b, _ := json.Marshal(req)
	resp, err := ts.Client().Post(ts.URL+"/client/register", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ ClientID string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.ClientID == "" {
		t.Fatalf("RegisterClient: status %d, %v", resp.StatusCode, err)
	}
	return out.ClientID
}

// browser is a client with a cookie jar that does not follow redirects.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	hc := idctest.LoopbackClient()
	hc.Jar = jar
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return hc
}

// signIn signs in as alice on the sign-in page.
func signIn(t *testing.T, hc *http.Client, base string) {
	t.Helper()
	resp, err := hc.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf field on the sign-in page")
	}
	resp, err = hc.PostForm(base+"/login", url.Values{"csrf": {string(m[1])}, "next": {"/device"}, "username": {"alice"}, "password": {directory.DemoAlicePassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: status %d, want 303", resp.StatusCode)
	}
}
