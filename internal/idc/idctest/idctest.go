// Package idctest runs the local IAM Identity Center (internal/idc) in tests:
// NewServer starts it on a loopback httptest server with the demo directory
// (directory.Demo: users alice/"wonderland" and bob/"builder"), and the HTTP
// clients it hands out refuse to dial anything but loopback, so a test with a
// wrong endpoint fails loudly instead of reaching AWS. For the STS side it
// gets IAM Identity Center role credentials in one call (SSORoleCredentials),
// computes the code of a virtual MFA device (MFACode) and mints web identity
// tokens of a directory's OIDC provider (WebIdentityToken).
//
// It is for tests only; `ssocli serve` uses internal/idc directly.
package idctest

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/ssocli/ssocli/internal/idc"
	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/store"
)

// TestServer is a running local Identity Center.
type TestServer struct {
	// URL is the base URL, e.g. "http://127.0.0.1:41234": the endpoint for
	// the ssooidc, sso and sts clients and for AWS_ENDPOINT_URL.
	URL string
	// Server is the Identity Center, for Counts, CAFile and the store.
	Server *idc.Server
	// StartURL is the directory's start URL (sso_start_url).
	StartURL string
	// Region is the directory's region (sso_region).
	Region string
	// Directory is the server's directory (for MFACode and the OIDC
	// providers of WebIdentityToken).
	Directory *directory.Directory

	autoApprove   string // the user auto-approved, "" when none
	approveAtOnce bool   // auto-approval needs no wait (SSORoleCredentials)

	http      *httptest.Server
	closeOnce sync.Once
	closeErr  error
}

// Option changes how NewServer configures the server.
type Option func(*options)

type options struct {
	cfg         idc.Config
	tempDataDir bool
}

// WithAutoApprove approves every device authorization as user, after the
// default delay of one second (see WithAutoApproveDelay), and grants every
// valid authorization request at once.
func WithAutoApprove(user string) Option { return func(o *options) { o.cfg.AutoApprove = user } }

// WithAutoApproveDelay sets how long after it starts a device authorization
// is auto-approved; negative approves at once (the first poll succeeds).
func WithAutoApproveDelay(d time.Duration) Option {
	return func(o *options) { o.cfg.AutoApproveDelay = d }
}

// WithApproveWhen holds auto-approved device authorizations back until
// ready returns true (asked at each poll): approve once the test's other
// participants are waiting, instead of hoping they arrive within a delay.
func WithApproveWhen(ready func() bool) Option {
	return func(o *options) { o.cfg.ApproveWhen = ready }
}

// WithTokenTTL sets the life of refreshable access tokens (default 1h).
func WithTokenTTL(d time.Duration) Option { return func(o *options) { o.cfg.TokenTTL = d } }

// WithSessionTTL sets how long refreshes may go on (default 8h).
func WithSessionTTL(d time.Duration) Option { return func(o *options) { o.cfg.SessionTTL = d } }

// WithDeviceCodeTTL sets the life of device codes (default 10m).
func WithDeviceCodeTTL(d time.Duration) Option { return func(o *options) { o.cfg.DeviceCodeTTL = d } }

// WithRefreshGrace sets how long a rotated-out refresh token is answered
// with the tokens it was rotated into (default 30s; negative: never).
func WithRefreshGrace(d time.Duration) Option { return func(o *options) { o.cfg.RefreshGrace = d } }

// WithRoleCredentialTTL caps the life of issued role credentials, so that a
// test sees them expire in seconds.
func WithRoleCredentialTTL(d time.Duration) Option {
	return func(o *options) { o.cfg.RoleCredentialTTL = d }
}

// WithDirectory replaces the demo directory.
func WithDirectory(d *directory.Directory) Option { return func(o *options) { o.cfg.Directory = d } }

// WithNow sets the server's clock (see Clock).
func WithNow(now func() time.Time) Option { return func(o *options) { o.cfg.Now = now } }

// WithRateLimit limits portal calls per second.
func WithRateLimit(perSecond float64) Option { return func(o *options) { o.cfg.RateLimit = perSecond } }

// WithDataDir sets the data directory, which enables the CONNECT proxy and
// its CA (Server.CAFile). NewServer uses t.TempDir() when dir is "".
func WithDataDir(dir string) Option {
	return func(o *options) { o.cfg.DataDir, o.tempDataDir = dir, dir == "" }
}

// WithPersistentState keeps the server's state in a bbolt file in the data
// directory (idc.Config.PersistState), so that a second server started on
// the same directory after Close honours what the first one issued. Without
// WithDataDir it uses a fresh t.TempDir().
func WithPersistentState() Option {
	return func(o *options) { o.cfg.PersistState = true }
}

// WithVanity makes the server answer vanity start URLs (idc.VanityURL)
// inside the tunnels of its CONNECT proxy, which it enables with a fresh
// data directory unless one was given.
func WithVanity(vs ...idc.VanityURL) Option {
	return func(o *options) {
		o.cfg.Vanity = append(o.cfg.Vanity, vs...)
		if o.cfg.DataDir == "" {
			o.tempDataDir = true
		}
	}
}

// WithStore keeps the server's state in st (idc.Config.Store).
func WithStore(st store.Store) Option { return func(o *options) { o.cfg.Store = st } }

// WithLogger sends the server's log to l.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.cfg.Logger = l } }

// NewServer starts a local Identity Center for the test; it stops when the
// test ends.
func NewServer(t testing.TB, opts ...Option) *TestServer {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	cfg := o.cfg
	if o.tempDataDir || (cfg.PersistState && cfg.DataDir == "") {
		cfg.DataDir = t.TempDir()
	}
	hs := httptest.NewUnstartedServer(nil)
	cfg.PublicURL = "http://" + hs.Listener.Addr().String()
	srv, err := idc.New(cfg)
	if err != nil {
		hs.Close()
		t.Fatalf("idctest: start server: %v", err)
	}
	hs.Config.Handler = srv.Handler()
	hs.Start()
	dir := cfg.Directory
	if dir == nil {
		dir = directory.Demo()
	}
	ts := &TestServer{URL: hs.URL, Server: srv, StartURL: dir.Instance.StartURL, Region: dir.Instance.Region, Directory: dir,
		autoApprove: cfg.AutoApprove, approveAtOnce: cfg.AutoApproveDelay < 0, http: hs}
	t.Cleanup(func() {
		if err := ts.Close(); err != nil {
			t.Errorf("idctest: close server: %v", err)
		}
	})
	return ts
}

// Close stops the HTTP server, waiting for the requests in flight, then
// closes the Identity Center and its store (releasing a state file for the
// next server). NewServer arranges it at the end of the test; calling it
// earlier, as a restart test does, is fine.
func (ts *TestServer) Close() error {
	ts.closeOnce.Do(func() {
		ts.http.Close()
		ts.closeErr = ts.Server.Close()
	})
	return ts.closeErr
}

// Client returns an HTTP client for the server that refuses to dial anything
// but loopback.
func (ts *TestServer) Client() *http.Client { return LoopbackClient() }

// LoopbackClient returns an HTTP client that dials only loopback addresses
// and ignores proxy settings from the environment, so nothing a test does can
// leave the machine.
func LoopbackClient() *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{
		Transport: &http.Transport{
			Proxy: nil,
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				host, _, err := net.SplitHostPort(addr)
				if err != nil {
					return nil, err
				}
				ip := net.ParseIP(host)
				if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
					return nil, fmt.Errorf("idctest: refusing to dial %s: tests may only reach loopback", addr)
				}
				return d.DialContext(ctx, network, addr)
			},
			ForceAttemptHTTP2: false,
			MaxIdleConns:      10,
		},
		Timeout: 30 * time.Second,
	}
}

// Clock is a settable clock for WithNow: it starts at the time given and
// moves only when told.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a Clock set to t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
