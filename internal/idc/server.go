// Package idc assembles the local IAM Identity Center that `ssocli serve` runs:
// the SSO OIDC API (oidc), the portal API (portal), STS GetCallerIdentity,
// AssumeRole and AssumeRoleWithWebIdentity (sts),
// the sign-in and device pages (signin) and the CONNECT proxy (proxy), over one
// directory (directory) and one state store (store), served by a single
// http.Handler (docs/DESIGN.md has the table of paths).
//
// Unmodified AWS tools accept it: aws-sdk-go-v2 and the AWS CLI ≥2.13 through
// AWS_ENDPOINT_URL, the AWS CLI 2.9.19 through HTTPS_PROXY and AWS_CA_BUNDLE
// (spec §12). It is a test and development server: it never dials out, keeps
// passwords in plain text and holds no real AWS credentials.
package idc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ssocli/ssocli/internal/idc/awskeys"
	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/federation"
	"github.com/ssocli/ssocli/internal/idc/oidc"
	"github.com/ssocli/ssocli/internal/idc/portal"
	"github.com/ssocli/ssocli/internal/idc/proxy"
	"github.com/ssocli/ssocli/internal/idc/signin"
	"github.com/ssocli/ssocli/internal/idc/store"
	"github.com/ssocli/ssocli/internal/idc/sts"
)

// Config configures a Server. Zero values take the defaults given.
type Config struct {
	// Directory holds users, accounts and assignments; nil means directory.Demo().
	Directory *directory.Directory
	// PublicURL is the base URL browsers reach the server at, used in
	// verification URIs; empty means the listener's address (ListenAndServe)
	// or the Host of each request.
	PublicURL string
	// AutoApprove names a user as whom device authorizations are approved
	// AutoApproveDelay after they start (default 1s) and authorization
	// requests granted at once; empty means a person approves on the pages.
	// A negative AutoApproveDelay approves at once.
	AutoApprove      string
	AutoApproveDelay time.Duration
	// ApproveWhen, with AutoApprove, holds each device authorization back
	// until it returns true (asked at every poll once the delay has passed):
	// a test that needs several logins waiting before the first one ends
	// approves when they are. It must not call the server.
	ApproveWhen func() bool
	// TokenTTL is the life of access tokens that come with a refresh token
	// (1h); SessionTTL how long refreshes may go on, and the life of tokens
	// without one (8h); DeviceCodeTTL the life of a device code (10m).
	TokenTTL, SessionTTL, DeviceCodeTTL time.Duration
	// RefreshGrace is how long after a refresh token was rotated out a
	// client using it again gets the same new tokens instead of having its
	// session revoked as a replay (several SDK processes sharing a cache
	// refresh at once); zero means 30s (oidc.DefaultRefreshGrace), negative
	// none (every reuse revokes the session).
	RefreshGrace time.Duration
	// DataDir keeps the proxy's CA (ca.pem, ca-key.pem), and the state when
	// PersistState is set. Empty means no CA: the server then answers
	// CONNECT with an error.
	DataDir string
	// PersistState keeps the state (registrations, sessions, the key tokens
	// and role credentials are sealed with) in DataDir/state.db, a bbolt file, so that a restarted
	// server still honours the tokens in people's caches. It is a switch of
	// its own because DataDir has a default for the CA, while state on disk
	// must be asked for. It needs DataDir and excludes Store.
	PersistState bool
	// RateLimit, when positive, limits portal calls per second (TooManyRequestsException).
	RateLimit float64
	// RoleCredentialTTL, when positive, caps the life of the role
	// credentials GetRoleCredentials issues (else the permission set's
	// session duration), so that tests see credentials expire in seconds.
	RoleCredentialTTL time.Duration
	// Store keeps the state; nil means a new in-memory store (or the state
	// file, with PersistState). The server owns it: Close closes it.
	Store store.Store
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives one line per call; nil discards.
	Logger *slog.Logger
	// Vanity are start URLs on host names of the customer's own, which the
	// server answers with a redirect to the instance's AWS access portal
	// inside the proxy's tunnels (VanityURL); they need DataDir.
	Vanity []VanityURL
}

// DefaultAutoApproveDelay is how long after StartDeviceAuthorization an
// auto-approved device authorization is approved: long enough that the
// client's immediate first poll is pending and it shows its code.
const DefaultAutoApproveDelay = time.Second

// StateFile is the name of the state database in the data directory.
const StateFile = "state.db"

// Server is the local IAM Identity Center.
type Server struct {
	cfg       Config
	store     store.Store
	closeOnce sync.Once
	closeErr  error
	counts    counters
	oidc      *oidc.Handler
	portal    *portal.Handler
	ca        *proxy.CA
	proxy     *proxy.Handler // nil without a DataDir
	vanity    vanityHosts
	handler   http.Handler

	// What guard accepts as the request's Host besides loopback names:
	// set before the server serves (New, SetPublicURL, ListenAndServe).
	publicHost string
	listenIP   net.IP
}

// New builds a Server from cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Directory == nil {
		cfg.Directory = directory.Demo()
	} else if err := cfg.Directory.Validate(); err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	if cfg.AutoApprove != "" {
		if _, ok := cfg.Directory.User(cfg.AutoApprove); !ok {
			return nil, fmt.Errorf("auto-approve user %q is not in the directory", cfg.AutoApprove)
		}
	}
	if cfg.AutoApproveDelay == 0 {
		cfg.AutoApproveDelay = DefaultAutoApproveDelay
	}
	if cfg.PublicURL != "" {
		u, err := url.Parse(cfg.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("public URL %q must be an http or https URL", cfg.PublicURL)
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	st := cfg.Store
	switch {
	case cfg.PersistState && cfg.DataDir == "":
		return nil, errors.New("keeping the state needs a data directory")
	case cfg.PersistState && st != nil:
		return nil, errors.New("a state store and a persistent state were both given")
	case cfg.PersistState:
		b, err := store.OpenBolt(filepath.Join(cfg.DataDir, StateFile))
		if err != nil {
			return nil, err
		}
		st = b
	case st == nil:
		st = store.NewMemory()
	}
	vanity, err := newVanityHosts(cfg.Vanity, cfg.Directory)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	s := &Server{cfg: cfg, store: st, publicHost: hostOf(cfg.PublicURL), vanity: vanity}
	sealer, err := awskeys.NewSealer(st.CredentialKey())
	if err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("credential key: %w", err)
	}
	s.oidc = &oidc.Handler{
		Store:            st,
		Sealer:           sealer,
		BaseURL:          cfg.PublicURL,
		Now:              cfg.Now,
		Logger:           cfg.Logger.With("api", "oidc"),
		AutoApprove:      cfg.AutoApprove,
		AutoApproveDelay: cfg.AutoApproveDelay,
		ApproveWhen:      cfg.ApproveWhen,
		TokenTTL:         cfg.TokenTTL,
		SessionTTL:       cfg.SessionTTL,
		DeviceCodeTTL:    cfg.DeviceCodeTTL,
		RefreshGrace:     cfg.RefreshGrace,
	}
	s.portal = &portal.Handler{
		Sealer:    sealer,
		Store:     st,
		Directory: cfg.Directory,
		Now:       cfg.Now,
		Logger:    cfg.Logger.With("api", "portal"),
		RateLimit: cfg.RateLimit,
		MaxTTL:    cfg.RoleCredentialTTL,
	}
	state := stsState{st: st, dir: cfg.Directory, sealer: sealer}
	stsH := &sts.Handler{Lookup: state, Issuer: state, Directory: cfg.Directory, Now: cfg.Now, Logger: cfg.Logger.With("api", "sts"), Region: cfg.Directory.Instance.Region}
	fed := &federation.Handler{Lookup: state, Now: cfg.Now, Logger: cfg.Logger.With("api", "federation"),
		// An assumed role whose chain starts at an IAM Identity Center
		// session was assumed with temporary credentials: role chaining.
		Chained: func(id string) bool {
			ac, err := st.GetAssumedRoleCredential(id)
			return err == nil && ac.SessionID != ""
		}}
	console := fed.Console()

	pages := http.NewServeMux()
	(&signin.Pages{
		Backend:     backend{dir: cfg.Directory, oidc: s.oidc},
		Now:         cfg.Now,
		AutoApprove: cfg.AutoApprove,
		Logger:      cfg.Logger.With("api", "signin"),
		SessionTTL:  cfg.SessionTTL,
	}).Register(pages)

	api := http.NewServeMux()
	s.oidc.Register(api)
	portalMux := http.NewServeMux()
	s.portal.Register(portalMux)
	api.Handle("GET /federation/credentials", portalMux)
	api.Handle("GET /assignment/", portalMux)
	api.Handle("POST /{$}", stsH)
	fed.Register(api)
	api.Handle("/", pages)

	var h http.Handler = count(&s.counts, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// POST /logout is both the portal's Logout (bearer token header, spec
		// §6) and the sign-out form of the pages; the header tells them apart.
		if r.URL.Path == "/logout" && r.Header.Get("x-amz-sso_bearer_token") != "" {
			portalMux.ServeHTTP(w, r)
			return
		}
		// A console host name (reached through the proxy) is the console
		// page on every path, as https://<region>.console.aws.amazon.com/<service>/home.
		if federation.ConsoleHost(strings.ToLower(strings.TrimSuffix(r.Host, ":443"))) {
			console.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	}))
	if len(vanity) > 0 {
		// A vanity host (reached through the proxy) is its redirect on
		// every method, before anything is counted as an API call.
		apis := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if v, ok := vanity.match(r.Host); ok && r.Method != http.MethodConnect {
				s.serveVanity(w, r, v)
				return
			}
			apis.ServeHTTP(w, r)
		})
	}
	if cfg.DataDir != "" {
		ca, err := proxy.LoadOrCreateCA(cfg.DataDir)
		if err != nil {
			_ = st.Close()
			return nil, fmt.Errorf("load proxy CA: %w", err)
		}
		s.ca = ca
		s.proxy = &proxy.Handler{CA: ca, Next: h, Logger: cfg.Logger.With("api", "proxy"), Extra: vanity.has}
		h = s.proxy
	}
	s.handler = s.guard(h)
	return s, nil
}

// Handler returns the handler for every path of the server.
func (s *Server) Handler() http.Handler { return s.handler }

// Counts returns how many calls of each operation the server answered, e.g.
// "RegisterClient", "CreateToken/refresh_token", "GetRoleCredentials",
// "GetCallerIdentity".
func (s *Server) Counts() map[string]int { return s.counts.snapshot() }

// Store returns the server's state store (for tests and the GC loop).
func (s *Server) Store() store.Store { return s.store }

// CAFile returns the path of the proxy CA's certificate (for AWS_CA_BUNDLE),
// or "" when the server has no DataDir.
func (s *Server) CAFile() string {
	if s.ca == nil {
		return ""
	}
	return s.ca.CertFile()
}

// Close ends the CONNECT tunnels (which http.Server.Shutdown does not know:
// their connections are hijacked), waiting for the requests in them, then
// releases the state store (for a persistent store: closes the file and its
// lock, so another server may open it). It is safe to call more than once;
// the server must not serve after it.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if s.proxy != nil {
			s.proxy.CloseTunnels()
		}
		s.closeErr = s.store.Close()
	})
	return s.closeErr
}

// SetPublicURL sets the base URL of verification URIs; it must be called
// before the server serves.
func (s *Server) SetPublicURL(u string) {
	s.cfg.PublicURL = u
	s.oidc.BaseURL = u
	s.publicHost = hostOf(u)
}

// ListenAndServe serves on addr until ctx ends, then shuts down gracefully
// and closes the server (Close). ready, if not nil, is called with the bound
// address once the listener is open (useful with port 0). Without a
// PublicURL the listener's address becomes the base of the verification URIs.
func (s *Server) ListenAndServe(ctx context.Context, addr string, ready func(addr string)) (err error) {
	defer func() {
		if cerr := s.Close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	bound := ln.Addr().String()
	if a, ok := ln.Addr().(*net.TCPAddr); ok {
		s.listenIP = a.IP
	}
	if s.cfg.PublicURL == "" {
		host := bound
		if h, p, err := net.SplitHostPort(bound); err == nil && (h == "::" || h == "0.0.0.0" || h == "") {
			host = net.JoinHostPort("127.0.0.1", p)
		}
		s.SetPublicURL("http://" + host)
	}
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.cfg.Logger.Handler(), slog.LevelWarn),
	}
	if s.proxy != nil {
		// Shutdown forgets hijacked connections: end the tunnels as the
		// shutdown starts (Close does it again, and waits, before the store
		// closes).
		srv.RegisterOnShutdown(s.proxy.CloseTunnels)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.cfg.Logger.Info("serving", "addr", bound, "public_url", s.cfg.PublicURL, "start_url", s.cfg.Directory.Instance.StartURL)
	if ready != nil {
		ready(bound)
	}
	gc := time.NewTicker(time.Minute)
	defer gc.Stop()
	for {
		select {
		case err := <-errc:
			return fmt.Errorf("serve: %w", err)
		case <-gc.C:
			if _, err := s.store.GarbageCollect(s.cfg.Now()); err != nil {
				s.cfg.Logger.Warn("garbage collection failed", "error", err)
			}
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := srv.Shutdown(sctx)
			if serr := <-errc; err == nil && !errors.Is(serr, http.ErrServerClosed) {
				err = serr
			}
			return err
		}
	}
}

// backend answers the sign-in pages from the directory and the OIDC handler.
type backend struct {
	dir  *directory.Directory
	oidc *oidc.Handler
}

func (b backend) CheckPassword(user, password string) bool {
	return b.dir.CheckPassword(user, password)
}

func (b backend) PendingDevice(userCode string) (signin.DeviceRequest, bool) {
	d, ok := b.oidc.PendingDevice(userCode)
	if !ok {
		return signin.DeviceRequest{}, false
	}
	return signin.DeviceRequest{UserCode: d.UserCode, ClientName: d.ClientName, Scopes: d.Scopes, ExpiresAt: d.ExpiresAt}, true
}

func (b backend) ResolveDevice(userCode, user string, approve bool) error {
	return b.oidc.ResolveDevice(userCode, user, approve)
}

func (b backend) CheckAuthorize(req signin.AuthorizeRequest) (string, error) {
	return b.oidc.CheckAuthorize(oidc.AuthorizeRequest(req))
}

func (b backend) IssueCode(req signin.AuthorizeRequest, user string) (string, error) {
	if _, ok := b.dir.User(user); !ok {
		return "", errors.New("unknown user " + strings.TrimSpace(user))
	}
	return b.oidc.IssueCode(oidc.AuthorizeRequest(req), user)
}
