package interop

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/testutil/netns"
)

// oracleGoldens are the AWS CLI 2.36.7's formatters' output for a sample
// identity (internal/awsout/testdata, scripts/awsout-goldens.sh), for the
// formats the AWS CLI 2.9.19 lacks (--output off).
const oracleGoldens = "../awsout/testdata/awscli-2.36.7"

// TestOutputFormatsLikeAWSCLI: for the same credentials, ssocli's
// sts get-caller-identity, sso list-accounts and sso list-account-roles print
// what the AWS CLI 2.9.19 prints, byte for byte, with --query and in every
// --output format it has; --output off as 2.36.7's goldens.
func TestOutputFormatsLikeAWSCLI(t *testing.T) {
	t.Parallel()
	f := newFixture(t, idctest.WithAutoApprove(user))
	f.loggedIn(t, f.ssocli(t, viaProxy, "sso", "login", "--profile", sessionProfile.name, "--use-device-code"))
	token := readToken(t, f.tokenPath(sessionProfile)).AccessToken

	// The AWS CLI takes the token only on its command line: a shell puts
	// it there from the environment, so that no failure message shows it.
	withToken := func(t *testing.T, bin string, env []string, args ...string) result {
		t.Helper()
		script := `exec "$0" "$@" --access-token "$SSOCLI_TEST_TOKEN"`
		return run(t, "/bin/sh", append(env, "SSOCLI_TEST_TOKEN="+token), append([]string{"-c", script, bin}, args...)...)
	}
	aws := netns.AWSCLI(t)
	for _, args := range [][]string{
		{"sts", "get-caller-identity", "--query", "Account", "--output", "text"},
		{"sts", "get-caller-identity", "--query", "Arn", "--output", "text"},
		{"sts", "get-caller-identity", "--query", "Arn"},
		{"sts", "get-caller-identity", "--query", "{A: Arn, U: UserId}", "--output", "json"},
		{"sts", "get-caller-identity", "--output", "json"},
		{"sts", "get-caller-identity", "--output", "text"},
		{"sts", "get-caller-identity", "--output", "table"},
		{"sts", "get-caller-identity", "--output", "yaml"},
		{"sts", "get-caller-identity", "--output", "yaml-stream"},
		{"sso", "list-accounts", "--output", "text"},
		{"sso", "list-accounts", "--output", "table"},
		{"sso", "list-accounts", "--output", "yaml"},
		{"sso", "list-accounts", "--query", "accountList[].accountId", "--output", "text"},
		{"sso", "list-account-roles", "--account-id", account, "--output", "table"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			args := append([]string{"--profile", sessionProfile.name}, args...)
			var want result
			if args[2] == "sso" {
				// The AWS CLI's sso client calls the portal of the region given.
				args = append(args, "--region", f.srv.Region)
				want = withToken(t, aws, f.awsEnv(), args...)
			} else {
				want = f.aws(t, args...)
			}
			mustSucceed(t, want)
			got := f.ssocli(t, viaProxy, args...)
			if got.code != want.code || got.stdout != want.stdout {
				t.Errorf("ssocli exit %d, aws exit %d; stdout (-aws +ssocli):\n%s", got.code, want.code, cmp.Diff(want.stdout, got.stdout))
			}
			if args[2] == "sso" {
				// The AWS CLI's form of the same call.
				tok := withToken(t, ssocliBin, f.ssocliEnv(viaProxy), args...)
				if tok.code != want.code || tok.stdout != want.stdout {
					t.Errorf("with --access-token: ssocli exit %d, aws exit %d; stdout (-aws +ssocli):\n%s", tok.code, want.code, cmp.Diff(want.stdout, tok.stdout))
				}
			}
		})
	}

	t.Run("off", func(t *testing.T) {
		t.Parallel()
		want, err := os.ReadFile(filepath.Join(oracleGoldens, "identity.off"))
		if err != nil {
			t.Fatal(err)
		}
		got := f.ssocli(t, viaProxy, "sts", "get-caller-identity", "--profile", sessionProfile.name, "--output", "off")
		mustSucceed(t, got)
		if got.stdout != string(want) {
			t.Errorf("--output off printed %q, want the AWS CLI 2.36.7's %q", got.stdout, want)
		}
	})
}

// TestNoVerifySSLLikeAWSCLI: with --no-verify-ssl and no CA bundle both
// make the command's call to the server, whose certificate neither trusts,
// print the same identity, and warn for the host in the same words (the AWS
// CLI's warning starts with the path of the urllib3 file that gave it). The
// role credentials are cached first: the calls that get credentials check
// certificates all the same, in the AWS CLI (botocore's SSO provider makes
// its own client) and in ssocli.
func TestNoVerifySSLLikeAWSCLI(t *testing.T) {
	t.Parallel()
	f := newFixture(t, idctest.WithAutoApprove(user))
	f.loggedIn(t, f.ssocli(t, viaProxy, "sso", "login", "--profile", sessionProfile.name, "--use-device-code"))
	args := []string{"sts", "get-caller-identity", "--profile", sessionProfile.name, "--no-verify-ssl", "--query", "Account", "--output", "text"}
	cold := run(t, ssocliBin, f.ssocliEnv(viaProxy, "AWS_CA_BUNDLE="), args...)
	if cold.code != 255 || !strings.Contains(cold.stderr, "portal.sso.") {
		t.Errorf("without cached role credentials: want the portal's certificate refused (exit 255)\n%s", cold)
	}
	mustSucceed(t, f.ssocli(t, viaProxy, "sts", "get-caller-identity", "--profile", sessionProfile.name))
	want := run(t, netns.AWSCLI(t), f.awsEnv("AWS_CA_BUNDLE="), args...)
	mustSucceed(t, want)
	got := run(t, ssocliBin, f.ssocliEnv(viaProxy, "AWS_CA_BUNDLE="), args...)
	mustSucceed(t, got)
	if got.stdout != want.stdout {
		t.Errorf("stdout (-aws +ssocli):\n%s", cmp.Diff(want.stdout, got.stdout))
	}
	lines := strings.Split(strings.TrimSuffix(got.stderr, "\n"), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "InsecureRequestWarning: Unverified HTTPS request is being made to host '") {
		t.Errorf("ssocli's stderr has no InsecureRequestWarning:\n%s", got.stderr)
	}
	for _, l := range lines {
		if !strings.Contains(want.stderr, ": "+l+"\n") {
			t.Errorf("ssocli warns %q, which the AWS CLI does not:\n%s", l, want.stderr)
		}
	}
}
