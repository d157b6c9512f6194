package signin

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// t0 is the fake clock's time.
var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// fakeBackend is an in-memory Backend with one user, two device codes and
// two clients.
type fakeBackend struct {
	mu       sync.Mutex
	users    map[string]string
	devices  map[string]DeviceRequest // by normalized code
	resolved map[string]resolution    // by normalized code
	clients  map[string]fakeClient
	issued   []issuedCode
}

type resolution struct {
	User    string
	Approve bool
}

type fakeClient struct {
	name         string
	grants       []string
	redirectURIs []string
}

type issuedCode struct {
	Code string
	Req  AuthorizeRequest
	User string
}

const (
	testUser     = "alice"
	testPassword = "correct horse"
	liveCode     = "ABCD-EFGH"
	otherCode    = "LMNP-QRST"
	expiredCode  = "WXYZ-QRST"
	pkceClient   = "client-pkce"
	deviceClient = "client-device"
	// challenge is BASE64URL(SHA256("verifier")), 43 characters.
	challenge = "iMnq5o6zALKXGivsnlom_0F5_WYda32GHkxlV7mq7hQ"
)

func newFakeBackend() *fakeBackend {
	return &fakeBackend{
		users: map[string]string{testUser: testPassword},
		devices: map[string]DeviceRequest{
			normCode(liveCode):    {UserCode: liveCode, ClientName: "botocore-client-corp", Scopes: []string{"sso:account:access"}, ExpiresAt: t0.Add(10 * time.Minute)},
			normCode(otherCode):   {UserCode: otherCode, ClientName: "botocore-client-other", ExpiresAt: t0.Add(10 * time.Minute)},
			normCode(expiredCode): {UserCode: expiredCode, ClientName: "botocore-client-old", ExpiresAt: t0.Add(-time.Second)},
		},
		resolved: map[string]resolution{},
		clients: map[string]fakeClient{
			pkceClient:   {name: "botocore-client-corp", grants: []string{"authorization_code", "refresh_token"}, redirectURIs: []string{"http://127.0.0.1/oauth/callback", "http://[::1]/oauth/callback"}},
			deviceClient: {name: "botocore-client-dev", grants: []string{"urn:ietf:params:oauth:grant-type:device_code"}},
		},
	}
}

func normCode(c string) string { return strings.ToUpper(strings.ReplaceAll(c, "-", "")) }

func (b *fakeBackend) CheckPassword(user, password string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	want, ok := b.users[user]
	return ok && want == password
}

func (b *fakeBackend) PendingDevice(userCode string) (DeviceRequest, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := normCode(userCode)
	if _, done := b.resolved[k]; done {
		return DeviceRequest{}, false
	}
	d, ok := b.devices[k]
	return d, ok
}

func (b *fakeBackend) ResolveDevice(userCode, user string, approve bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := normCode(userCode)
	if _, ok := b.devices[k]; !ok {
		return errors.New("no such device authorization")
	}
	if _, done := b.resolved[k]; done {
		return errors.New("device authorization already resolved")
	}
	b.resolved[k] = resolution{User: user, Approve: approve}
	return nil
}

func (b *fakeBackend) CheckAuthorize(req AuthorizeRequest) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c, ok := b.clients[req.ClientID]
	if !ok {
		return "", errors.New("unknown client")
	}
	if !slices.Contains(c.grants, "authorization_code") {
		return "", errors.New("client is not registered for the authorization_code grant")
	}
	if req.CodeChallengeMethod != "S256" {
		return "", errors.New("code_challenge_method must be S256")
	}
	u, err := url.Parse(req.RedirectURI)
	if err != nil {
		return "", errors.New("bad redirect_uri")
	}
	for _, r := range c.redirectURIs {
		reg, _ := url.Parse(r)
		// RFC 8252 §7.3: a loopback redirect matches with any port.
		if u.Scheme == reg.Scheme && u.Hostname() == reg.Hostname() && u.Path == reg.Path && u.RawQuery == reg.RawQuery {
			return c.name, nil
		}
	}
	return "", errors.New("redirect_uri is not registered for this client")
}

func (b *fakeBackend) IssueCode(req AuthorizeRequest, user string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	code := fmt.Sprintf("code-%d", len(b.issued)+1)
	b.issued = append(b.issued, issuedCode{Code: code, Req: req, User: user})
	return code, nil
}

func (b *fakeBackend) resolution(code string) (resolution, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.resolved[normCode(code)]
	return r, ok
}

func (b *fakeBackend) issuedCodes() []issuedCode {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.issued)
}

// env is a running server with the pages, its fake backend and a browser-like
// client with a cookie jar that follows redirects on the server only.
type env struct {
	srv     *httptest.Server
	backend *fakeBackend
	client  *http.Client
	clock   *clock
}

// clock is the pages' clock: t0 until advanced.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newEnv(t *testing.T, autoApprove string) *env {
	t.Helper()
	b := newFakeBackend()
	clk := &clock{t: t0}
	p := &Pages{Backend: b, Now: clk.now, Logger: slog.New(slog.DiscardHandler), AutoApprove: autoApprove}
	mux := http.NewServeMux()
	p.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &env{srv: srv, backend: b, client: newClient(t, srv), clock: clk}
}

// newClient returns a client with its own cookie jar that stops at any
// redirect leaving srv, so tests can look at the Location header.
func newClient(t *testing.T, srv *httptest.Server) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(srv.URL)
	return &http.Client{
		Jar: jar,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Host != base.Host {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
}

// page is a fetched response with its body read.
type page struct {
	status int
	url    string // final URL after redirects on the server
	header http.Header
	body   string
}

func (e *env) get(t *testing.T, path string) page {
	t.Helper()
	return e.do(t, http.MethodGet, path, nil, nil)
}

func (e *env) post(t *testing.T, path string, form url.Values, hdr http.Header) page {
	t.Helper()
	return e.do(t, http.MethodPost, path, form, hdr)
}

func (e *env) do(t *testing.T, method, path string, form url.Values, hdr http.Header) page {
	t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{status: resp.StatusCode, url: resp.Request.URL.String(), header: resp.Header, body: string(b)}
}

var (
	csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	nextRE = regexp.MustCompile(`name="next" value="([^"]*)"`)
)

// field returns the first submatch of re in body, failing the test if none.
func field(t *testing.T, re *regexp.Regexp, body string) string {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no match for %s in page:\n%s", re, body)
	}
	return htmlUnescape(m[1])
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#39;", "'", "&quot;", `"`, "&lt;", "<", "&gt;", ">").Replace(s)
}

// signIn submits the sign-in form of p, a page that is the sign-in form, and
// returns the page it leads to.
func (e *env) signIn(t *testing.T, p page, password string) page {
	t.Helper()
	if !strings.Contains(p.url, "/login") {
		t.Fatalf("expected the sign-in page, got %s (status %d)", p.url, p.status)
	}
	return e.post(t, "/login", url.Values{
		"csrf":     {field(t, csrfRE, p.body)},
		"next":     {field(t, nextRE, p.body)},
		"username": {testUser},
		"password": {password},
	}, nil)
}

// authorizeQuery is a valid /authorize query as the AWS CLI builds it, with
// mutate applied.
func authorizeURL(redirect string, mutate func(url.Values)) string {
	v := url.Values{
		"response_type":         {"code"},
		"client_id":             {pkceClient},
		"redirect_uri":          {redirect},
		"state":                 {"507d3252-8c1e-4e62-9b43-0f3c1a2b4c5d"},
		"code_challenge_method": {"S256"},
		"scopes":                {"sso:account:access"},
		"code_challenge":        {challenge},
	}
	if mutate != nil {
		mutate(v)
	}
	return "/authorize?" + v.Encode()
}
