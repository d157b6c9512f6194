// Package benchhome writes the home the credential hot-path benchmarks run
// in: a ~/.aws/config the size of a large organisation's and one cached role.
package benchhome

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssocli/ssocli/internal/ssocache"
)

// The session every profile of the benchmark home uses.
const (
	StartURL = "https://d-0000000000.awsapps.com/start"
	Session  = "corp"
)

// Write makes a home with a ~/.aws/config of n SSO profiles on one
// sso-session (with the comments and s3 sub-sections a large organisation's
// file has) and role credentials, valid for an hour, cached for the last
// profile. It returns the home and that profile's name.
func Write(tb testing.TB, n int) (home, profile string) {
	tb.Helper()
	home = tb.TempDir()
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "[default]\nregion = us-east-1\n\n[sso-session %s]\nsso_start_url = %s\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n\n", Session, StartURL)
	for i := range n {
		fmt.Fprintf(&cfg, "# team %d\n[profile team%04d]\nsso_session = %s\nsso_account_id = %012d\nsso_role_name = ReadOnly\nregion = us-west-2\noutput = json\n", i, i, Session, 100000000000+i)
		if i%10 == 0 {
			cfg.WriteString("s3 =\n  max_concurrent_requests = 20\n")
		}
		cfg.WriteString("\n")
	}
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(cfg.String()), 0o600); err != nil {
		tb.Fatal(err)
	}
	account := fmt.Sprintf("%012d", 100000000000+n-1)
	rc := &ssocache.RoleCredentials{
		AccessKeyID:     "ASIABENCHMARKEXAMPLE",
		SecretAccessKey: strings.Repeat("s", 40),
		SessionToken:    strings.Repeat("t", 700),
		Expiration:      time.Now().Add(time.Hour).UTC().Truncate(time.Second),
		AccountID:       account,
	}
	if err := ssocache.WriteRoleCredentials(ssocache.RoleCredsPath(home, account, "ReadOnly", Session, StartURL), rc); err != nil {
		tb.Fatal(err)
	}
	return home, fmt.Sprintf("team%04d", n-1)
}
