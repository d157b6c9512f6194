package awsconfig

import (
	"testing"

	"github.com/ssocli/ssocli/internal/usererr"
)

const endpointConfig = `[profile svc]
services = local
endpoint_url = http://profile-global

[profile svc-only-sts]
services = stsonly

[profile global]
endpoint_url = http://profile-global

[profile ignored]
ignore_configured_endpoint_urls = TRUE
services = local
endpoint_url = http://profile-global

[profile not-ignored]
ignore_configured_endpoint_urls = yes
endpoint_url = http://profile-global

[profile broken]
services = missing
endpoint_url = http://profile-global

[profile empty-services]
services = empty

[services local]
sso_oidc =
  endpoint_url = http://svc-oidc
sso =
  endpoint_url = http://svc-portal

[services stsonly]
sts =
  endpoint_url = http://svc-sts

[services empty]
`

func TestEndpointURL(t *testing.T) {
	t.Parallel()
	c := mustParse(t, endpointConfig, "")
	allEnv := map[string]string{"AWS_ENDPOINT_URL_SSO_OIDC": "http://env-oidc", "AWS_ENDPOINT_URL": "http://env-global"}
	tests := []struct {
		name    string
		profile string
		service Service
		env     map[string]string
		want    string
		wantErr string
	}{
		{"nothing configured", "nope", ServiceSSOOIDC, nil, "", ""},
		{"service env first", "svc", ServiceSSOOIDC, allEnv, "http://env-oidc", ""},
		{"service env only for its service", "svc", ServiceSSO, allEnv, "http://env-global", ""},
		{"global env before config", "svc", ServiceSSOOIDC, map[string]string{"AWS_ENDPOINT_URL": "http://env-global"}, "http://env-global", ""},
		{"services section", "svc", ServiceSSOOIDC, nil, "http://svc-oidc", ""},
		{"services section, other service", "svc", ServiceSSO, nil, "http://svc-portal", ""},
		{"services section without the service falls to profile endpoint_url", "svc", ServiceSTS, nil, "http://profile-global", ""},
		{"services section without the service and no endpoint_url", "svc-only-sts", ServiceSSOOIDC, nil, "", ""},
		{"STS from services", "svc-only-sts", ServiceSTS, map[string]string{"AWS_ENDPOINT_URL_SSO": "http://env-portal"}, "http://svc-sts", ""},
		{"profile endpoint_url", "global", ServiceSSO, nil, "http://profile-global", ""},
		{"env ignore switch", "svc", ServiceSSOOIDC, map[string]string{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true", "AWS_ENDPOINT_URL": "http://env-global"}, "", ""},
		{"env ignore switch is case-insensitive", "global", ServiceSSOOIDC, map[string]string{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "True"}, "", ""},
		{"env false beats profile true", "ignored", ServiceSSOOIDC, map[string]string{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "false"}, "http://svc-oidc", ""},
		{"profile ignore switch also ignores env", "ignored", ServiceSSOOIDC, allEnv, "", ""},
		{"only \"true\" is true", "not-ignored", ServiceSSOOIDC, nil, "http://profile-global", ""},
		{"missing services section", "broken", ServiceSSOOIDC, nil, "", `The profile is configured to use the services section but the "missing" services configuration does not exist.`},
		{"missing services section not reached when env is set", "broken", ServiceSSOOIDC, map[string]string{"AWS_ENDPOINT_URL": "http://env-global"}, "http://env-global", ""},
		{"empty services section counts as missing", "empty-services", ServiceSSO, nil, "", `The profile is configured to use the services section but the "empty" services configuration does not exist.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.EndpointURL(tt.profile, tt.service, envFunc(tt.env))
			if tt.wantErr != "" {
				wantUserErr(t, err, usererr.CodeOther, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("EndpointURL = %q, want %q", got, tt.want)
			}
		})
	}
}
