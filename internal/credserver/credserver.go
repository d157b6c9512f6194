// Package credserver serves role credentials over the AWS SDKs' container
// credential provider protocol, for `ssocli exec --ecs-server` and
// `ssocli credential-server`: a process given
// AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN
// asks the endpoint for credentials whenever its own have (nearly) expired,
// so it keeps working for as long as the IAM Identity Center session lasts.
//
// The wire format is the one boto3, the AWS SDK for JavaScript v3 and
// aws-sdk-go-v2 read (the SDKs and tools reference guide, "Container
// credential provider"): GET with the token as the whole Authorization
// header; 200 with {"AccessKeyId", "SecretAccessKey", "Token",
// "Expiration" (RFC 3339, UTC), "AccountId"}; an error as a 4xx or 5xx status
// with {"Code", "Message"} (JavaScript reads those names, aws-sdk-go-v2 reads
// code and message case-insensitively, botocore shows the body).
//
// A Server only answers: the credentials come from each profile's Source,
// which does the caching, refreshing and locking (internal/creds). It prints
// nothing; Event tells the caller what a person should know.
package credserver

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/usererr"
)

// Source returns fresh credentials for one profile.
type Source func(ctx context.Context) (*creds.Credentials, error)

// Server answers credential requests. Set the fields, then serve it; it is
// safe for concurrent use.
type Server struct {
	// Token is the bearer token every request must carry (compared in
	// constant time). Required: a Server with no token refuses everything.
	Token string
	// Paths maps a request path ("/" or "/profile/dev") to its profile's
	// name and source.
	Paths map[string]Profile
	// AllowRemote accepts requests whose Host is not a loopback name or
	// address (for --allow-remote over TLS); otherwise such requests, which a
	// DNS-rebinding page could send, get 421.
	AllowRemote bool
	// Logger gets one line per request, never a secret.
	Logger *slog.Logger
	// Event, when set, is told each time a profile's state changes between
	// serving and failing (not for every request), with the error or nil.
	Event func(profile string, err error)

	mu     sync.Mutex
	failed map[string]bool
}

// Profile is one path's profile.
type Profile struct {
	Name   string
	Source Source
}

// NewToken returns a random bearer token (256 bits, URL-safe).
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make a bearer token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Response is the 200 body.
type Response struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	Token           string `json:"Token,omitempty"`
	Expiration      string `json:"Expiration,omitempty"`
	AccountID       string `json:"AccountId,omitempty"`
}

// ErrorBody is the body of every refusal.
type ErrorBody struct {
	Code    string `json:"Code"`
	Message string `json:"Message"`
}

func (s *Server) log() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	log := s.log().With("path", r.URL.Path, "remote", r.RemoteAddr)
	if !s.AllowRemote && !loopbackHost(r.Host) {
		log.Info("refused", "reason", "host is not loopback", "host", truncate(r.Host, 80))
		writeError(w, http.StatusMisdirectedRequest, "InvalidHost", "this credential endpoint answers only requests for 127.0.0.1 or localhost")
		return
	}
	got := r.Header.Get("Authorization")
	switch {
	case got == "":
		log.Info("refused", "reason", "no Authorization header")
		writeError(w, http.StatusUnauthorized, "MissingToken", "the request has no Authorization header: set AWS_CONTAINER_AUTHORIZATION_TOKEN to the token ssocli printed")
		return
	case s.Token == "" || subtle.ConstantTimeCompare([]byte(got), []byte(s.Token)) != 1:
		log.Info("refused", "reason", "wrong token")
		writeError(w, http.StatusForbidden, "InvalidToken", "the Authorization header is not this endpoint's token: set AWS_CONTAINER_AUTHORIZATION_TOKEN to the token ssocli printed")
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "the credential endpoint answers GET only")
		return
	}
	p, ok := s.Paths[r.URL.Path]
	if !ok {
		log.Info("refused", "reason", "unknown path")
		writeError(w, http.StatusNotFound, "UnknownProfile", fmt.Sprintf("no profile is served at %s: the paths are %s", truncate(r.URL.Path, 80), strings.Join(s.paths(), ", ")))
		return
	}
	c, err := p.Source(r.Context())
	s.event(p.Name, err)
	if err != nil {
		code := "CredentialsUnavailable"
		if errors.Is(err, creds.ErrLoginRequired) {
			code = "LoginRequired"
		}
		log.Info("no credentials", "profile", p.Name, "code", code)
		writeError(w, http.StatusInternalServerError, code, Describe(p.Name, err))
		return
	}
	body := Response{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, Token: c.SessionToken, AccountID: c.AccountID}
	if !c.Expiration.IsZero() {
		body.Expiration = c.Expiration.UTC().Format(time.RFC3339)
	}
	log.Info("credentials", "profile", p.Name, "access_key_id", c.AccessKeyID, "expiration", body.Expiration)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(body)
}

// Describe words err for an SDK's error message: the message a person would
// see from ssocli, and its hint.
func Describe(profile string, err error) string {
	if u := usererr.As(usererr.FromAPI(err)); u != nil {
		msg := fmt.Sprintf("profile %s: %s", profile, u.Msg)
		if u.Hint != "" {
			msg += " (" + u.Hint + ")"
		}
		return msg
	}
	return fmt.Sprintf("profile %s: %v", profile, err)
}

// Report records how getting profile's credentials went outside a request
// (a check at start), so that Event hears only of later changes.
func (s *Server) Report(profile string, err error) { s.event(profile, err) }

// event reports a change of p's state.
func (s *Server) event(profile string, err error) {
	if s.Event == nil {
		return
	}
	s.mu.Lock()
	if s.failed == nil {
		s.failed = map[string]bool{}
	}
	changed := s.failed[profile] != (err != nil)
	s.failed[profile] = err != nil
	s.mu.Unlock()
	if changed {
		s.Event(profile, err)
	}
}

func (s *Server) paths() []string {
	out := make([]string, 0, len(s.Paths))
	for p := range s.Paths {
		out = append(out, p)
	}
	return out
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(ErrorBody{Code: code, Message: msg})
}

// loopbackHost reports whether a request's Host names loopback: localhost
// or a loopback address, with any port.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
