package creds

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

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
}

// LogoutResult tells what a logout did.
type LogoutResult struct {
	Sessions int      // token files removed
	Roles    int      // role credential files removed
	Failed   []string // start URLs whose server-side revocation failed
}

// Logout revokes and deletes cached tokens and deletes the role credentials
// made from them (spec §6). Unlike the AWS CLI, a server that cannot be reached
// does not stop it: every local file is still deleted, and the failures are
// returned as an error after the work is done.
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
	entries, err := os.ReadDir(ssoDir)
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("read %s: %w", ssoDir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(name, ".json") || (len(o.Sessions) > 0 && !slices.Contains(only, name)) {
			continue
		}
		path := filepath.Join(ssoDir, name)
		tok, err := ssocache.ReadToken(path)
		if err != nil {
			continue // registrations and unreadable files stay, as with the AWS CLI
		}
		if tok.Region != "" {
			if err := m.revoke(ctx, tok, o.PortalEndpoint); err != nil {
				m.log().Debug("logout call failed", "startUrl", tok.StartURL, "error", err)
				res.Failed = append(res.Failed, tok.StartURL)
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
		if !e.Type().IsRegular() || !strings.HasSuffix(name, ".json") || (len(o.Sessions) > 0 && !slices.Contains(roleFiles, name)) {
			continue
		}
		path := filepath.Join(cliDir, name)
		if !isSSOProvider(path) {
			continue // assume-role and other providers share the directory
		}
		if err := ssocache.Remove(path); err != nil {
			return res, fmt.Errorf("remove role credential cache %s: %w", path, err)
		}
		res.Roles++
	}
	if len(res.Failed) > 0 {
		return res, usererr.New(usererr.CodeOther, fmt.Sprintf("Could not revoke the session on the server for: %s. The local cache files were deleted.", strings.Join(res.Failed, ", "))).
			WithHint("the tokens expire on their own; check the network or the endpoint and run the logout again to retry")
	}
	return res, nil
}

// revoke calls the portal's Logout. A service error is ignored, as the AWS
// CLI ignores it (the token is already invalid); only a failure to reach the
// server counts.
func (m *Manager) revoke(ctx context.Context, tok *ssocache.Token, endpoint string) error {
	api, err := m.PortalClient(&Target{Region: tok.Region, PortalEndpoint: endpoint})
	if err != nil {
		return err
	}
	_, err = api.Logout(ctx, &sso.LogoutInput{AccessToken: &tok.AccessToken})
	if err != nil && usererr.APICode(err) != "" {
		return nil
	}
	return err
}

func isSSOProvider(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var v struct{ ProviderType string }
	return json.Unmarshal(data, &v) == nil && v.ProviderType == "sso"
}
