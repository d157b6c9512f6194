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
	plain, err := json.Marshal(c)
	if err != nil {
		return Temporary{}, err
	}
	n := s.aead.NonceSize()
	buf := make([]byte, 1+n, 1+n+len(plain)+s.aead.Overhead())
	buf[0] = sealedVersion
	_, _ = rand.Read(buf[1 : 1+n])
	buf = s.aead.Seal(buf, buf[1:1+n], plain, []byte(id))
	return Temporary{
		AccessKeyID:     id,
		SecretAccessKey: s.secret(id),
		SessionToken:    tokenPrefix + base64.StdEncoding.EncodeToString(buf),
	}, nil
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
	n := s.aead.NonceSize()
	if err != nil || len(raw) < 1+n+s.aead.Overhead() || raw[0] != sealedVersion {
		return Claims{}, "", false
	}
	plain, err := s.aead.Open(nil, raw[1:1+n], raw[1+n:], []byte(accessKeyID))
	if err != nil {
		return Claims{}, "", false
	}
	var c Claims
	if err := json.Unmarshal(plain, &c); err != nil {
		return Claims{}, "", false
	}
	return c, s.secret(accessKeyID), true
}
