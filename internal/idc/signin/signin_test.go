package signin

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const callback = "http://127.0.0.1:45325/oauth/callback"

func TestSignInFailure(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	login := e.get(t, "/device")
	got := e.signIn(t, login, "wrong")
	if got.status != http.StatusUnauthorized || !strings.Contains(got.body, "Incorrect user name or password.") {
		t.Fatalf("wrong password: status %d, want 401 with the message; body:\n%s", got.status, got.body)
	}
	// Still signed out: the device page sends us to the sign-in page again.
	if again := e.get(t, "/device"); !strings.Contains(again.url, "/login") {
		t.Errorf("after a failed sign-in GET /device ended at %s, want the sign-in page", again.url)
	}
}

func TestDeviceFlow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		action      string
		typed       string // the code as the person types it
		wantText    string
		wantApprove bool
	}{
		{action: "approve", typed: "abcd-efgh", wantText: "Request approved. You can close this window.", wantApprove: true},
		{action: "deny", typed: "ABCDEFGH", wantText: "Request denied.", wantApprove: false},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, "")
			login := e.get(t, "/device?user_code="+url.QueryEscape(tt.typed))
			confirm := e.signIn(t, login, testPassword)
			if confirm.status != http.StatusOK {
				t.Fatalf("confirmation page: status %d, body:\n%s", confirm.status, confirm.body)
			}
			for _, want := range []string{"botocore-client-corp", liveCode, "sso:account:access", `value="approve"`, `value="deny"`, "Signed in as <strong>alice</strong>"} {
				if !strings.Contains(confirm.body, want) {
					t.Errorf("confirmation page lacks %q", want)
				}
			}
			result := e.post(t, "/device", url.Values{
				"csrf":      {field(t, csrfRE, confirm.body)},
				"user_code": {field(t, regexp.MustCompile(`name="user_code" value="([^"]+)"`), confirm.body)},
				"action":    {tt.action},
			}, nil)
			if result.status != http.StatusOK || !strings.Contains(result.body, tt.wantText) {
				t.Errorf("result: status %d, want 200 with %q; body:\n%s", result.status, tt.wantText, result.body)
			}
			got, ok := e.backend.resolution(liveCode)
			if !ok {
				t.Fatal("backend saw no resolution")
			}
			if diff := cmp.Diff(resolution{User: testUser, Approve: tt.wantApprove}, got); diff != "" {
				t.Errorf("resolution (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeviceCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		path       string
		wantStatus int
		wantText   string
	}{
		{name: "no code shows the entry form", path: "/device", wantStatus: http.StatusOK, wantText: `name="user_code"`},
		{name: "unknown code", path: "/device?user_code=NOPE-NOPE", wantStatus: http.StatusNotFound, wantText: "That code is not valid"},
		{name: "expired code", path: "/device?user_code=" + expiredCode, wantStatus: http.StatusGone, wantText: "This code has expired"},
		{name: "overlong code", path: "/device?user_code=" + strings.Repeat("A", 100), wantStatus: http.StatusNotFound, wantText: "That code is not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, "")
			e.signIn(t, e.get(t, "/login"), testPassword)
			got := e.get(t, tt.path)
			if got.status != tt.wantStatus || !strings.Contains(got.body, tt.wantText) {
				t.Errorf("GET %s: status %d, want %d with %q; body:\n%s", tt.path, got.status, tt.wantStatus, tt.wantText, got.body)
			}
		})
	}
}

func TestConsent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		decision string
		want     url.Values // query of the redirect, code aside
		wantCode bool
	}{
		{decision: "allow", want: url.Values{"state": {"507d3252-8c1e-4e62-9b43-0f3c1a2b4c5d"}}, wantCode: true},
		{decision: "deny", want: url.Values{
			"error":             {"access_denied"},
			"error_description": {"The user denied the request."},
			"state":             {"507d3252-8c1e-4e62-9b43-0f3c1a2b4c5d"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.decision, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, "")
			login := e.get(t, authorizeURL(callback, nil))
			consent := e.signIn(t, login, testPassword)
			if consent.status != http.StatusOK || !strings.Contains(consent.body, "botocore-client-corp") || !strings.Contains(consent.body, "sso:account:access") {
				t.Fatalf("consent page: status %d, body:\n%s", consent.status, consent.body)
			}
			if csp := consent.header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' http://127.0.0.1:45325;") {
				t.Errorf("consent CSP %q does not allow the form to end at the redirect origin", csp)
			}
			form := url.Values{"decision": {tt.decision}}
			for _, name := range []string{"csrf", "response_type", "client_id", "redirect_uri", "state", "code_challenge_method", "code_challenge", "scopes"} {
				form.Set(name, field(t, regexp.MustCompile(`name="`+name+`" value="([^"]*)"`), consent.body))
			}
			got := e.post(t, "/consent", form, nil)
			if got.status != http.StatusSeeOther {
				t.Fatalf("POST /consent: status %d, want 303; body:\n%s", got.status, got.body)
			}
			loc, err := url.Parse(got.header.Get("Location"))
			if err != nil {
				t.Fatal(err)
			}
			if base := loc.Scheme + "://" + loc.Host + loc.Path; base != callback {
				t.Errorf("redirected to %s, want %s", base, callback)
			}
			q := loc.Query()
			issued := e.backend.issuedCodes()
			if tt.wantCode {
				if len(issued) != 1 {
					t.Fatalf("backend issued %d codes, want 1", len(issued))
				}
				if q.Get("code") != issued[0].Code {
					t.Errorf("redirect code does not match the issued code")
				}
				want := issuedCode{Code: issued[0].Code, User: testUser, Req: AuthorizeRequest{
					ClientID: pkceClient, RedirectURI: callback, State: "507d3252-8c1e-4e62-9b43-0f3c1a2b4c5d",
					CodeChallenge: challenge, CodeChallengeMethod: "S256", Scopes: []string{"sso:account:access"},
				}}
				if diff := cmp.Diff(want, issued[0]); diff != "" {
					t.Errorf("issued (-want +got):\n%s", diff)
				}
				q.Del("code")
			} else if len(issued) != 0 {
				t.Errorf("backend issued %d codes on deny, want 0", len(issued))
			}
			if diff := cmp.Diff(tt.want, q); diff != "" {
				t.Errorf("redirect query (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAutoApprove(t *testing.T) {
	t.Parallel()
	t.Run("authorize", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, "bob")
		got := e.get(t, authorizeURL(callback, nil))
		if got.status != http.StatusSeeOther {
			t.Fatalf("status %d, want 303; body:\n%s", got.status, got.body)
		}
		loc, _ := url.Parse(got.header.Get("Location"))
		issued := e.backend.issuedCodes()
		if len(issued) != 1 || issued[0].User != "bob" {
			t.Fatalf("issued %+v, want one code for bob", issued)
		}
		want := url.Values{"code": {issued[0].Code}, "state": {"507d3252-8c1e-4e62-9b43-0f3c1a2b4c5d"}}
		if diff := cmp.Diff(want, loc.Query()); diff != "" {
			t.Errorf("redirect query (-want +got):\n%s", diff)
		}
	})
	t.Run("device", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, "bob")
		got := e.get(t, "/device?user_code="+liveCode)
		if !strings.Contains(got.body, "Request approved.") {
			t.Errorf("body lacks the approval message:\n%s", got.body)
		}
		if diff := cmp.Diff(resolution{User: "bob", Approve: true}, first(e.backend.resolution(liveCode))); diff != "" {
			t.Errorf("resolution (-want +got):\n%s", diff)
		}
	})
}

// first drops the second result, for a comparison that fails on a zero value.
func first[T any](v T, _ bool) T { return v }

// authorizeRefusal is a bad authorization request and the words its error
// page must hold.
type authorizeRefusal struct {
	name     string
	redirect string // "" for callback
	mutate   func(url.Values)
	wantText string
}

// authorizeRefusals are the bad requests of TestAuthorizeRefused. The same
// table runs against the real server (realhandler_test.go), where the
// client ids are those of real registrations.
var authorizeRefusals = []authorizeRefusal{
	{name: "unknown client", mutate: func(v url.Values) { v.Set("client_id", "nobody") }, wantText: "unknown client"},
	{name: "client without the grant", mutate: func(v url.Values) { v.Set("client_id", deviceClient) }, wantText: "authorization_code"},
	{name: "unregistered redirect", redirect: "http://evil.example/oauth/callback", wantText: "not registered"},
	{name: "unregistered path", redirect: "http://127.0.0.1:45325/other", wantText: "not registered"},
	{name: "javascript redirect", redirect: "javascript:alert(1)", wantText: "absolute http or https"},
	{name: "redirect with fragment", redirect: callback + "#x", wantText: "fragment"},
	{name: "missing redirect", mutate: func(v url.Values) { v.Del("redirect_uri") }, wantText: "redirect_uri is missing"},
	{name: "plain method", mutate: func(v url.Values) { v.Set("code_challenge_method", "plain") }, wantText: "plain is not accepted"},
	{name: "missing method", mutate: func(v url.Values) { v.Del("code_challenge_method") }, wantText: "must be S256"},
	{name: "short challenge", mutate: func(v url.Values) { v.Set("code_challenge", "abc") }, wantText: "43 base64url"},
	{name: "missing state", mutate: func(v url.Values) { v.Del("state") }, wantText: "state is missing"},
	{name: "token response type", mutate: func(v url.Values) { v.Set("response_type", "token") }, wantText: "response_type must be code"},
	{name: "repeated state", mutate: func(v url.Values) { v.Add("state", "other") }, wantText: "state is repeated"},
}

// TestAuthorizeRefused checks that every bad request ends on an error page
// and never at the redirect URI, signed in or not and with auto-approve on.
func TestAuthorizeRefused(t *testing.T) {
	t.Parallel()
	tests := authorizeRefusals
	for _, tt := range tests {
		for _, mode := range []string{"signed out", "signed in", "auto-approve"} {
			t.Run(tt.name+"/"+mode, func(t *testing.T) {
				t.Parallel()
				auto := ""
				if mode == "auto-approve" {
					auto = testUser
				}
				e := newEnv(t, auto)
				if mode == "signed in" {
					e.signIn(t, e.get(t, "/login"), testPassword)
				}
				redirect := tt.redirect
				if redirect == "" {
					redirect = callback
				}
				got := e.get(t, authorizeURL(redirect, tt.mutate))
				if loc := got.header.Get("Location"); loc != "" {
					t.Errorf("Location %q, want none", loc)
				}
				if got.status != http.StatusBadRequest || !strings.Contains(got.body, tt.wantText) {
					t.Errorf("status %d, want 400 with %q; body:\n%s", got.status, tt.wantText, got.body)
				}
				if n := len(e.backend.issuedCodes()); n != 0 {
					t.Errorf("backend issued %d codes, want 0", n)
				}
			})
		}
	}
}

// TestPostRefused sends forms that a browser would only send for another
// site, or without the session's CSRF token; none may reach the backend.
func TestPostRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		hdr    http.Header
		csrf   func(good string) string
		other  bool // use the token of another session
		status int
	}{
		{name: "origin of another site", hdr: http.Header{"Origin": {"http://evil.example"}}, csrf: same, status: http.StatusForbidden},
		{name: "origin null", hdr: http.Header{"Origin": {"null"}}, csrf: same, status: http.StatusForbidden},
		{name: "sec-fetch-site cross-site", hdr: http.Header{"Sec-Fetch-Site": {"cross-site"}}, csrf: same, status: http.StatusForbidden},
		{name: "sec-fetch-site same-site", hdr: http.Header{"Sec-Fetch-Site": {"same-site"}}, csrf: same, status: http.StatusForbidden},
		{name: "missing csrf", csrf: func(string) string { return "" }, status: http.StatusForbidden},
		{name: "wrong csrf", csrf: func(g string) string { return "x" + g[1:] }, status: http.StatusForbidden},
		{name: "token of another session", csrf: same, other: true, status: http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, "")
			confirm := e.signIn(t, e.get(t, "/device?user_code="+liveCode), testPassword)
			token := tt.csrf(field(t, csrfRE, confirm.body))
			if tt.other {
				o := &env{srv: e.srv, backend: e.backend, client: newClient(t, e.srv)}
				token = field(t, csrfRE, o.get(t, "/login").body)
			}
			got := e.post(t, "/device", url.Values{"csrf": {token}, "user_code": {liveCode}, "action": {"approve"}}, tt.hdr)
			if got.status != tt.status {
				t.Errorf("status %d, want %d; body:\n%s", got.status, tt.status, got.body)
			}
			if r, ok := e.backend.resolution(liveCode); ok {
				t.Errorf("backend saw a resolution %+v, want none", r)
			}
			// A refusal never replaces the session cookie: a cross-site
			// POST comes without it, and a new one would sign the person out.
			if sc := got.header.Values("Set-Cookie"); len(sc) != 0 {
				t.Errorf("refusal set cookies %q", sc)
			}
			bare, err := http.NewRequest(http.MethodPost, e.srv.URL+"/device", strings.NewReader("action=approve"))
			if err != nil {
				t.Fatal(err)
			}
			bare.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, vs := range tt.hdr {
				bare.Header[k] = vs
			}
			resp, err := http.DefaultClient.Do(bare)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden || len(resp.Cookies()) != 0 {
				t.Errorf("POST without a cookie: status %d, cookies %v; want 403 and none", resp.StatusCode, resp.Cookies())
			}
			// The same refusal guards the sign-in form.
			login := e.post(t, "/login", url.Values{"csrf": {token}, "username": {testUser}, "password": {testPassword}}, tt.hdr)
			if login.status != tt.status {
				t.Errorf("POST /login: status %d, want %d", login.status, tt.status)
			}
		})
	}
}

func same(s string) string { return s }

func TestSameOriginPostAccepted(t *testing.T) {
	t.Parallel()
	// The refusals above must not catch a browser's own same-origin post.
	e := newEnv(t, "")
	confirm := e.signIn(t, e.get(t, "/device?user_code="+liveCode), testPassword)
	hdr := http.Header{"Origin": {e.srv.URL}, "Sec-Fetch-Site": {"same-origin"}}
	got := e.post(t, "/device", url.Values{"csrf": {field(t, csrfRE, confirm.body)}, "user_code": {liveCode}, "action": {"approve"}}, hdr)
	if got.status != http.StatusOK {
		t.Fatalf("status %d, want 200; body:\n%s", got.status, got.body)
	}
	if _, ok := e.backend.resolution(liveCode); !ok {
		t.Error("backend saw no resolution")
	}
}

func TestConsentSignedOut(t *testing.T) {
	t.Parallel()
	// A consent form posted after signing out leads to the sign-in page,
	// not to a code.
	e := newEnv(t, "")
	consent := e.signIn(t, e.get(t, authorizeURL(callback, nil)), testPassword)
	logout := e.post(t, "/logout", url.Values{"csrf": {field(t, csrfRE, consent.body)}}, nil)
	if !strings.Contains(logout.body, "You have signed out") {
		t.Fatalf("logout page:\n%s", logout.body)
	}
	form := url.Values{"decision": {"allow"}, "csrf": {field(t, csrfRE, e.get(t, "/login").body)}}
	for _, name := range []string{"response_type", "client_id", "redirect_uri", "state", "code_challenge_method", "code_challenge", "scopes"} {
		form.Set(name, field(t, regexp.MustCompile(`name="`+name+`" value="([^"]*)"`), consent.body))
	}
	got := e.post(t, "/consent", form, nil)
	if !strings.Contains(got.url, "/login?next=%2Fauthorize") {
		t.Errorf("ended at %s (status %d), want the sign-in page returning to /authorize", got.url, got.status)
	}
	if n := len(e.backend.issuedCodes()); n != 0 {
		t.Errorf("backend issued %d codes, want 0", n)
	}
}

func TestLocalPath(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"/authorize?client_id=x&state=y", "/authorize?client_id=x&state=y"},
		{"/device?user_code=ABCD-EFGH", "/device?user_code=ABCD-EFGH"},
		{"", "/device"},
		{"https://evil.example/", "/device"},
		{"//evil.example/", "/device"},
		{`/\evil.example/`, "/device"},
		{"evil", "/device"},
		{"/ok\r\nSet-Cookie: x", "/device"},
	}
	for _, tt := range tests {
		if got := localPath(tt.in); got != tt.want {
			t.Errorf("localPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	want := map[string]string{
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "no-referrer",
		"Cache-Control":          "no-store",
		"X-Content-Type-Options": "nosniff",
	}
	for _, path := range []string{"/login", "/device", "/static/style.css", authorizeURL(callback, nil), authorizeURL("http://evil.example/", nil), "/logout"} {
		t.Run(path, func(t *testing.T) {
			got := e.get(t, path)
			for k, v := range want {
				if g := got.header.Get(k); g != v {
					t.Errorf("%s: %q, want %q", k, g, v)
				}
			}
			csp := got.header.Get("Content-Security-Policy")
			for _, d := range []string{"default-src 'none'", "style-src 'self'", "form-action 'self'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, d) {
					t.Errorf("Content-Security-Policy %q lacks %q", csp, d)
				}
			}
		})
	}
	t.Run("session cookie", func(t *testing.T) {
		resp, err := http.Get(e.srv.URL + "/login")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var c *http.Cookie
		for _, k := range resp.Cookies() {
			if k.Name == cookieName {
				c = k
			}
		}
		if c == nil {
			t.Fatal("no session cookie set")
		}
		got := struct {
			HttpOnly bool
			SameSite http.SameSite
			Path     string
		}{c.HttpOnly, c.SameSite, c.Path}
		want := struct {
			HttpOnly bool
			SameSite http.SameSite
			Path     string
		}{true, http.SameSiteLaxMode, "/"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("cookie (-want +got):\n%s", diff)
		}
	})
}

func TestCSPSource(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"http://127.0.0.1:45325/oauth/callback", "http://127.0.0.1:45325"},
		{"http://localhost:8080/cb?x=1", "http://localhost:8080"},
		{"https://app.example/cb", "https://app.example"},
		// Chromium refuses IPv6 literals in CSP sources.
		{"http://[::1]:45325/oauth/callback", "http:"},
	}
	for _, tt := range tests {
		if got := cspSource(tt.in); got != tt.want {
			t.Errorf("cspSource(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseAuthorizeScope(t *testing.T) {
	t.Parallel()
	// "scopes" is the AWS CLI's name; "scope" (RFC 6749 §3.3) is read when
	// it is absent.
	tests := []struct {
		name string
		set  map[string]string
		want []string
	}{
		{name: "scopes", set: map[string]string{"scopes": "sso:account:access openid"}, want: []string{"sso:account:access", "openid"}},
		{name: "scope", set: map[string]string{"scope": "openid"}, want: []string{"openid"}},
		{name: "scopes wins", set: map[string]string{"scopes": "a", "scope": "b"}, want: []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, _ := url.ParseQuery(strings.TrimPrefix(authorizeURL(callback, func(v url.Values) {
				v.Del("scopes")
				for k, s := range tt.set {
					v.Set(k, s)
				}
			}), "/authorize?"))
			req, err := parseAuthorize(v)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, req.Scopes); diff != "" {
				t.Errorf("scopes (-want +got):\n%s", diff)
			}
		})
	}
}
