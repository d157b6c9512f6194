package cli

import (
	"context"
	"time"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/creds"
)

// loginConnectTimeout is botocore's DEFAULT_TIMEOUT: what --cli-connect-timeout
// is when not given.
const loginConnectTimeout = 60 * time.Second

// loginResolveTimeout is how long `sso login` waits for a vanity start URL
// (sso/login.py passes parsed_globals.connect_timeout to resolve_start_url):
// the connect timeout, which is 60 s unless --cli-connect-timeout says
// otherwise, and resolve.py's own 10 s when it is 0 (which globalargs.py
// turns into None, "no timeout" for botocore).
func loginResolveTimeout(connect optSeconds) time.Duration {
	switch {
	case !connect.Set:
		return loginConnectTimeout
	case connect.Seconds <= 0:
		return creds.DefaultResolveTimeout
	}
	return time.Duration(connect.Seconds) * time.Second
}

// resolveStartURL resolves a start URL with the HTTP client of every AWS
// call (proxies, CA bundle), as resolve.py does (creds.ResolveStartURL).
func (d *deps) resolveStartURL(ctx context.Context, startURL, configuredRegion string, timeout time.Duration) (creds.ResolvedStartURL, error) {
	hc, err := d.HTTPClient()
	if err != nil {
		return creds.ResolvedStartURL{}, err
	}
	r, err := creds.ResolveStartURL(ctx, startURL, creds.ResolveOptions{HTTPClient: hc, ConfiguredRegion: configuredRegion, Timeout: timeout})
	if err == nil && r.Vanity(startURL) {
		d.debugf("start URL %s resolved to %s (region %s)", startURL, r.URL, r.Region)
	}
	return r, err
}

// writeSSORegion sets sso_region to region where the login found the start
// URL (sso/login.py _write_sso_region): the [sso-session] section, or for a
// legacy profile the profile's section. The AWS CLI writes a legacy default
// profile's region into "[profile default]" even when the profile is
// "[default]"; botocore then reads only the later of the two sections, so the
// profile it wrote loses its other keys. ssocli writes into the section the
// profile has: [default], or [profile default] when only that one exists.
func (d *deps) writeSSORegion(ctx context.Context, p *awsconfig.SSOProfile, profile, region string) error {
	section := awsconfig.SSOSessionSection(p.SessionName)
	if p.SessionName == "" {
		if profile == "" {
			profile = "default"
		}
		section = awsconfig.ProfileSection(profile)
	}
	return d.editConfig(ctx, func(doc *awsconfig.Document) error {
		if profile == "default" && !doc.HasSection("default") && doc.HasSection("profile default") {
			section = "profile default"
		}
		return doc.Update(section, []awsconfig.KeyValue{{Key: "sso_region", Value: region}})
	})
}
