package cli

import (
	"fmt"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/usererr"
)

// profileName is the profile the command uses and whether it was named
// explicitly (by --profile or the environment, spec §1.1).
func (d *deps) profileName() (string, bool) {
	return awsconfig.SelectProfile(d.Globals.Profile, d.Env.getenv)
}

// checkProfile loads the configuration and fails as botocore does when a
// profile named explicitly does not exist (spec §1.1).
func (d *deps) checkProfile() error {
	cfg, err := d.Config()
	if err != nil {
		return err
	}
	if name, explicit := d.profileName(); explicit {
		if _, ok := cfg.Profile(name); !ok {
			return usererr.New(usererr.CodeOther, fmt.Sprintf("The config profile (%s) could not be found", name))
		}
	}
	return nil
}

// profileSection returns the selected profile's plain keys, if it exists.
func (d *deps) profileSection() (map[string]string, bool) {
	cfg, err := d.Config()
	if err != nil {
		return nil, false
	}
	name, _ := d.profileName()
	s, ok := cfg.Profile(name)
	if !ok {
		return nil, false
	}
	return s.Values, true
}

// target turns a validated SSO configuration into what internal/creds needs,
// with the endpoint overrides that apply to it (spec §1.1).
func (d *deps) target(p *awsconfig.SSOProfile) (*creds.Target, error) {
	if err := checkRegion(p.SSORegion); err != nil {
		return nil, err
	}
	t := &creds.Target{
		Profile:     p.Profile,
		SessionName: p.SessionName,
		StartURL:    p.StartURL,
		Region:      p.SSORegion,
		Scopes:      p.Scopes,
		AccountID:   p.AccountID,
		RoleName:    p.RoleName,
	}
	cfg, err := d.Config()
	if err != nil {
		return nil, err
	}
	if t.OIDCEndpoint, err = cfg.EndpointURL(p.Profile, awsconfig.ServiceSSOOIDC, d.Env.getenv); err != nil {
		return nil, err
	}
	if t.PortalEndpoint, err = cfg.EndpointURL(p.Profile, awsconfig.ServiceSSO, d.Env.getenv); err != nil {
		return nil, err
	}
	return t, nil
}

// knownTargets lists every SSO profile and sso-session of the configuration,
// for logout and status. Profiles that fail validation are left out.
func (d *deps) knownTargets() []*creds.Target {
	cfg, err := d.Config()
	if err != nil {
		return nil
	}
	var out []*creds.Target
	for _, name := range cfg.ProfileNames() {
		p, err := cfg.SSOCredentials(name, true)
		if err != nil {
			p, err = cfg.SSOLogin(name, "", true)
		}
		if err != nil {
			continue
		}
		if t, err := d.target(p); err == nil {
			out = append(out, t)
		}
	}
	for _, s := range cfg.SSOSessionNames() {
		if p, err := cfg.SSOLogin("", s, false); err == nil {
			if t, err := d.target(p); err == nil {
				out = append(out, t)
			}
		}
	}
	return out
}

// checkRegion refuses a region botocore refuses before it makes a client
// (botocore.utils.validate_region_name: a host label, letters, digits and
// inner hyphens, 1-63 long), with its message. Without it a region such as
// "us east-1" reaches the SDK, whose endpoint resolver says "failed to bind
// endpoint params". Hand-written because its message must be botocore's.
func checkRegion(r string) error {
	ok := len(r) >= 1 && len(r) <= 63 && r[0] != '-' && r[len(r)-1] != '-'
	for i := 0; ok && i < len(r); i++ {
		c := r[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
	}
	if !ok {
		return usererr.New(usererr.CodeOther, fmt.Sprintf("Provided region_name '%s' doesn't match a supported format.", r)).
			WithHint("use a region name such as us-east-1 (in --region, AWS_REGION, the profile's region or sso_region)")
	}
	return nil
}
