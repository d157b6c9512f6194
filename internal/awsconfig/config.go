package awsconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/ssocli/ssocli/internal/usererr"
)

// Section is one parsed section: a profile, an sso-session, a services section or
// a credentials-file profile. Treat it as read-only: the maps are shared with the
// Config it came from.
type Section struct {
	// Name is the profile, sso-session or services name (for "[profile dev]" it
	// is "dev"); for credentials-file sections it is the header as written.
	Name string
	// Header is the text between the brackets, e.g. `profile "a b"`.
	Header string
	// Keys lists the option names, lower-cased, in file order (own options first,
	// then those inherited from [DEFAULT]).
	Keys []string
	// Values holds the plain options.
	Values map[string]string
	// Sub holds the nested sub-sections such as "s3 =" followed by indented
	// "max_concurrent_requests = 10" lines; their keys keep their case. A key is in
	// Values or in Sub, never both.
	Sub map[string]map[string]string
}

func newSection(header string) *Section {
	return &Section{Name: header, Header: header, Values: make(map[string]string, 8)}
}

// has reports whether the section sets key, as a plain value or a sub-section.
func (s *Section) has(key string) bool {
	if _, ok := s.Values[key]; ok {
		return true
	}
	_, ok := s.Sub[key]
	return ok
}

// Has reports whether the section sets key, as a plain value or a sub-section
// (botocore's `key in config`, which is what its SSO checks use: an empty value
// counts as set).
func (s Section) Has(key string) bool { return s.has(key) }

// Get returns a plain value and whether it is set.
func (s Section) Get(key string) (string, bool) {
	v, ok := s.Values[key]
	return v, ok
}

// update is Python's dict.update for a credentials-file section merged over a
// config-file profile: each key of src replaces the key in s.
func (s *Section) update(src *Section) {
	for _, k := range src.Keys {
		if !s.has(k) {
			s.Keys = append(s.Keys, k)
		}
		if sub, ok := src.Sub[k]; ok {
			delete(s.Values, k)
			if s.Sub == nil {
				s.Sub = make(map[string]map[string]string, 2)
			}
			s.Sub[k] = sub
		} else {
			delete(s.Sub, k)
			s.Values[k] = src.Values[k]
		}
	}
}

// sectionMap is a Python dict of sections: insertion-ordered, and assigning an
// existing name replaces the section but keeps its position.
type sectionMap struct {
	names []string
	m     map[string]*Section
}

func (sm *sectionMap) set(name string, s *Section) {
	if sm.m == nil {
		sm.m = make(map[string]*Section)
	}
	if _, ok := sm.m[name]; !ok {
		sm.names = append(sm.names, name)
	}
	sm.m[name] = s
}

func (sm *sectionMap) get(name string) (*Section, bool) {
	s, ok := sm.m[name]
	return s, ok
}

// Config is the parsed view of the config and credentials files, as botocore's
// session.full_config sees it.
type Config struct {
	// ConfigPath and CredentialsPath are the files it was loaded from (for
	// messages); empty when parsed from memory without a path.
	ConfigPath, CredentialsPath string

	profiles    sectionMap
	ssoSessions sectionMap
	services    sectionMap
}

// Load reads and parses the config and credentials files. A missing file counts as
// empty (spec §1.1). A file botocore could not parse gives the AWS CLI's
// "Unable to parse config file: <path>" (exit 255), with the line and reason in
// the hint and the wrapped error.
func Load(configPath, credentialsPath string) (*Config, error) {
	configData, err := readOptional(configPath)
	if err != nil {
		return nil, err
	}
	credentialsData, err := readOptional(credentialsPath)
	if err != nil {
		return nil, err
	}
	c, err := parse(configData, credentialsData, configPath, credentialsPath)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// readOptional reads a file; a missing one (or a directory, which botocore's
// os.path.isfile also rejects) reads as empty.
func readOptional(path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err == nil {
		return data, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if st, serr := os.Stat(path); serr == nil && !st.Mode().IsRegular() {
		return nil, nil
	}
	// botocore would fail opening it too; say which file.
	return nil, usererr.Wrap(usererr.CodeOther, "Unable to parse config file: "+path, fmt.Errorf("read %s: %w", path, err))
}

// Parse parses config and credentials file contents. configPath is used in the
// parse-error message; a credentials parse error names "~/.aws/credentials".
func Parse(configData, credentialsData []byte, configPath string) (*Config, error) {
	return parse(configData, credentialsData, configPath, "~/.aws/credentials")
}

func parse(configData, credentialsData []byte, configPath, credentialsPath string) (*Config, error) {
	c := &Config{ConfigPath: configPath, CredentialsPath: credentialsPath}
	if len(configData) > 0 {
		sections, err := parseINI(configData)
		if err != nil {
			return nil, parseFailure(configPath, err)
		}
		c.addConfigSections(sections)
	}
	if len(credentialsData) > 0 {
		sections, err := parseINI(credentialsData)
		if err != nil {
			return nil, parseFailure(credentialsPath, err)
		}
		// botocore's Session.full_config: credentials sections are profiles under
		// their bare names; a name already present is updated key by key.
		for _, s := range sections {
			if p, ok := c.profiles.get(s.Header); ok {
				p.update(s)
			} else {
				c.profiles.set(s.Header, s)
			}
		}
	}
	return c, nil
}

func parseFailure(path string, err error) error {
	msg := "Unable to parse config file: " + path
	return usererr.Wrap(usererr.CodeOther, msg, fmt.Errorf("parse %s: %w", path, err)).WithHint(err.Error())
}

// addConfigSections is botocore's build_profile_map.
func (c *Config) addConfigSections(sections []*Section) {
	for _, s := range sections {
		h := s.Header
		var target *sectionMap
		switch {
		case strings.HasPrefix(h, "profile"):
			target = &c.profiles
		case strings.HasPrefix(h, "sso-session"):
			target = &c.ssoSessions
		case strings.HasPrefix(h, "services"):
			target = &c.services
		case h == "default":
			c.profiles.set("default", s)
			continue
		default:
			continue // kept by botocore as top-level config, never a profile
		}
		name, ok := secondWord(h)
		if !ok {
			continue
		}
		s.Name = name
		target.set(name, s)
	}
}

// secondWord returns the second of exactly two shlex words, without allocating
// for the common "profile name" form.
func secondWord(h string) (string, bool) {
	if i := strings.IndexByte(h, ' '); i > 0 {
		rest := h[i+1:]
		if rest != "" && !strings.ContainsAny(h[:i], "'\"\\\t\r\n") && !strings.ContainsAny(rest, " '\"\\\t\r\n") {
			return rest, true
		}
	}
	parts, err := shlexSplit(h)
	if err != nil || len(parts) != 2 {
		return "", false
	}
	return parts[1], true
}

// ProfileNames returns the profile names in `aws configure list-profiles` order:
// config-file profiles in file order, then credentials-only profiles (spec §1.2).
func (c *Config) ProfileNames() []string { return append([]string(nil), c.profiles.names...) }

// Profile returns the named profile.
func (c *Config) Profile(name string) (Section, bool) {
	s, ok := c.profiles.get(name)
	if !ok {
		return Section{Name: name}, false
	}
	return *s, true
}

// SSOSession returns the named [sso-session NAME] section.
func (c *Config) SSOSession(name string) (Section, bool) {
	s, ok := c.ssoSessions.get(name)
	if !ok {
		return Section{Name: name}, false
	}
	return *s, true
}

// SSOSessionNames returns the sso-session names in file order.
func (c *Config) SSOSessionNames() []string { return append([]string(nil), c.ssoSessions.names...) }

// Services returns the named [services NAME] section.
func (c *Config) Services(name string) (Section, bool) {
	s, ok := c.services.get(name)
	if !ok {
		return Section{Name: name}, false
	}
	return *s, true
}
