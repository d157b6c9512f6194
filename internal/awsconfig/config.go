package awsconfig

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"unsafe"

	"github.com/ssocli/ssocli/internal/atomicfile"
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

// set is Python's d[key] = value for a plain value or a sub-section.
func (s *Section) set(key, val string, sub map[string]string) {
	if !s.has(key) {
		s.Keys = append(s.Keys, key)
	}
	if sub != nil {
		delete(s.Values, key)
		if s.Sub == nil {
			s.Sub = make(map[string]map[string]string, 2)
		}
		s.Sub[key] = sub
		return
	}
	delete(s.Sub, key)
	s.Values[key] = val
}

// apply is dict.update with the options of a raw section: its own, then the
// [DEFAULT] ones it does not set (RawConfigParser.options order).
func (s *Section) apply(r, defaults *rawSection) {
	for _, p := range r.getPairs() {
		s.set(p.key, p.val, p.sub)
	}
	if defaults == nil {
		return
	}
	for _, p := range defaults.getPairs() {
		if r.find(p.key) < 0 {
			s.set(p.key, p.val, p.sub)
		}
	}
}

// entry is one name of a profile, sso-session or services map: the config-file
// section and, for profiles, the credentials-file section merged over it.
// Each file's [DEFAULT] section is the Config's (cfgDefaults, crdDefaults):
// an entry is one per section of a file of possibly 10,000, so it is small.
// The credentials-file section of a profile and the merged Section once
// built are in the Config's maps (crd, built), which hold a few.
type entry struct {
	name string
	cfg  *rawSection
}

// section returns e's merged Section, building it on first use; c.mu is held.
func (c *Config) section(e *entry) *Section {
	if s := c.built[e]; s != nil {
		return s
	}
	crd := c.crd[e]
	n := 0
	for _, r := range []*rawSection{e.cfg, c.cfgDefaults, crd, c.crdDefaults} {
		if r != nil {
			n += len(r.getPairs())
		}
	}
	s := &Section{Name: e.name, Values: make(map[string]string, n), Keys: make([]string, 0, n)}
	if e.cfg != nil {
		s.Header = e.cfg.header
		s.apply(e.cfg, c.cfgDefaults)
	}
	if crd != nil {
		if e.cfg == nil {
			s.Header = crd.header
		}
		s.apply(crd, c.crdDefaults)
	}
	if c.built == nil {
		c.built = make(map[*entry]*Section, 2)
	}
	c.built[e] = s
	return s
}

// sectionMap is a Python dict of sections: insertion-ordered, and assigning an
// existing name replaces the section but keeps its position.
type sectionMap struct {
	list []*entry // one per name, in the order the names first came
	idx  strIndex
}

func entryName(e *entry) string { return e.name }

func (sm *sectionMap) set(e *entry) {
	sm.list = append(sm.list, e)
	if i, ok := add(&sm.idx, sm.list, entryName, len(sm.list)-1); !ok {
		sm.list = sm.list[:len(sm.list)-1]
		sm.list[i] = e
	}
}

// lookup returns the entry of name.
func (sm *sectionMap) lookup(name string) (*entry, bool) {
	i, ok := find(&sm.idx, sm.list, entryName, name)
	if !ok {
		return nil, false
	}
	return sm.list[i], true
}

// names returns the names in order.
func (sm *sectionMap) names() []string {
	if len(sm.list) == 0 {
		return nil
	}
	out := make([]string, len(sm.list))
	for i, e := range sm.list {
		out[i] = e.name
	}
	return out
}

// Config is the parsed view of the config and credentials files, as botocore's
// session.full_config sees it. It is safe for concurrent use.
type Config struct {
	// ConfigPath and CredentialsPath are the files it was loaded from (for
	// messages).
	ConfigPath, CredentialsPath string

	mu sync.Mutex // guards building the Sections
	// cfgDefaults and crdDefaults are the [DEFAULT] sections of the config
	// and credentials files (nil if absent), inherited by each file's sections.
	cfgDefaults, crdDefaults *rawSection
	crd                      map[*entry]*rawSection // a profile's credentials-file section
	built                    map[*entry]*Section    // guarded by mu
	profiles                 sectionMap
	ssoSessions              sectionMap
	services                 sectionMap
}

// get returns the named section of sm, building it on first use.
func (c *Config) get(sm *sectionMap, name string) (*Section, bool) {
	e, ok := sm.lookup(name)
	if !ok {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.section(e), true
}

// Load reads and parses the config and credentials files. A missing file counts as
// empty (spec §1.1). A file botocore could not parse gives the AWS CLI's
// "Unable to parse config file: <path>" (exit 255), with the line and reason in
// the hint and the wrapped error.
func Load(configPath, credentialsPath string) (*Config, error) {
	return LoadIndexed(configPath, credentialsPath, "")
}

// LoadIndexed is Load keeping the parse index of a large config file in
// indexDir (none when ""): a later Load of the same bytes skips the check of
// every line (index.go).
func LoadIndexed(configPath, credentialsPath, indexDir string) (*Config, error) {
	configData, err := readOptional(configPath)
	if err != nil {
		return nil, err
	}
	credentialsData, err := readOptional(credentialsPath)
	if err != nil {
		return nil, err
	}
	// The buffers were read for this Config alone and are never written
	// again, so the parse keeps substrings of them instead of a copy (a
	// 10,000-profile file is 1.3 MB).
	indexPath := ""
	if indexDir != "" {
		indexPath = IndexPath(indexDir, configPath)
	}
	c, err := parseIndexed(ownedString(configData), ownedString(credentialsData), configPath, credentialsPath, indexPath)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ownedString is b as a string without a copy; b must never change again.
func ownedString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// maxConfigSize bounds what Load reads. botocore has no bound, but real
// config files are kilobytes (10,000 profiles are 1.2 MB), and a bound keeps a
// huge or endless file from eating the machine's memory.
const maxConfigSize = 64 << 20

// readOptional reads a config or credentials file. A missing one, and one that
// is not a regular file (a directory, a FIFO, /dev/zero: botocore's
// os.path.isfile rejects them all), reads as empty, as the AWS CLI reads it;
// nothing that is not a regular file is ever opened for reading, so a FIFO
// cannot hang the process and a device cannot fill its memory. A symlink is
// followed (dotfiles).
func readOptional(path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	data, err := atomicfile.ReadFile(context.Background(), path, atomicfile.ReadOptions{MaxSize: maxConfigSize, FollowSymlinks: true})
	switch {
	case err == nil:
		return data, nil
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, atomicfile.ErrNotRegular):
		return nil, nil
	case errors.Is(err, atomicfile.ErrTooLarge):
		return nil, usererr.Wrap(usererr.CodeOther, "Unable to parse config file: "+path, fmt.Errorf("read %s: %w", path, err)).
			WithHint("the file is larger than 64 MiB; check that AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE name your config files")
	}
	// Say which file and why (permission denied, ...): without the cause
	// the fix cannot be guessed.
	cause := err
	var pe *fs.PathError
	if errors.As(err, &pe) {
		cause = pe.Err
	}
	return nil, usererr.Wrap(usererr.CodeOther, fmt.Sprintf("Unable to read config file %s: %v", path, cause), fmt.Errorf("read %s: %w", path, err)).
		WithHint("make the file readable by you (check its owner and mode with: ls -l " + path + "), or point AWS_CONFIG_FILE or AWS_SHARED_CREDENTIALS_FILE elsewhere")
}

// Parse parses config and credentials file contents. configPath is used in the
// parse-error message; a credentials parse error names "~/.aws/credentials".
func Parse(configData, credentialsData []byte, configPath string) (*Config, error) {
	return parse(string(configData), string(credentialsData), configPath, "~/.aws/credentials")
}

func parse(configData, credentialsData string, configPath, credentialsPath string) (*Config, error) {
	return parseIndexed(configData, credentialsData, configPath, credentialsPath, "")
}

// parseIndexed is parse with the config file's parse index at indexPath
// ("" for none). The credentials file is never indexed: it is small, and
// holds secrets that even a hash of should not be kept.
func parseIndexed(configData, credentialsData string, configPath, credentialsPath, indexPath string) (*Config, error) {
	c := &Config{ConfigPath: configPath, CredentialsPath: credentialsPath}
	if len(configData) > 0 {
		f, err := parseINIIndexed(configData, indexPath, indexMinSize)
		if err != nil {
			return nil, parseFailure(configPath, err)
		}
		c.addConfigSections(f)
	}
	if len(credentialsData) > 0 {
		f, err := parseINIString(credentialsData)
		if err != nil {
			return nil, parseFailure(credentialsPath, err)
		}
		// botocore's Session.full_config: credentials sections are profiles under
		// their bare names; a name already present is updated key by key.
		c.crdDefaults = f.defaults
		c.crd = make(map[*entry]*rawSection, len(f.sections))
		for _, r := range f.sections {
			e, ok := c.profiles.lookup(r.header)
			if !ok {
				e = &entry{name: r.header}
				c.profiles.set(e)
			}
			c.crd[e] = r
		}
	}
	return c, nil
}

func parseFailure(path string, err error) error {
	msg := "Unable to parse config file: " + path
	return usererr.Wrap(usererr.CodeOther, msg, fmt.Errorf("parse %s: %w", path, err)).WithHint(err.Error())
}

// addConfigSections is botocore's build_profile_map.
func (c *Config) addConfigSections(f *rawFile) {
	c.cfgDefaults = f.defaults
	c.profiles.list = make([]*entry, 0, len(f.sections))
	c.profiles.idx.init(len(f.sections))
	entries := make([]entry, len(f.sections))
	for i, r := range f.sections {
		h := r.header
		var target *sectionMap
		switch {
		case strings.HasPrefix(h, "profile"):
			target = &c.profiles
		case strings.HasPrefix(h, "sso-session"):
			target = &c.ssoSessions
		case strings.HasPrefix(h, "services"):
			target = &c.services
		case h == "default":
			entries[i] = entry{name: "default", cfg: r}
			c.profiles.set(&entries[i])
			continue
		default:
			continue // kept by botocore as top-level config, never a profile
		}
		name, ok := secondWord(h)
		if !ok {
			continue
		}
		entries[i] = entry{name: name, cfg: r}
		target.set(&entries[i])
	}
}

// secondWord returns the second of exactly two shlex words, without allocating
// for the common "profile name" form.
func secondWord(h string) (string, bool) {
	if i := strings.IndexByte(h, ' '); i > 0 && i < len(h)-1 && (h[:i] == "profile" || plainWord(h[:i])) && plainWord(h[i+1:]) {
		return h[i+1:], true
	}
	parts, err := shlexSplit(h)
	if err != nil || len(parts) != 2 {
		return "", false
	}
	return parts[1], true
}

// plainWord reports whether shlex would return s unchanged as one word: every
// byte is a plainWordByte. Eight bytes at a time while none is
// at or below '\” or a backslash (every special byte is one of these), then
// byte by byte; a header is read here once per section of the file (issue
// 14, fourth pass).
func plainWord(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := load64(s, i)
		// (x - ones*n) &^ x & highs is nonzero exactly when a byte of x is below n.
		if ((x-ones*('\''+1))&^x|zeroBytes(x^(ones*'\\')))&highs != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if !plainWordByte(s[i]) {
			return false
		}
	}
	return true
}

// plainWordByte reports whether shlex reads c as an ordinary word character.
func plainWordByte(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '\'', '"', '\\':
		return false
	}
	return true
}

// ProfileNames returns the profile names in `aws configure list-profiles` order:
// config-file profiles in file order, then credentials-only profiles (spec §1.2).
func (c *Config) ProfileNames() []string { return c.profiles.names() }

// Profile returns the named profile.
func (c *Config) Profile(name string) (Section, bool) {
	s, ok := c.get(&c.profiles, name)
	if !ok {
		return Section{Name: name}, false
	}
	return *s, true
}

// SSOSession returns the named [sso-session NAME] section.
func (c *Config) SSOSession(name string) (Section, bool) {
	s, ok := c.get(&c.ssoSessions, name)
	if !ok {
		return Section{Name: name}, false
	}
	return *s, true
}

// SSOSessionNames returns the sso-session names in file order.
func (c *Config) SSOSessionNames() []string { return c.ssoSessions.names() }

// Services returns the named [services NAME] section.
func (c *Config) Services(name string) (Section, bool) {
	s, ok := c.get(&c.services, name)
	if !ok {
		return Section{Name: name}, false
	}
	return *s, true
}
