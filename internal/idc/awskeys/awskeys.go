// Package awskeys makes the temporary credentials the local IAM Identity
// Center hands out (portal GetRoleCredentials, STS AssumeRole and
// AssumeRoleWithWebIdentity), in the shapes AWS uses: an access key id of
// "ASIA" and 16 characters of IAM's base32 alphabet, a 40-character secret
// access key and a long opaque session token.
//
// NewTemporary's values are random (crypto/rand) and mean nothing by
// themselves: the server keeps what it issued in its store and looks them
// up. A Sealer's (the portal's role credentials) carry what they stand for
// instead, so nothing is kept. They are not real AWS credentials and no AWS
// service accepts them.
package awskeys

import (
	"crypto/rand"
	"encoding/base64"
)

// base32Alphabet is the alphabet of IAM access key ids and unique ids.
const base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// Temporary is one set of temporary credentials.
type Temporary struct {
	AccessKeyID, SecretAccessKey, SessionToken string
}

// NewTemporary returns fresh random temporary credentials.
func NewTemporary() Temporary {
	return Temporary{
		AccessKeyID:     "ASIA" + randomBase32(16),
		SecretAccessKey: randomBase64(30)[:40],
		// Real session tokens start with the base64 of a version byte and
		// "origin_ec"; tools that sniff the prefix see a familiar one.
		SessionToken: "IQoJb3JpZ2luX2Vj" + randomBase64(300),
	}
}

func randomBase64(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.StdEncoding.EncodeToString(b)
}

// randomBase32 returns n characters of the alphabet AWS access key ids use.
func randomBase32(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = base32Alphabet[b[i]%32]
	}
	return string(b)
}
