package idc_test

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/url"
	"os"
	"testing"

	"github.com/ssocli/ssocli/internal/idc"
	"github.com/ssocli/ssocli/internal/idc/idctest"
)

// proxiedClient reaches host names through the server's CONNECT proxy,
// trusting its CA, and does not follow redirects.
func proxiedClient(t *testing.T, ts *idctest.TestServer) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(ts.Server.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	proxy, _ := url.Parse(ts.URL)
	return &http.Client{
		Transport:     &http.Transport{Proxy: http.ProxyURL(proxy), TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// TestVanityURL: inside its proxy's tunnels the server answers a vanity
// start URL with its redirect (HEAD and GET alike, or HEAD refused when
// configured), other paths of that host with 404; it tunnels to no other
// host that is not AWS's, and the vanity host is not served outside a tunnel.
func TestVanityURL(t *testing.T) {
	t.Parallel()
	ts := idctest.NewServer(t, idctest.WithVanity(
		idc.VanityURL{URL: "https://sso.example.com/start"},
		idc.VanityURL{URL: "https://head.example.com/", HEADStatus: 405, Status: 307, Location: "https://elsewhere.example/x"},
	))
	hc := proxiedClient(t, ts)
	def := idc.DefaultVanityLocation(ts.Directory)
	if def != "https://ssoins-0000000000000000.portal.us-east-1.app.aws/" {
		t.Errorf("DefaultVanityLocation = %s", def)
	}
	for _, tc := range []struct {
		method, url string
		status      int
		location    string
	}{
		{"HEAD", "https://sso.example.com/start", 302, def},
		{"GET", "https://sso.example.com/start/", 302, def},
		{"GET", "https://sso.example.com/other", 404, ""},
		{"POST", "https://sso.example.com/start", 405, ""},
		{"HEAD", "https://head.example.com", 405, ""},
		{"GET", "https://head.example.com/", 307, "https://elsewhere.example/x"},
	} {
		req, _ := http.NewRequest(tc.method, tc.url, nil)
		resp, err := hc.Do(req)
		if err != nil {
			t.Errorf("%s %s: %v", tc.method, tc.url, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status || resp.Header.Get("Location") != tc.location {
			t.Errorf("%s %s: %d %q, want %d %q", tc.method, tc.url, resp.StatusCode, resp.Header.Get("Location"), tc.status, tc.location)
		}
	}
	if got := ts.Server.Counts()["StartURL/HEAD"]; got != 2 {
		t.Errorf("StartURL/HEAD counted %d times, want 2", got)
	}
	if _, err := hc.Head("https://sso.example.org/start"); err == nil {
		t.Error("the proxy tunnelled to a host that is neither AWS's nor a vanity URL")
	}
	// Outside a tunnel the vanity host is just another Host header.
	req, _ := http.NewRequest("HEAD", ts.URL+"/start", nil)
	req.Host = "sso.example.com"
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("a vanity Host outside the proxy: %d, want 421", resp.StatusCode)
	}
}

// TestVanityURLInvalid: a vanity URL must be https.
func TestVanityURLInvalid(t *testing.T) {
	t.Parallel()
	if _, err := idc.New(idc.Config{Vanity: []idc.VanityURL{{URL: "http://sso.example.com/start"}}}); err == nil {
		t.Error("an http vanity URL was accepted")
	}
}
