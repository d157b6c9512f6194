package ssocache_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ssocli/ssocli/internal/ssocache"
)

// fuzzCanary stands for every secret a cache file holds. Inputs carry it as
// "$S"; no error may ever quote it, because errors reach the terminal and
// cache files hold tokens and keys.
const fuzzCanary = "canary-s3cr3t-AbCdEf0123456789"

// FuzzReadCacheFiles reads arbitrary bytes as each kind of cache file (FuzzScanner
// covers the JSON scanner alone; this covers the readers built on it): no
// panic, no error that quotes the contents, and whatever is accepted is
// written back as bytes that read again to the same bytes (a fixed point
// after one rewrite, so a read-modify-write never drifts or loses a key).
func FuzzReadCacheFiles(f *testing.F) {
	for _, dir := range []string{"awscli", "golden"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	for _, s := range []string{
		`{"startUrl": "https://x", "region": "us-east-1", "accessToken": "$S", "expiresAt": "2030-01-01T00:00:00Z", "refreshToken": "$S", "clientSecret": "$S"}`,
		`{"accessToken": "$S", "expiresAt": "not a time"}`,
		`{"accessToken": "$S", "expiresAt": "2030-01-01T00:00:00UTC"}`,
		`{"accessToken": "$S", "expiresAt": "2030-13-45T99:99:99Z"}`,
		`{"accessToken": 5, "expiresAt": "2030-01-01T00:00:00Z", "x": {"$S": ["$S"]}}`,
		`{"clientId": "c", "clientSecret": "$S", "expiresAt": "2030-01-01T00:00:00Z", "scopes": ["a", 1]}`,
		`{"ProviderType": "sso", "Credentials": {"AccessKeyId": "A", "SecretAccessKey": "$S", "SessionToken": "$S", "Expiration": "2030-01-01T00:00:00Z"}}`,
		`{"ProviderType": "sso", "Credentials": {"AccessKeyId": "A", "SecretAccessKey": "$S", "SessionToken": "$S", "Expiration": "2030-01-01T00:00:00+05:00"}}`,
		`{"ProviderType": "$S", "Credentials": "$S"}`,
		`$S`, `{"$S"`, `{"accessToken": "$S`, "{\"accessToken\": \"$S\xff\"}", `[]`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		data = bytes.ReplaceAll(data, []byte("$S"), []byte(fuzzCanary))
		dir := t.TempDir()
		path := filepath.Join(dir, "f.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		noCanary := func(what string, err error) {
			if err != nil && strings.Contains(err.Error(), fuzzCanary) {
				t.Errorf("%s: the error quotes the file's contents", what)
			}
		}

		tok, err := ssocache.ReadToken(path)
		noCanary("ReadToken", err)
		if err == nil {
			fixedPoint(t, "token", dir, tok.Marshal(), func(p string) ([]byte, error) {
				x, err := ssocache.ReadToken(p)
				if err != nil {
					return nil, err
				}
				return x.Marshal(), nil
			})
		}
		reg, err := ssocache.ReadRegistration(path)
		noCanary("ReadRegistration", err)
		if err == nil {
			fixedPoint(t, "registration", dir, reg.Marshal(), func(p string) ([]byte, error) {
				x, err := ssocache.ReadRegistration(p)
				if err != nil {
					return nil, err
				}
				return x.Marshal(), nil
			})
		}
		rc, err := ssocache.ReadRoleCredentials(path)
		noCanary("ReadRoleCredentials", err)
		if err == nil {
			fixedPoint(t, "role credentials", dir, rc.Marshal(), func(p string) ([]byte, error) {
				x, err := ssocache.ReadRoleCredentials(p)
				if err != nil {
					return nil, err
				}
				return x.Marshal(), nil
			})
		}
		_, _, err = ssocache.ReadLogoutInfo(path)
		noCanary("ReadLogoutInfo", err)
		_, err = ssocache.ReadProviderType(path)
		noCanary("ReadProviderType", err)
	})
}

// fixedPoint writes what a reader accepted and checks that reading and
// marshalling it again gives the same bytes.
func fixedPoint(t *testing.T, kind, dir string, first []byte, reread func(string) ([]byte, error)) {
	t.Helper()
	p := filepath.Join(dir, "again.json")
	if err := os.WriteFile(p, first, 0o600); err != nil {
		t.Fatalf("write %s: %v", kind, err)
	}
	second, err := reread(p)
	if err != nil {
		// Print the reason only: the bytes hold the canary.
		t.Fatalf("a %s we wrote does not read back: %v", kind, strings.ReplaceAll(err.Error(), fuzzCanary, "<secret>"))
	}
	if !bytes.Equal(first, second) {
		t.Errorf("a %s changes on a second rewrite (%d bytes, then %d)", kind, len(first), len(second))
	}
}
