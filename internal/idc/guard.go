package idc

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// guard refuses what a web page could make a browser send: a request for a
// host name this server does not serve (DNS rebinding: a page on
// rebind.evil.example whose name now points at 127.0.0.1 would otherwise
// drive the whole device flow of an --auto-approve server and read the
// token), and a cross-site POST to the APIs, which are for SDKs and tools
// (a "simple" text/plain POST needs no CORS preflight). CONNECT goes to the
// proxy, which checks its target itself; the requests inside a tunnel are
// for the tunnel's AWS host and do not pass here.
func (s *Server) guard(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodConnect {
			next.ServeHTTP(w, r)
			return
		}
		if !s.servesHost(r.Host) {
			// %.80q: a hostile Host is cut short in the log and the answer.
			s.cfg.Logger.Info("refused a request for another host", "host", fmt.Sprintf("%.80q", r.Host), "path", r.URL.Path)
			http.Error(w, fmt.Sprintf("this server does not answer for the host %.80q: it serves localhost, loopback addresses, its listen address and the host of --public-url; to reach it under another name, start it with --public-url http://NAME:PORT", r.Host), http.StatusMisdirectedRequest)
			return
		}
		if _, api := operation(r); api && r.Method == http.MethodPost {
			if err := cop.Check(r); err != nil {
				s.cfg.Logger.Info("refused a cross-origin API request", "path", r.URL.Path, "origin", fmt.Sprintf("%.80q", r.Header.Get("Origin")))
				http.Error(w, "cross-origin request refused: the APIs of this server are for SDKs and command-line tools, not for web pages", http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// servesHost reports whether hostport (a request's Host) names this server:
// an empty Host (HTTP/1.0), localhost and *.localhost (which browsers
// resolve to loopback themselves, RFC 6761 §6.3), a loopback address, the
// listen address (any IP address when listening on all of them: an IP
// literal cannot be rebound), or the host of the public URL.
func (s *Server) servesHost(hostport string) bool {
	if hostport == "" {
		return true
	}
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if ip := net.ParseIP(host); ip != nil {
		if ip.IsLoopback() {
			return true
		}
		listen := s.listenIP
		if listen != nil && (listen.IsUnspecified() || listen.Equal(ip)) {
			return true
		}
	}
	return host != "" && host == s.publicHost
}

// hostOf returns the lower-case host name of a URL, or "".
func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
}
