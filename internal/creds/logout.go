package creds

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sso"

	"github.com/ssocli/ssocli/internal/ssocache"
	"github.com/ssocli/ssocli/internal/usererr"
)

// LogoutOptions narrows a logout.
type LogoutOptions struct {
	// Sessions, when not empty, limits the logout to these targets' sessions
	// (aws-cli#10258); their role credentials in ~/.aws/cli/cache go too.
	// Empty means every cached session, as `aws sso logout` does.
	Sessions []*Target
	// PortalEndpoint overrides the portal endpoint for every Logout call.
	PortalEndpoint string
	// UseFIPS and UseDualStack choose the portal's FIPS and dual-stack
	// endpoints, as for every other call (Target.UseFIPS).
	UseFIPS, UseDualStack bool
}

// LogoutResult tells what a logout did.
type LogoutResult struct {
	Sessions int      // token files removed
	Roles    int      // role credential files removed
	Failed   []string // start URLs whose server-side revocation failed, each once
}

// Logout revokes and deletes cached tokens and deletes the role credentials
// made from them (spec §6). It reads the files as the AWS CLI does: a file of
// ~/.aws/sso/cache with an accessToken is a token (revoked when it also has a
// region, then deleted), any other is kept; a file of ~/.aws/cli/cache goes
// when its ProviderType is "sso".
//
// Unlike the AWS CLI, a server that cannot be reached does not stop it: every
// local file is still deleted, so nothing on this machine can use the session
// any more, and the error returned afterwards names the sessions the server
// could not be told about and until when it accepts their tokens.
func (m *Manager) Logout(ctx context.Context, o LogoutOptions) (*LogoutResult, error) {
	res := &LogoutResult{}
	ssoDir := ssocache.SSODir(m.Home)
	var only, roleFiles []string
	for _, t := range o.Sessions {
		only = append(only, ssocache.TokenFileName(t.SessionName, t.StartURL))
		if t.AccountID != "" && t.RoleName != "" {
			roleFiles = append(roleFiles, filepath.Base(rolePath(m.Home, t)))
		}
	}
	var failed []revokeFailure
	entries, err := os.ReadDir(ssoDir)
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("read %s: %w", ssoDir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".json") || (len(o.Sessions) > 0 && !slices.Contains(only, name)) {
			continue
		}
		path := filepath.Join(ssoDir, name)
		accessToken, region, err := ssocache.ReadLogoutInfo(path)
		if err != nil {
			m.log().Debug("logout skips an unreadable cache file", "file", path, "error", err)
			continue
		}
		if accessToken == "" {
			continue // a client registration: kept, as the AWS CLI keeps it
		}
		if region != "" {
			if err := m.revoke(ctx, accessToken, region, o); err != nil {
				if ctx.Err() != nil {
					return res, ctx.Err()
				}
				m.log().Debug("logout call failed", "file", path, "error", err)
				failed = append(failed, m.revokeFailure(path, err))
			}
		}
		if err := ssocache.Remove(path); err != nil {
			return res, fmt.Errorf("remove token cache %s: %w", path, err)
		}
		res.Sessions++
	}
	cliDir := ssocache.CLIDir(m.Home)
	entries, err = os.ReadDir(cliDir)
	if err != nil && !os.IsNotExist(err) {
		return res, fmt.Errorf("read %s: %w", cliDir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".json") || (len(o.Sessions) > 0 && !slices.Contains(roleFiles, name)) {
			continue
		}
		path := filepath.Join(cliDir, name)
		if pt, err := ssocache.ReadProviderType(path); err != nil || pt != ssocache.ProviderTypeSSO {
			continue // assume-role and other providers share the directory
		}
		if err := ssocache.Remove(path); err != nil {
			return res, fmt.Errorf("remove role credential cache %s: %w", path, err)
		}
		res.Roles++
	}
	if len(failed) > 0 {
		return res, m.logoutError(res, failed)
	}
	return res, nil
}

// revokeFailure is a token the server could not be told about.
type revokeFailure struct {
	startURL  string
	expiresAt time.Time // zero when the file does not say
	err       error
}

// revokeFailure reads, for the message only, what the token file says about
// the token whose revocation failed; logout itself needs none of it.
func (m *Manager) revokeFailure(path string, err error) revokeFailure {
	f := revokeFailure{err: err}
	if tok, rerr := ssocache.ReadToken(path); rerr == nil {
		f.startURL, f.expiresAt = tok.StartURL, tok.ExpiresAt
	}
	if f.startURL == "" {
		f.startURL = filepath.Base(path)
	}
	return f
}

// logoutError says what a logout that could not reach the server did and did
// not do. A start URL with two token files (an sso-session and a legacy login)
// is named once, with the later expiry.
func (m *Manager) logoutError(res *LogoutResult, failed []revokeFailure) error {
	expires := map[string]time.Time{}
	for _, f := range failed {
		if _, seen := expires[f.startURL]; !seen {
			res.Failed = append(res.Failed, f.startURL)
		}
		if f.expiresAt.After(expires[f.startURL]) {
			expires[f.startURL] = f.expiresAt
		}
	}
	var names []string
	for _, u := range res.Failed {
		switch e := expires[u]; {
		case e.IsZero():
			names = append(names, u)
		case e.After(m.now()):
			names = append(names, fmt.Sprintf("%s (its access token is valid until %s)", u, e.Format(time.RFC3339)))
		default:
			names = append(names, u+" (its access token has expired already)")
		}
	}
	msg := fmt.Sprintf("Could not revoke the session on the server for: %s. %v\n"+
		"The local cache files were deleted, so nothing on this machine can use the session any more; the server accepts the access token until it expires.",
		strings.Join(names, ", "), usererr.FromAPI(failed[0].err))
	return usererr.Wrap(usererr.CodeOther, msg, failed[0].err)
}

// revoke calls the portal's Logout. A service error is ignored, as the AWS
// CLI ignores it (the token is already invalid); only a failure to reach the
// server counts.
func (m *Manager) revoke(ctx context.Context, accessToken, region string, o LogoutOptions) error {
	api, err := m.PortalClient(&Target{Region: region, PortalEndpoint: o.PortalEndpoint, UseFIPS: o.UseFIPS, UseDualStack: o.UseDualStack})
	if err != nil {
		return err
	}
	_, err = api.Logout(ctx, &sso.LogoutInput{AccessToken: &accessToken})
	if err != nil && usererr.APICode(err) != "" {
		return nil
	}
	return err
}
