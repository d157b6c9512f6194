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
// with the endpoint and FIPS/dual-stack settings that apply to it (spec §1.1):
// those of the profile itself, or of the selected profile when it was named
// by --sso-session alone.
func (d *deps) target(p *awsconfig.SSOProfile) (*creds.Target, error) {
	cfg, err := d.Config()
	if err != nil {
		return nil, err
	}
	settings := p.Profile
	if settings == "" {
		settings, _ = d.profileName()
	}
	return creds.NewTarget(cfg, p, settings, d.Env.getenv)
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

// checkRegion is creds.CheckRegion: botocore's region check and message.
func checkRegion(r string) error { return creds.CheckRegion(r) }
