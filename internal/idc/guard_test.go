package idc_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ssocli/ssocli/internal/idc"
)

// TestHostAllowList: with --auto-approve, a page on a DNS-rebinding name
// (its name now resolving to 127.0.0.1) must not get through the device
// flow: every request for a host the server does not serve is refused, the
// names it serves are answered.
func TestHostAllowList(t *testing.T) {
	t.Parallel()
	srv, err := idc.New(idc.Config{AutoApprove: "alice", AutoApproveDelay: -1, PublicURL: "http://idc.test.example:8765"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	h := srv.Handler()
	register := func(host string, hdr http.Header) int {
		t.Helper()
		r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:8765/client/register", strings.NewReader(`{"clientName":"x","clientType":"public"}`))
		r.Host = host
		r.Header.Set("Content-Type", "application/json")
		for k, v := range hdr {
			r.Header[k] = v
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	tests := []struct {
		host string
		want int
	}{
		{"rebind.evil.example:8765", http.StatusMisdirectedRequest},
		{"rebind.evil.example", http.StatusMisdirectedRequest},
		{"127.0.0.1.evil.example:8765", http.StatusMisdirectedRequest},
		{"localhost.evil.example", http.StatusMisdirectedRequest},
		{"10.1.2.3:8765", http.StatusMisdirectedRequest}, // not its listen address
		{"127.0.0.1:8765", http.StatusOK},
		{"127.0.0.2:8765", http.StatusOK},
		{"[::1]:8765", http.StatusOK},
		{"localhost:8765", http.StatusOK},
		{"LocalHost.:8765", http.StatusOK},
		{"app.localhost:8765", http.StatusOK},
		{"idc.test.example:8765", http.StatusOK}, // the public URL
	}
	for _, tt := range tests {
		if got := register(tt.host, nil); got != tt.want {
			t.Errorf("RegisterClient with Host %s: status %d, want %d", tt.host, got, tt.want)
		}
	}
	for _, path := range []string{"/device?user_code=ABCD-EFGH", "/login", "/federation/credentials?account_id=1&role_name=x"} {
		r, _ := http.NewRequest(http.MethodGet, "http://rebind.evil.example:8765"+path, nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusMisdirectedRequest {
			t.Errorf("GET %s with Host rebind.evil.example: status %d, want 421", path, w.Code)
		}
	}

	// A cross-site "simple" POST (text/plain, no preflight) to an API is
	// refused; the SDKs send no Origin and pass.
	cross := http.Header{"Origin": {"http://evil.example"}, "Content-Type": {"text/plain"}}
	if got := register("127.0.0.1:8765", cross); got != http.StatusForbidden {
		t.Errorf("cross-site text/plain RegisterClient: status %d, want 403", got)
	}
	if got := register("127.0.0.1:8765", http.Header{"Sec-Fetch-Site": {"cross-site"}}); got != http.StatusForbidden {
		t.Errorf("RegisterClient with Sec-Fetch-Site cross-site: status %d, want 403", got)
	}
}
