package store

import "time"

// AssumedRoleCredential is a set of temporary credentials that STS
// AssumeRole or AssumeRoleWithWebIdentity issued: a session of an IAM role
// of the directory.
type AssumedRoleCredential struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
	AccountID       string
	RoleName        string
	RoleID          string // AROA…
	SessionName     string // RoleSessionName
	// SessionID is the IAM Identity Center session at the root of the chain
	// (the session whose role credentials assumed the first role), or ""
	// when the chain started from an IAM user's keys or a web identity.
	// Revoking that session revokes these credentials too.
	SessionID string
	// MFA says the credentials were issued with a valid MFA code, or from
	// credentials that were (aws:MultiFactorAuthPresent).
	MFA bool
}

// AssumedRoles is the part of Store that STS AssumeRole needs.
type AssumedRoles interface {
	CreateAssumedRoleCredential(AssumedRoleCredential) error
	GetAssumedRoleCredential(accessKeyID string) (AssumedRoleCredential, error)
	// UseOnce marks key as used, to be forgotten after expires; it returns
	// ErrExists when the key is marked already. STS uses it to accept each
	// MFA one-time code once (RFC 6238 §5.2).
	UseOnce(key string, expires time.Time) error
}
