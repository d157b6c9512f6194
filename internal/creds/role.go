package creds

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sso"

	"github.com/ssocli/ssocli/internal/ssocache"
	"github.com/ssocli/ssocli/internal/usererr"
)

// stillExpiredMsg is botocore's message for credentials that are expired
// when they arrive.
const stillExpiredMsg = "Credentials were refreshed, but the refreshed credentials are still expired."

// Credentials are role credentials.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
	AccountID       string
	// Method is the provider that gave them, as botocore names it ("sso",
	// "assume-role", "env", …); set by Resolve.
	Method string
}

// CachedRoleCredentials returns the role credentials cached for t when at
// least RoleWindow is left, and nil otherwise. It is the hot path: one file
// read, no lock, no client, no network.
func (m *Manager) CachedRoleCredentials(t *Target) *Credentials {
	rc, err := ssocache.ReadRoleCredentials(rolePath(m.Home, t))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			m.log().Debug("role credential cache unusable", "error", err)
		}
		return nil
	}
	if rc.Expiration.Sub(m.now()) < RoleWindow {
		return nil
	}
	return fromCache(rc, t.AccountID)
}

func fromCache(rc *ssocache.RoleCredentials, account string) *Credentials {
	return &Credentials{AccessKeyID: rc.AccessKeyID, SecretAccessKey: rc.SecretAccessKey, SessionToken: rc.SessionToken, Expiration: rc.Expiration, AccountID: account}
}

// RoleCredentials returns the role credentials of t: from ~/.aws/cli/cache while
// at least RoleWindow is left, else from GetRoleCredentials with the cached
// token (refreshed first when needed). Only one process per role calls AWS: the
// others wait for its lock and then read what it wrote.
func (m *Manager) RoleCredentials(ctx context.Context, t *Target) (*Credentials, error) {
	if c := m.CachedRoleCredentials(t); c != nil {
		return c, nil
	}
	path := rolePath(m.Home, t)
	unlock, err := ssocache.Lock(ctx, m.Home, lockName("role", filepath.Base(path)), m.log().Debug)
	if err != nil {
		return nil, fmt.Errorf("lock role credentials: %w", err)
	}
	defer unlock()
	if c := m.CachedRoleCredentials(t); c != nil {
		return c, nil
	}
	token, err := m.AccessToken(ctx, t)
	if err != nil {
		return nil, err
	}
	api, err := m.PortalClient(t)
	if err != nil {
		return nil, err
	}
	out, err := api.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{
		AccessToken: &token,
		AccountId:   &t.AccountID,
		RoleName:    &t.RoleName,
	})
	if err != nil {
		if usererr.APICode(err) == "UnauthorizedException" {
			return nil, t.errSessionExpired(err)
		}
		return nil, usererr.FromAPI(err)
	}
	c := out.RoleCredentials
	if c == nil || c.AccessKeyId == nil || c.SecretAccessKey == nil {
		return nil, usererr.New(usererr.CodeOther, "GetRoleCredentials returned no credentials")
	}
	rc := &ssocache.RoleCredentials{
		AccessKeyID:     *c.AccessKeyId,
		SecretAccessKey: *c.SecretAccessKey,
		Expiration:      time.UnixMilli(c.Expiration).UTC(),
		AccountID:       t.AccountID,
	}
	if c.SessionToken != nil {
		rc.SessionToken = *c.SessionToken
	}
	if rc.Expiration.Before(m.now()) {
		// botocore's RefreshableCredentials refuses them too (spec §5): an SDK
		// given them would call credential_process again for every request.
		return nil, usererr.New(usererr.CodeOther, stillExpiredMsg).
			WithHint(fmt.Sprintf("the role credentials expired at %s, before they arrived: check this machine's clock, which may be ahead of the service's", rc.Expiration.Format(time.RFC3339)))
	}
	if err := ssocache.WriteRoleCredentials(path, rc); err != nil {
		// The credentials are good even if the cache cannot keep them.
		m.warn("Could not cache the role credentials: %v. They are used for this command and fetched again by the next one.", err)
	}
	return fromCache(rc, t.AccountID), nil
}
