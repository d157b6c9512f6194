package creds

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"

	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/usererr"
)

func TestProxyFunc(t *testing.T) {
	t.Parallel()
	const proxy = "http://proxy.internal:3128"
	tests := []struct {
		env  map[string]string
		url  string
		want string // "" for a direct connection
	}{
		{env: map[string]string{}, url: "https://oidc.us-east-1.amazonaws.com/token"},
		{env: map[string]string{"HTTPS_PROXY": proxy}, url: "https://oidc.us-east-1.amazonaws.com/token", want: proxy},
		{env: map[string]string{"https_proxy": proxy}, url: "https://oidc.us-east-1.amazonaws.com/token", want: proxy},
		{env: map[string]string{"HTTPS_PROXY": proxy, "https_proxy": "http://lower:1"}, url: "https://a.example/", want: proxy},
		{env: map[string]string{"HTTPS_PROXY": "proxy.internal:3128"}, url: "https://a.example/", want: proxy}, // no scheme: http://
		{env: map[string]string{"HTTPS_PROXY": proxy}, url: "http://a.example/"},                               // HTTP_PROXY is for http
		{env: map[string]string{"HTTP_PROXY": proxy}, url: "http://a.example/", want: proxy},
		{env: map[string]string{"HTTP_PROXY": proxy}, url: "https://a.example/"},
		// Never for loopback.
		{env: map[string]string{"HTTPS_PROXY": proxy}, url: "https://localhost:8443/"},
		{env: map[string]string{"HTTP_PROXY": proxy}, url: "http://127.0.0.1:8080/"},
		{env: map[string]string{"HTTP_PROXY": proxy}, url: "http://[::1]:8080/"},
		// NO_PROXY.
		{env: map[string]string{"HTTPS_PROXY": proxy, "NO_PROXY": "*"}, url: "https://a.example/"},
		{env: map[string]string{"HTTPS_PROXY": proxy, "NO_PROXY": "amazonaws.com"}, url: "https://amazonaws.com/"},
		{env: map[string]string{"HTTPS_PROXY": proxy, "NO_PROXY": "amazonaws.com"}, url: "https://oidc.us-east-1.amazonaws.com/"},
		{env: map[string]string{"HTTPS_PROXY": proxy, "NO_PROXY": "amazonaws.com"}, url: "https://evilamazonaws.com/", want: proxy},
		{env: map[string]string{"HTTPS_PROXY": proxy, "NO_PROXY": ".amazonaws.com"}, url: "https://oidc.us-east-1.amazonaws.com/"},
		{env: map[string]string{"HTTPS_PROXY": proxy, "NO_PROXY": ".amazonaws.com"}, url: "https://amazonaws.com/", want: proxy}, // subdomains only
		{env: map[string]string{"HTTPS_PROXY": proxy, "no_proxy": "AMAZONAWS.COM"}, url: "https://Portal.SSO.us-east-1.amazonaws.com/"},
		{env: map[string]string{"HTTPS_PROXY": proxy, "NO_PROXY": " a.example , b.example "}, url: "https://x.b.example/"},
		{env: map[string]string{"HTTPS_PROXY": proxy, "NO_PROXY": "a.example:8443"}, url: "https://a.example:8443/"},
		{env: map[string]string{"HTTPS_PROXY": proxy, "NO_PROXY": "a.example:8443"}, url: "https://a.example/", want: proxy}, // 443 is not 8443
		{env: map[string]string{"HTTPS_PROXY": proxy, "NO_PROXY": "10.0.0.0/8"}, url: "https://10.1.2.3/"},
		{env: map[string]string{"HTTPS_PROXY": proxy, "NO_PROXY": "10.0.0.0/8"}, url: "https://11.1.2.3/", want: proxy},
		{env: map[string]string{"HTTPS_PROXY": proxy, "NO_PROXY": "192.168.1.5"}, url: "https://192.168.1.5:8443/"},
		{env: map[string]string{"HTTPS_PROXY": proxy, "NO_PROXY": "192.168.1.5:80"}, url: "https://192.168.1.5/", want: proxy},
		{env: map[string]string{"HTTPS_PROXY": proxy, "NO_PROXY": "fd00::/8"}, url: "https://[fd00::1]/"},
		{env: map[string]string{"HTTPS_PROXY": proxy, "NO_PROXY": ",,"}, url: "https://a.example/", want: proxy},
	}
	for _, tt := range tests {
		t.Run(tt.url+" "+strings.ReplaceAll(strings.Trim(strings.Join(mapPairs(tt.env), " "), " "), "/", "|"), func(t *testing.T) {
			t.Parallel()
			u, err := url.Parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			got, err := proxyFunc(func(k string) string { return tt.env[k] })(u)
			if err != nil {
				t.Fatal(err)
			}
			gs := ""
			if got != nil {
				gs = got.String()
			}
			if gs != tt.want {
				t.Errorf("proxy for %s with %v = %q, want %q", tt.url, tt.env, gs, tt.want)
			}
		})
	}
}

func mapPairs(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// fakeProxy listens on loopback and answers every connection with answer.
func fakeProxy(t *testing.T, answer func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				// Read the CONNECT request first, as a proxy does.
				if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
					return
				}
				answer(c)
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// TestProxyFailuresNameTheProxy: a request that does not get through its
// proxy says so, with the proxy's URL (credentials masked), as botocore does;
// one that gets through and then fails is the endpoint's failure
// (adversarial W4).
func TestProxyFailuresNameTheProxy(t *testing.T) {
	t.Parallel()
	write := func(s string) func(net.Conn) { return func(c net.Conn) { c.Write([]byte(s)) } }
	tests := []struct {
		name  string
		proxy func(t *testing.T) string
		want  func(proxy string) string
	}{
		{name: "nothing listens", proxy: func(t *testing.T) string {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ln.Close()
			return "http://" + ln.Addr().String()
		}},
		{name: "407", proxy: func(t *testing.T) string {
			return fakeProxy(t, write("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n"))
		}},
		{name: "403", proxy: func(t *testing.T) string {
			return fakeProxy(t, write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"))
		}},
		{name: "closes", proxy: func(t *testing.T) string { return fakeProxy(t, func(net.Conn) {}) }},
		{name: "garbage", proxy: func(t *testing.T) string { return fakeProxy(t, write("SSH-2.0-OpenSSH_9.6\r\n")) }},
		{name: "200 then closes", proxy: func(t *testing.T) string { return fakeProxy(t, write("HTTP/1.1 200 OK\r\n\r\n")) }},
		{name: "credentials masked", proxy: func(t *testing.T) string {
			u, _ := url.Parse(fakeProxy(t, write("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")))
			u.User = url.UserPassword("bob", "hunter2")
			return u.String()
		}, want: func(p string) string {
			return `Failed to connect to proxy URL: "http://***:***@` + strings.TrimPrefix(p, "http://bob:hunter2@") + `"`
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := tt.proxy(t)
			hc, err := NewHTTPClient(HTTPOptions{Getenv: func(k string) string {
				if k == "HTTPS_PROXY" {
					return p
				}
				return ""
			}})
			if err != nil {
				t.Fatal(err)
			}
			m := &Manager{HTTPClient: func() (*http.Client, error) { return hc, nil }}
			api, err := m.PortalClient(&Target{Region: "us-east-1"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = api.ListAccounts(context.Background(), &sso.ListAccountsInput{AccessToken: aws.String("t")})
			u := usererr.As(usererr.FromAPI(err))
			want := `Failed to connect to proxy URL: "` + p + `"`
			if tt.want != nil {
				want = tt.want(p)
			}
			if u == nil || u.Msg != want || u.Code != 255 {
				t.Errorf("error = %v, want %q with exit 255", err, want)
			}
		})
	}
}

// TestThroughProxy: the proxy does not get in the way of what goes through
// it: a call through ssocli serve's CONNECT proxy works, and a certificate the
// client does not trust is said as such, not as a proxy failure.
func TestThroughProxy(t *testing.T) {
	t.Parallel()
	ts := idctest.NewServer(t, idctest.WithDataDir(""))
	for _, trusted := range []bool{true, false} {
		o := HTTPOptions{Getenv: func(k string) string {
			if k == "HTTPS_PROXY" {
				return ts.URL
			}
			return ""
		}}
		if trusted {
			o.CABundle = ts.Server.CAFile()
		}
		hc, err := NewHTTPClient(o)
		if err != nil {
			t.Fatal(err)
		}
		m := &Manager{HTTPClient: func() (*http.Client, error) { return hc, nil }}
		api, err := m.PortalClient(&Target{Region: ts.Region})
		if err != nil {
			t.Fatal(err)
		}
		_, err = api.ListAccounts(context.Background(), &sso.ListAccountsInput{AccessToken: aws.String("not-a-token")})
		msg := usererr.FromAPI(err).Error()
		switch {
		case trusted && usererr.APICode(err) != "UnauthorizedException":
			t.Errorf("through the proxy: %v, want the portal's UnauthorizedException", msg)
		case !trusted && !strings.HasPrefix(msg, "SSL validation failed for https://portal.sso."+ts.Region+".amazonaws.com/"):
			t.Errorf("untrusted certificate through the proxy: %q, want SSL validation failed", msg)
		}
	}
}

// TestDefaultHTTPClient: a Manager without HTTPClient still gets the AWS
// CLI's timeouts, not http.DefaultClient's none.
func TestDefaultHTTPClient(t *testing.T) {
	t.Parallel()
	hc, err := (&Manager{}).httpClient()
	if err != nil {
		t.Fatal(err)
	}
	pe, ok := hc.Transport.(*proxyErrors)
	if !ok {
		t.Fatalf("transport %T, want the one NewHTTPClient builds", hc.Transport)
	}
	tr := pe.base.(*http.Transport)
	if tr.ResponseHeaderTimeout != 60*time.Second || tr.TLSHandshakeTimeout != 60*time.Second {
		t.Errorf("timeouts: response header %v, TLS handshake %v; want 60 s each", tr.ResponseHeaderTimeout, tr.TLSHandshakeTimeout)
	}
}
