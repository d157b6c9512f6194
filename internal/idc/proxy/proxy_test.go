package proxy_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/proxy"
	"github.com/ssocli/ssocli/internal/idc/sts"
	"github.com/ssocli/ssocli/internal/testutil/netns"
)

// The whole package runs in a private network namespace (when one can be
// made): the SDK clients here resolve real AWS host names.
func TestMain(m *testing.M) { os.Exit(netns.RunInNamespace(m)) }

// Test credentials: fake values of the right shape, never real ones.
const (
	testKeyID  = "ASIAEXAMPLEKEY00001"
	testSecret = "test-secret-access-key-000000000000000"
	testToken  = "test-session-token-0001"
)

type fixedLookup struct{ cred sts.Credential }

func (l fixedLookup) LookupCredential(id, _ string) (sts.Credential, bool) {
	return l.cred, id == l.cred.AccessKeyID
}

func testSTS(expires time.Time) *sts.Handler {
	return &sts.Handler{
		Lookup: fixedLookup{sts.Credential{
			AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: testToken,
			Expiration: expires,
			AccountID:  "111122223333",
			RoleName:   "AWSReservedSSO_ReadOnly_0123456789abcdef",
			RoleID:     "AROAEXAMPLEROLEID0001",
			UserName:   "alice",
		}},
		Now:    time.Now, // the SDK and the AWS CLI sign with the wall clock
		Logger: slog.New(slog.DiscardHandler),
	}
}

const wantArn = "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_ReadOnly_0123456789abcdef/alice"

// seen is what the inner handler observed of one request.
type seen struct {
	Method, Host, Path string
	TLS                bool
	ServerName         string
}

type recorder struct {
	mu   sync.Mutex
	reqs []seen
}

func (rec *recorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := seen{Method: r.Method, Host: r.Host, Path: r.URL.Path, TLS: r.TLS != nil}
		if r.TLS != nil {
			s.ServerName = r.TLS.ServerName
		}
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, s)
		rec.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (rec *recorder) all() []seen {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]seen(nil), rec.reqs...)
}

// apis stands in for the Identity Center's handler: STS on POST /, and a
// fixed GetRoleCredentials answer.
func apis() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /", testSTS(time.Now().Add(time.Hour)))
	mux.HandleFunc("GET /federation/credentials", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"roleCredentials":{"accessKeyId":"ASIAROLEKEY00000001","secretAccessKey":"role-secret","sessionToken":"role-token","expiration":1700000000000}}`)
	})
	mux.HandleFunc("GET /echo", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s tls=%v", r.Host, r.URL.Path, r.TLS != nil)
	})
	return mux
}

// proxyServer starts an httptest server running a proxy.Handler and counts
// the CONNECT requests it gets.
type proxyServer struct {
	*httptest.Server
	CA       *proxy.CA
	H        *proxy.Handler
	rec      *recorder
	connects atomic.Int64
}

func newProxyServer(t *testing.T) *proxyServer {
	t.Helper()
	ca, err := proxy.LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ps := &proxyServer{CA: ca, rec: &recorder{}}
	h := &proxy.Handler{CA: ca, Next: ps.rec.wrap(apis()), Logger: slog.New(slog.DiscardHandler)}
	ps.H = h
	ps.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodConnect {
			ps.connects.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(ps.Close)
	return ps
}

// dialLoopbackOnly refuses every address but loopback, so that a client that
// skips the proxy fails loudly instead of reaching the internet.
func dialLoopbackOnly(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("test client refuses to dial %s: only loopback", addr)
	}
	return (&net.Dialer{}).DialContext(ctx, network, addr)
}

// proxiedClient is an HTTPS_PROXY-style client trusting roots.
func proxiedClient(t *testing.T, proxyURL string, roots *x509.CertPool) *http.Client {
	t.Helper()
	u, err := url.Parse(proxyURL)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{
		Proxy:           http.ProxyURL(u),
		DialContext:     dialLoopbackOnly,
		TLSClientConfig: &tls.Config{RootCAs: roots},
		// One connection per host: a request waits for the idle connection
		// instead of racing it with a new dial, so the tunnel count is exact.
		MaxConnsPerHost: 1,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func TestSDKClientsThroughTunnel(t *testing.T) {
	t.Parallel()
	ps := newProxyServer(t)
	client := proxiedClient(t, ps.URL, ps.CA.Pool())
	cfg := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(testKeyID, testSecret, testToken),
		HTTPClient:       client,
		RetryMaxAttempts: 1,
	}
	ctx := context.Background()

	stsClient := awssts.NewFromConfig(cfg)
	for i := range 3 {
		out, err := stsClient.GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("GetCallerIdentity %d: %v", i, err)
		}
		if got := aws.ToString(out.Arn); got != wantArn {
			t.Errorf("GetCallerIdentity %d: Arn = %q, want %q", i, got, wantArn)
		}
	}
	ssoClient := sso.NewFromConfig(cfg)
	for i := range 2 {
		out, err := ssoClient.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{
			AccessToken: aws.String("test-access-token"), AccountId: aws.String("111122223333"), RoleName: aws.String("ReadOnly"),
		})
		if err != nil {
			t.Fatalf("GetRoleCredentials %d: %v", i, err)
		}
		if got := aws.ToString(out.RoleCredentials.AccessKeyId); got != "ASIAROLEKEY00000001" {
			t.Errorf("GetRoleCredentials %d: AccessKeyId = %q", i, got)
		}
	}

	stsReq := seen{Method: "POST", Host: "sts.us-east-1.amazonaws.com", Path: "/", TLS: true, ServerName: "sts.us-east-1.amazonaws.com"}
	ssoReq := seen{Method: "GET", Host: "portal.sso.us-east-1.amazonaws.com", Path: "/federation/credentials", TLS: true, ServerName: "portal.sso.us-east-1.amazonaws.com"}
	if diff := cmp.Diff([]seen{stsReq, stsReq, stsReq, ssoReq, ssoReq}, ps.rec.all()); diff != "" {
		t.Errorf("requests seen by Next (-want +got):\n%s", diff)
	}
	// How many tunnels the SDK opens is up to it: it cancels each attempt's
	// context as soon as it has the body, which races net/http's return of
	// the connection to the idle pool. TestKeepAlive checks reuse.
	if got := ps.connects.Load(); got < 2 {
		t.Errorf("CONNECT requests = %d, want at least one per host", got)
	}
}

// TestKeepAlive checks that one tunnel carries several requests, with a
// client that lets the connection go back to its pool.
func TestKeepAlive(t *testing.T) {
	t.Parallel()
	ps := newProxyServer(t)
	client := proxiedClient(t, ps.URL, ps.CA.Pool())
	var got []string
	for range 4 {
		resp, err := client.Get("https://sts.us-east-1.amazonaws.com/echo")
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(body))
	}
	want := slices.Repeat([]string{"sts.us-east-1.amazonaws.com /echo tls=true"}, 4)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bodies (-want +got):\n%s", diff)
	}
	if got := ps.connects.Load(); got != 1 {
		t.Errorf("CONNECT requests = %d, want 1 for 4 requests", got)
	}
}

func TestClientRejectsOtherCA(t *testing.T) {
	t.Parallel()
	ps := newProxyServer(t)
	other, err := proxy.LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	client := proxiedClient(t, ps.URL, other.Pool())
	resp, err := client.Get("https://sts.us-east-1.amazonaws.com/echo")
	if err == nil {
		resp.Body.Close()
		t.Fatal("client trusting another CA accepted the tunnel's certificate")
	}
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Errorf("error = %v, want x509.UnknownAuthorityError", err)
	}
	if got := len(ps.rec.all()); got != 0 {
		t.Errorf("Next saw %d requests, want 0", got)
	}
}

func TestConnectRefused(t *testing.T) {
	t.Parallel()
	ps := newProxyServer(t)
	tests := []struct {
		name       string
		request    string
		wantStatus int
		wantBody   string
	}{
		{name: "other domain", request: "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
			wantStatus: http.StatusForbidden, wantBody: "proxy: CONNECT to example.com refused"},
		{name: "suffix trick", request: "CONNECT amazonaws.com.example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n",
			wantStatus: http.StatusForbidden, wantBody: "refused"},
		{name: "other port", request: "CONNECT sts.amazonaws.com:80 HTTP/1.0\r\n\r\n",
			wantStatus: http.StatusForbidden, wantBody: "only on port 443"},
		{name: "IP address", request: "CONNECT 127.0.0.1:443 HTTP/1.0\r\n\r\n",
			wantStatus: http.StatusForbidden, wantBody: "IP address"},
		{name: "no port", request: "CONNECT sts.amazonaws.com HTTP/1.0\r\n\r\n",
			wantStatus: http.StatusBadRequest, wantBody: "malformed CONNECT target"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			conn, br := rawConnect(t, ps.Listener.Addr().String(), tt.request)
			defer conn.Close()
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus || !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("response = %d %q, want %d with %q", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
		})
	}
	if got := len(ps.rec.all()); got != 0 {
		t.Errorf("Next saw %d requests, want 0", got)
	}
}

func rawConnect(t *testing.T, addr, request string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	return conn, bufio.NewReader(conn)
}

// readerConn reads through a bufio.Reader that may hold bytes already.
type readerConn struct {
	net.Conn
	r *bufio.Reader
}

func (c readerConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// pipelinedConn sends the CONNECT request in the same write as the TLS
// ClientHello, without waiting for the proxy's answer, and consumes that
// answer before the first TLS read, as some clients do.
type pipelinedConn struct {
	net.Conn
	r        *bufio.Reader
	connect  string
	wrote    bool
	answered bool
}

func (c *pipelinedConn) Write(p []byte) (int, error) {
	if c.wrote {
		return c.Conn.Write(p)
	}
	c.wrote = true
	if _, err := c.Conn.Write(append([]byte(c.connect), p...)); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (c *pipelinedConn) Read(p []byte) (int, error) {
	if !c.answered {
		c.answered = true
		resp, err := http.ReadResponse(c.r, nil)
		if err != nil {
			return 0, err
		}
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("CONNECT answered %s", resp.Status)
		}
	}
	return c.r.Read(p)
}

func TestRawTunnel(t *testing.T) {
	t.Parallel()
	ps := newProxyServer(t)
	addr := ps.Listener.Addr().String()
	const host = "sts.us-east-1.amazonaws.com"

	// open returns a TLS connection through a tunnel opened the given way.
	type opener func(t *testing.T, cfg *tls.Config) (*tls.Conn, error)
	waitFor200 := func(connect string) opener {
		return func(t *testing.T, cfg *tls.Config) (*tls.Conn, error) {
			conn, br := rawConnect(t, addr, connect)
			t.Cleanup(func() { conn.Close() })
			line, err := br.ReadString('\n')
			if err != nil {
				return nil, err
			}
			if line != "HTTP/1.1 200 Connection established\r\n" {
				return nil, fmt.Errorf("CONNECT answered %q", line)
			}
			if blank, err := br.ReadString('\n'); err != nil || blank != "\r\n" {
				return nil, fmt.Errorf("CONNECT answer not followed by a blank line: %q, %v", blank, err)
			}
			c := tls.Client(readerConn{conn, br}, cfg)
			return c, c.Handshake()
		}
	}
	pipelined := func(t *testing.T, cfg *tls.Config) (*tls.Conn, error) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			return nil, err
		}
		t.Cleanup(func() { conn.Close() })
		pc := &pipelinedConn{Conn: conn, r: bufio.NewReader(conn), connect: "CONNECT " + host + ":443 HTTP/1.1\r\nHost: " + host + ":443\r\n\r\n"}
		c := tls.Client(pc, cfg)
		return c, c.Handshake()
	}

	tests := []struct {
		name       string
		open       opener
		serverName string
		hostHeader string   // Host of the requests inside the tunnel
		want       []string // status and body of two requests on the tunnel
		wantErr    bool     // the TLS handshake fails
	}{
		{name: "HTTP/1.0 CONNECT without Host", open: waitFor200("CONNECT " + host + ":443 HTTP/1.0\r\n\r\n"), serverName: host, hostHeader: host,
			want: []string{"200 sts.us-east-1.amazonaws.com /echo tls=true", "200 sts.us-east-1.amazonaws.com /echo tls=true"}},
		{name: "HTTP/1.1 CONNECT", open: waitFor200("CONNECT " + host + ":443 HTTP/1.1\r\nHost: " + host + ":443\r\n\r\n"), serverName: host, hostHeader: host,
			want: []string{"200 sts.us-east-1.amazonaws.com /echo tls=true", "200 sts.us-east-1.amazonaws.com /echo tls=true"}},
		{name: "ClientHello sent before the answer", open: pipelined, serverName: host, hostHeader: host,
			want: []string{"200 sts.us-east-1.amazonaws.com /echo tls=true", "200 sts.us-east-1.amazonaws.com /echo tls=true"}},
		{name: "no SNI uses the CONNECT host", open: waitFor200("CONNECT " + host + ":443 HTTP/1.0\r\n\r\n"), serverName: "", hostHeader: host,
			want: []string{"200 sts.us-east-1.amazonaws.com /echo tls=true", "200 sts.us-east-1.amazonaws.com /echo tls=true"}},
		{name: "request for another host in the tunnel", open: waitFor200("CONNECT " + host + ":443 HTTP/1.0\r\n\r\n"), serverName: host, hostHeader: "oidc.us-east-1.amazonaws.com",
			want: []string{"421 proxy: request for oidc.us-east-1.amazonaws.com inside a tunnel to sts.us-east-1.amazonaws.com", "421 proxy: request for oidc.us-east-1.amazonaws.com inside a tunnel to sts.us-east-1.amazonaws.com"}},
		{name: "SNI differs from the CONNECT host", open: waitFor200("CONNECT " + host + ":443 HTTP/1.0\r\n\r\n"), serverName: "oidc.us-east-1.amazonaws.com", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := &tls.Config{ServerName: tt.serverName, RootCAs: ps.CA.Pool()}
			if tt.serverName == "" {
				// Without SNI crypto/tls cannot verify by itself; check the
				// certificate against the CONNECT host by hand.
				cfg = &tls.Config{
					InsecureSkipVerify: true,
					VerifyConnection: func(cs tls.ConnectionState) error {
						_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{DNSName: host, Roots: ps.CA.Pool()})
						return err
					},
				}
			}
			c, err := tt.open(t, cfg)
			if tt.wantErr {
				if err == nil {
					t.Fatal("TLS handshake succeeded, want it refused")
				}
				return
			}
			if err != nil {
				t.Fatalf("TLS through the tunnel: %v", err)
			}
			br := bufio.NewReader(c)
			var got []string
			for range 2 {
				if _, err := fmt.Fprintf(c, "GET /echo HTTP/1.1\r\nHost: %s\r\n\r\n", tt.hostHeader); err != nil {
					t.Fatal(err)
				}
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					t.Fatal(err)
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(body))))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("responses (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNonConnectGoesToNext(t *testing.T) {
	t.Parallel()
	ps := newProxyServer(t)
	resp, err := ps.Client().Get(ps.URL + "/echo")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimPrefix(ps.URL, "http://") + " /echo tls=false"
	if diff := cmp.Diff(want, string(body)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

func TestCloseTunnels(t *testing.T) {
	t.Parallel()
	ps := newProxyServer(t)
	const host = "sts.us-east-1.amazonaws.com"
	conn, br := rawConnect(t, ps.Listener.Addr().String(), "CONNECT "+host+":443 HTTP/1.0\r\n\r\n")
	defer conn.Close()
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("CONNECT: %v, %v", resp, err)
	}
	c := tls.Client(readerConn{conn, br}, &tls.Config{ServerName: host, RootCAs: ps.CA.Pool()})
	tr := bufio.NewReader(c)
	get := func() error {
		if _, err := fmt.Fprintf(c, "GET /echo HTTP/1.1\r\nHost: %s\r\n\r\n", host); err != nil {
			return err
		}
		resp, err := http.ReadResponse(tr, nil)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return err
	}
	if err := get(); err != nil {
		t.Fatalf("request before CloseTunnels: %v", err)
	}

	ps.H.CloseTunnels()
	if err := get(); err == nil {
		t.Error("request after CloseTunnels succeeded, want the tunnel closed")
	}
	conn2, br2 := rawConnect(t, ps.Listener.Addr().String(), "CONNECT "+host+":443 HTTP/1.0\r\n\r\n")
	defer conn2.Close()
	resp2, err := http.ReadResponse(br2, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("CONNECT after CloseTunnels: status %d, want 503", resp2.StatusCode)
	}
}
