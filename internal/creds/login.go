package creds

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/ssocli/ssocli/internal/authflow"
	"github.com/ssocli/ssocli/internal/ssocache"
	"github.com/ssocli/ssocli/internal/usererr"
)

// LoginOptions chooses the flow and carries the callbacks that talk to the user.
type LoginOptions struct {
	// PKCE selects the authorization code flow; otherwise the device flow.
	PKCE bool
	// DisplayCode shows the device code (device flow).
	DisplayCode func(authflow.DeviceCode) error
	// OpenURL opens (or prints) the authorize URL (PKCE flow).
	OpenURL func(url string) error
	// Waiting is called with the time left while the flow waits for the user.
	Waiting func(left time.Duration)
	// WaitingForOther is called once when another process is already logging
	// in to the same session and this one waits for it.
	WaitingForOther func()
}

// LoginResult says how the login ended.
type LoginResult struct {
	// Shared is true when another process did the login while this one
	// waited, and its token was taken.
	Shared bool
}

// Login runs a login for the target's session and writes the token (spec §2).
// It holds the session's login lock throughout, so parallel logins for one
// session run one flow: the others wait and then use its token. The session
// lock, which refreshes take, is held only while the result is written, so a
// login waiting for the user never makes a refresh wait. Nothing is written
// unless the login succeeds; an interrupted or declined login leaves the cache
// as it was.
func (m *Manager) Login(ctx context.Context, t *Target, o LoginOptions) (*LoginResult, error) {
	file := ssocache.TokenFileName(t.SessionName, t.StartURL)
	name := lockName("login", file)
	unlock, ok, err := ssocache.TryLock(m.Home, name, m.log().Debug)
	if err != nil {
		return nil, fmt.Errorf("lock login %s: %w", t.name(), err)
	}
	if !ok {
		// What the cache holds now: a fresh token other than this one, found
		// after the wait, was written by the login waited for (or by a
		// refresh meanwhile: a fresh token of this session either way).
		var before string
		if tok, err := ssocache.ReadToken(t.tokenPath(m.Home)); err == nil {
			before = tok.AccessToken
		}
		if o.WaitingForOther != nil {
			o.WaitingForOther()
		}
		if unlock, err = ssocache.Lock(ctx, m.Home, name, m.log().Debug); err != nil {
			return nil, err
		}
		// The other process's login is ours too if it wrote a token while we waited.
		if tok, err := ssocache.ReadToken(t.tokenPath(m.Home)); err == nil && tok.AccessToken != before && tok.ExpiresAt.Sub(m.now()) >= RefreshWindow {
			unlock()
			return &LoginResult{Shared: true}, nil
		}
	}
	defer unlock()

	api, err := m.OIDCClient(t)
	if err != nil {
		return nil, err
	}
	reg, regChanged, err := m.registration(ctx, t, o.PKCE)
	if err != nil {
		return nil, err
	}
	client := authflow.Client{ID: reg.ClientID, Secret: reg.ClientSecret}
	var tok *authflow.Token
	if o.PKCE {
		f := &authflow.PKCEFlow{API: api, Client: client, AuthorizeEndpoint: t.AuthorizeEndpoint(), Scopes: t.Scopes,
			OpenURL: o.OpenURL, Waiting: o.Waiting}
		tok, err = f.Run(ctx)
	} else {
		f := &authflow.DeviceFlow{API: api, Client: client, StartURL: t.issuerURL(),
			DisplayCode: o.DisplayCode, Waiting: o.Waiting, Now: m.Now}
		tok, err = f.Run(ctx)
	}
	if err != nil {
		return nil, flowError(err)
	}
	// A refresh of the old token may be writing now; the new token goes in
	// after it, never under it.
	unlockSession, err := ssocache.Lock(ctx, m.Home, lockName("session", file), m.log().Debug)
	if err != nil {
		return nil, fmt.Errorf("lock session %s: %w", t.name(), err)
	}
	defer unlockSession()
	if regChanged {
		// The token carries the registration (clientId, clientSecret,
		// registrationExpiresAt), which is all a refresh needs: a
		// registration that cannot be kept costs the next login a new
		// RegisterClient, not this login.
		path := m.registrationPath(t)
		if err := ssocache.WriteRegistration(path, reg); err != nil {
			m.warn("The client registration could not be saved: %v. The login goes on (the token carries the registration); the next login registers a new client. To fix it: %s.", err, cacheFixHint(path, err))
		}
	}
	ct := &ssocache.Token{
		StartURL:              t.StartURL,
		Region:                t.Region,
		AccessToken:           tok.AccessToken,
		ExpiresAt:             m.now().Add(tok.ExpiresIn).Truncate(time.Second),
		ClientID:              reg.ClientID,
		ClientSecret:          reg.ClientSecret,
		RegistrationExpiresAt: reg.ExpiresAt,
		RefreshToken:          tok.RefreshToken,
	}
	if err := ssocache.WriteToken(t.tokenPath(m.Home), ct); err != nil {
		return nil, usererr.Wrap(usererr.CodeOther, fmt.Sprintf("The login succeeded, but the token could not be saved: %v", err), err).
			WithHint(cacheFixHint(t.tokenPath(m.Home), err) + ", then log in again")
	}
	return &LoginResult{}, nil
}

func (m *Manager) registrationPath(t *Target) string {
	return ssocache.RegistrationPath(m.Home, t.StartURL, t.Region, t.Scopes, t.SessionName)
}

// registration returns a client registration for the flow: the cached one
// while it has RegistrationWindow left and was made for this flow (spec §2.4),
// else a new one, which the caller writes once the login succeeds.
func (m *Manager) registration(ctx context.Context, t *Target, pkce bool) (*ssocache.Registration, bool, error) {
	path := m.registrationPath(t)
	reg, err := ssocache.ReadRegistration(path)
	switch {
	case err == nil:
		hasCode := slices.Contains(reg.GrantTypes, authflow.GrantAuthorizationCode)
		if reg.ExpiresAt.Sub(m.now()) >= RegistrationWindow && hasCode == pkce && reg.ClientID != "" && reg.ClientSecret != "" {
			return reg, false, nil
		}
	case errors.Is(err, fs.ErrNotExist):
	default:
		m.log().Debug("client registration cache unusable; registering again", "error", err)
	}
	api, err := m.OIDCClient(t)
	if err != nil {
		return nil, false, err
	}
	clientName := "botocore-client-" + t.SessionName
	if t.SessionName == "" {
		clientName = "botocore-client-" + strconv.FormatInt(m.now().Unix(), 10)
	}
	issuer := t.issuerURL()
	out, err := api.RegisterClient(ctx, authflow.RegisterInput(clientName, issuer, t.Scopes, pkce))
	if err != nil {
		return nil, false, usererr.FromAPI(err)
	}
	if out.ClientId == nil || out.ClientSecret == nil {
		return nil, false, errors.New("register client: the response has no client id or secret")
	}
	reg = &ssocache.Registration{
		ClientID:     *out.ClientId,
		ClientSecret: *out.ClientSecret,
		ExpiresAt:    time.Unix(out.ClientSecretExpiresAt, 0).UTC(),
		Scopes:       t.Scopes, // the configured scopes, only when configured (spec §3.3)
	}
	if pkce {
		if len(reg.Scopes) == 0 {
			reg.Scopes = []string{authflow.DefaultScope}
		}
		reg.GrantTypes = []string{authflow.GrantAuthorizationCode, authflow.GrantRefreshToken}
	}
	return reg, true, nil
}

// flowError words the errors of the login flows as the AWS CLI does (spec
// §2.2, §2.3).
func flowError(err error) error {
	var le *authflow.ListenError
	switch {
	case errors.Is(err, authflow.ErrPendingExpired):
		return usererr.Wrap(usererr.CodeOther, "The pending authorization to retrieve an SSO token has expired. The login flow to retrieve an SSO token must be restarted.", err)
	case errors.Is(err, authflow.ErrAuthorizationFailed):
		return usererr.Wrap(usererr.CodeOther, "Error loading authorization code: Failed to retrieve an authorization code.", err)
	case errors.As(err, &le):
		return usererr.Wrap(usererr.CodeOther, fmt.Sprintf("Unable to initialize the OAuth 2.0 authorization callback handler: %v \n You may use --use-device-code to fall back to the device code flow which does not require the callback handler.", le.Err), err)
	}
	return usererr.FromAPI(err)
}

// cacheFixHint names the fix for a cache file that could not be written at
// path, from what stood in the way.
func cacheFixHint(path string, err error) string {
	dir := filepath.Dir(path)
	if fi, serr := os.Lstat(path); serr == nil && fi.IsDir() {
		return fmt.Sprintf("remove the directory %s, which stands where the cache file goes", path)
	}
	switch {
	case errors.Is(err, ssocache.ErrUnsafeSymlink):
		return fmt.Sprintf("remove the symlink %s or point it at a file inside %s (cache symlinks are followed only inside their directory)", path, dir)
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return fmt.Sprintf("free space on the file system of %s", dir)
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return fmt.Sprintf("make %s writable by you (permissions, owner, read-only mount)", dir)
	}
	return fmt.Sprintf("make %s writable (free space, permissions, owner)", dir)
}
