package credserver

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/usererr"
)

const token = "the-token"

var exp = time.Date(2026, 12, 1, 10, 0, 0, 0, time.FixedZone("CET", 3600))

func newServer(t *testing.T, src Source) (*httptest.Server, *[]string) {
	t.Helper()
	var mu sync.Mutex
	var events []string
	s := &Server{Token: token, Paths: map[string]Profile{"/profile/dev": {Name: "dev", Source: src}}, Event: func(p string, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			events = append(events, p+": "+err.Error())
		} else {
			events = append(events, p+": ok")
		}
	}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv, &events
}

func get(t *testing.T, url, auth string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func good(context.Context) (*creds.Credentials, error) {
	return &creds.Credentials{AccessKeyID: "ASIAKEY", SecretAccessKey: "secret", SessionToken: "session", Expiration: exp, AccountID: "111122223333"}, nil
}

func TestServesTheWireFormat(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, good)
	code, body := get(t, srv.URL+"/profile/dev", token)
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"AccessKeyId": "ASIAKEY", "SecretAccessKey": "secret", "Token": "session", "Expiration": "2026-12-01T09:00:00Z", "AccountId": "111122223333"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("body has keys %v, want exactly %v", got, want)
	}
}

func TestRefusesWithoutTheToken(t *testing.T) {
	t.Parallel()
	calls := 0
	srv, _ := newServer(t, func(ctx context.Context) (*creds.Credentials, error) { calls++; return good(ctx) })
	for _, tt := range []struct {
		auth string
		want int
		code string
	}{
		{"", 401, "MissingToken"},
		{"wrong", 403, "InvalidToken"},
		{token + "x", 403, "InvalidToken"},
		{"Bearer " + token, 403, "InvalidToken"},
	} {
		code, body := get(t, srv.URL+"/profile/dev", tt.auth)
		var e ErrorBody
		if code != tt.want || json.Unmarshal([]byte(body), &e) != nil || e.Code != tt.code || strings.Contains(body, "secret") {
			t.Errorf("Authorization %q: %d %s, want %d with Code %s and no credentials", tt.auth, code, body, tt.want, tt.code)
		}
	}
	if calls != 0 {
		t.Errorf("refused requests fetched credentials %d times", calls)
	}
	if code, body := get(t, srv.URL+"/profile/prod", token); code != 404 || !strings.Contains(body, "/profile/dev") {
		t.Errorf("unknown profile path: %d %s", code, body)
	}
}

func TestRefusesOtherHosts(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, good)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/profile/dev", nil)
	req.Host = "rebind.evil.example"
	req.Header.Set("Authorization", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("Host rebind.evil.example: %d, want 421", resp.StatusCode)
	}
	for _, h := range []string{"localhost:1234", "127.0.0.1", "[::1]:80"} {
		if !loopbackHost(h) {
			t.Errorf("loopbackHost(%q) = false", h)
		}
	}
}

func TestErrorsTheSDKsShow(t *testing.T) {
	t.Parallel()
	var fail atomic.Bool
	fail.Store(true)
	login := usererr.Wrap(usererr.CodeOther, "The SSO session associated with this profile has expired or is otherwise invalid.", creds.ErrLoginRequired).
		WithHint("run: ssocli sso login --profile dev")
	srv, events := newServer(t, func(ctx context.Context) (*creds.Credentials, error) {
		if fail.Load() {
			return nil, login
		}
		return good(ctx)
	})
	for range 2 {
		code, body := get(t, srv.URL+"/profile/dev", token)
		var e ErrorBody
		if code != 500 || json.Unmarshal([]byte(body), &e) != nil || e.Code != "LoginRequired" ||
			e.Message != "profile dev: The SSO session associated with this profile has expired or is otherwise invalid. (run: ssocli sso login --profile dev)" {
			t.Errorf("expired session: %d %s", code, body)
		}
	}
	fail.Store(false)
	if code, _ := get(t, srv.URL+"/profile/dev", token); code != 200 {
		t.Errorf("after the login: %d", code)
	}
	// Each change of state is told once, not each request.
	want := []string{"dev: " + login.Error(), "dev: ok"}
	if strings.Join(*events, "\n") != strings.Join(want, "\n") {
		t.Errorf("events %q, want %q", *events, want)
	}
}
