// Package interop tests ssocli against the real peers it must agree with: the
// AWS CLI v2 (/usr/bin/aws, 2.9.19 on these machines) and headless Chromium,
// both talking to the local IAM Identity Center (internal/idc) that each test
// runs in-process, and both sharing one temporary HOME with ssocli, so that
// every ~/.aws file one of them writes is read by the other (spec §3–§6, §12).
//
// It holds tests only. TestMain builds the ssocli binary once, then re-runs
// the test binary inside a private network namespace (internal/testutil/netns),
// so nothing any peer does can leave the machine. Where no namespace, AWS CLI
// or Chromium is available the tests skip, except under CI=true, where they
// fail: CI must not pass by skipping them.
//
// SSOCLI_INTEROP_BIN, when set, names an ssocli binary to test instead of
// building one.
package interop

import (
	"fmt"
	"os"
	"testing"

	"github.com/ssocli/ssocli/internal/testutil/ssoclibin"

	"github.com/ssocli/ssocli/internal/testutil/netns"
)

// envBin carries the path of the ssocli binary from the run that built it to
// the run inside the namespace (which has no network for module downloads).
const envBin = "SSOCLI_INTEROP_BIN"

// ssocliBin is the ssocli binary under test.
var ssocliBin string

func TestMain(m *testing.M) { os.Exit(testMain(m)) }

func testMain(m *testing.M) int {
	// The test binary is also the aws-sdk-go-v2 client that the credential
	// endpoint tests run as a child (sdkclients_test.go).
	if os.Getenv(envGoClient) == "1" {
		return goSDKClient(os.Args[1:])
	}
	if bin := os.Getenv(envBin); bin != "" {
		ssocliBin = bin
		return netns.RunInNamespace(m)
	}
	// Build before entering the namespace: the build may need the module
	// cache or the proxy, the namespace has no network.
	bin, cleanup, err := ssoclibin.Build()
	if err != nil {
		fmt.Fprintf(os.Stderr, "interop: %v\n", err)
		return 1
	}
	defer cleanup()
	if err := os.Setenv(envBin, bin); err != nil {
		fmt.Fprintf(os.Stderr, "interop: set %s: %v\n", envBin, err)
		return 1
	}
	ssocliBin = bin
	return netns.RunInNamespace(m)
}
