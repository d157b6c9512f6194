package creds

import (
	"time"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/ssocache"
)

// AssumedRoleStatus is a role assumed, through a profile's chain, from the
// role credentials of an IAM Identity Center session, and cached. It holds
// no secret.
type AssumedRoleStatus struct {
	Profile    string // the role's profile
	RoleArn    string
	Expiration time.Time
	// TokenFile is the base name of the session's token cache file.
	TokenFile string
}

// AssumedRoles lists, for every profile of cfg whose chain ends in IAM
// Identity Center role credentials, the roles of the chain that are cached
// in ~/.aws/cli/cache. It reads the configuration and the cache only: no
// call, no prompt, no process run. Profiles whose chain is invalid are left
// out.
func (m *Manager) AssumedRoles(cfg *awsconfig.Config, getenv func(string) string) []AssumedRoleStatus {
	var out []AssumedRoleStatus
	seen := map[string]bool{}
	for _, name := range cfg.ProfileNames() {
		r := &resolver{m: m, o: ChainOptions{Config: cfg, Profile: name, Getenv: getenv}, visited: []string{name}, plan: true}
		n, err := r.assumeRoleTop(name)
		if err != nil || n == nil {
			continue
		}
		bottom := n
		for bottom.source != nil {
			bottom = bottom.source
		}
		if bottom.sso == nil {
			continue
		}
		file := ssocache.TokenFileName(bottom.sso.SessionName, bottom.sso.StartURL)
		for hop := n; hop != nil && hop.cachePath != ""; hop = hop.source {
			if seen[hop.profile] {
				continue
			}
			a, err := ssocache.ReadAssumedRole(hop.cachePath)
			if err != nil {
				continue
			}
			seen[hop.profile] = true
			out = append(out, AssumedRoleStatus{Profile: hop.profile, RoleArn: hop.roleArn, Expiration: a.Expiration, TokenFile: file})
		}
	}
	return out
}
