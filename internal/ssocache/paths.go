package ssocache

import (
	"crypto/sha1"
	"encoding/hex"
	"path/filepath"
)

// SSODir returns home/.aws/sso/cache, where tokens and client registrations live.
// No environment variable or setting moves it (spec §1.1).
func SSODir(home string) string { return filepath.Join(home, ".aws", "sso", "cache") }

// CLIDir returns home/.aws/cli/cache, the AWS CLI's credential cache, shared with
// assume-role providers (spec §5).
func CLIDir(home string) string { return filepath.Join(home, ".aws", "cli", "cache") }

// LockDir returns home/.aws/sso/locks, where Lock keeps its lock files. It is ours:
// the AWS CLI takes no locks (spec §3.4). It is kept out of SSODir because the AWS
// CLI's logout reads every file there (spec §6).
func LockDir(home string) string { return filepath.Join(home, ".aws", "sso", "locks") }

// TokenFileName returns the base name of the token cache file: the sha1 of the
// sso-session name, or of the start URL for a legacy profile (spec §3.1).
func TokenFileName(sessionName, startURL string) string {
	if sessionName != "" {
		return sha1Name([]byte(sessionName))
	}
	return sha1Name([]byte(startURL))
}

// RegistrationFileName returns the base name of the client-registration cache file:
// the sha1 of botocore's json.dumps({"tool", "startUrl", "region", "scopes",
// "session_name"}, sort_keys=True) with Python's default ", " and ": " separators
// (spec §3.1). scopes is the configured sso_registration_scopes list (nil when not
// configured gives null) and an empty sessionName (legacy profile) gives null.
func RegistrationFileName(startURL, region string, scopes []string, sessionName string) string {
	b := make([]byte, 0, 128+len(startURL)+len(region)+len(sessionName))
	b = append(b, `{"region": `...)
	b = AppendPyString(b, region)
	b = append(b, `, "scopes": `...)
	if scopes == nil {
		b = append(b, "null"...)
	} else {
		b = AppendPyStrings(b, scopes)
	}
	b = append(b, `, "session_name": `...)
	if sessionName == "" {
		b = append(b, "null"...)
	} else {
		b = AppendPyString(b, sessionName)
	}
	b = append(b, `, "startUrl": `...)
	b = AppendPyString(b, startURL)
	b = append(b, `, "tool": "botocore"}`...)
	return sha1Name(b)
}

// RoleCredsFileName returns the base name of a role-credential file in CLIDir: the
// sha1 of json.dumps(args, sort_keys=True, separators=(",", ":")) where args is
// {"accountId", "roleName", "sessionName"} for an sso-session profile, or
// {"accountId", "roleName", "startUrl"} for a legacy one (sessionName == "")
// (botocore SSOCredentialFetcher._create_cache_key, spec §5).
func RoleCredsFileName(accountID, roleName, sessionName, startURL string) string {
	b := make([]byte, 0, 64+len(accountID)+len(roleName)+len(sessionName)+len(startURL))
	b = append(b, `{"accountId":`...)
	b = AppendPyString(b, accountID)
	b = append(b, `,"roleName":`...)
	b = AppendPyString(b, roleName)
	if sessionName != "" {
		b = append(b, `,"sessionName":`...)
		b = AppendPyString(b, sessionName)
	} else {
		b = append(b, `,"startUrl":`...)
		b = AppendPyString(b, startURL)
	}
	b = append(b, '}')
	return sha1Name(b)
}

// TokenPath returns the full path of the token cache file under home.
func TokenPath(home, sessionName, startURL string) string {
	return filepath.Join(SSODir(home), TokenFileName(sessionName, startURL))
}

// RegistrationPath returns the full path of the client-registration cache file under home.
func RegistrationPath(home, startURL, region string, scopes []string, sessionName string) string {
	return filepath.Join(SSODir(home), RegistrationFileName(startURL, region, scopes, sessionName))
}

// RoleCredsPath returns the full path of the role-credential cache file under home.
func RoleCredsPath(home, accountID, roleName, sessionName, startURL string) string {
	return filepath.Join(CLIDir(home), RoleCredsFileName(accountID, roleName, sessionName, startURL))
}

func sha1Name(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:]) + ".json"
}
