// Package proxy lets tools that cannot change their endpoints (AWS CLI
// 2.9.19) reach the local IAM Identity Center under the real AWS host names
// (spec §11, §12).
//
// Such a tool is pointed at the server with HTTPS_PROXY and trusts the
// server's own CA through AWS_CA_BUNDLE. The Handler answers
// `CONNECT <host>.amazonaws.com:443` itself: it takes over the connection,
// terminates TLS with a leaf certificate the CA mints for that host name, and
// serves the Identity Center's handler over the tunnel, several requests per
// tunnel. It never dials anywhere: it is not a forwarding proxy, and targets
// other than AWS host names are refused.
//
// The CA (ca.pem and ca-key.pem in a directory) is created on first start
// and reused, so that a bundle handed to a tool stays valid.
package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// handshakeTimeout bounds the TLS handshake inside a tunnel.
	handshakeTimeout = 30 * time.Second
	// idleTimeout closes a tunnel nobody uses; clients open a new one.
	idleTimeout = 2 * time.Minute
	// readHeaderTimeout bounds a request's headers inside a tunnel.
	readHeaderTimeout = 30 * time.Second
)

// Handler serves CONNECT tunnels to AWS host names with Next, and passes every
// other request to Next unchanged.
type Handler struct {
	CA     *CA
	Next   http.Handler
	Logger *slog.Logger
	// Extra, when set, names host names (lower case, no port) served
	// besides the AWS ones: the vanity start URLs of the Identity Center.
	Extra func(host string) bool

	mu       sync.Mutex
	tunnels  map[*http.Server]struct{} // live tunnels, for CloseTunnels
	closed   bool
	inflight sync.WaitGroup // requests being served inside tunnels
}

// CloseTunnels closes every open tunnel and refuses new ones, then waits for
// the requests that were being served inside them to return, so that once it
// returns Next is no longer called (and the state behind it may be closed).
// http.Server.Shutdown does not know hijacked connections, so a server
// shutting down calls this (through http.Server.RegisterOnShutdown, and
// again before it closes what Next uses). It is safe to call more than once
// and from several goroutines.
func (h *Handler) CloseTunnels() {
	h.mu.Lock()
	h.closed = true
	tunnels := h.tunnels
	h.tunnels = nil
	h.mu.Unlock()
	for srv := range tunnels {
		srv.Close()
	}
	h.inflight.Wait()
}

// enter counts a request served inside a tunnel, or reports false after
// CloseTunnels. The count is taken under mu, where CloseTunnels sets closed,
// so that no request starts once CloseTunnels waits.
func (h *Handler) enter() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.inflight.Add(1)
	return true
}

// track adds srv to the live tunnels, or reports false after CloseTunnels.
func (h *Handler) track(srv *http.Server) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	if h.tunnels == nil {
		h.tunnels = map[*http.Server]struct{}{}
	}
	h.tunnels[srv] = struct{}{}
	return true
}

func (h *Handler) isClosed() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closed
}

func (h *Handler) untrack(srv *http.Server) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.tunnels, srv)
}

// ServeHTTP answers CONNECT requests with a tunnel and passes the rest to Next.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodConnect {
		h.Next.ServeHTTP(w, r)
		return
	}
	log := h.Logger.With("remote", r.RemoteAddr, "target", r.Host)
	host, err := connectTarget(r.Host)
	if err != nil {
		log.Info("proxy refused CONNECT", "err", err)
		refuse(w, err)
		return
	}
	if !awsHost(host) && (h.Extra == nil || !h.Extra(host)) {
		log.Info("proxy refused CONNECT", "reason", "host not allowed")
		refuse(w, fmt.Errorf("CONNECT to %s refused: this server answers only its own APIs (*.amazonaws.com) and never connects anywhere else", host))
		return
	}
	if h.isClosed() {
		http.Error(w, "proxy: shutting down", http.StatusServiceUnavailable)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		// HTTP/2 connections cannot be hijacked; CONNECT tunnels over HTTP/2
		// are not needed by any AWS tool.
		http.Error(w, "proxy: CONNECT needs an HTTP/1 connection", http.StatusHTTPVersionNotSupported)
		return
	}
	conn, brw, err := hj.Hijack()
	if err != nil {
		log.Error("proxy hijack", "err", err)
		return
	}
	// The outer server's deadlines must not cut the tunnel; the tunnel's own
	// server sets its deadlines per request.
	if err := conn.SetDeadline(time.Time{}); err != nil {
		conn.Close()
		log.Info("proxy tunnel", "err", err)
		return
	}
	// Answer as an HTTP/1.1 proxy whatever the request's version: HTTP/1.0
	// clients (urllib3's CONNECT) accept it.
	if _, err := conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
		conn.Close()
		log.Info("proxy tunnel", "err", err)
		return
	}
	// One line per tunnel: which AWS host the client meant to reach (the
	// FIPS and dual-stack tests compare these with the AWS CLI's).
	log.Info("proxy CONNECT", "host", host)
	// A client may send its ClientHello without waiting for the 200; those
	// bytes are already in brw's buffer.
	h.serveTunnel(context.WithoutCancel(r.Context()), &bufferedConn{Conn: conn, r: brw.Reader}, host, log)
}

// serveTunnel terminates TLS on c for host and serves Next on it until the
// client closes the tunnel or it is idle for too long.
func (h *Handler) serveTunnel(ctx context.Context, c net.Conn, host string, log *slog.Logger) {
	tlsConn := tls.Server(c, &tls.Config{
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"http/1.1"},
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			// A client names the CONNECT host again in SNI; a different name
			// would be a request for a host that was never allowed.
			if sni := strings.ToLower(hello.ServerName); sni != "" && sni != host {
				return nil, fmt.Errorf("TLS server name %q differs from the CONNECT host %q", truncate(sni, 80), host)
			}
			return h.CA.Leaf(host)
		},
	})
	hsCtx, cancel := context.WithTimeout(ctx, handshakeTimeout)
	err := tlsConn.HandshakeContext(hsCtx)
	cancel()
	if err != nil {
		log.Info("proxy TLS handshake", "err", err)
		tlsConn.Close()
		return
	}

	l := newOneConnListener(tlsConn)
	var hijacked atomic.Bool
	srv := &http.Server{
		Handler:           h.tunnelHandler(host),
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(h.Logger.Handler(), slog.LevelInfo),
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateHijacked {
				hijacked.Store(true)
			}
			if st == http.StateClosed || st == http.StateHijacked {
				l.Close()
			}
		},
	}
	if !h.track(srv) {
		tlsConn.Close()
		return
	}
	defer h.untrack(srv)
	// Serve handles the one connection (keep-alive, so several requests), and
	// returns once the connection is gone and the listener closed.
	_ = srv.Serve(l)
	// Serve returns without touching the connection when CloseTunnels came
	// first; close it unless Next took it over.
	if !hijacked.Load() {
		tlsConn.Close()
	}
}

// tunnelHandler serves Next for the requests of one tunnel, after checking
// that they are for the tunnel's host: r.Host is the tunnel host (as the
// client wrote it, which is what SigV4 signed) and r.TLS is set.
func (h *Handler) tunnelHandler(host string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch got := strings.ToLower(strings.TrimSuffix(r.Host, ":443")); got {
		case "":
			r.Host = host
		case host:
		default:
			http.Error(w, fmt.Sprintf("proxy: request for %s inside a tunnel to %s", truncate(got, 80), host), http.StatusMisdirectedRequest)
			return
		}
		if !h.enter() {
			w.Header().Set("Connection", "close")
			http.Error(w, "proxy: shutting down", http.StatusServiceUnavailable)
			return
		}
		defer h.inflight.Done()
		h.Next.ServeHTTP(w, r)
	})
}

// awsHost reports whether a CONNECT to host (lower case, without the
// port) is served: the AWS host names under amazonaws.com (oidc.<region>,
// portal.sso.<region>, sts.<region>, sts), and the sign-in and console hosts
// of console sign-in (signin.aws.amazon.com, <region>.console.aws.amazon.com
// and the other partitions').
func awsHost(host string) bool {
	if strings.HasSuffix(host, ".amazonaws.com") {
		return true
	}
	for _, d := range []string{"aws.amazon.com", "amazonaws.cn", "amazonaws-us-gov.com"} {
		for _, svc := range []string{"signin." + d, "console." + d} {
			if host == svc || strings.HasSuffix(host, "."+svc) {
				return true
			}
		}
	}
	return false
}

// refuse answers a CONNECT that will not be served.
func refuse(w http.ResponseWriter, err error) {
	status := http.StatusForbidden
	if errors.Is(err, errMalformedTarget) {
		status = http.StatusBadRequest
	}
	w.Header().Set("Connection", "close")
	http.Error(w, "proxy: "+err.Error(), status)
}

// errMalformedTarget marks a CONNECT target that is not host:port.
var errMalformedTarget = errors.New("malformed CONNECT target")

// connectTarget checks the authority of a CONNECT request (RFC 9110 §9.3.6:
// host:port) and returns the host, lower case. Only port 443 and DNS names
// are served: the APIs are HTTPS, and tools reach them by name.
func connectTarget(authority string) (string, error) {
	hostPart, port, err := net.SplitHostPort(authority)
	if err != nil {
		return "", fmt.Errorf("%w %q: want host:443", errMalformedTarget, truncate(authority, 80))
	}
	host := strings.ToLower(hostPart)
	if !validDNSName(host) {
		if net.ParseIP(host) != nil {
			return "", fmt.Errorf("CONNECT to an IP address (%s) refused: tunnels are served only for AWS host names", truncate(host, 80))
		}
		return "", fmt.Errorf("%w: %q is not a DNS name", errMalformedTarget, truncate(hostPart, 80))
	}
	if port != "443" {
		return "", fmt.Errorf("CONNECT to %s port %s refused: tunnels are served only on port 443", host, truncate(port, 20))
	}
	return host, nil
}

// validDNSName reports whether s is a lower-case DNS host name
// (RFC 1123 §2.1: letters, digits and inner hyphens, labels of 1 to 63
// octets, at most 253 in all), with at least one letter in its last label so
// that IPv4 addresses are not names.
func validDNSName(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	for _, l := range labels {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return strings.ContainsFunc(labels[len(labels)-1], func(r rune) bool { return r >= 'a' && r <= 'z' })
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// bufferedConn is a hijacked connection whose first bytes may already sit in
// the server's read buffer.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// oneConnListener hands out one connection, then blocks until closed, so
// that an http.Server can serve a single tunnel with its usual keep-alive,
// timeouts and header parsing.
type oneConnListener struct {
	mu    sync.Mutex
	conn  net.Conn
	addr  net.Addr
	done  chan struct{}
	close sync.Once
}

func newOneConnListener(c net.Conn) *oneConnListener {
	return &oneConnListener{conn: c, addr: c.LocalAddr(), done: make(chan struct{})}
}

func (l *oneConnListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	c := l.conn
	l.conn = nil
	l.mu.Unlock()
	if c != nil {
		return c, nil
	}
	<-l.done
	return nil, net.ErrClosed
}

func (l *oneConnListener) Close() error {
	l.close.Do(func() { close(l.done) })
	return nil
}

func (l *oneConnListener) Addr() net.Addr { return l.addr }
