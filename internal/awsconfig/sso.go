package awsconfig

import (
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/ssocli/ssocli/internal/usererr"
)

// ErrNotSSO is returned by SSOCredentials when the profile sets neither
// sso_account_id nor sso_role_name, so botocore's SSO credential provider does not
// apply and the credential chain moves on (spec §1.4).
var ErrNotSSO = errors.New("profile is not configured for sso credentials")

// SSOProfile is a validated SSO configuration.
type SSOProfile struct {
	Profile     string // profile name ("default" when none was named)
	SessionName string // the sso-session name; empty for the legacy form
	StartURL    string // sso_start_url, verbatim (it is part of cache keys)
	SSORegion   string // sso_region: the region of the OIDC and portal clients
	AccountID   string // sso_account_id; may be empty for `sso login`
	RoleName    string // sso_role_name; may be empty for `sso login`
	Region      string // the profile's own region key, if any
	// Scopes are the sso-session's sso_registration_scopes split on commas; nil
	// when not configured (legacy profiles never have scopes, spec §1.3).
	Scopes []string
	// Values are the merged keys (profile, then the sso-session's keys over them)
	// for extras such as sso_login_flow or sso_auto_login.
	Values map[string]string
}

// profileNotFound is botocore's ProfileNotFound (spec §1.1), exit 255.
func profileNotFound(name string) error {
	return usererr.New(usererr.CodeOther, fmt.Sprintf("The config profile (%s) could not be found", name))
}

// scoped is botocore's Session.get_scoped_config: the named profile; a missing
// profile is an error only when it was named explicitly, otherwise it is empty.
func (c *Config) scoped(profile string, explicit bool) (*Section, error) {
	if s, ok := c.get(&c.profiles, profile); ok {
		return s, nil
	}
	if explicit {
		return nil, profileNotFound(profile)
	}
	return &Section{Name: profile}, nil
}

// SSOCredentials applies botocore's SSOProvider rules (spec §1.4) to a profile:
// it activates only when the profile sets sso_account_id or sso_role_name
// (otherwise ErrNotSSO), merges the referenced [sso-session] over the profile
// (a key set in both with different values is an error), then requires
// sso_role_name, sso_account_id, sso_start_url, sso_region (and sso_session in the
// session form). Errors carry the AWS CLI's words and exit code 255. An
// explicitly named profile that does not exist is "The config profile (NAME) could
// not be found".
func (c *Config) SSOCredentials(profile string, explicit bool) (*SSOProfile, error) {
	p, err := c.scoped(profile, explicit)
	if err != nil {
		return nil, err
	}
	if !p.has("sso_account_id") && !p.has("sso_role_name") {
		return nil, ErrNotSSO
	}
	merged := p
	required := []string{"sso_role_name", "sso_account_id", "sso_start_url", "sso_region"}
	var sess *Section
	sessName, hasSession := p.Values["sso_session"]
	if _, nested := p.Sub["sso_session"]; nested {
		hasSession = true
		sessName = pyRepr(p, "sso_session")
	}
	if hasSession {
		s, ok := c.get(&c.ssoSessions, sessName)
		if !ok {
			return nil, usererr.New(usererr.CodeOther, `The specified sso-session does not exist: "`+sessName+`"`)
		}
		sess = s
		merged = &Section{Name: p.Name, Header: p.Header, Keys: append([]string(nil), p.Keys...), Values: maps.Clone(p.Values), Sub: maps.Clone(p.Sub)}
		if merged.Values == nil {
			merged.Values = map[string]string{}
		}
		for _, k := range s.Keys {
			if merged.has(k) && !sameValue(merged, s, k) {
				return nil, usererr.New(usererr.CodeOther, fmt.Sprintf(
					"The value for %s is inconsistent between profile (%s) and sso-session (%s).",
					k, pyRepr(merged, k), pyRepr(s, k)))
			}
		}
		for _, k := range s.Keys {
			merged.set(k, s.Values[k], s.Sub[k])
		}
		required = append(required, "sso_session")
	}
	var missing []string
	for _, k := range required {
		if !merged.has(k) {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, usererr.New(usererr.CodeOther, fmt.Sprintf(
			`The profile "%s" is configured to use SSO but is missing required configuration: %s`,
			profile, strings.Join(missing, ", ")))
	}
	out := &SSOProfile{
		Profile:   profile,
		StartURL:  merged.Values["sso_start_url"],
		SSORegion: merged.Values["sso_region"],
		AccountID: merged.Values["sso_account_id"],
		RoleName:  merged.Values["sso_role_name"],
		Region:    p.Values["region"],
		Values:    maps.Clone(merged.Values),
	}
	if sess != nil {
		out.SessionName = sessName
		out.Scopes = sessionScopes(sess)
	}
	return out, nil
}

// SSOLogin applies `aws sso login`'s configuration rules (spec §2.1,
// BaseSSOCommand._get_sso_config). The session is ssoSession (the --sso-session
// flag; "" when absent) or else the profile's sso_session. With a session only
// [sso-session S] is read and it must set sso_start_url and sso_region; without
// one the profile itself must set them (legacy form). Account and role are not
// required. Errors are the AWS CLI's ConfigurationErrors, exit 253; an explicitly
// named profile that does not exist is "The config profile (NAME) could not be
// found", exit 255.
func (c *Config) SSOLogin(profile, ssoSession string, explicit bool) (*SSOProfile, error) {
	p, err := c.scoped(profile, explicit)
	if err != nil {
		return nil, err
	}
	name := ssoSession
	if name == "" {
		name = p.Values["sso_session"]
	}
	out := &SSOProfile{
		Profile:   profile,
		AccountID: p.Values["sso_account_id"],
		RoleName:  p.Values["sso_role_name"],
		Region:    p.Values["region"],
		Values:    maps.Clone(p.Values),
	}
	if out.Values == nil {
		out.Values = map[string]string{}
	}
	if name == "" {
		// Legacy form: the profile's own keys.
		if missing := missingKeys(p, "sso_start_url", "sso_region"); missing != "" {
			return nil, usererr.New(usererr.CodeConfig,
				"Missing the following required SSO configuration values: "+missing+
					". To make sure this profile is properly configured to use SSO, please run: aws configure sso")
		}
		out.StartURL, out.SSORegion = p.Values["sso_start_url"], p.Values["sso_region"]
		return out, nil
	}
	s, ok := c.get(&c.ssoSessions, name)
	if !ok {
		return nil, usererr.New(usererr.CodeConfig, `The specified sso-session does not exist: "`+name+`"`)
	}
	if missing := missingKeys(s, "sso_start_url", "sso_region"); missing != "" {
		// The AWS CLI's message really ends with ". " here.
		return nil, usererr.New(usererr.CodeConfig, "Missing the following required SSO configuration values: "+missing+". ")
	}
	out.SessionName = name
	out.StartURL, out.SSORegion = s.Values["sso_start_url"], s.Values["sso_region"]
	out.Scopes = sessionScopes(s)
	maps.Copy(out.Values, s.Values)
	return out, nil
}

func missingKeys(s *Section, keys ...string) string {
	var missing []string
	for _, k := range keys {
		if !s.has(k) {
			missing = append(missing, k)
		}
	}
	return strings.Join(missing, ", ")
}

// sessionScopes reads sso_registration_scopes from an sso-session section: nil
// when absent, otherwise the parsed list (possibly empty).
func sessionScopes(s *Section) []string {
	raw, ok := s.Values["sso_registration_scopes"]
	if !ok {
		return nil
	}
	return ParseScopes(raw)
}

// ParseScopes is the AWS CLI's parse_sso_registration_scopes: split on commas,
// strip each item, drop empty items. It never returns nil.
func ParseScopes(raw string) []string {
	scopes := []string{}
	for _, item := range strings.Split(raw, ",") {
		if item = pyStrip(item); item != "" {
			scopes = append(scopes, item)
		}
	}
	return scopes
}

// sameValue is Python's == on two config values (strings or sub-section dicts).
func sameValue(a, b *Section, key string) bool {
	av, aok := a.Values[key]
	bv, bok := b.Values[key]
	if aok || bok {
		return aok && bok && av == bv
	}
	return maps.Equal(a.Sub[key], b.Sub[key])
}

// pyRepr formats a value as Python's str() would in botocore's messages: plain
// values as they are, sub-sections as a dict (keys sorted; Python would keep file
// order, which the parsed view does not record).
func pyRepr(s *Section, key string) string {
	if v, ok := s.Values[key]; ok {
		return v
	}
	sub := s.Sub[key]
	keys := make([]string, 0, len(sub))
	for k := range sub {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "'%s': '%s'", k, sub[k])
	}
	b.WriteByte('}')
	return b.String()
}
