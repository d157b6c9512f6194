// Package oidc serves the SSO OIDC API of the local IAM Identity Center:
// RegisterClient (POST /client/register), StartDeviceAuthorization (POST
// /device_authorization) and CreateToken (POST /token), with the JSON shapes,
// error codes and HTTP statuses of the real service (spec §9.1), so that
// aws-sdk-go-v2's ssooidc client and the AWS CLI accept it unchanged.
//
// It implements the device authorization grant (RFC 8628), the authorization
// code grant with PKCE (RFC 7636, loopback redirects per RFC 8252) and refresh
// token rotation with reuse detection (RFC 9700 §4.14.2). The web pages where a
// user approves a device or signs in live in internal/idc/signin; this package
// offers them the methods they need (PendingDevice, ResolveDevice,
// CheckAuthorize, IssueCode). It is not a general OpenID Provider: there is no
// discovery document, no ID token and no userinfo endpoint, like the real API.
package oidc

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/ssocli/ssocli/internal/idc/awskeys"
	"github.com/ssocli/ssocli/internal/idc/store"
)

// Defaults of the Handler's durations, and the fixed ones (the polling
// interval told to device clients, the life of client secrets and of
// authorization codes).
const (
	DefaultTokenTTL        = time.Hour
	DefaultSessionTTL      = 8 * time.Hour
	DefaultDeviceCodeTTL   = 10 * time.Minute
	DefaultInterval        = time.Second
	DefaultClientSecretTTL = 90 * 24 * time.Hour
	DefaultCodeTTL         = 5 * time.Minute
	// DefaultRefreshGrace is how long a rotated-out refresh token is
	// answered with the tokens it was rotated into. Amazon Cognito lets
	// this be 0 to 60 s (RefreshTokenRotationType.RetryGracePeriodSeconds);
	// SDK processes sharing a cache refresh within a second or two of each
	// other, even on a loaded machine.
	DefaultRefreshGrace = 30 * time.Second
)

// Grant types (RFC 6749 §4.1, RFC 8628 §3.4, RFC 6749 §6).
const (
	GrantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
)

// Handler serves the OIDC API. Set the fields (Store, Now and Logger are
// required), then Register it; zero durations take the defaults above. It is
// safe for concurrent use.
type Handler struct {
	Store store.Store
	// Sealer makes the access and refresh tokens (required): they carry
	// their session, sealed, so the only record of them is the session's
	// refresh state (tokens.go).
	Sealer *awskeys.Sealer
	// BaseURL is the public base of this server (no trailing slash), for the
	// verification URIs and the authorization endpoint. Empty means the
	// scheme and Host of each request.
	BaseURL string
	Now     func() time.Time
	Logger  *slog.Logger

	// AutoApprove, when not empty, approves every device authorization as
	// this user once AutoApproveDelay has passed since it started, so that
	// the client's first poll is pending, as it would be for a person.
	AutoApprove      string
	AutoApproveDelay time.Duration
	// ApproveWhen, when not nil, must also return true before AutoApprove
	// approves (for tests). It runs inside the store's update and must not
	// call the store.
	ApproveWhen func() bool

	TokenTTL      time.Duration // access tokens that come with a refresh token
	SessionTTL    time.Duration // how long refreshes may go on; also the life of a token without refresh
	DeviceCodeTTL time.Duration
	// RefreshGrace is how long after a refresh token was rotated out a use
	// of it is answered with the tokens it was rotated into (refreshGrant);
	// zero means DefaultRefreshGrace and a negative value none, so that
	// every reuse revokes the session.
	RefreshGrace time.Duration
}

// Register adds the three API routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /client/register", h.serveRegister)
	mux.HandleFunc("POST /device_authorization", h.serveDeviceAuthorization)
	mux.HandleFunc("POST /token", h.serveToken)
}

func or(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Error is an OIDC protocol error: Code is the exception name without the
// "Exception" suffix (e.g. "AuthorizationPending").
type Error struct {
	Code        string
	Description string
	status      int // the HTTP status, when not the code's usual one
}

func (e *Error) Error() string { return e.Code + ": " + e.Description }

// errorKinds maps each error code to its HTTP status and OAuth error string
// (spec §9.1; RFC 6749 §5.2, RFC 8628 §3.5).
var errorKinds = map[string]struct {
	status int
	oauth  string
}{
	"AccessDenied":          {400, "access_denied"},
	"AuthorizationPending":  {400, "authorization_pending"},
	"ExpiredToken":          {400, "expired_token"},
	"InternalServer":        {500, "server_error"},
	"InvalidClient":         {401, "invalid_client"},
	"InvalidClientMetadata": {400, "invalid_client_metadata"},
	"InvalidGrant":          {400, "invalid_grant"},
	"InvalidRedirectUri":    {400, "invalid_redirect_uri"},
	"InvalidRequest":        {400, "invalid_request"},
	"InvalidScope":          {400, "invalid_scope"},
	"SlowDown":              {400, "slow_down"},
	"UnauthorizedClient":    {400, "unauthorized_client"},
	"UnsupportedGrantType":  {400, "unsupported_grant_type"},
}

func perr(code, format string, args ...any) *Error {
	return &Error{Code: code, Description: fmt.Sprintf(format, args...)}
}

// writeError sends e the way the real service does: the code in
// x-amzn-ErrorType (which the SDKs read) and the OAuth form in the body.
func writeError(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = perr("InternalServer", "internal error")
	}
	k, ok := errorKinds[e.Code]
	if !ok {
		k = errorKinds["InternalServer"]
	}
	if e.status != 0 {
		k.status = e.status
	}
	w.Header().Set("x-amzn-ErrorType", e.Code+"Exception")
	writeJSON(w, k.status, map[string]string{"error": k.oauth, "error_description": e.Description})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = 500, []byte(`{"error":"server_error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", newID(16))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// maxBody bounds a request body; the requests of this API are a few
// hundred bytes.
const maxBody = 64 << 10

// decode reads a JSON request body into v. Unknown members are ignored, as
// newer clients send members older servers do not know.
func decode(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return perr("InvalidRequest", "cannot read the request body")
	}
	if len(body) > maxBody {
		e := perr("InvalidRequest", "the request body is too large: this API takes at most %d bytes", maxBody)
		e.status = http.StatusRequestEntityTooLarge
		return e
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return perr("InvalidRequest", "the request body is not valid JSON for this operation")
	}
	return nil
}

// baseURL is where this server is reached from a browser.
func (h *Handler) baseURL(r *http.Request) string {
	if h.BaseURL != "" {
		return strings.TrimRight(h.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// newID returns n random bytes, base64url without padding.
func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// authClient checks clientId and clientSecret; every failure is InvalidClient
// (401), without saying which part was wrong.
func (h *Handler) authClient(id, secret string) (store.Client, error) {
	if id == "" || secret == "" {
		return store.Client{}, perr("InvalidClient", "clientId and clientSecret are required")
	}
	c, err := h.Store.GetClient(id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Client{}, perr("InvalidClient", "invalid client")
	}
	if err != nil {
		return store.Client{}, fmt.Errorf("get client: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
		return store.Client{}, perr("InvalidClient", "invalid client")
	}
	if !h.Now().Before(c.ExpiresAt) {
		return store.Client{}, perr("InvalidClient", "the client secret has expired; register the client again")
	}
	return c, nil
}

func hasGrant(c store.Client, grant string) bool {
	for _, g := range c.GrantTypes {
		if g == grant {
			return true
		}
	}
	return false
}

// allows reports whether client c may use grant. A registration without
// grantTypes (what the AWS CLI's device flow sends, spec §2.2) may use the
// device code and refresh token grants.
func allows(c store.Client, grant string) bool {
	if len(c.GrantTypes) == 0 {
		return grant == GrantDeviceCode || grant == GrantRefreshToken
	}
	return hasGrant(c, grant)
}
