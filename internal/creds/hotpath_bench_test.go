//go:build unix

package creds_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/ssocache"
)

// The hot path of every credential_process call: a profile whose role
// credentials are cached with more than RoleWindow left. Results and the
// command that reproduces them are in BENCHMARKS.md.

const (
	benchStartURL = "https://d-0000000000.awsapps.com/start"
	benchSession  = "corp"
)

// benchHome writes a ~/.aws/config of n SSO profiles on one sso-session
// (plus the comments and sub-sections a large organisation's file has) and a
// role credential cache entry for the last profile, valid for an hour. It
// returns the home and the profile name.
func benchHome(b *testing.B, n int) (home, profile string) {
	b.Helper()
	home = b.TempDir()
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "[default]\nregion = us-east-1\n\n[sso-session %s]\nsso_start_url = %s\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n\n", benchSession, benchStartURL)
	for i := range n {
		fmt.Fprintf(&cfg, "# team %d\n[profile team%04d]\nsso_session = %s\nsso_account_id = %012d\nsso_role_name = ReadOnly\nregion = us-west-2\noutput = json\n", i, i, benchSession, 100000000000+i)
		if i%10 == 0 {
			cfg.WriteString("s3 =\n  max_concurrent_requests = 20\n")
		}
		cfg.WriteString("\n")
	}
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(cfg.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	last := n - 1
	account := fmt.Sprintf("%012d", 100000000000+last)
	rc := &ssocache.RoleCredentials{
		AccessKeyID:     "ASIABENCHMARKEXAMPLE",
		SecretAccessKey: strings.Repeat("s", 40),
		SessionToken:    strings.Repeat("t", 700),
		Expiration:      time.Now().Add(time.Hour).UTC().Truncate(time.Second),
		AccountID:       account,
	}
	if err := ssocache.WriteRoleCredentials(ssocache.RoleCredsPath(home, account, "ReadOnly", benchSession, benchStartURL), rc); err != nil {
		b.Fatal(err)
	}
	return home, fmt.Sprintf("team%04d", last)
}

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
			home, profile := benchHome(b, n)
			b.ReportAllocs()
			defer reportCPU(b, cpuTime(b))
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
	home, _ := benchHome(b, 1)
	m := &creds.Manager{Home: home}
	t := &creds.Target{Profile: "team0000", SessionName: benchSession, StartURL: benchStartURL, Region: "us-east-1",
		AccountID: fmt.Sprintf("%012d", 100000000000), RoleName: "ReadOnly"}
	b.ReportAllocs()
	defer reportCPU(b, cpuTime(b))
	for b.Loop() {
		if m.CachedRoleCredentials(t) == nil {
			b.Fatal("no cached credentials")
		}
	}
}

// cpuTime is this process's user+system CPU time. The benchmarks report it
// per operation ("cpu-ns/op") next to wall time, which on a shared machine is
// mostly noise from other processes.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per operation since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
}
