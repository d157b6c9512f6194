package ssocache

import (
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkReadRoleCredentials measures the credential hot path: one cached role
// credential file (with a session token of realistic length) read and parsed.
func BenchmarkReadRoleCredentials(b *testing.B) {
	path := filepath.Join(b.TempDir(), RoleCredsFileName("111122223333", "ReadOnly", "my-sso", ""))
	c := &RoleCredentials{
		AccessKeyID: "ASIAFAKEFAKEFAKE0001", SecretAccessKey: strings.Repeat("k", 40),
		SessionToken: strings.Repeat("IQoJb3JpZ2luX2VjE", 60), Expiration: date("2026-11-25T18:08:08Z"),
		AccountID: "111122223333",
	}
	if err := WriteRoleCredentials(path, c); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadRoleCredentials(path); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadToken measures reading a token file with unknown keys.
func BenchmarkReadToken(b *testing.B) {
	path := filepath.Join("testdata", "awscli", "token-unknown-keys.json")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadToken(path); err != nil {
			b.Fatal(err)
		}
	}
}
