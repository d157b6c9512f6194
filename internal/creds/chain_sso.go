package creds

import (
	"context"
	"errors"

	"github.com/ssocli/ssocli/internal/awsconfig"
)

// sso is botocore's SSOProvider (spec §1.4): a profile with sso_account_id
// or sso_role_name, validated by awsconfig, fetched with the role cache,
// refresh and GetRoleCredentials of RoleCredentials.
func (r *resolver) sso(profile string) (*node, error) {
	p, err := r.o.Config.SSOCredentials(profile, false)
	if errors.Is(err, awsconfig.ErrNotSSO) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	t, err := NewTarget(r.o.Config, p, r.o.Profile, r.o.Getenv)
	if err != nil {
		return nil, err
	}
	return &node{method: "sso", profile: profile, sso: t, fetch: func(ctx context.Context) (*Credentials, error) {
		c, err := r.m.RoleCredentials(ctx, t)
		if err != nil && errors.Is(err, ErrLoginRequired) && r.o.LoginRequired != nil {
			again, lerr := r.o.LoginRequired(ctx, t, p)
			if lerr != nil {
				return nil, lerr
			}
			if again {
				c, err = r.m.RoleCredentials(ctx, t)
			}
		}
		return c, err
	}}, nil
}

// NewTarget turns a validated SSO configuration into a Target. The endpoint
// settings (endpoint_url, services, use_fips_endpoint, use_dualstack_endpoint)
// are those of settingsProfile, the profile the command was given: botocore
// builds every client of the chain from the session's profile, also when the
// SSO profile is a source_profile further down.
func NewTarget(cfg *awsconfig.Config, p *awsconfig.SSOProfile, settingsProfile string, getenv func(string) string) (*Target, error) {
	if err := CheckRegion(p.SSORegion); err != nil {
		return nil, err
	}
	t := &Target{
		Profile:     p.Profile,
		SessionName: p.SessionName,
		StartURL:    p.StartURL,
		Region:      p.SSORegion,
		Scopes:      p.Scopes,
		AccountID:   p.AccountID,
		RoleName:    p.RoleName,
	}
	var err error
	if t.OIDCEndpoint, err = cfg.EndpointURL(settingsProfile, awsconfig.ServiceSSOOIDC, getenv); err != nil {
		return nil, err
	}
	if t.PortalEndpoint, err = cfg.EndpointURL(settingsProfile, awsconfig.ServiceSSO, getenv); err != nil {
		return nil, err
	}
	t.UseFIPS = cfg.UseFIPSEndpoint(settingsProfile, getenv)
	t.UseDualStack = cfg.UseDualStackEndpoint(settingsProfile, getenv)
	return t, nil
}
