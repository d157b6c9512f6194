package oidc

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/awskeys"
	"github.com/ssocli/ssocli/internal/idc/store"
)

// post sends a JSON body to the handler and returns status, error type
// header and decoded body.
func post(t *testing.T, mux *http.ServeMux, path, body string) (int, string, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("POST", path, strings.NewReader(body)))
	b, _ := io.ReadAll(rec.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: body is not JSON: %v", path, err)
	}
	return rec.Code, rec.Header().Get("x-amzn-ErrorType"), m
}

// TestErrorWire checks the exact error form the SDKs and botocore parse
// (spec §9.1): the code in x-amzn-ErrorType, the OAuth form in the body.
func TestErrorWire(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	st := store.NewMemory()
	sealer, err := awskeys.NewSealer(st.CredentialKey())
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{Store: st, Sealer: sealer, Now: func() time.Time { return now }, Logger: slog.New(slog.DiscardHandler), BaseURL: "http://127.0.0.1:1"}
	mux := http.NewServeMux()
	h.Register(mux)
	_, _, reg := post(t, mux, "/client/register", `{"clientName":"c","clientType":"public"}`)
	id, secret := reg["clientId"].(string), reg["clientSecret"].(string)
	_, _, dev := post(t, mux, "/device_authorization", `{"clientId":"`+id+`","clientSecret":"`+secret+`","startUrl":"https://x.awsapps.com/start"}`)
	dc := dev["deviceCode"].(string)

	tests := []struct {
		name, path, body string
		status           int
		header, oauth    string
	}{
		{"pending", "/token", `{"clientId":"` + id + `","clientSecret":"` + secret + `","grantType":"urn:ietf:params:oauth:grant-type:device_code","deviceCode":"` + dc + `"}`, 400, "AuthorizationPendingException", "authorization_pending"},
		{"wrong secret", "/token", `{"clientId":"` + id + `","clientSecret":"nope","grantType":"refresh_token","refreshToken":"r"}`, 401, "InvalidClientException", "invalid_client"},
		{"unknown client", "/device_authorization", `{"clientId":"nope","clientSecret":"x","startUrl":"https://x"}`, 401, "InvalidClientException", "invalid_client"},
		{"bad json", "/token", `{`, 400, "InvalidRequestException", "invalid_request"},
		{"no client type", "/client/register", `{"clientName":"c"}`, 400, "InvalidRequestException", "invalid_request"},
		{"confidential", "/client/register", `{"clientName":"c","clientType":"confidential"}`, 400, "InvalidClientMetadataException", "invalid_client_metadata"},
		{"bad scope", "/client/register", `{"clientName":"c","clientType":"public","scopes":["no spaces allowed"]}`, 400, "InvalidScopeException", "invalid_scope"},
		{"code without redirect", "/client/register", `{"clientName":"c","clientType":"public","grantTypes":["authorization_code"],"issuerUrl":"https://x"}`, 400, "InvalidRedirectUriException", "invalid_redirect_uri"},
		{"non-loopback redirect", "/client/register", `{"clientName":"c","clientType":"public","grantTypes":["authorization_code"],"redirectUris":["https://evil.example/cb"],"issuerUrl":"https://x"}`, 400, "InvalidRedirectUriException", "invalid_redirect_uri"},
		{"code without issuer", "/client/register", `{"clientName":"c","clientType":"public","grantTypes":["authorization_code"],"redirectUris":["http://127.0.0.1/cb"]}`, 400, "InvalidClientMetadataException", "invalid_client_metadata"},
		{"code grant for a device client", "/token", `{"clientId":"` + id + `","clientSecret":"` + secret + `","grantType":"authorization_code","code":"c"}`, 400, "UnauthorizedClientException", "unauthorized_client"},
		{"unknown refresh token", "/token", `{"clientId":"` + id + `","clientSecret":"` + secret + `","grantType":"refresh_token","refreshToken":"nope"}`, 400, "InvalidGrantException", "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, header, body := post(t, mux, tt.path, tt.body)
			got := []any{status, header, body["error"], body["error_description"] != ""}
			want := []any{tt.status, tt.header, tt.oauth, true}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestRedirectMatches(t *testing.T) {
	t.Parallel()
	reg := []string{"http://127.0.0.1/oauth/callback"}
	tests := []struct {
		got  string
		want bool
	}{
		{"http://127.0.0.1/oauth/callback", true},
		{"http://127.0.0.1:45325/oauth/callback", true},
		{"http://127.0.0.1:45325/other", false},
		{"http://localhost:45325/oauth/callback", false},
		{"https://127.0.0.1:45325/oauth/callback", false},
		{"http://evil.example/oauth/callback", false},
	}
	for _, tt := range tests {
		t.Run(tt.got, func(t *testing.T) {
			t.Parallel()
			if got := redirectMatches(reg, tt.got); got != tt.want {
				t.Errorf("redirectMatches(%q) = %v, want %v", tt.got, got, tt.want)
			}
		})
	}
}

func TestNormalizeUserCode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"bcdf-ghjk": "BCDF-GHJK", "BCDFGHJK": "BCDF-GHJK", " bcdf ghjk ": "BCDF-GHJK", "abc": "ABC"} {
		if got := NormalizeUserCode(in); got != want {
			t.Errorf("NormalizeUserCode(%q) = %q, want %q", in, got, want)
		}
	}
	for range 20 {
		c := newUserCode()
		if len(c) != 9 || c[4] != '-' || strings.Trim(strings.ReplaceAll(c, "-", ""), userCodeAlphabet) != "" {
			t.Fatalf("newUserCode() = %q", c)
		}
	}
}
