// Package netns runs a package's tests inside a private network namespace,
// for the tests that drive the real AWS CLI (spec §12): in a namespace with
// only a loopback interface, a mistake (a wrong endpoint, a proxy the CLI
// ignores) cannot send traffic off the machine; it fails to connect instead.
//
// A package opts in from its TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(netns.RunInNamespace(m)) }
//
// and each AWS CLI test starts with netns.Required(t) and netns.AWSCLI(t).
// The test binary re-runs itself under `unshare -n`, so the httptest server
// and the AWS CLI share the namespace's loopback.
//
// It is for tests only. Where no namespace can be made (not root, no
// unshare), the AWS CLI tests skip with the reason, except under CI=true,
// where they fail: CI must not pass by skipping them.
package netns

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/ssocli/ssocli/internal/testutil/require"
)

// EnvInside is set to "1" in the environment of a test binary re-run inside
// the namespace.
const EnvInside = "SSOCLI_NETNS"

// AWSCLIPath is where Debian's awscli package installs the AWS CLI v2. The
// `aws` first on PATH may be an unrelated v1, so tests use this path.
const AWSCLIPath = "/usr/bin/aws"

// reexecScript brings the namespace's loopback up (it starts down), then
// replaces the shell with the test binary ("$0") and its arguments.
const reexecScript = `ip link set lo up && exec "$0" "$@"`

// unavailable is why RunInNamespace ran the tests outside a namespace; it is
// set before m.Run and only read afterwards.
var unavailable string

// RunInNamespace runs the tests of m inside a new network namespace and
// returns the exit code for os.Exit. Outside the namespace it re-runs the
// test binary with the same arguments under `unshare -n`, with
// SSOCLI_NETNS=1, and returns that run's exit code; inside it runs m.
// When no namespace can be made it runs m here, so that Required skips the
// AWS CLI tests, or, under CI=true, fails without running anything.
func RunInNamespace(m *testing.M) int {
	if os.Getenv(EnvInside) == "1" {
		return m.Run()
	}
	unshare, err := probe()
	if err != nil {
		if require.InCI() {
			fmt.Fprintf(os.Stderr, "netns: cannot make a private network namespace: %v\n"+
				"netns: CI=true requires the AWS CLI tests to run: run the tests as root (or with CAP_SYS_ADMIN) with util-linux unshare and iproute2 ip installed\n", err)
			return 1
		}
		unavailable = "cannot make a private network namespace: " + err.Error()
		return m.Run()
	}

	cmd := exec.Command(unshare, append([]string{"-n", "sh", "-c", reexecScript, os.Args[0]}, os.Args[1:]...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), EnvInside+"=1")
	err = runTiedToParent(cmd)
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exitErr) && exitErr.ExitCode() > 0:
		return exitErr.ExitCode()
	default:
		fmt.Fprintf(os.Stderr, "netns: run tests in a network namespace: %v\n", err)
		return 1
	}
}

// probe checks that this process can make a network namespace and bring its
// loopback up, and returns the path of unshare.
func probe() (string, error) {
	if runtime.GOOS != "linux" {
		return "", fmt.Errorf("network namespaces exist only on Linux, and this is %s: run these tests on Linux", runtime.GOOS)
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		return "", fmt.Errorf("find unshare: %w", err)
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return "", fmt.Errorf("find ip: %w", err)
	}
	out, err := exec.Command(unshare, "-n", "sh", "-c", "ip link set lo up").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("unshare -n: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return unshare, nil
}

// Required skips t (fails it under CI=true) unless the test runs inside the
// private network namespace RunInNamespace made. Inside, it also checks that
// the namespace really holds only a loopback interface, so that a stray
// SSOCLI_NETNS=1 in the environment cannot let traffic out.
func Required(t testing.TB) {
	t.Helper()
	if os.Getenv(EnvInside) == "1" {
		if err := onlyLoopback(); err != nil {
			t.Fatalf("netns: %s=1 but %v", EnvInside, err)
		}
		return
	}
	reason := unavailable
	if reason == "" {
		reason = "the test binary is not running in a private network namespace: call netns.RunInNamespace from TestMain"
	}
	missing(t, reason)
}

// onlyLoopback returns an error unless every network interface is a
// loopback interface that is up.
func onlyLoopback() error {
	ifs, err := net.Interfaces()
	if err != nil {
		return fmt.Errorf("list network interfaces: %w", err)
	}
	for _, i := range ifs {
		if i.Flags&net.FlagLoopback == 0 {
			return fmt.Errorf("the process sees network interface %s: not in a private network namespace", i.Name)
		}
		if i.Flags&net.FlagUp == 0 {
			return fmt.Errorf("loopback interface %s is down", i.Name)
		}
	}
	return nil
}

// versionCheck runs `aws --version` once per test binary (~0.4 s).
var versionCheck = sync.OnceValues(func() (string, error) {
	cmd := exec.Command(AWSCLIPath, "--version")
	cmd.Env = []string{"PATH=" + pathEnv(), "HOME=" + os.TempDir(), "AWS_PAGER="}
	out, err := cmd.CombinedOutput()
	v := strings.TrimSpace(string(out))
	if err != nil {
		return v, fmt.Errorf("%s --version: %w: %s", AWSCLIPath, err, v)
	}
	return v, nil
})

// AWSCLI returns the path of the AWS CLI v2 (/usr/bin/aws) after checking
// that `aws --version` reports aws-cli/2. When it is missing or another
// version, t is skipped, or failed under CI=true.
func AWSCLI(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(AWSCLIPath); err != nil {
		missing(t, fmt.Sprintf("the AWS CLI v2 is not installed at %s (apt-get install -y awscli): %v", AWSCLIPath, err))
		return ""
	}
	v, err := versionCheck()
	if err != nil {
		missing(t, err.Error())
		return ""
	}
	if !strings.HasPrefix(v, "aws-cli/2.") {
		missing(t, fmt.Sprintf("%s is not the AWS CLI v2: --version says %q", AWSCLIPath, v))
		return ""
	}
	return AWSCLIPath
}

// AWSEnv returns the whole environment for an AWS CLI run against a local
// server through its proxy (spec §12): nothing is inherited but PATH, so no
// NO_PROXY, AWS_PROFILE, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_DATA_PATH or machine-wide AWS_CA_BUNDLE can leak
// in. AWS_CA_BUNDLE is always set, because the bundle replaces the trust
// store. Callers append what a test needs (credentials, region).
func AWSEnv(home, proxyURL, caFile string) []string {
	return []string{
		"PATH=" + pathEnv(),
		"HOME=" + home,
		"HTTPS_PROXY=" + proxyURL,
		"AWS_CA_BUNDLE=" + caFile,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
		"BROWSER=/bin/false",
	}
}

func pathEnv() string {
	if p := os.Getenv("PATH"); p != "" {
		return p
	}
	return "/usr/local/bin:/usr/bin:/bin"
}

// missing skips t with reason, or fails it under CI=true.
func missing(t testing.TB, reason string) {
	t.Helper()
	require.Missing(t, "netns: "+reason)
}
