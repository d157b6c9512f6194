package creds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/usererr"
)

// The credential chain: one resolver that turns a profile into credentials in
// botocore's provider order (docs/credential-chain.md §1). Each provider is a
// small file (chain_*.go) with a load function that reads the configuration
// and returns a fetch step, or nil when it does not apply. Loading walks the
// whole chain first, so every configuration error of every hop is found before
// anything is fetched; fetching is lazy, so a role whose cached credentials
// are still good never touches its source (no SSO token read, no MFA prompt).

// ChainOptions says which profile to resolve and how to reach the world.
type ChainOptions struct {
	Config  *awsconfig.Config
	Profile string // the selected profile ("default" when none was named)
	// Explicit is true when a flag or variable named the profile: it must exist.
	Explicit bool
	// ProfileFlag is true when --profile named it: as botocore's
	// disable_env_vars, the environment's keys and web-identity variables are
	// then not read (AWS_PROFILE does not do this).
	ProfileFlag bool
	Getenv      func(string) string
	// Environ is the environment a credential_process runs with.
	Environ func() []string
	// Region is the region of the STS calls (the command's region); "" sends
	// them to the global endpoint, as the AWS CLI does.
	Region string
	// MFA asks the person for the code of an MFA device; prompt is the AWS
	// CLI's "Enter MFA code for <serial>: ". Nil (or ErrNoTerminal) means
	// nobody can be asked.
	MFA func(ctx context.Context, prompt string) (string, error)
	// ProcessStderr receives a credential_process's stderr (nil drops it).
	ProcessStderr io.Writer
	// ProcessTimeout bounds a credential_process run (default one minute).
	ProcessTimeout time.Duration
	// LoginRequired is called when the IAM Identity Center session behind a
	// profile of the chain (the profile itself or a source profile) has
	// ended. When it logs in and returns true, the role credentials are
	// fetched once more; false with no error gives the original error.
	LoginRequired func(ctx context.Context, t *Target, p *awsconfig.SSOProfile) (bool, error)
}

// LoadError is in the chain of an error the resolver met while it read the
// configuration (or ran a provider botocore runs while loading, such as
// credential_process), as opposed to one met fetching credentials.
// `configure export-credentials` words only these as "Unable to retrieve
// credentials: …" (docs/credential-chain.md §7).
type LoadError struct{ Err error }

func (e *LoadError) Error() string { return e.Err.Error() }
func (e *LoadError) Unwrap() error { return e.Err }

// IsLoadError reports whether err was met loading the chain.
func IsLoadError(err error) bool {
	var le *LoadError
	return errors.As(err, &le)
}

func loadErr(err error) error {
	if err == nil || IsLoadError(err) {
		return err
	}
	return &LoadError{Err: err}
}

// ErrNoTerminal is returned by a ChainOptions.MFA that has no terminal to
// ask on; Resolve then names the profile that needs the code.
var ErrNoTerminal = errors.New("no terminal to ask on")

// ErrNoCredentials is returned by Resolve when no provider applies.
var ErrNoCredentials = errors.New("no credentials found")

// node is one provider that applies: how to fetch its credentials, and what
// status and tests need to know about it.
type node struct {
	method  string // botocore's METHOD, e.g. "assume-role", "sso", "env"
	profile string // the profile it serves ("" for the environment)
	fetch   func(ctx context.Context) (*Credentials, error)

	// For assume-role and web identity: the cache file and the source.
	roleArn   string
	cachePath string
	source    *node
	// For sso: the Identity Center target.
	sso *Target
}

// resolver walks one chain.
type resolver struct {
	m *Manager
	o ChainOptions
	// visited are the profiles followed so far (botocore's _visited_profiles).
	visited []string
	// plan loads without probing: the instance metadata service is not
	// asked (sso status walks every profile).
	plan bool
}

// Resolve returns the credentials of o.Profile, following botocore's chain:
// LoadChain, then Fetch.
func (m *Manager) Resolve(ctx context.Context, o ChainOptions) (*Credentials, error) {
	c, err := m.LoadChain(o)
	if err != nil {
		return nil, err
	}
	return c.Fetch(ctx)
}

// Chain is a profile's loaded credential chain: the provider that applies,
// with every configuration error already found.
type Chain struct {
	m *Manager
	n *node
}

// LoadChain reads the configuration of o.Profile's whole chain, without any
// call, and returns the provider that applies (ErrNoCredentials when none
// does). Errors carry the AWS CLI's messages and exit codes and are
// LoadErrors.
func (m *Manager) LoadChain(o ChainOptions) (*Chain, error) {
	n, err := m.loadChain(o)
	if err != nil {
		return nil, err
	}
	return &Chain{m: m, n: n}, nil
}

// Method is the provider that applies, as botocore names it.
func (c *Chain) Method() string { return c.n.method }

// Fetch returns the chain's credentials: from the caches while they are good,
// else from the calls the chain needs (GetRoleCredentials, AssumeRole, …).
func (c *Chain) Fetch(ctx context.Context) (*Credentials, error) {
	cr, err := c.n.fetch(ctx)
	if err != nil {
		return nil, err
	}
	if !cr.Expiration.IsZero() && !cr.Expiration.After(c.m.now()) {
		// botocore's RefreshableCredentials after a refresh that did not help.
		return nil, usererr.New(usererr.CodeOther, "Credentials were refreshed, but the refreshed credentials are still expired.").
			WithHint("the source gave credentials that have already expired: check this machine's clock, or the source (" + c.n.method + ")")
	}
	cr.Method = c.n.method
	return cr, nil
}

// loadChain reads the configuration of the whole chain and returns the
// provider that applies, ErrNoCredentials, or the first configuration error.
func (m *Manager) loadChain(o ChainOptions) (*node, error) {
	if o.Getenv == nil {
		o.Getenv = func(string) string { return "" }
	}
	if o.Explicit {
		// botocore reads the scoped config while it builds the resolver, so a
		// profile named but missing fails before the environment is looked at.
		if _, ok := o.Config.Profile(o.Profile); !ok {
			return nil, loadErr(usererr.New(usererr.CodeOther, fmt.Sprintf("The config profile (%s) could not be found", o.Profile)).
				WithHint("check the name, or list the profiles with: ssocli configure list-profiles"))
		}
	}
	r := &resolver{m: m, o: o, visited: []string{o.Profile}}
	loaders := []func() (*node, error){}
	if !o.ProfileFlag {
		loaders = append(loaders, r.env)
	}
	loaders = append(loaders, func() (*node, error) { return r.assumeRoleTop(o.Profile) })
	loaders = append(loaders, r.profileProviders(o.Profile, o.ProfileFlag)...)
	loaders = append(loaders, r.container, r.instanceMetadata)
	for _, load := range loaders {
		n, err := load()
		if err != nil {
			return nil, loadErr(err)
		}
		if n != nil {
			return n, nil
		}
	}
	return nil, ErrNoCredentials
}

// profileProviders is botocore's ProfileProviderBuilder.providers: the
// providers that read one profile, used for the selected profile and for
// every source_profile (then with the environment off).
func (r *resolver) profileProviders(profile string, disableEnv bool) []func() (*node, error) {
	return []func() (*node, error){
		func() (*node, error) { return r.webIdentity(profile, disableEnv) },
		func() (*node, error) { return r.sso(profile) },
		func() (*node, error) { return r.sharedCredentialsFile(profile) },
		func() (*node, error) { return r.process(profile) },
		func() (*node, error) { return r.configFile(profile) },
	}
}

// profile returns the merged view of a profile (botocore's full_config), or
// an empty section when it does not exist.
func (r *resolver) profile(name string) awsconfig.Section {
	s, ok := r.o.Config.Profile(name)
	if !ok || s.Values == nil {
		s.Values = map[string]string{}
	}
	return s
}

// partialCredentials is botocore's PartialCredentialsError.
func partialCredentials(provider, missing string) *usererr.Error {
	return usererr.New(usererr.CodeOther, fmt.Sprintf("Partial credentials found in %s, missing: %s", provider, missing))
}

// invalidConfig is botocore's InvalidConfigError (exit 255).
func invalidConfig(msg string) *usererr.Error {
	return usererr.New(usererr.CodeOther, msg)
}

// retrievalError is botocore's CredentialRetrievalError.
func retrievalError(provider, msg string) *usererr.Error {
	return usererr.New(usererr.CodeOther, fmt.Sprintf("Error when retrieving credentials from %s: %s", provider, msg))
}

// pyList formats names as Python's str() of a list of str: ['a', 'b'].
func pyList(names []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(pyStrRepr(n))
	}
	b.WriteByte(']')
	return b.String()
}

// pyStrRepr is Python's repr() of a str, for the names in botocore messages:
// single quotes unless the text holds a single quote and no double quote,
// backslashes and the quote escaped, control characters as \n, \t, \xNN.
func pyStrRepr(s string) string {
	q := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, c := range s {
		switch {
		case c == '\\' || c == rune(q):
			b.WriteByte('\\')
			b.WriteRune(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteRune(c)
		}
	}
	b.WriteByte(q)
	return b.String()
}
