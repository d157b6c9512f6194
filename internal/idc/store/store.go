// Package store holds all mutable state of the local IAM Identity Center: client
// registrations, device authorizations, authorization codes, sessions, access
// and refresh tokens, issued role credentials, the credentials of assumed
// roles and the MFA codes already used.
//
// It is storage only, in the manner of dex's storage package: records go in and
// come out, and the few read-modify-write steps that must be atomic (marking a
// device code or a refresh token used) take an update function. The protocol
// rules (expiry, rotation, what revocation means) live in the oidc and portal
// packages. Every implementation must pass the suite in conformance_test.go.
//
// A session is one sign-in: everything issued from it (access tokens, refresh
// tokens, role credentials) carries its id, and revoking the session revokes
// all of them at once, which is what portal Logout and refresh-token reuse
// detection need (RFC 9700 §4.14.2).
//
// The server no longer writes access tokens, refresh tokens or the portal's
// role credentials: it seals what they stand for into them with
// CredentialKey (awskeys.Sealer), and a session keeps its refresh state, so
// the state does not grow with what is issued. Their records and methods
// remain for the role credentials in state files of earlier versions
// (stsstate.go) and may go once those files are gone.
package store

import (
	"crypto/rand"
	"errors"
	"time"
)

// ErrNotFound is returned for a record that does not exist (or was removed).
var ErrNotFound = errors.New("not found")

// ErrExists is returned when creating a record whose key is taken.
var ErrExists = errors.New("already exists")

// Client is an OIDC client registration (RegisterClient).
type Client struct {
	ID           string
	Secret       string
	Name         string
	Type         string // "public"
	Scopes       []string
	GrantTypes   []string // empty for device-flow registrations (the AWS CLI sends none)
	RedirectURIs []string
	IssuerURL    string
	IssuedAt     time.Time
	ExpiresAt    time.Time // of the secret
}

// DeviceStatus is where a device authorization stands.
type DeviceStatus int

// The states of a device authorization (RFC 8628 §3.5).
const (
	DevicePending DeviceStatus = iota
	DeviceApproved
	DeviceDenied
)

// DeviceAuth is one StartDeviceAuthorization.
type DeviceAuth struct {
	DeviceCode string
	UserCode   string // "ABCD-EFGH", stored upper case with the hyphen
	ClientID   string
	StartURL   string
	Scopes     []string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	Interval   time.Duration
	LastPoll   time.Time // zero until the first CreateToken
	FastPolls  int       // polls in a row that came sooner than Interval after the one before
	Status     DeviceStatus
	User       string // who approved or denied
	Exchanged  bool   // the device code was redeemed for a token (single use)
}

// AuthCode is an authorization code of the PKCE flow (RFC 7636).
type AuthCode struct {
	Code                string
	ClientID            string
	RedirectURI         string
	CodeChallenge       string
	CodeChallengeMethod string
	Scopes              []string
	User                string
	ExpiresAt           time.Time
	// Used is set by the first redemption, whatever its outcome; SessionID
	// is the session it started, if any, so that a second redemption can
	// revoke what the first one was given (RFC 6749 §4.1.2).
	Used      bool
	SessionID string
}

// Session is one sign-in of a user through one client.
type Session struct {
	ID        string
	ClientID  string
	User      string
	Scopes    []string
	CreatedAt time.Time
	ExpiresAt time.Time // refreshes stop here
	Revoked   bool

	// The session's refresh state, in place of a record per token (the
	// oidc package's tokens carry the session id and, for refresh tokens,
	// a generation): RefreshGen is the generation of the newest refresh
	// token, and the Next fields are what the one before it was rotated
	// into, at RotatedAt, so that a client racing the rotation with the
	// older token is answered with the same new tokens.
	RefreshGen       uint64    `json:",omitempty"`
	RotatedAt        time.Time `json:",omitzero"`
	NextAccessToken  string    `json:",omitempty"`
	NextRefreshToken string    `json:",omitempty"`
	NextExpiresAt    time.Time `json:",omitzero"` // of NextAccessToken
}

// AccessToken is a bearer token for the portal API.
type AccessToken struct {
	Token     string
	SessionID string
	ExpiresAt time.Time
}

// RefreshToken can be exchanged, once, for a new access and refresh token.
type RefreshToken struct {
	Token     string
	SessionID string
	ClientID  string
	Used      bool // rotated out; a second use means the token leaked (or a race, see Next)

	// When it was rotated out, and into which tokens: a client that uses it
	// again shortly after (another process sharing the cache, racing the
	// first) is answered with the same new tokens.
	RotatedAt        time.Time
	NextAccessToken  string
	NextRefreshToken string
	NextExpiresAt    time.Time // of NextAccessToken
}

// RoleCredential is a set of role credentials issued by GetRoleCredentials.
type RoleCredential struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
	AccountID       string
	PermissionSet   string
	RoleName        string // AWSReservedSSO_<PermissionSet>_<16 hex>
	RoleID          string // AROA…
	UserName        string
	SessionID       string
	AccessToken     string // the access token it was issued for
}

// Store is the state of the server. Implementations are safe for concurrent use.
// Get methods return copies; changing them changes nothing stored.
type Store interface {
	CreateClient(Client) error
	GetClient(id string) (Client, error)

	CreateDeviceAuth(DeviceAuth) error
	GetDeviceAuth(deviceCode string) (DeviceAuth, error)
	// GetDeviceAuthByUserCode finds a device authorization by its user code,
	// exactly as stored (callers normalise it).
	GetDeviceAuthByUserCode(userCode string) (DeviceAuth, error)
	// UpdateDeviceAuth applies fn atomically; when fn fails nothing changes
	// and the current record is returned with fn's error.
	UpdateDeviceAuth(deviceCode string, fn func(DeviceAuth) (DeviceAuth, error)) (DeviceAuth, error)

	CreateAuthCode(AuthCode) error
	GetAuthCode(code string) (AuthCode, error)
	// UpdateAuthCode is UpdateDeviceAuth for authorization codes.
	UpdateAuthCode(code string, fn func(AuthCode) (AuthCode, error)) (AuthCode, error)

	CreateSession(Session) error
	GetSession(id string) (Session, error)
	// UpdateSession is UpdateDeviceAuth for sessions (a refresh: one
	// write).
	UpdateSession(id string, fn func(Session) (Session, error)) (Session, error)
	// RevokeSession marks the session revoked; its access tokens, refresh
	// tokens and role credentials are dead from then on.
	RevokeSession(id string) error

	CreateAccessToken(AccessToken) error
	GetAccessToken(token string) (AccessToken, error)

	CreateRefreshToken(RefreshToken) error
	GetRefreshToken(token string) (RefreshToken, error)
	// UpdateRefreshToken is UpdateDeviceAuth for refresh tokens.
	UpdateRefreshToken(token string, fn func(RefreshToken) (RefreshToken, error)) (RefreshToken, error)
	// RotateRefreshToken is one refresh, all or nothing: it creates the
	// access token at and the refresh token next (none when next.Token is
	// empty) and applies fn to the refresh token under token, as
	// UpdateRefreshToken does. When fn fails, the token is unknown or a new
	// token's key is taken, nothing is written, and the current record is
	// returned with the error. (One write instead of three: with --data-dir
	// each write is a bbolt commit.)
	RotateRefreshToken(token string, at AccessToken, next RefreshToken, fn func(RefreshToken) (RefreshToken, error)) (RefreshToken, error)

	// CreateRoleCredential and GetRoleCredential keep role credentials
	// issued by earlier versions (the portal now seals them with
	// CredentialKey and stores nothing); the records go with
	// GarbageCollect once expired.
	CreateRoleCredential(RoleCredential) error
	GetRoleCredential(accessKeyID string) (RoleCredential, error)

	// CredentialKey returns the server's key for the role credentials
	// it issues (awskeys.Sealer): KeySize random bytes made when the store
	// was created, the same for as long as the store keeps its state.
	CredentialKey() []byte

	// AssumedRoles keeps what STS AssumeRole issues (assumed.go).
	AssumedRoles

	// GarbageCollect removes what expired before now: device authorizations,
	// authorization codes, access tokens, role credentials and the sessions
	// (with their refresh tokens) that ended. It returns how many records went.
	GarbageCollect(now time.Time) (int, error)

	Close() error
}

// credentialKeySize is the size of CredentialKey's key (awskeys.KeySize).
const credentialKeySize = 32

func newCredentialKey() []byte {
	k := make([]byte, credentialKeySize)
	_, _ = rand.Read(k) // crypto/rand.Read never fails (Go 1.24+)
	return k
}
