package federation

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssocli/ssocli/internal/idc/sts"
)

// credentials is the issued-credential table the handler checks against.
type credentials map[string]sts.Credential

func (c credentials) LookupCredential(id, _ string) (sts.Credential, bool) {
	v, ok := c[id]
	return v, ok
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

var good = sts.Credential{
	AccessKeyID: "ASIAGOOD", SecretAccessKey: "secret", SessionToken: "token",
	Expiration: t0.Add(time.Hour), AccountID: "111122223333",
	RoleName: "AWSReservedSSO_ReadOnly_0123456789abcdef", UserName: "alice",
}

type fixture struct {
	srv     *httptest.Server
	clk     *clock
	chained map[string]bool
	client  *http.Client
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{clk: &clock{t: t0}, chained: map[string]bool{}}
	expired := good
	expired.AccessKeyID, expired.Expiration = "ASIAOLD", t0.Add(-time.Second)
	chained := good
	chained.AccessKeyID = "ASIACHAIN"
	f.chained["ASIACHAIN"] = true
	h := &Handler{
		Lookup:  credentials{good.AccessKeyID: good, expired.AccessKeyID: expired, chained.AccessKeyID: chained},
		Now:     f.clk.Now,
		Logger:  slog.New(slog.DiscardHandler),
		Chained: func(id string) bool { return f.chained[id] },
	}
	mux := http.NewServeMux()
	h.Register(mux)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	jar, _ := cookiejar.New(nil)
	f.client = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return f
}

func session(c sts.Credential) string {
	b, _ := json.Marshal(sessionJSON{c.AccessKeyID, c.SecretAccessKey, c.SessionToken})
	return string(b)
}

func (f *fixture) get(t *testing.T, path string, q url.Values) (int, string, *http.Response) {
	t.Helper()
	u := f.srv.URL + path
	if q != nil {
		u += "?" + q.Encode()
	}
	resp, err := f.client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp
}

func (f *fixture) signinToken(t *testing.T, q url.Values) (int, string) {
	t.Helper()
	q.Set("Action", "getSigninToken")
	code, body, _ := f.get(t, "/federation", q)
	if code != http.StatusOK {
		return code, body
	}
	var out struct{ SigninToken string }
	if err := json.Unmarshal([]byte(body), &out); err != nil || out.SigninToken == "" {
		t.Fatalf("getSigninToken answered %q", body)
	}
	return code, out.SigninToken
}

func TestSignInAndConsolePage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	code, tok := f.signinToken(t, url.Values{"Session": {session(good)}, "SessionDuration": {"3600"}})
	if code != http.StatusOK {
		t.Fatalf("getSigninToken: %d %s", code, tok)
	}
	dest := f.srv.URL + "/console/home?region=us-west-2"
	login := url.Values{"Action": {"login"}, "Issuer": {"https://example.com"}, "Destination": {dest}, "SigninToken": {tok}}
	code, _, resp := f.get(t, "/federation", login)
	if code != http.StatusFound || resp.Header.Get("Location") != dest {
		t.Fatalf("login: %d to %q, want 302 to %s", code, resp.Header.Get("Location"), dest)
	}
	code, body, _ := f.get(t, "/console/home", url.Values{"region": {"us-west-2"}})
	if code != http.StatusOK {
		t.Fatalf("console page: %d %s", code, body)
	}
	for _, want := range []string{`id="account">111122223333<`, `id="role">AWSReservedSSO_ReadOnly_0123456789abcdef<`, `id="session">alice<`, `id="region">us-west-2<`, `id="expires">2026-12-01T11:00:00Z<`} {
		if !strings.Contains(body, want) {
			t.Errorf("console page lacks %s:\n%s", want, body)
		}
	}
	// A sign-in token is spent by its first use.
	if code, body, _ := f.get(t, "/federation", login); code != http.StatusForbidden {
		t.Errorf("second login with the same token: %d %s, want 403", code, body)
	}
	// The console session ends after SessionDuration.
	f.clk.Advance(time.Hour)
	if code, _, _ := f.get(t, "/console/home", nil); code != http.StatusUnauthorized {
		t.Errorf("console page after the session duration: %d, want 401", code)
	}
}

func TestConsoleSessionWithoutDurationEndsWithCredentials(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, tok := f.signinToken(t, url.Values{"Session": {session(good)}})
	f.get(t, "/federation", url.Values{"Action": {"login"}, "Destination": {f.srv.URL + "/console/home"}, "SigninToken": {tok}})
	f.clk.Advance(time.Hour - time.Second)
	if code, _, _ := f.get(t, "/console/home", nil); code != http.StatusOK {
		t.Errorf("console page before the credentials expire: %d, want 200", code)
	}
	f.clk.Advance(time.Second)
	if code, _, _ := f.get(t, "/console/home", nil); code != http.StatusUnauthorized {
		t.Errorf("console page once the credentials expired: %d, want 401", code)
	}
}

func TestGetSigninTokenRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	wrongSecret, wrongToken, noToken := good, good, good
	wrongSecret.SecretAccessKey = "other"
	wrongToken.SessionToken = "other"
	noToken.SessionToken = ""
	expired := good
	expired.AccessKeyID = "ASIAOLD"
	chained := good
	chained.AccessKeyID = "ASIACHAIN"
	tests := []struct {
		name string
		q    url.Values
		want int
		msg  string
	}{
		{"no session", url.Values{}, 400, "Session parameter"},
		{"unknown key", url.Values{"Session": {`{"sessionId":"ASIANONE","sessionKey":"x","sessionToken":"y"}`}}, 403, "not valid"},
		{"wrong secret", url.Values{"Session": {session(wrongSecret)}}, 403, "not valid"},
		{"wrong session token", url.Values{"Session": {session(wrongToken)}}, 403, "not valid"},
		{"long-term keys", url.Values{"Session": {session(noToken)}}, 400, "temporary credentials"},
		{"expired", url.Values{"Session": {session(expired)}}, 403, "expired"},
		{"duration too short", url.Values{"Session": {session(good)}, "SessionDuration": {"899"}}, 400, "900 to 43200"},
		{"duration too long", url.Values{"Session": {session(good)}, "SessionDuration": {"43201"}}, 400, "900 to 43200"},
		{"duration not a number", url.Values{"Session": {session(good)}, "SessionDuration": {"1h"}}, 400, "900 to 43200"},
		{"duration with role chaining", url.Values{"Session": {session(chained)}, "SessionDuration": {"900"}}, 400, "role chaining"},
	}
	for _, tt := range tests {
		code, body := f.signinToken(t, tt.q)
		if code != tt.want || !strings.Contains(body, tt.msg) {
			t.Errorf("%s: %d %q, want %d with %q", tt.name, code, body, tt.want, tt.msg)
		}
	}
	// Role-chained credentials without a SessionDuration are fine.
	if code, body := f.signinToken(t, url.Values{"Session": {session(chained)}}); code != 200 {
		t.Errorf("role-chained credentials without SessionDuration: %d %s", code, body)
	}
}

func TestLoginRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, tok := f.signinToken(t, url.Values{"Session": {session(good)}})
	for _, dest := range []string{"", "https://evil.example/console/home", f.srv.URL + "/device", "http://us-west-2.console.aws.amazon.com/", "javascript:alert(1)"} {
		code, body, _ := f.get(t, "/federation", url.Values{"Action": {"login"}, "Destination": {dest}, "SigninToken": {tok}})
		if code != http.StatusBadRequest {
			t.Errorf("Destination %q: %d %s, want 400", dest, code, body)
		}
	}
	// The refused logins did not spend the token; an unknown token is refused.
	dest := f.srv.URL + "/console/home"
	if code, body, _ := f.get(t, "/federation", url.Values{"Action": {"login"}, "Destination": {dest}, "SigninToken": {"nope"}}); code != http.StatusForbidden {
		t.Errorf("unknown token: %d %s, want 403", code, body)
	}
	// A token older than 15 minutes is refused.
	f.clk.Advance(TokenTTL)
	if code, body, _ := f.get(t, "/federation", url.Values{"Action": {"login"}, "Destination": {dest}, "SigninToken": {tok}}); code != http.StatusForbidden {
		t.Errorf("token after 15 minutes: %d %s, want 403", code, body)
	}
	if code, _, _ := f.get(t, "/console/home", nil); code != http.StatusUnauthorized {
		t.Errorf("console page without a session: %d, want 401", code)
	}
}

func TestConsoleHostAndCookieDomain(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"us-west-2.console.aws.amazon.com": true, "console.aws.amazon.com": true, "console.amazonaws.cn": true,
		"us-gov-west-1.console.amazonaws-us-gov.com": true, "evilconsole.aws.amazon.com": false, "console.aws.amazon.com.evil": false,
	} {
		if got := ConsoleHost(host); got != want {
			t.Errorf("ConsoleHost(%q) = %v, want %v", host, got, want)
		}
	}
	for host, want := range map[string]string{
		"signin.aws.amazon.com": "aws.amazon.com", "us-east-1.signin.aws.amazon.com": "aws.amazon.com",
		"signin.amazonaws.cn": "amazonaws.cn", "signin.amazonaws-us-gov.com": "amazonaws-us-gov.com", "127.0.0.1": "",
	} {
		if got := cookieDomain(host); got != want {
			t.Errorf("cookieDomain(%q) = %q, want %q", host, got, want)
		}
	}
}
