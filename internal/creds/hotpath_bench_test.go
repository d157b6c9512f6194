package creds_test

import (
	"fmt"
	"testing"

	"github.com/ssocli/ssocli/internal/testutil/benchhome"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/creds"
)

// The hot path of every credential_process call: a profile whose role
// credentials are cached with more than RoleWindow left. Results and the
// command that reproduces them are in BENCHMARKS.md.

// resolve is what `configure export-credentials` does before printing: load
// the files, validate the profile's SSO configuration, read the role cache.
func resolve(home, profile string) (*creds.Credentials, error) {
	getenv := func(string) string { return "" }
	cp, kp := awsconfig.Paths(getenv, home)
	cfg, err := awsconfig.Load(cp, kp)
	if err != nil {
		return nil, err
	}
	p, err := cfg.SSOCredentials(profile, true)
	if err != nil {
		return nil, err
	}
	m := &creds.Manager{Home: home}
	c := m.CachedRoleCredentials(&creds.Target{Profile: p.Profile, SessionName: p.SessionName, StartURL: p.StartURL,
		Region: p.SSORegion, Scopes: p.Scopes, AccountID: p.AccountID, RoleName: p.RoleName})
	if c == nil {
		return nil, fmt.Errorf("no cached credentials for %s", profile)
	}
	return c, nil
}

// BenchmarkResolveCachedProfile is the whole hot path in-process:
// awsconfig.Load + SSOCredentials + Manager.CachedRoleCredentials.
func BenchmarkResolveCachedProfile(b *testing.B) {
	for _, n := range []int{1, 1000} {
		b.Run(fmt.Sprintf("profiles=%d", n), func(b *testing.B) {
			home, profile := benchhome.Write(b, n)
			b.ReportAllocs()
			defer benchhome.ReportCPU(b, benchhome.CPUTime(b))
			for b.Loop() {
				if _, err := resolve(home, profile); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCachedRoleCredentials is the role cache read alone: one file, no
// lock, no client.
func BenchmarkCachedRoleCredentials(b *testing.B) {
	home, _ := benchhome.Write(b, 1)
	m := &creds.Manager{Home: home}
	t := &creds.Target{Profile: "team0000", SessionName: benchhome.Session, StartURL: benchhome.StartURL, Region: "us-east-1",
		AccountID: fmt.Sprintf("%012d", 100000000000), RoleName: "ReadOnly"}
	b.ReportAllocs()
	defer benchhome.ReportCPU(b, benchhome.CPUTime(b))
	for b.Loop() {
		if m.CachedRoleCredentials(t) == nil {
			b.Fatal("no cached credentials")
		}
	}
}
