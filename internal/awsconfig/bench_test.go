//go:build unix

package awsconfig

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time. Benchmarks report it per
// operation ("cpu-ns/op") because wall time on a shared machine is noise.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchConfig is a config with n SSO profiles, an sso-session, comments and an
// s3 sub-section every tenth profile, shaped like a large organisation's file.
func benchConfig(n int) string {
	var b strings.Builder
	b.WriteString("# generated\n[default]\nregion = us-east-1\noutput = json\n\n")
	b.WriteString("[sso-session corp]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n\n")
	for i := range n {
		fmt.Fprintf(&b, "[profile team%04d-ReadOnly]\n", i)
		fmt.Fprintf(&b, "sso_session = corp\nsso_account_id = %012d\nsso_role_name = ReadOnly\nregion = us-west-2\noutput = json\n", 100000000000+i)
		if i%10 == 0 {
			b.WriteString("# transfer tuning\ns3 =\n  max_concurrent_requests = 20\n  multipart_threshold = 64MB\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func BenchmarkParse1000Profiles(b *testing.B) {
	data := []byte(benchConfig(1000))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	start := cpuTime(b)
	for b.Loop() {
		c, err := Parse(data, nil, "config")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.SSOCredentials("team0999-ReadOnly", true); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
}

func BenchmarkLoad1000Profiles(b *testing.B) {
	dir := b.TempDir()
	cfg := dir + "/config"
	if err := writeFile(cfg, benchConfig(1000)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	start := cpuTime(b)
	defer func() { b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op") }()
	for b.Loop() {
		if _, err := Load(cfg, dir+"/credentials"); err != nil {
			b.Fatal(err)
		}
	}
}
