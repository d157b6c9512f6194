package oidc

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ssocli/ssocli/internal/idc/store"
)

type tokenRequest struct {
	ClientID     string   `json:"clientId"`
	ClientSecret string   `json:"clientSecret"`
	GrantType    string   `json:"grantType"`
	DeviceCode   string   `json:"deviceCode"`
	Code         string   `json:"code"`
	RefreshToken string   `json:"refreshToken"`
	Scope        []string `json:"scope"`
	RedirectURI  string   `json:"redirectUri"`
	CodeVerifier string   `json:"codeVerifier"`
}

type tokenResponse struct {
	AccessToken  string `json:"accessToken"`
	TokenType    string `json:"tokenType"`
	ExpiresIn    int    `json:"expiresIn"`
	RefreshToken string `json:"refreshToken,omitempty"`
}

func (h *Handler) serveToken(w http.ResponseWriter, r *http.Request) {
	var req tokenRequest
	if err := decode(r, &req); err != nil {
		writeError(w, err)
		return
	}
	op := "CreateToken"
	switch req.GrantType {
	case GrantDeviceCode:
		op += "/device_code"
	case GrantRefreshToken, GrantAuthorizationCode:
		op += "/" + req.GrantType
	}
	resp, err := h.token(req)
	if err != nil {
		var pe *Error
		if errors.As(err, &pe) && (pe.Code == "AuthorizationPending" || pe.Code == "SlowDown") {
			h.Logger.Debug(op, "client_id", req.ClientID, "result", pe.Code)
		} else {
			h.Logger.Info(op+" refused", "client_id", req.ClientID, "error", err)
		}
		writeError(w, err)
		return
	}
	h.Logger.Info(op, "client_id", req.ClientID, "expires_in", resp.ExpiresIn, "refresh", resp.RefreshToken != "")
	writeJSON(w, http.StatusOK, resp)
}

func (h *Handler) token(req tokenRequest) (tokenResponse, error) {
	c, err := h.authClient(req.ClientID, req.ClientSecret)
	if err != nil {
		return tokenResponse{}, err
	}
	switch req.GrantType {
	case GrantDeviceCode, GrantRefreshToken, GrantAuthorizationCode:
	case "":
		return tokenResponse{}, perr("InvalidRequest", "grantType is required")
	default:
		return tokenResponse{}, perr("UnsupportedGrantType", "unsupported grant type %q", req.GrantType)
	}
	if !allows(c, req.GrantType) {
		return tokenResponse{}, perr("UnauthorizedClient", "the client was not registered for the %s grant", req.GrantType)
	}
	switch req.GrantType {
	case GrantDeviceCode:
		return h.deviceGrant(c, req)
	case GrantRefreshToken:
		return h.refreshGrant(c, req)
	default:
		return h.codeGrant(c, req)
	}
}

// tolerableFastPolls is how many polls in a row may come sooner than the
// interval after the one before and still be answered authorization_pending.
// RFC 8628 §3.5 lets a server answer slow_down to a client that polls faster
// than the interval, but the real service's SlowDownException means "more
// than the service can handle": the AWS CLI and ssocli ask again at once
// after showing the code (spec §2.2 step 3), and a slow_down there would add
// 5 s to every device login. One early poll is tolerated; a second in a row
// is hammering and gets slow_down.
const tolerableFastPolls = 1

// deviceGrant answers a device client's poll (RFC 8628 §3.4, §3.5).
func (h *Handler) deviceGrant(c store.Client, req tokenRequest) (tokenResponse, error) {
	if req.DeviceCode == "" {
		return tokenResponse{}, perr("InvalidRequest", "deviceCode is required")
	}
	now := h.Now()
	// The outcome is decided inside the atomic update, and the update is
	// stored whatever it is, so that LastPoll counts every poll.
	var outcome error
	d, err := h.Store.UpdateDeviceAuth(req.DeviceCode, func(d store.DeviceAuth) (store.DeviceAuth, error) {
		switch {
		case d.ClientID != c.ID:
			return d, perr("InvalidGrant", "the device code was issued to another client")
		case d.Exchanged:
			return d, perr("InvalidGrant", "the device code was already used")
		case !now.Before(d.ExpiresAt):
			return d, perr("ExpiredToken", "the device code has expired")
		}
		if d.Status == store.DevicePending && h.AutoApprove != "" && !now.Before(d.CreatedAt.Add(h.AutoApproveDelay)) && (h.ApproveWhen == nil || h.ApproveWhen()) {
			d.Status, d.User = store.DeviceApproved, h.AutoApprove
		}
		if !d.LastPoll.IsZero() && now.Sub(d.LastPoll) < d.Interval {
			d.FastPolls++
		} else {
			d.FastPolls = 0
		}
		d.LastPoll = now
		switch d.Status {
		case store.DeviceDenied:
			outcome = perr("AccessDenied", "the user denied the authorization")
		case store.DeviceApproved:
			d.Exchanged = true
		default:
			if d.FastPolls > tolerableFastPolls {
				outcome = perr("SlowDown", "polling too fast; wait the interval between polls")
			} else {
				outcome = perr("AuthorizationPending", "the user has not approved the request yet")
			}
		}
		return d, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return tokenResponse{}, perr("InvalidGrant", "invalid device code")
	}
	if err != nil {
		return tokenResponse{}, err
	}
	if outcome != nil {
		return tokenResponse{}, outcome
	}
	return h.newSession(c, d.User, d.Scopes, now)
}

// codeGrant redeems an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.6).
// A code is redeemed once: the first redemption claims it, whatever its
// outcome (a wrong verifier burns it). A second one is refused and revokes
// the session the first one started (RFC 6749 §4.1.2: the code was
// intercepted, so the tokens issued for it may be in the wrong hands).
func (h *Handler) codeGrant(c store.Client, req tokenRequest) (tokenResponse, error) {
	switch {
	case req.Code == "":
		return tokenResponse{}, perr("InvalidRequest", "code is required")
	case req.RedirectURI == "":
		return tokenResponse{}, perr("InvalidRequest", "redirectUri is required")
	case req.CodeVerifier == "":
		return tokenResponse{}, perr("InvalidRequest", "codeVerifier is required")
	}
	code, err := h.Store.GetAuthCode(req.Code)
	if errors.Is(err, store.ErrNotFound) {
		return tokenResponse{}, perr("InvalidGrant", "invalid authorization code")
	}
	if err != nil {
		return tokenResponse{}, err
	}
	if code.Used {
		return tokenResponse{}, h.reusedCode(code)
	}
	now := h.Now()
	var refused error
	switch {
	case !now.Before(code.ExpiresAt):
		refused = perr("InvalidGrant", "the authorization code has expired")
	case code.ClientID != c.ID:
		refused = perr("InvalidGrant", "the authorization code was issued to another client")
	case code.RedirectURI != req.RedirectURI:
		refused = perr("InvalidGrant", "redirectUri does not match the authorization request")
	case !pkceMatches(code.CodeChallenge, req.CodeVerifier):
		refused = perr("InvalidGrant", "codeVerifier does not match the code challenge")
	}
	// The session exists before the code names it, so that a redemption
	// racing this one, finding the code claimed, can revoke it.
	var sess store.Session
	if refused == nil {
		sess = store.Session{ID: newID(16), ClientID: c.ID, User: code.User, Scopes: code.Scopes, CreatedAt: now,
			ExpiresAt: now.Add(or(h.SessionTTL, DefaultSessionTTL))}
		if err := h.Store.CreateSession(sess); err != nil {
			return tokenResponse{}, fmt.Errorf("create session: %w", err)
		}
	}
	errRaced := errors.New("claimed meanwhile")
	cur, err := h.Store.UpdateAuthCode(req.Code, func(a store.AuthCode) (store.AuthCode, error) {
		if a.Used {
			return a, errRaced
		}
		a.Used, a.SessionID = true, sess.ID
		// Kept while the session may live, to recognise a late replay.
		if sess.ExpiresAt.After(a.ExpiresAt) {
			a.ExpiresAt = sess.ExpiresAt
		}
		return a, nil
	})
	if errors.Is(err, errRaced) {
		if sess.ID != "" {
			_ = h.Store.RevokeSession(sess.ID)
		}
		return tokenResponse{}, h.reusedCode(cur)
	}
	if err != nil {
		return tokenResponse{}, err
	}
	if refused != nil {
		return tokenResponse{}, refused
	}
	resp, _, err := h.issue(sess, now)
	return resp, err
}

// reusedCode revokes the session the first redemption of code started, and
// returns the refusal of the second.
func (h *Handler) reusedCode(code store.AuthCode) error {
	if code.SessionID != "" {
		if err := h.Store.RevokeSession(code.SessionID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("revoke session: %w", err)
		}
		h.Logger.Warn("authorization code used again; the session of its first use is revoked", "client_id", code.ClientID)
	}
	return perr("InvalidGrant", "the authorization code was already used; the tokens issued for it are revoked")
}

// pkceMatches checks an S256 code verifier (RFC 7636 §4.6).
func pkceMatches(challenge, verifier string) bool {
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}

// refreshGrant rotates a refresh token (RFC 6749 §6). Using a refresh token
// that was already rotated out means it leaked, and the whole session is
// revoked (RFC 9700 §4.14.2), with one exception: within RefreshGrace of the
// rotation, while the token it was rotated into is still unused, the client
// is answered with that same new token. Several processes sharing one cache
// (boto3, the JS SDK: they do not lock across processes) refresh with the
// same token at once, and all but the first would otherwise end the session
// of all of them.
//
// A refresh token carries its session and generation (tokens.go); the
// session keeps the generation of its newest one and what the one before
// was rotated into. So the token rotated out last is the newest one's
// generation minus one, and every older one is a replay. A refresh is one
// write: the session's refresh state.
func (h *Handler) refreshGrant(c store.Client, req tokenRequest) (tokenResponse, error) {
	if req.RefreshToken == "" {
		return tokenResponse{}, perr("InvalidRequest", "refreshToken is required")
	}
	now := h.Now()
	rc, ok := h.openRefresh(req.RefreshToken)
	if !ok {
		return tokenResponse{}, perr("InvalidGrant", "invalid refresh token")
	}
	if rc.ClientID != c.ID {
		return tokenResponse{}, perr("InvalidGrant", "the refresh token was issued to another client")
	}
	s, err := h.Store.GetSession(rc.SessionID)
	if err != nil || s.Revoked {
		return tokenResponse{}, perr("InvalidGrant", "the session was revoked; sign in again")
	}
	if !now.Before(s.ExpiresAt) {
		return tokenResponse{}, perr("InvalidGrant", "the session has expired; sign in again")
	}
	if rc.Gen > s.RefreshGen {
		return tokenResponse{}, perr("InvalidGrant", "invalid refresh token")
	}
	if rc.Gen < s.RefreshGen {
		return h.reusedRefresh(s, rc, now)
	}
	// The new tokens are made before the write and stored as the
	// session's Next ones with it: a client racing this one, answered
	// with them, can use them at once, and a loser of the race writes
	// nothing.
	next, exp, err := h.newTokens(s, rc.Gen+1, now)
	if err != nil {
		return tokenResponse{}, err
	}
	errRaced := errors.New("rotated meanwhile")
	cur, err := h.Store.UpdateSession(s.ID, func(x store.Session) (store.Session, error) {
		if x.Revoked || x.RefreshGen != rc.Gen {
			return x, errRaced
		}
		x.RefreshGen, x.RotatedAt = rc.Gen+1, now
		x.NextAccessToken, x.NextRefreshToken, x.NextExpiresAt = next.AccessToken, next.RefreshToken, exp
		return x, nil
	})
	if errors.Is(err, errRaced) {
		if cur.Revoked {
			return tokenResponse{}, perr("InvalidGrant", "the session was revoked; sign in again")
		}
		return h.reusedRefresh(cur, rc, now)
	}
	if err != nil {
		return tokenResponse{}, err
	}
	return next, nil
}

// reusedRefresh answers a refresh with the rotated-out token rc of session s:
// the tokens rc was rotated into, when that happened within RefreshGrace and
// they are still the newest; else it revokes the session.
func (h *Handler) reusedRefresh(s store.Session, rc refreshClaims, now time.Time) (tokenResponse, error) {
	if grace := or(h.RefreshGrace, DefaultRefreshGrace); h.RefreshGrace >= 0 && s.NextRefreshToken != "" && now.Before(s.RotatedAt.Add(grace)) {
		// Only the token rotated out last (the one the racing clients
		// hold): once its successor was used in turn, rc is two
		// generations old and its use is a replay.
		if rc.Gen+1 == s.RefreshGen && now.Before(s.NextExpiresAt) {
			h.Logger.Info("refresh token used again within the grace window; answered with the tokens it was rotated into", "client_id", rc.ClientID)
			return tokenResponse{AccessToken: s.NextAccessToken, TokenType: "Bearer", RefreshToken: s.NextRefreshToken,
				ExpiresIn: int(s.NextExpiresAt.Sub(now).Round(time.Second) / time.Second)}, nil
		}
	}
	if err := h.Store.RevokeSession(s.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return tokenResponse{}, fmt.Errorf("revoke session: %w", err)
	}
	h.Logger.Warn("refresh token reused; session revoked", "client_id", rc.ClientID)
	return tokenResponse{}, perr("InvalidGrant", "the refresh token was already used; the session is revoked, sign in again")
}

// refreshable reports whether tokens for these scopes come with a refresh
// token: Identity Center gives one (and a 1-hour access token) when the
// client asked for an sso:* scope such as sso:account:access, and a single
// 8-hour token otherwise (the legacy AWS CLI registration has no scopes).
func refreshable(scopes []string) bool {
	return slices.ContainsFunc(scopes, func(s string) bool { return strings.HasPrefix(s, "sso:") })
}

// newSession starts a session for user and issues its first tokens.
func (h *Handler) newSession(c store.Client, user string, scopes []string, now time.Time) (tokenResponse, error) {
	life := or(h.SessionTTL, DefaultSessionTTL)
	s := store.Session{ID: newID(16), ClientID: c.ID, User: user, Scopes: scopes, CreatedAt: now, ExpiresAt: now.Add(life)}
	if err := h.Store.CreateSession(s); err != nil {
		return tokenResponse{}, fmt.Errorf("create session: %w", err)
	}
	resp, _, err := h.issue(s, now)
	return resp, err
}

// issue makes the first tokens of session s: an access token, and a
// refresh token of generation 0 when the scopes allow. Nothing is written:
// the session is their record.
func (h *Handler) issue(s store.Session, now time.Time) (tokenResponse, time.Time, error) {
	return h.newTokens(s, 0, now)
}

// newTokens makes an access token and, when the session's scopes allow
// refreshing, a refresh token of generation gen, and returns them with the
// access token's expiry. Access tokens never outlive their session.
func (h *Handler) newTokens(s store.Session, gen uint64, now time.Time) (tokenResponse, time.Time, error) {
	exp := s.ExpiresAt
	refresh := refreshable(s.Scopes)
	if refresh {
		if t := now.Add(or(h.TokenTTL, DefaultTokenTTL)); t.Before(exp) {
			exp = t
		}
	}
	at, err := h.Sealer.SealToken(accessPrefix, accessPurpose, AccessClaims{SessionID: s.ID, ExpiresAt: exp})
	if err != nil {
		return tokenResponse{}, time.Time{}, fmt.Errorf("make access token: %w", err)
	}
	resp := tokenResponse{AccessToken: at, TokenType: "Bearer", ExpiresIn: int(exp.Sub(now).Round(time.Second) / time.Second)}
	if refresh {
		rt, err := h.Sealer.SealToken(refreshPrefix, refreshPurpose, refreshClaims{SessionID: s.ID, ClientID: s.ClientID, Gen: gen})
		if err != nil {
			return tokenResponse{}, time.Time{}, fmt.Errorf("make refresh token: %w", err)
		}
		resp.RefreshToken = rt
	}
	return resp, exp, nil
}

// AuthorizeRequest holds the parameters of GET /authorize (spec §2.3).
type AuthorizeRequest struct {
	ClientID, RedirectURI, State, CodeChallenge, CodeChallengeMethod string
	Scopes                                                           []string
}

// CheckAuthorize validates an authorization request and returns the client's
// name for the consent page. Its errors are safe to show in a browser.
func (h *Handler) CheckAuthorize(req AuthorizeRequest) (string, error) {
	c, err := h.Store.GetClient(req.ClientID)
	switch {
	case err != nil:
		return "", errors.New("unknown client_id: register the client again")
	case !h.Now().Before(c.ExpiresAt):
		return "", errors.New("the client registration has expired: register the client again")
	case !hasGrant(c, GrantAuthorizationCode):
		return "", errors.New("the client was not registered for the authorization_code grant")
	case !redirectMatches(c.RedirectURIs, req.RedirectURI):
		return "", fmt.Errorf("redirect_uri %q is not registered for this client", req.RedirectURI)
	case req.CodeChallengeMethod != "S256":
		return "", errors.New("code_challenge_method must be S256")
	case len(req.CodeChallenge) != 43:
		return "", errors.New("code_challenge must be a base64url SHA-256 (43 characters)")
	}
	for _, s := range req.Scopes {
		if len(c.Scopes) > 0 && !slices.Contains(c.Scopes, s) {
			return "", fmt.Errorf("scope %q was not registered for this client", s)
		}
	}
	return c.Name, nil
}

// IssueCode issues a single-use authorization code for req, granted by user.
func (h *Handler) IssueCode(req AuthorizeRequest, user string) (string, error) {
	if _, err := h.CheckAuthorize(req); err != nil {
		return "", err
	}
	scopes := req.Scopes
	if len(scopes) == 0 {
		c, _ := h.Store.GetClient(req.ClientID)
		scopes = c.Scopes
	}
	code := store.AuthCode{
		Code: newID(32), ClientID: req.ClientID, RedirectURI: req.RedirectURI,
		CodeChallenge: req.CodeChallenge, CodeChallengeMethod: req.CodeChallengeMethod,
		Scopes: scopes, User: user, ExpiresAt: h.Now().Add(DefaultCodeTTL),
	}
	if err := h.Store.CreateAuthCode(code); err != nil {
		return "", fmt.Errorf("create authorization code: %w", err)
	}
	h.Logger.Info("authorization code issued", "client_id", req.ClientID, "user", user)
	return code.Code, nil
}
