package awskeys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// KeySize is the size of a Sealer's key.
const KeySize = 32

// tokenPrefix starts every session token (see NewTemporary).
const tokenPrefix = "IQoJb3JpZ2luX2Vj"

// sealedVersion is the first byte of a sealed session token's payload.
const sealedVersion = 1

// Claims is what a role credential of the portal stands for: what STS needs
// to answer a call signed with it.
type Claims struct {
	AccountID     string    `json:"a"`
	PermissionSet string    `json:"p"`
	RoleName      string    `json:"r"`
	RoleID        string    `json:"i"`
	UserName      string    `json:"u"`
	SessionID     string    `json:"s"`
	Expiration    time.Time `json:"e"`
}

// Sealer issues role credentials that the server checks without keeping
// them: the session token carries the Claims, sealed (AES-256-GCM, the
// access key id as additional data) with a key derived from the server's
// key, and the secret access key is an HMAC-SHA256 of the access key id
// under another. Whoever holds the server's key (the state file) can make
// credentials, as whoever held the stored ones could use them. It is safe
// for concurrent use.
type Sealer struct {
	aead   cipher.AEAD
	macKey []byte
}

// NewSealer returns a Sealer for key, which must be KeySize random bytes
// kept as long as the credentials it issues must be honoured.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, errors.New("credential key must be 32 bytes")
	}
	block, err := aes.NewCipher(derive(key, "ssocli role credential session token"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead, macKey: derive(key, "ssocli role credential secret access key")}, nil
}

func derive(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// secret returns the secret access key of accessKeyID.
func (s *Sealer) secret(accessKeyID string) string {
	m := hmac.New(sha256.New, s.macKey)
	m.Write([]byte(accessKeyID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))[:40]
}

// Issue returns fresh temporary credentials that stand for c.
func (s *Sealer) Issue(c Claims) (Temporary, error) {
	id := "ASIA" + randomBase32(16)
	sealed, err := s.seal(id, c)
	if err != nil {
		return Temporary{}, err
	}
	return Temporary{
		AccessKeyID:     id,
		SecretAccessKey: s.secret(id),
		SessionToken:    tokenPrefix + base64.StdEncoding.EncodeToString(sealed),
	}, nil
}

// seal returns v as JSON, sealed with aad as the additional data.
func (s *Sealer) seal(aad string, v any) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	n := s.aead.NonceSize()
	buf := make([]byte, 1+n, 1+n+len(plain)+s.aead.Overhead())
	buf[0] = sealedVersion
	_, _ = rand.Read(buf[1 : 1+n])
	return s.aead.Seal(buf, buf[1:1+n], plain, []byte(aad)), nil
}

// open decodes into v what seal made with aad, or reports false.
func (s *Sealer) open(aad string, raw []byte, v any) bool {
	n := s.aead.NonceSize()
	if len(raw) < 1+n+s.aead.Overhead() || raw[0] != sealedVersion {
		return false
	}
	plain, err := s.aead.Open(nil, raw[1:1+n], raw[1+n:], []byte(aad))
	return err == nil && json.Unmarshal(plain, v) == nil
}

// SealToken returns v (JSON) sealed for purpose, in URL-safe base64 after
// prefix: a bearer token that the server reads back with OpenToken instead
// of keeping it. prefix and purpose (say "aoa", "oidc access token") are
// sealed with it, which keeps a token of one kind from being taken for
// another (and from a role credential's: those take an "ASIA" id).
func (s *Sealer) SealToken(prefix, purpose string, v any) (string, error) {
	sealed, err := s.seal(prefix+"\x00"+purpose, v)
	if err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(sealed), nil
}

// OpenToken decodes into v a token that SealToken made with this key,
// prefix and purpose, and reports false for any other string.
func (s *Sealer) OpenToken(prefix, purpose, tok string, v any) bool {
	enc, ok := strings.CutPrefix(tok, prefix)
	if !ok {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	return err == nil && s.open(prefix+"\x00"+purpose, raw, v)
}

// Open returns the claims and the secret access key of credentials that
// Issue made with this key, and false for any other access key id and
// session token pair (another key's, altered, or random).
func (s *Sealer) Open(accessKeyID, sessionToken string) (Claims, string, bool) {
	enc, ok := strings.CutPrefix(sessionToken, tokenPrefix)
	if !ok {
		return Claims{}, "", false
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	var c Claims
	if err != nil || !strings.HasPrefix(accessKeyID, "ASIA") || !s.open(accessKeyID, raw, &c) {
		return Claims{}, "", false
	}
	return c, s.secret(accessKeyID), true
}
