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
func (h *Handler) refreshGrant(c store.Client, req tokenRequest) (tokenResponse, error) {
	if req.RefreshToken == "" {
		return tokenResponse{}, perr("InvalidRequest", "refreshToken is required")
	}
	now := h.Now()
	cur, err := h.Store.GetRefreshToken(req.RefreshToken)
	if errors.Is(err, store.ErrNotFound) {
		return tokenResponse{}, perr("InvalidGrant", "invalid refresh token")
	}
	if err != nil {
		return tokenResponse{}, err
	}
	if cur.ClientID != c.ID {
		return tokenResponse{}, perr("InvalidGrant", "the refresh token was issued to another client")
	}
	s, err := h.Store.GetSession(cur.SessionID)
	if err != nil || s.Revoked {
		return tokenResponse{}, perr("InvalidGrant", "the session was revoked; sign in again")
	}
	if !now.Before(s.ExpiresAt) {
		return tokenResponse{}, perr("InvalidGrant", "the session has expired; sign in again")
	}
	if cur.Used {
		return h.reusedRefresh(cur, now)
	}
	// The new tokens are stored with the old one marked rotated, in one
	// write: a client racing this one, answered with them, can use them at
	// once, and a loser of the race stores nothing.
	next, at, nextRT, exp := h.newTokens(s, now)
	errRaced := errors.New("rotated meanwhile")
	rt, err := h.Store.RotateRefreshToken(req.RefreshToken, at, nextRT, func(t store.RefreshToken) (store.RefreshToken, error) {
		if t.Used {
			return t, errRaced
		}
		t.Used, t.RotatedAt = true, now
		t.NextAccessToken, t.NextRefreshToken, t.NextExpiresAt = next.AccessToken, next.RefreshToken, exp
		return t, nil
	})
	if errors.Is(err, errRaced) {
		return h.reusedRefresh(rt, now)
	}
	if err != nil {
		return tokenResponse{}, err
	}
	return next, nil
}

// reusedRefresh answers a refresh with the rotated-out token t: the tokens t
// was rotated into, when that happened within RefreshGrace and they are
// still the newest; else it revokes the session.
func (h *Handler) reusedRefresh(t store.RefreshToken, now time.Time) (tokenResponse, error) {
	if grace := or(h.RefreshGrace, DefaultRefreshGrace); h.RefreshGrace >= 0 && t.NextRefreshToken != "" && now.Before(t.RotatedAt.Add(grace)) {
		// Only the token rotated out last (the one the racing clients
		// hold): once its successor was used in turn, t is two
		// generations old and its use is a replay.
		if succ, err := h.Store.GetRefreshToken(t.NextRefreshToken); err == nil && !succ.Used && now.Before(t.NextExpiresAt) {
			h.Logger.Info("refresh token used again within the grace window; answered with the tokens it was rotated into", "client_id", t.ClientID)
			return tokenResponse{AccessToken: t.NextAccessToken, TokenType: "Bearer", RefreshToken: t.NextRefreshToken,
				ExpiresIn: int(t.NextExpiresAt.Sub(now).Round(time.Second) / time.Second)}, nil
		}
	}
	if err := h.Store.RevokeSession(t.SessionID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return tokenResponse{}, fmt.Errorf("revoke session: %w", err)
	}
	h.Logger.Warn("refresh token reused; session revoked", "client_id", t.ClientID)
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

// issue makes an access token (and a refresh token when the scopes allow)
// in session s, and returns them with the access token's expiry. Access
// tokens never outlive their session.
func (h *Handler) issue(s store.Session, now time.Time) (tokenResponse, time.Time, error) {
	resp, at, rt, exp := h.newTokens(s, now)
	if err := h.Store.CreateAccessToken(at); err != nil {
		return tokenResponse{}, time.Time{}, fmt.Errorf("create access token: %w", err)
	}
	if rt.Token != "" {
		if err := h.Store.CreateRefreshToken(rt); err != nil {
			return tokenResponse{}, time.Time{}, fmt.Errorf("create refresh token: %w", err)
		}
	}
	return resp, exp, nil
}

// newTokens makes the tokens issue stores: an access token and, when the
// session's scopes allow refreshing, a refresh token (else rt.Token is "").
func (h *Handler) newTokens(s store.Session, now time.Time) (resp tokenResponse, at store.AccessToken, rt store.RefreshToken, exp time.Time) {
	exp = s.ExpiresAt
	refresh := refreshable(s.Scopes)
	if refresh {
		if t := now.Add(or(h.TokenTTL, DefaultTokenTTL)); t.Before(exp) {
			exp = t
		}
	}
	at = store.AccessToken{Token: "aoa" + newID(96), SessionID: s.ID, ExpiresAt: exp}
	resp = tokenResponse{AccessToken: at.Token, TokenType: "Bearer", ExpiresIn: int(exp.Sub(now).Round(time.Second) / time.Second)}
	if refresh {
		rt = store.RefreshToken{Token: "aor" + newID(96), SessionID: s.ID, ClientID: s.ClientID}
		resp.RefreshToken = rt.Token
	}
	return resp, at, rt, exp
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
