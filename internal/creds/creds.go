// Package creds turns an IAM Identity Center profile into role credentials and
// manages the session behind it: the role-credential cache, token refresh,
// GetRoleCredentials, login, logout and status.
//
// It follows the AWS CLI (spec/aws-cli-sso.md §2, §4, §5, §6) and shares its
// files, so that ssocli, the AWS CLI and the AWS SDKs use one login. Where the
// AWS CLI races, creds does not: every write is atomic, and login, refresh and
// each role's GetRoleCredentials run under a cross-process lock, after which the
// cache is read again, so that a process that waited uses what the first one
// wrote. Readers never lock.
//
// Three kinds of lock, per session or role: the login lock (held for a whole
// interactive login, which can wait minutes for the user), the session lock
// (held for a refresh, or while a login writes its result: never across a
// wait for the user) and the role lock (one GetRoleCredentials). Lock order:
// a role lock or a login lock may be held while the session lock is taken,
// never the other way round, and no one holds a role lock and a login lock
// at once.
//
// The package does no terminal output: callers pass callbacks.
package creds

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/ssocli/ssocli/internal/ssocache"
)

// Expiry windows of the AWS CLI (spec §3.3, §4, §5).
const (
	// RoleWindow: cached role credentials are used while at least this much is left.
	RoleWindow = 15 * time.Minute
	// RefreshWindow: a token with less than this left is refreshed.
	RefreshWindow = 15 * time.Minute
	// RegistrationWindow: a client registration is reused while at least this much is left.
	RegistrationWindow = 15 * time.Minute
)

// Target is one IAM Identity Center session and, for role credentials, one
// account and role in it: the resolved sso_* configuration of a profile.
type Target struct {
	Profile     string   // profile name, for messages; "" when named by --sso-session
	SessionName string   // sso-session name; "" for a legacy profile
	StartURL    string   // sso_start_url, as configured (it keys the legacy cache and the registration, and goes in the token)
	Region      string   // sso_region
	Scopes      []string // sso_registration_scopes; nil when not configured
	AccountID   string
	RoleName    string

	// ResolvedStartURL is where a vanity start URL leads (ResolveStartURL):
	// sent as startUrl and issuerUrl to SSO OIDC in its place; "" means
	// StartURL. Region is then the resolved region.
	ResolvedStartURL string

	// OIDCEndpoint and PortalEndpoint override the AWS endpoints; "" means
	// https://oidc.<region>.amazonaws.com and https://portal.sso.<region>.amazonaws.com.
	OIDCEndpoint   string
	PortalEndpoint string
	// UseFIPS and UseDualStack choose the FIPS and dual-stack AWS endpoints
	// (use_fips_endpoint, use_dualstack_endpoint); an endpoint override
	// turns them off, as in botocore.
	UseFIPS, UseDualStack bool
}

// issuerURL is the start URL sent to SSO OIDC (the resolved one).
func (t *Target) issuerURL() string {
	if t.ResolvedStartURL != "" {
		return t.ResolvedStartURL
	}
	return t.StartURL
}

// Legacy reports whether the target is a legacy (non-refreshable) profile.
func (t *Target) Legacy() bool { return t.SessionName == "" }

// tokenPath is the path of the target's token cache file.
func (t *Target) tokenPath(home string) string {
	return ssocache.TokenPath(home, t.SessionName, t.StartURL)
}

// name is how the AWS CLI names the session in its messages.
func (t *Target) name() string {
	if t.SessionName != "" {
		return t.SessionName
	}
	return t.StartURL
}

// LoginHint names the command that logs this target in again.
func (t *Target) LoginHint() string {
	switch {
	case t.Profile != "" && t.Profile != "default":
		return "run: ssocli sso login --profile " + shellQuote(t.Profile)
	case t.SessionName != "":
		return "run: ssocli sso login --sso-session " + shellQuote(t.SessionName)
	default:
		return "run: ssocli sso login"
	}
}

// Manager holds what the operations need from the outside world.
type Manager struct {
	Home string           // the user's home: the caches live under Home/.aws
	Now  func() time.Time // defaults to time.Now
	// HTTPClient returns the client for AWS calls; it is called only when a
	// call is needed, so the cached path builds nothing.
	HTTPClient func() (*http.Client, error)
	// Log receives debug lines; it never sees a secret.
	Log *slog.Logger
	// Warn shows a person something went wrong that did not stop the
	// command (a cache that could not be written); nil drops it.
	Warn func(msg string)
}

func (m *Manager) warn(format string, args ...any) {
	if m.Warn != nil {
		m.Warn(fmt.Sprintf(format, args...))
	}
}

func (m *Manager) now() time.Time {
	if m.Now != nil {
		return m.Now().UTC()
	}
	return time.Now().UTC()
}

func (m *Manager) log() *slog.Logger {
	if m.Log != nil {
		return m.Log
	}
	return slog.New(slog.DiscardHandler)
}

func shellQuote(s string) string {
	for _, c := range s {
		if !(c == '-' || c == '_' || c == '.' || c == '/' || c == ':' || c == '@' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}
