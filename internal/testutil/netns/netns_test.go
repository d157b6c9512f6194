package netns

import (
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestMain(m *testing.M) { os.Exit(RunInNamespace(m)) }

// TestInsideNamespace proves the re-run: only loopback is there, and an
// address off the machine cannot even be routed to.
func TestInsideNamespace(t *testing.T) {
	Required(t)
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, i := range ifs {
		names = append(names, i.Name)
	}
	if diff := cmp.Diff([]string{"lo"}, names); diff != "" {
		t.Errorf("interfaces (-want +got):\n%s", diff)
	}
	// 192.0.2.1 is TEST-NET-1 (RFC 5737): never a real host. With no route
	// the dial fails at once instead of waiting for a timeout.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if c, err := (&net.Dialer{}).DialContext(ctx, "tcp", "192.0.2.1:443"); err == nil {
		c.Close()
		t.Fatal("dial 192.0.2.1:443 succeeded inside the namespace")
	} else if !strings.Contains(err.Error(), "unreachable") {
		t.Errorf("dial 192.0.2.1:443 error = %v, want network unreachable", err)
	}
	// Loopback works.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on loopback: %v", err)
	}
	defer l.Close()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatalf("dial loopback: %v", err)
	}
	c.Close()
}

func TestAWSEnv(t *testing.T) {
	t.Setenv("PATH", "/opt/x/bin:/usr/bin")
	for _, k := range []string{"NO_PROXY", "no_proxy", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DATA_PATH"} {
		t.Setenv(k, "from-the-machine")
	}
	t.Setenv("AWS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")

	got := AWSEnv("/tmp/home", "http://127.0.0.1:1234", "/tmp/ca/ca.pem")
	want := []string{
		"PATH=/opt/x/bin:/usr/bin",
		"HOME=/tmp/home",
		"HTTPS_PROXY=http://127.0.0.1:1234",
		"AWS_CA_BUNDLE=/tmp/ca/ca.pem",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
		"BROWSER=/bin/false",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AWSEnv (-want +got):\n%s", diff)
	}
}

// recordTB records Skipf and Fatalf instead of stopping the test.
type recordTB struct {
	testing.TB
	skipped, fatal string
}

func (r *recordTB) Helper()                           {}
func (r *recordTB) Skipf(format string, args ...any)  { r.skipped = format }
func (r *recordTB) Fatalf(format string, args ...any) { r.fatal = format }

func TestRequiredOutsideNamespace(t *testing.T) {
	t.Setenv(EnvInside, "")
	t.Setenv("CI", "")
	r := &recordTB{TB: t}
	Required(r)
	if r.skipped == "" || r.fatal != "" {
		t.Errorf("Required outside a namespace: skipped %q, failed %q; want a skip", r.skipped, r.fatal)
	}
}

func TestAWSCLI(t *testing.T) {
	path := AWSCLI(t)
	if path != AWSCLIPath {
		t.Errorf("AWSCLI = %q, want %q", path, AWSCLIPath)
	}
}
