package creds

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/ssocli/ssocli/internal/authflow"
	"github.com/ssocli/ssocli/internal/ssocache"
	"github.com/ssocli/ssocli/internal/usererr"
)

// expiredSessionMsg is the AWS CLI's message for a session that can no longer
// give role credentials (spec §4, §5).
const expiredSessionMsg = "The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile."

// ErrLoginRequired is in the chain of every error that a new login would
// cure: no token, an expired or revoked session, a failed refresh.
var ErrLoginRequired = errors.New("login required")

// loginRequired wraps err (which may be nil) with ErrLoginRequired.
func loginRequired(err error) error {
	if err == nil {
		return ErrLoginRequired
	}
	return fmt.Errorf("%w: %w", ErrLoginRequired, err)
}

// errSessionExpired reports an expired, revoked or missing session.
func (t *Target) errSessionExpired(err error) error {
	return usererr.Wrap(usererr.CodeOther, expiredSessionMsg, loginRequired(err)).WithHint(t.LoginHint())
}

func lockName(prefix, file string) string {
	return prefix + "-" + strings.TrimSuffix(file, ".json")
}

// readToken loads the cached token with the AWS CLI's loader messages (spec §3.2).
func (m *Manager) readToken(t *Target) (*ssocache.Token, error) {
	path := t.tokenPath(m.Home)
	tok, err := ssocache.ReadToken(path)
	if err == nil {
		return tok, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, usererr.Wrap(usererr.CodeOther, fmt.Sprintf("Error loading SSO Token: Token for %s does not exist", t.name()), loginRequired(err)).WithHint(t.LoginHint())
	}
	var ce *ssocache.CorruptError
	if errors.As(err, &ce) {
		// The AWS CLI prints only a KeyError here; we name the file and the fix.
		return nil, usererr.Wrap(usererr.CodeOther, fmt.Sprintf("Error loading SSO Token: Token for %s is invalid (the cache file %s cannot be read as a token)", t.StartURL, path), loginRequired(err)).WithHint(t.LoginHint())
	}
	return nil, usererr.Wrap(usererr.CodeOther, fmt.Sprintf("Error loading SSO Token: %v", err), err)
}

// AccessToken returns a usable access token for the target, refreshing it
// first when it has less than RefreshWindow left (sso-session profiles only,
// spec §4). Legacy tokens are never refreshed, and an expired one is refused
// without a network call (AWS CLI ≥ 2.25.3).
func (m *Manager) AccessToken(ctx context.Context, t *Target) (string, error) {
	tok, err := m.readToken(t)
	if err != nil {
		return "", err
	}
	now := m.now()
	if t.Legacy() {
		if !tok.ExpiresAt.After(now) {
			return "", t.errSessionExpired(nil)
		}
		return tok.AccessToken, nil
	}
	if tok.ExpiresAt.Sub(now) >= RefreshWindow {
		return tok.AccessToken, nil
	}
	if !refreshable(tok, now) {
		m.log().Debug("token cannot be refreshed", "session", t.name())
		return usable(t, tok, now)
	}
	file := ssocache.TokenFileName(t.SessionName, t.StartURL)
	unlock, err := ssocache.Lock(ctx, m.Home, lockName("session", file), m.log().Debug)
	if err != nil {
		return "", fmt.Errorf("lock session %s: %w", t.name(), err)
	}
	defer unlock()
	// Another process may have refreshed while we waited.
	if fresh, err := m.readToken(t); err == nil {
		tok = fresh
	}
	now = m.now()
	if tok.ExpiresAt.Sub(now) >= RefreshWindow {
		return tok.AccessToken, nil
	}
	if !refreshable(tok, now) {
		return usable(t, tok, now)
	}
	nt, err := m.refresh(ctx, t, tok)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		// The AWS CLI swallows a failed refresh and goes on with the old token
		// while it lasts (spec §4 "On failure"). Once it has expired, an
		// answer of the service (botocore's ClientError) asks for a login,
		// but an endpoint that could not be reached or read is named, as
		// botocore lets that error through: a login would not cure it.
		m.log().Debug("token refresh failed", "session", t.name(), "error", err)
		if u := usererr.As(err); u != nil && u.Code != usererr.CodeService && !tok.ExpiresAt.After(now) {
			if u.Hint == "" {
				u = u.WithHint("check the network and the endpoint (AWS_ENDPOINT_URL, HTTPS_PROXY); the session may still be valid")
			}
			return "", u
		}
		return usable(t, tok, now)
	}
	return nt.AccessToken, nil
}

func refreshable(tok *ssocache.Token, now time.Time) bool {
	return tok.RefreshToken != "" && tok.ClientID != "" && tok.ClientSecret != "" &&
		!tok.RegistrationExpiresAt.IsZero() && tok.RegistrationExpiresAt.After(now)
}

func usable(t *Target, tok *ssocache.Token, now time.Time) (string, error) {
	if tok.ExpiresAt.After(now) {
		return tok.AccessToken, nil
	}
	return "", usererr.Wrap(usererr.CodeOther, "Error when retrieving token from sso: Token has expired and refresh failed", ErrLoginRequired).WithHint(t.LoginHint())
}

// refresh runs the refresh_token grant and writes the new token back, keeping
// the old refresh token when the server returns none. The caller holds the
// session lock.
func (m *Manager) refresh(ctx context.Context, t *Target, tok *ssocache.Token) (*ssocache.Token, error) {
	// The server rotates the refresh token: a new token that cannot be saved
	// would end the session, so do not spend the old one then.
	if err := ssocache.CanWrite(t.tokenPath(m.Home)); err != nil {
		m.warn("The IAM Identity Center token was not refreshed, because its cache file cannot be written: %v. Fix the cache directory (owner, permissions), then the next command refreshes it.", err)
		return nil, err
	}
	api, err := m.OIDCClient(t)
	if err != nil {
		return nil, err
	}
	out, err := authflow.Refresh(ctx, api, authflow.Client{ID: tok.ClientID, Secret: tok.ClientSecret}, tok.RefreshToken)
	if err != nil {
		return nil, usererr.FromAPI(err)
	}
	nt := *tok
	nt.StartURL = t.StartURL
	nt.Region = t.Region
	nt.AccessToken = out.AccessToken
	nt.ExpiresAt = m.now().Add(out.ExpiresIn).Truncate(time.Second)
	if out.RefreshToken != "" {
		nt.RefreshToken = out.RefreshToken
	}
	if err := ssocache.WriteToken(t.tokenPath(m.Home), &nt); err != nil {
		// The server has already rotated the refresh token: the new token is
		// the only good one, so this command goes on with it, and the user
		// learns that the cache needs fixing before the next command.
		m.warn("Could not save the refreshed IAM Identity Center token: %v. This command goes on with it, but the next one will need a new login: fix the cache directory, then %s", err, t.LoginHint())
	}
	m.log().Debug("token refreshed", "session", t.name(), "expires", nt.ExpiresAt)
	return &nt, nil
}

func rolePath(home string, t *Target) string {
	return ssocache.RoleCredsPath(home, t.AccountID, t.RoleName, t.SessionName, t.StartURL)
}
