package awsconfig

import (
	"strings"

	"github.com/ssocli/ssocli/internal/usererr"
)

// Service names a service for endpoint overrides: EnvID is the suffix of its
// AWS_ENDPOINT_URL_<EnvID> variable and ConfigKey its key in a [services] section
// (botocore derives both from the service id in snake case).
type Service struct{ EnvID, ConfigKey string }

// The services ssocli talks to.
var (
	ServiceSSOOIDC = Service{EnvID: "SSO_OIDC", ConfigKey: "sso_oidc"}
	ServiceSSO     = Service{EnvID: "SSO", ConfigKey: "sso"}
	ServiceSTS     = Service{EnvID: "STS", ConfigKey: "sts"}
)

// EndpointURL returns the configured endpoint for a service in the given profile,
// or "" for the default AWS endpoint (spec §1.1, AWS CLI ≥2.13): in order
// AWS_ENDPOINT_URL_<SVC>, AWS_ENDPOINT_URL, the <svc> endpoint_url of the
// profile's `services = NAME` section, then the profile's endpoint_url.
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or else the profile's
// ignore_configured_endpoint_urls) set to "true" in any case turns them all off.
//
// A profile naming a [services NAME] section that does not exist (or is empty) is
// botocore's InvalidConfigError, exit 255, raised only when that step is reached.
// A profile that does not exist reads as empty; SelectProfile's explicit check
// belongs to the caller (SSOCredentials or SSOLogin report it).
func (c *Config) EndpointURL(profile string, service Service, getenv func(string) string) (string, error) {
	p, ok := c.get(&c.profiles, profile)
	if !ok {
		p = &Section{}
	}
	if v := getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"); v != "" {
		if strings.EqualFold(v, "true") {
			return "", nil
		}
	} else if v, ok := p.Values["ignore_configured_endpoint_urls"]; ok && strings.EqualFold(v, "true") {
		return "", nil
	}
	if v := getenv("AWS_ENDPOINT_URL_" + service.EnvID); v != "" {
		return v, nil
	}
	if v := getenv("AWS_ENDPOINT_URL"); v != "" {
		return v, nil
	}
	if p.has("services") {
		name := pyRepr(p, "services")
		s, ok := c.get(&c.services, name)
		if !ok || len(s.Keys) == 0 {
			return "", usererr.New(usererr.CodeOther, `The profile is configured to use the services section but the "`+name+`" services configuration does not exist.`)
		}
		if v := s.Sub[service.ConfigKey]["endpoint_url"]; v != "" {
			return v, nil
		}
	}
	return p.Values["endpoint_url"], nil
}
