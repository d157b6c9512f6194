// Package portal serves the AWS SSO portal API of the local IAM Identity
// Center (spec §9.2): GetRoleCredentials, ListAccounts, ListAccountRoles and
// Logout, authenticated by the access token in the x-amz-sso_bearer_token
// header, with the real service's JSON shapes, error codes and statuses, so
// that aws-sdk-go-v2's sso client and the AWS CLI accept it unchanged.
//
// It reads who may do what from a directory.Directory and keeps issued role
// credentials in the store, where internal/idc/sts finds them again. It does
// not issue tokens (internal/idc/oidc does).
package portal

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/ssocli/ssocli/internal/idc/awskeys"
	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/oidc"
	"github.com/ssocli/ssocli/internal/idc/store"
)

// DefaultMaxResults is the page size when a List call gives no max_result.
const DefaultMaxResults = 20

// Handler serves the portal API. Set the fields (all but RateLimit are
// required), then Register it.
type Handler struct {
	Store     store.Store
	Directory *directory.Directory
	Now       func() time.Time
	Logger    *slog.Logger
	// Sealer issues the role credentials (required); STS opens them with
	// the same key, so none is stored. It is also the oidc Handler's, whose
	// access tokens it opens.
	Sealer *awskeys.Sealer
	// RateLimit, when positive, is how many portal calls per second the
	// server answers (token bucket, burst of one second's worth); calls over
	// it get TooManyRequestsException, which the SDKs retry with backoff.
	RateLimit float64
	// MaxTTL, when positive, caps the life of issued role credentials
	// (else the permission set's session duration).
	MaxTTL time.Duration

	once    sync.Once
	limiter *rate.Limiter
}

// Register adds the portal routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /federation/credentials", h.wrap("GetRoleCredentials", h.getRoleCredentials))
	mux.HandleFunc("GET /assignment/accounts", h.wrap("ListAccounts", h.listAccounts))
	mux.HandleFunc("GET /assignment/roles", h.wrap("ListAccountRoles", h.listAccountRoles))
	mux.HandleFunc("POST /logout", h.wrap("Logout", h.logout))
}

// Error is a portal API error; Code is the full exception name.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

var (
	errUnauthorized = &Error{401, "UnauthorizedException", "Session token not found or invalid"}
	errForbidden    = &Error{403, "ForbiddenException", "No access"}
	errTooMany      = &Error{429, "TooManyRequestsException", "Too many requests"}
)

func invalidRequest(format string, args ...any) *Error {
	return &Error{400, "InvalidRequestException", fmt.Sprintf(format, args...)}
}

// caller is the authenticated session of a request.
type caller struct {
	user      string
	sessionID string
	token     string
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, c caller) error

// wrap applies the rate limit, authenticates the bearer
// token and renders errors.
func (h *Handler) wrap(op string, fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := h.limit()
		var c caller
		if err == nil {
			c, err = h.authenticate(r)
		}
		if err == nil {
			err = fn(w, r, c)
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				h.Logger.Error(op+" failed", "error", err)
				e = &Error{500, "InternalServerException", "internal error"}
			} else {
				h.Logger.Info(op+" refused", "user", c.user, "code", e.Code, "message", e.Message)
			}
			w.Header().Set("x-amzn-ErrorType", e.Code)
			writeJSON(w, e.Status, map[string]string{"message": e.Message})
		}
	}
}

func (h *Handler) limit() error {
	if h.RateLimit <= 0 {
		return nil
	}
	h.once.Do(func() {
		burst := max(1, int(h.RateLimit))
		h.limiter = rate.NewLimiter(rate.Limit(h.RateLimit), burst)
	})
	if !h.limiter.AllowN(h.Now(), 1) {
		return errTooMany
	}
	return nil
}

// authenticate finds the live session behind the bearer token: unknown,
// expired and revoked tokens are all UnauthorizedException, like AWS.
func (h *Handler) authenticate(r *http.Request) (caller, error) {
	tok := r.Header.Get("x-amz-sso_bearer_token")
	if tok == "" {
		return caller{}, errUnauthorized
	}
	at, ok := oidc.OpenAccessToken(h.Sealer, tok)
	if !ok || !h.Now().Before(at.ExpiresAt) {
		return caller{}, errUnauthorized
	}
	s, err := h.Store.GetSession(at.SessionID)
	if err != nil || s.Revoked {
		return caller{}, errUnauthorized
	}
	return caller{user: s.User, sessionID: s.ID, token: tok}, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = 500, []byte(`{"message":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", randomString(16))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

type roleCredentials struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	SessionToken    string `json:"sessionToken"`
	Expiration      int64  `json:"expiration"`
}

func (h *Handler) getRoleCredentials(w http.ResponseWriter, r *http.Request, c caller) error {
	q := r.URL.Query()
	role, account := q.Get("role_name"), q.Get("account_id")
	if role == "" || account == "" {
		return invalidRequest("role_name and account_id are required")
	}
	if !h.Directory.HasAccess(c.user, account, role) {
		return errForbidden
	}
	ps, _ := h.Directory.PermissionSet(role)
	now := h.Now()
	// Whole seconds, so the epoch-ms value and the ISO time the CLI caches
	// (spec §5) describe the same instant.
	ttl := ps.SessionDuration
	if h.MaxTTL > 0 && h.MaxTTL < ttl {
		ttl = h.MaxTTL
	}
	exp := now.Add(ttl).Truncate(time.Second)
	// Nothing is stored: STS opens the session token (stsState).
	keys, err := h.Sealer.Issue(awskeys.Claims{
		AccountID:     account,
		PermissionSet: role,
		RoleName:      h.Directory.RoleName(account, role),
		RoleID:        h.Directory.RoleID(account, role),
		UserName:      c.user,
		SessionID:     c.sessionID,
		Expiration:    exp,
	})
	if err != nil {
		return fmt.Errorf("issue role credentials: %w", err)
	}
	h.Logger.Info("GetRoleCredentials", "user", c.user, "account_id", account, "role_name", role, "access_key_id", keys.AccessKeyID)
	writeJSON(w, http.StatusOK, map[string]roleCredentials{"roleCredentials": {
		AccessKeyID: keys.AccessKeyID, SecretAccessKey: keys.SecretAccessKey, SessionToken: keys.SessionToken, Expiration: exp.UnixMilli(),
	}})
	return nil
}

// page reads max_result and next_token and returns the slice bounds. The
// token is an opaque encoding of the offset.
func page(r *http.Request, n int) (from, to int, next string, err error) {
	q := r.URL.Query()
	size := DefaultMaxResults
	if s := q.Get("max_result"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 || v > 100 {
			return 0, 0, "", invalidRequest("max_result must be between 1 and 100")
		}
		size = v
	}
	if t := q.Get("next_token"); t != "" {
		b, err := base64.RawURLEncoding.DecodeString(t)
		off, ok := strings.CutPrefix(string(b), "offset:")
		v, cerr := strconv.Atoi(off)
		if err != nil || !ok || cerr != nil || v < 0 || v > n {
			return 0, 0, "", invalidRequest("invalid next_token")
		}
		from = v
	}
	to = min(n, from+size)
	if to < n {
		next = base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(to)))
	}
	return from, to, next, nil
}

type accountInfo struct {
	AccountID    string `json:"accountId"`
	AccountName  string `json:"accountName"`
	EmailAddress string `json:"emailAddress"`
}

func (h *Handler) listAccounts(w http.ResponseWriter, r *http.Request, c caller) error {
	accts := h.Directory.AccountsFor(c.user)
	from, to, next, err := page(r, len(accts))
	if err != nil {
		return err
	}
	list := []accountInfo{}
	for _, a := range accts[from:to] {
		list = append(list, accountInfo{a.ID, a.Name, a.Email})
	}
	writeJSON(w, http.StatusOK, struct {
		AccountList []accountInfo `json:"accountList"`
		NextToken   string        `json:"nextToken,omitempty"`
	}{list, next})
	return nil
}

type roleInfo struct {
	RoleName  string `json:"roleName"`
	AccountID string `json:"accountId"`
}

func (h *Handler) listAccountRoles(w http.ResponseWriter, r *http.Request, c caller) error {
	account := r.URL.Query().Get("account_id")
	if account == "" {
		return invalidRequest("account_id is required")
	}
	roles := h.Directory.RolesFor(c.user, account)
	from, to, next, err := page(r, len(roles))
	if err != nil {
		return err
	}
	list := []roleInfo{}
	for _, name := range roles[from:to] {
		list = append(list, roleInfo{name, account})
	}
	writeJSON(w, http.StatusOK, struct {
		RoleList  []roleInfo `json:"roleList"`
		NextToken string     `json:"nextToken,omitempty"`
	}{list, next})
	return nil
}

// logout ends the session of the token: the token, the session's refresh
// tokens and every role credential issued from it stop working.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request, c caller) error {
	if err := h.Store.RevokeSession(c.sessionID); err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	h.Logger.Info("Logout", "user", c.user)
	w.Header().Set("x-amzn-RequestId", randomString(16))
	w.WriteHeader(http.StatusOK)
	return nil
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}
