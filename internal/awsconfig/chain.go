package awsconfig

import (
	"fmt"
	"runtime"
	"strings"
)

// What the credential chain (internal/creds, docs/credential-chain.md) reads
// beyond the merged profile: each file's own section, the endpoint-variant
// settings, and credential_process's command line.

// ConfigFileProfile returns the profile as the config file alone defines it
// ([profile NAME] or [default], with [DEFAULT] inherited), without the
// credentials file merged in: botocore's ConfigProvider reads only this.
func (c *Config) ConfigFileProfile(name string) (Section, bool) {
	e, ok := c.profiles.lookup(name)
	if !ok || e.cfg == nil {
		return Section{Name: name}, false
	}
	return fileSection(name, e.cfg, c.cfgDefaults), true
}

// CredentialsFileProfile returns the [NAME] section of the credentials file
// alone: botocore's SharedCredentialProvider reads only this.
func (c *Config) CredentialsFileProfile(name string) (Section, bool) {
	e, ok := c.profiles.lookup(name)
	if !ok || c.crd[e] == nil {
		return Section{Name: name}, false
	}
	return fileSection(name, c.crd[e], c.crdDefaults), true
}

func fileSection(name string, r, defaults *rawSection) Section {
	s := Section{Name: name, Header: r.header, Values: make(map[string]string, len(r.getPairs()))}
	s.apply(r, defaults)
	return s
}

// UseFIPSEndpoint reports whether the FIPS endpoints are to be used:
// AWS_USE_FIPS_ENDPOINT when set, else the profile's use_fips_endpoint, each
// true only when it says "true" in any case (botocore's ensure_boolean).
func (c *Config) UseFIPSEndpoint(profile string, getenv func(string) string) bool {
	return c.boolSetting(profile, "use_fips_endpoint", "AWS_USE_FIPS_ENDPOINT", getenv)
}

// UseDualStackEndpoint reports whether the dual-stack endpoints are to be
// used: AWS_USE_DUALSTACK_ENDPOINT, else the profile's use_dualstack_endpoint.
func (c *Config) UseDualStackEndpoint(profile string, getenv func(string) string) bool {
	return c.boolSetting(profile, "use_dualstack_endpoint", "AWS_USE_DUALSTACK_ENDPOINT", getenv)
}

func (c *Config) boolSetting(profile, key, env string, getenv func(string) string) bool {
	if v := getenv(env); v != "" {
		return strings.EqualFold(v, "true")
	}
	if p, ok := c.get(&c.profiles, profile); ok {
		return strings.EqualFold(p.Values[key], "true")
	}
	return false
}

// SplitCommand splits a credential_process value into the program and its
// arguments as botocore's compat_shell_split does: POSIX shlex.split, or on
// Windows the C runtime's rules. No shell is involved.
func SplitCommand(s string) ([]string, error) {
	if runtime.GOOS == "windows" {
		return windowsSplit(s)
	}
	return shlexSplit(s)
}

// windowsSplit is botocore's _windows_shell_split: only space and tab
// delimit, double quotes are the only quotes, and backslashes are literal
// unless they lead up to a double quote, where each pair makes one backslash
// and an odd one escapes the quote. A quote that is not closed is an error.
func windowsSplit(s string) ([]string, error) {
	var words []string
	var buf []byte
	started := false // botocore's buff is non-empty: a quote starts a word, even an empty one
	quoted := false
	backslashes := 0
	flush := func() {
		buf = append(buf, strings.Repeat(`\`, backslashes)...)
		backslashes = 0
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			backslashes++
		case c == '"':
			buf = append(buf, strings.Repeat(`\`, backslashes/2)...)
			odd := backslashes%2 == 1
			backslashes = 0
			started = true
			if odd {
				buf = append(buf, '"')
				continue
			}
			quoted = !quoted
		case (c == ' ' || c == '\t') && !quoted:
			flush()
			if started || len(buf) > 0 {
				words = append(words, string(buf))
				buf, started = buf[:0], false
			}
		default:
			flush()
			buf = append(buf, c)
			started = true
		}
	}
	if quoted {
		return nil, fmt.Errorf("no closing quotation in string: %s", s)
	}
	flush()
	if started || len(buf) > 0 {
		words = append(words, string(buf))
	}
	return words, nil
}
