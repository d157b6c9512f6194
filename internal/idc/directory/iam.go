package directory

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base32"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// The IAM side of the directory: what STS AssumeRole and
// AssumeRoleWithWebIdentity need. Each account may have IAM users with
// long-term access keys, virtual MFA devices, OpenID Connect identity
// providers and roles; a role's trust says who may assume it (the trust
// policy of IAM, reduced to its principals and the two conditions profiles
// use: an external id and MFA).

// IAMUser is an IAM user with long-term access keys, the source of a profile
// with aws_access_key_id and aws_secret_access_key.
type IAMUser struct {
	Account    string // account id
	Name       string
	AccessKeys []AccessKey
}

// AccessKey is a long-term access key of an IAM user. The secret is plain
// text, like the users' passwords: this is a local test server.
type AccessKey struct {
	ID     string // AKIA and 16 upper-case letters or digits
	Secret string
}

// ARN returns the user's ARN, arn:aws:iam::<account>:user/<name>, which is
// also what GetCallerIdentity answers for its keys.
func (u IAMUser) ARN() string { return "arn:aws:iam::" + u.Account + ":user/" + u.Name }

// MFADevice is a virtual MFA device: a TOTP generator (RFC 6238: HMAC-SHA-1,
// 6 digits, 30-second steps) over a secret IAM shows as Base32StringSeed.
type MFADevice struct {
	Account string
	Name    string
	Secret  string // base32 (RFC 4648), padding optional
	// User is the IAM user of the same account the device is assigned to:
	// only that user's keys may present it. Empty means any caller may, which
	// is what IAM Identity Center role sessions need (IAM assigns devices to
	// users only; here a device stands for "a person with a phone").
	User string
}

// SerialNumber returns the device's serial number, arn:aws:iam::<account>:mfa/<name>,
// the mfa_serial of a profile.
func (m MFADevice) SerialNumber() string { return "arn:aws:iam::" + m.Account + ":mfa/" + m.Name }

// OIDCProvider is an IAM OpenID Connect identity provider: web identity
// tokens whose iss is URL and whose aud is one of Audiences, signed by Key,
// may assume the roles that trust it.
type OIDCProvider struct {
	Account   string
	URL       string   // the issuer, https://…
	Audiences []string // IAM's client id list
	// PublicKey verifies the tokens' signatures: an RSA key (RS256) or an
	// ECDSA P-256 key (ES256). Real IAM fetches it from the issuer's JWKS;
	// this server never dials out, so the directory holds it.
	PublicKey crypto.PublicKey
	// SigningKey is the private key, when the directory has it, so that a
	// test can mint tokens (idctest.WebIdentityToken); nil when the
	// directory holds only the public key.
	SigningKey crypto.Signer
}

// ARN returns the provider's ARN, arn:aws:iam::<account>:oidc-provider/<issuer
// without https://>.
func (p OIDCProvider) ARN() string {
	return "arn:aws:iam::" + p.Account + ":oidc-provider/" + strings.TrimPrefix(p.URL, "https://")
}

// Algorithm returns the JWS algorithm of the provider's key: RS256 or ES256.
func (p OIDCProvider) Algorithm() string {
	if _, ok := p.PublicKey.(*ecdsa.PublicKey); ok {
		return "ES256"
	}
	return "RS256"
}

// Role is an IAM role that STS AssumeRole (or AssumeRoleWithWebIdentity) can
// take.
type Role struct {
	Account string
	Name    string
	// MaxSessionDuration bounds DurationSeconds; IAM allows 1h to 12h and
	// defaults to 1h.
	MaxSessionDuration time.Duration
	// ExternalID, when set, must be given as ExternalId (the trust policy
	// condition sts:ExternalId).
	ExternalID string
	// RequireMFA asks for a valid MFA code with the call, or credentials that
	// were issued with one (the condition aws:MultiFactorAuthPresent).
	RequireMFA bool
	// Trust lists who may assume the role; nobody when empty.
	Trust []Trust
}

// ARN returns the role's ARN, arn:aws:iam::<account>:role/<name>.
func (r Role) ARN() string { return "arn:aws:iam::" + r.Account + ":role/" + r.Name }

// TrustKind is the kind of principal a trust entry names.
type TrustKind int

// The principals a role may trust.
const (
	// TrustPermissionSet: the IAM Identity Center role credentials of
	// permission set Name in Account (the AWSReservedSSO_ role's sessions).
	TrustPermissionSet TrustKind = iota + 1
	// TrustUser: the IAM Identity Center role credentials of user Name,
	// whatever the permission set and account.
	TrustUser
	// TrustIAMUser: the access keys of IAM user Name in Account.
	TrustIAMUser
	// TrustRole: sessions of role Name in Account (role chaining).
	TrustRole
	// TrustOIDCProvider: web identity tokens of the provider whose issuer is
	// Name, in the role's own account (Account).
	TrustOIDCProvider
)

// Trust is one principal a role trusts.
type Trust struct {
	Kind    TrustKind
	Account string // account id; unused for TrustUser
	Name    string
}

// Caller is who asks to assume a role, as a role's trust sees them: Kind is
// TrustPermissionSet for IAM Identity Center role credentials (User then
// names the Identity Center user), TrustIAMUser, TrustRole or
// TrustOIDCProvider.
type Caller struct {
	Kind    TrustKind
	Account string
	Name    string
	User    string
}

// Trusts reports whether the role's trust names the caller.
func (r Role) Trusts(c Caller) bool {
	for _, t := range r.Trust {
		switch {
		case t.Kind == TrustUser:
			if c.Kind == TrustPermissionSet && c.User == t.Name {
				return true
			}
		case t.Kind == c.Kind && t.Account == c.Account && t.Name == c.Name:
			return true
		}
	}
	return false
}

// Bounds of a role's MaxSessionDuration (IAM CreateRole: 3600 to 43200 seconds).
const (
	DefaultMaxSessionDuration = time.Hour
	MinMaxSessionDuration     = time.Hour
	MaxMaxSessionDuration     = 12 * time.Hour
)

var (
	// iamNameRe is IAM's rule for user and role names (1-64 of [\w+=,.@-]).
	iamNameRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]{1,64}$`) })
	// accessKeyIDRe is the shape of a long-term access key id.
	accessKeyIDRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^AKIA[A-Z0-9]{16}$`) })
	// externalIDRe is STS's pattern for ExternalId (its length, 2-1224, is
	// checked apart: Go's regexp allows at most 1000 repeats).
	externalIDRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@:/-]*$`) })
)

// checkIAMName checks a user, role or MFA device name.
func checkIAMName(what, name string) error {
	if !iamNameRe().MatchString(name) {
		return fmt.Errorf("%s name %q must be 1-64 characters of letters, digits and +=,.@_-", what, name)
	}
	return nil
}

func checkAccessKey(k AccessKey) error {
	if !accessKeyIDRe().MatchString(k.ID) {
		return fmt.Errorf("access key id %q must be AKIA and 16 upper-case letters or digits, e.g. AKIAIOSFODNN7EXAMPLE", k.ID)
	}
	if len(k.Secret) < 16 || len(k.Secret) > 128 || strings.ContainsAny(k.Secret, " \t\r\n") {
		return fmt.Errorf("the secret of access key %s must be 16-128 characters without spaces", k.ID)
	}
	return nil
}

// checkTOTPSecret checks a base32 TOTP secret: RFC 4226 §4 (R6) asks for at
// least 128 bits.
func checkTOTPSecret(secret string) error {
	s := strings.ToUpper(strings.TrimRight(secret, "="))
	b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
	if err != nil {
		return errors.New("secret must be base32 (letters A-Z and digits 2-7), e.g. the Base32StringSeed IAM shows")
	}
	if len(b) < 16 {
		return fmt.Errorf("secret is %d bits; a TOTP secret needs at least 128 (26 base32 characters)", len(b)*8)
	}
	return nil
}

func checkMaxSession(d time.Duration) error {
	if d < MinMaxSessionDuration || d > MaxMaxSessionDuration || d%time.Second != 0 {
		return fmt.Errorf("maxSessionDuration %s must be whole seconds from 1h (3600) to 12h (43200), as IAM allows", d)
	}
	return nil
}

func checkExternalID(id string) error {
	if id != "" && (len(id) < 2 || len(id) > 1224 || !externalIDRe().MatchString(id)) {
		return fmt.Errorf("externalId %q must be 2-1224 characters of letters, digits and +=,.@:/_-", id)
	}
	return nil
}

func checkIssuer(u string) error {
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "https" || p.Host == "" || p.RawQuery != "" || p.Fragment != "" || p.User != nil || strings.HasSuffix(u, "/") {
		return fmt.Errorf("OIDC provider url %q must be an https URL without a query, fragment or final slash, e.g. https://token.example.com", u)
	}
	return nil
}

// checkVerifyKey checks that a provider's key is one the server can verify
// with: RSA of at least 2048 bits, or ECDSA on P-256.
func checkVerifyKey(k crypto.PublicKey) error {
	switch k := k.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return fmt.Errorf("the RSA key has %d bits; use at least 2048", k.N.BitLen())
		}
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return errors.New("the ECDSA key must be on P-256 (ES256)")
		}
	default:
		return errors.New("the key must be RSA (RS256) or ECDSA P-256 (ES256)")
	}
	return nil
}

// ParseOIDCKey reads a provider's key from PEM: a private key (PKCS #8,
// PKCS #1 or SEC 1), which lets tests mint tokens, or a public key (PKIX).
func ParseOIDCKey(pemText string) (crypto.PublicKey, crypto.Signer, error) {
	block, rest := pem.Decode([]byte(strings.TrimSpace(pemText)))
	if block == nil || len(strings.TrimSpace(string(rest))) != 0 {
		return nil, nil, errors.New("signingKey must be one PEM block (-----BEGIN PRIVATE KEY----- or -----BEGIN PUBLIC KEY-----)")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	default:
		return nil, nil, fmt.Errorf("signingKey is a PEM %q block; give a PRIVATE KEY or a PUBLIC KEY", block.Type)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("signingKey cannot be read: %w", err)
	}
	var pub crypto.PublicKey
	var signer crypto.Signer
	switch k := key.(type) {
	case *rsa.PrivateKey:
		pub, signer = &k.PublicKey, k
	case *ecdsa.PrivateKey:
		pub, signer = &k.PublicKey, k
	default:
		pub = k
	}
	if err := checkVerifyKey(pub); err != nil {
		return nil, nil, fmt.Errorf("signingKey: %w", err)
	}
	return pub, signer, nil
}

// iamIndex answers the STS handler's questions.
type iamIndex struct {
	roles     map[string]*Role         // account/name
	users     map[string]*IAMUser      // account/name
	keys      map[string]accessKeyRef  // access key id
	devices   map[string]*MFADevice    // serial number
	providers map[string]*OIDCProvider // account + " " + url
}

type accessKeyRef struct {
	user   *IAMUser
	secret string
}

// validateIAM checks the IAM part of the directory and indexes it; the rest
// of the index (accounts, permission sets, users) is built already.
func (d *Directory) validateIAM(ix *index) error {
	iam := &iamIndex{
		roles:     map[string]*Role{},
		users:     map[string]*IAMUser{},
		keys:      map[string]accessKeyRef{},
		devices:   map[string]*MFADevice{},
		providers: map[string]*OIDCProvider{},
	}
	account := func(what, id string) error {
		if ix.accounts[id] == nil {
			return fmt.Errorf("%s is in unknown account %q", what, id)
		}
		return nil
	}
	for i := range d.IAMUsers {
		u := &d.IAMUsers[i]
		what := fmt.Sprintf("IAM user %q", u.Name)
		if err := account(what, u.Account); err != nil {
			return err
		}
		if err := checkIAMName("IAM user", u.Name); err != nil {
			return err
		}
		if iam.users[u.Account+"/"+u.Name] != nil {
			return fmt.Errorf("%s is defined twice in account %s", what, u.Account)
		}
		iam.users[u.Account+"/"+u.Name] = u
		for _, k := range u.AccessKeys {
			if err := checkAccessKey(k); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			if _, dup := iam.keys[k.ID]; dup {
				return fmt.Errorf("access key %s is defined twice", k.ID)
			}
			iam.keys[k.ID] = accessKeyRef{user: u, secret: k.Secret}
		}
	}
	for i := range d.MFADevices {
		m := &d.MFADevices[i]
		what := fmt.Sprintf("MFA device %q", m.Name)
		if err := account(what, m.Account); err != nil {
			return err
		}
		if err := checkIAMName("MFA device", m.Name); err != nil {
			return err
		}
		if err := checkTOTPSecret(m.Secret); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if m.User != "" && iam.users[m.Account+"/"+m.User] == nil {
			return fmt.Errorf("%s is assigned to unknown IAM user %q of account %s", what, m.User, m.Account)
		}
		if iam.devices[m.SerialNumber()] != nil {
			return fmt.Errorf("%s is defined twice in account %s", what, m.Account)
		}
		iam.devices[m.SerialNumber()] = m
	}
	for i := range d.OIDCProviders {
		p := &d.OIDCProviders[i]
		what := fmt.Sprintf("OIDC provider %q", p.URL)
		if err := account(what, p.Account); err != nil {
			return err
		}
		if err := checkIssuer(p.URL); err != nil {
			return err
		}
		if len(p.Audiences) == 0 {
			return fmt.Errorf("%s has no audiences; list the client ids its tokens carry as aud, e.g. sts.amazonaws.com", what)
		}
		if p.PublicKey == nil {
			return fmt.Errorf("%s has no key", what)
		}
		if err := checkVerifyKey(p.PublicKey); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if iam.providers[p.Account+" "+p.URL] != nil {
			return fmt.Errorf("%s is defined twice in account %s", what, p.Account)
		}
		iam.providers[p.Account+" "+p.URL] = p
	}
	for i := range d.Roles {
		r := &d.Roles[i]
		what := fmt.Sprintf("role %q", r.Name)
		if err := account(what, r.Account); err != nil {
			return err
		}
		if err := checkIAMName("role", r.Name); err != nil {
			return err
		}
		if r.MaxSessionDuration == 0 {
			r.MaxSessionDuration = DefaultMaxSessionDuration
		}
		if err := checkMaxSession(r.MaxSessionDuration); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if err := checkExternalID(r.ExternalID); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if iam.roles[r.Account+"/"+r.Name] != nil {
			return fmt.Errorf("%s is defined twice in account %s", what, r.Account)
		}
		iam.roles[r.Account+"/"+r.Name] = r
	}
	// Trust entries may name roles defined after the one that trusts them.
	for _, r := range d.Roles {
		for j, t := range r.Trust {
			what := fmt.Sprintf("trust entry #%d of role %q", j+1, r.Name)
			var err error
			switch t.Kind {
			case TrustPermissionSet:
				err = account(what, t.Account)
				if err == nil && ix.psets[t.Name] == nil {
					err = fmt.Errorf("%s names unknown permission set %q", what, t.Name)
				}
			case TrustUser:
				if ix.users[t.Name] == nil {
					err = fmt.Errorf("%s names unknown user %q", what, t.Name)
				}
			case TrustIAMUser:
				if iam.users[t.Account+"/"+t.Name] == nil {
					err = fmt.Errorf("%s names unknown IAM user %q of account %q", what, t.Name, t.Account)
				}
			case TrustRole:
				if iam.roles[t.Account+"/"+t.Name] == nil {
					err = fmt.Errorf("%s names unknown role %q of account %q", what, t.Name, t.Account)
				}
			case TrustOIDCProvider:
				if t.Account != r.Account || iam.providers[t.Account+" "+t.Name] == nil {
					err = fmt.Errorf("%s names OIDC provider %q, which is not in the role's account %s", what, t.Name, r.Account)
				}
			default:
				err = fmt.Errorf("%s has no kind", what)
			}
			if err != nil {
				return err
			}
		}
	}
	ix.iam = iam
	return nil
}

func (d *Directory) iam() *iamIndex {
	if ix := d.ix(); ix.iam != nil {
		return ix.iam
	}
	return &iamIndex{}
}

// Role returns the role name of account accountID.
func (d *Directory) Role(accountID, name string) (Role, bool) {
	r := d.iam().roles[accountID+"/"+name]
	if r == nil {
		return Role{}, false
	}
	return *r, true
}

// IAMUser returns the IAM user name of account accountID.
func (d *Directory) IAMUser(accountID, name string) (IAMUser, bool) {
	u := d.iam().users[accountID+"/"+name]
	if u == nil {
		return IAMUser{}, false
	}
	return *u, true
}

// AccessKey returns the IAM user an access key id belongs to, and its secret.
func (d *Directory) AccessKey(id string) (user IAMUser, secret string, ok bool) {
	k, ok := d.iam().keys[id]
	if !ok {
		return IAMUser{}, "", false
	}
	return *k.user, k.secret, true
}

// MFADevice returns the virtual MFA device with the serial number.
func (d *Directory) MFADevice(serial string) (MFADevice, bool) {
	m := d.iam().devices[serial]
	if m == nil {
		return MFADevice{}, false
	}
	return *m, true
}

// OIDCProvider returns the OIDC provider of account accountID whose issuer is url.
func (d *Directory) OIDCProvider(accountID, url string) (OIDCProvider, bool) {
	p := d.iam().providers[accountID+" "+url]
	if p == nil {
		return OIDCProvider{}, false
	}
	return *p, true
}

// IAMRoleID returns the stable unique id (AROA…) of role name in account.
func (d *Directory) IAMRoleID(accountID, name string) string {
	return d.uniqueID("AROA", "iam-role", accountID, name)
}

// IAMUserID returns the stable unique id (AIDA…) of IAM user name in account,
// the UserId GetCallerIdentity answers for its keys.
func (d *Directory) IAMUserID(accountID, name string) string {
	return d.uniqueID("AIDA", "iam-user", accountID, name)
}

// uniqueID derives an IAM unique id (a prefix and 17 characters of IAM's
// base32 alphabet) from the instance and parts, so that it is stable across
// restarts and differs between principals, as in AWS.
func (d *Directory) uniqueID(prefix, kind string, parts ...string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + d.Instance.ID + "\x00" + strings.Join(parts, "\x00")))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	var b strings.Builder
	b.WriteString(prefix)
	for i := 0; i < 17; i++ {
		b.WriteByte(alphabet[sum[i]%32])
	}
	return b.String()
}
