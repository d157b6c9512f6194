package idc_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/ssocli/ssocli/internal/idc"
)

// Benchmarks of the local Identity Center's handler in-process (no sockets),
// the server-side cost behind bench/load.sh's requests per second.
// BENCHMARKS.md has the results and the command that reproduces them.

func hbServe(b *testing.B, h http.Handler, req *http.Request, out any) {
	b.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("%s %s: HTTP %d %s", req.Method, req.URL.Path, rec.Code, rec.Header().Get("x-amzn-ErrorType"))
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			b.Fatal(err)
		}
	}
}

func hbPost(path string, body map[string]any) *http.Request {
	j, _ := json.Marshal(body)
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1"+path, strings.NewReader(string(j)))
	r.Header.Set("Content-Type", "application/json")
	return r
}

type hbSession struct {
	clientID, secret, access, refresh string
}

// hbLogin registers a client and logs in through the device flow, which
// the server approves at once.
func hbLogin(b *testing.B, h http.Handler) hbSession {
	b.Helper()
	var reg struct{ ClientID, ClientSecret string }
	hbServe(b, h, hbPost("/client/register", map[string]any{"clientName": "bench", "clientType": "public", "scopes": []string{"sso:account:access"}}), &reg)
	var dev struct{ DeviceCode string }
	hbServe(b, h, hbPost("/device_authorization", map[string]any{"clientId": reg.ClientID, "clientSecret": reg.ClientSecret, "startUrl": "https://d-0000000000.awsapps.com/start"}), &dev)
	var tok struct{ AccessToken, RefreshToken string }
	hbServe(b, h, hbPost("/token", map[string]any{"clientId": reg.ClientID, "clientSecret": reg.ClientSecret,
		"grantType": "urn:ietf:params:oauth:grant-type:device_code", "deviceCode": dev.DeviceCode}), &tok)
	return hbSession{reg.ClientID, reg.ClientSecret, tok.AccessToken, tok.RefreshToken}
}

func hbServer(b *testing.B) http.Handler {
	b.Helper()
	srv, err := idc.New(idc.Config{AutoApprove: "alice", AutoApproveDelay: -1})
	if err != nil {
		b.Fatal(err)
	}
	return srv.Handler()
}

func BenchmarkHandlerGetRoleCredentials(b *testing.B) {
	h := hbServer(b)
	s := hbLogin(b, h)
	q := url.Values{"role_name": {"ReadOnly"}, "account_id": {"111122223333"}}.Encode()
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1/federation/credentials?"+q, nil)
		r.Header.Set("x-amz-sso_bearer_token", s.access)
		hbServe(b, h, r, nil)
	}
}

func BenchmarkHandlerRefresh(b *testing.B) {
	h := hbServer(b)
	s := hbLogin(b, h)
	b.ReportAllocs()
	for b.Loop() {
		var tok struct{ RefreshToken string }
		hbServe(b, h, hbPost("/token", map[string]any{"clientId": s.clientID, "clientSecret": s.secret,
			"grantType": "refresh_token", "refreshToken": s.refresh}), &tok)
		s.refresh = tok.RefreshToken
	}
}
