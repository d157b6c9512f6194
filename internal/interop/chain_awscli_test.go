package interop

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/ssocache"
	"github.com/ssocli/ssocli/internal/testutil/netns"
)

// The AWS CLI 2.9.19 and ssocli share the assumed-role cache of
// ~/.aws/cli/cache both ways. 2.9.19 cannot use an sso-session profile as a
// source_profile (aws-cli#7496, fixed in 2.10.2), so the role here has static
// keys as its source; the SSO source is compared with the SDKs
// (TestChainIdentityMatchesSDKs).

// assumedCredentials reads an assumed-role cache file.
func assumedCredentials(t *testing.T, path string) credentials {
	t.Helper()
	a, err := ssocache.ReadAssumedRole(path)
	if err != nil {
		t.Fatalf("read the assumed-role cache: %v", err)
	}
	return credentials{a.AccessKeyID, a.SecretAccessKey, a.SessionToken, a.Expiration.UTC()}
}

// awsShape is an assumed-role cache file's shape without what only 2.36.7
// writes (AccountId) and the response headers, which each server sends its
// own way.
func awsShape(t *testing.T, b []byte) []string {
	return slices.DeleteFunc(shape(t, b), func(k string) bool {
		return k == "Credentials.AccountId=string" || strings.HasPrefix(k, "ResponseMetadata.HTTPHeaders.")
	})
}

func TestAssumedRoleCacheSharedWithAWSCLI(t *testing.T) {
	f := newChainFixture(t)
	const p = "role-on-creds-keys"
	path := ssocache.AssumedRolePath(f.home, ssocache.AssumeRoleKey{RoleArn: deployerArn})
	awsEnv := f.peerEnv()
	ssoEnv := f.peerEnv()

	// The AWS CLI assumes the role and caches it; ssocli uses its file.
	before := f.counts()
	mustSucceed(t, run(t, netns.AWSCLI(t), awsEnv, "sts", "get-caller-identity", "--profile", p))
	awsFile, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the AWS CLI wrote no assumed-role cache under botocore's name: %v", err)
	}
	cached := assumedCredentials(t, path)
	exp := run(t, ssocliBin, ssoEnv, "configure", "export-credentials", "--profile", p)
	sameCredentials(t, "ssocli export-credentials after the AWS CLI", processCredentials(t, exp), cached)
	if diff := cmp.Diff(map[string]int{"AssumeRole": 1}, f.newCalls(before, "AssumeRole")); diff != "" {
		t.Errorf("AssumeRole calls (-want +got): the AWS CLI's call only\n%s", diff)
	}

	// ssocli assumes the role and caches it; the AWS CLI uses its file.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	before = f.counts()
	mustSucceed(t, run(t, ssocliBin, ssoEnv, "sts", "get-caller-identity", "--profile", p))
	ours, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("ssocli wrote no assumed-role cache under botocore's name: %v", err)
	}
	if diff := cmp.Diff(awsShape(t, awsFile), awsShape(t, ours)); diff != "" {
		t.Errorf("assumed-role cache files of the AWS CLI and ssocli differ in shape (-aws +ssocli):\n%s", diff)
	}
	cached = assumedCredentials(t, path)
	awsExp := run(t, netns.AWSCLI(t), awsEnv, "configure", "export-credentials", "--profile", p)
	sameCredentials(t, "aws configure export-credentials after ssocli", processCredentials(t, awsExp), cached)
	if diff := cmp.Diff(map[string]int{"AssumeRole": 1}, f.newCalls(before, "AssumeRole")); diff != "" {
		t.Errorf("AssumeRole calls (-want +got): ssocli's call only\n%s", diff)
	}
}

// TestMFARoleCachedByAWSCLI: the AWS CLI prompts for the MFA code once (here
// on stdin, its getpass fallback) and caches the role; ssocli, which has no
// terminal here and could not ask, uses the cache without asking.
func TestMFARoleCachedByAWSCLI(t *testing.T) {
	f := newChainFixture(t)
	writeFile(t, filepath.Join(f.home, ".aws", "config"), readFileString(t, filepath.Join(f.home, ".aws", "config"))+
		"\n[profile mfa]\nrole_arn = arn:aws:iam::"+prodAccount+":role/"+directory.DemoMFARole+"\nsource_profile = ci\nmfa_serial = "+directory.DemoMFASerial+"\n")
	code := idctest.MFACode(t, f.dir, directory.DemoMFASerial, time.Now())
	r := runStdin(t, netns.AWSCLI(t), f.peerEnv(), code+"\n", "sts", "get-caller-identity", "--profile", "mfa")
	mustSucceed(t, r)
	if !strings.Contains(r.stderr, "Enter MFA code for "+directory.DemoMFASerial+": ") {
		t.Errorf("the AWS CLI did not prompt as expected: %s", r)
	}
	before := f.counts()
	exp := run(t, ssocliBin, f.peerEnv(), "configure", "export-credentials", "--profile", "mfa")
	path := ssocache.AssumedRolePath(f.home, ssocache.AssumeRoleKey{RoleArn: "arn:aws:iam::" + prodAccount + ":role/" + directory.DemoMFARole, SerialNumber: ptr(directory.DemoMFASerial)})
	sameCredentials(t, "ssocli on the AWS CLI's MFA role cache", processCredentials(t, exp), assumedCredentials(t, path))
	if diff := cmp.Diff(map[string]int{"AssumeRole": 0}, f.newCalls(before, "AssumeRole")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// Without the cache and without a terminal, ssocli says so and names the profile.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	r = run(t, ssocliBin, f.peerEnv(), "configure", "export-credentials", "--profile", "mfa")
	if want := `The profile "mfa" needs an MFA code for ` + directory.DemoMFASerial + " (mfa_serial), and there is no terminal to ask for it."; r.code != 255 || !strings.Contains(r.stderr, want) {
		t.Errorf("without a terminal: %s\nwant exit 255 and %q", r, want)
	}
}

func ptr[T any](v T) *T { return &v }

func readFileString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestChainErrorsLikeAWSCLI: bad chains give the AWS CLI 2.9.19's message
// (ssocli adds a hint line after it) and exit code, under both commands, and
// leave no assumed role cached.
func TestChainErrorsLikeAWSCLI(t *testing.T) {
	f := newChainFixture(t)
	failing := filepath.Join(f.home, "failing-process")
	writeFile(t, failing, "#!/bin/sh\necho 'the key is not plugged in' >&2\nexit 3\n")
	if err := os.Chmod(failing, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(f.home, ".aws", "config"), readFileString(t, filepath.Join(f.home, ".aws", "config"))+`
[profile bad-credential-source]
role_arn = `+deployerArn+`
credential_source = environment

[profile failing-process]
credential_process = `+failing+`

[profile too-long]
role_arn = `+partnerArn+`
source_profile = ci
external_id = ext-123
duration_seconds = 10800

[profile wrong-external-id]
role_arn = `+partnerArn+`
source_profile = ci
external_id = nope

[profile missing-token-file]
role_arn = `+webArn+`
web_identity_token_file = `+f.home+`/no-such-token
`)
	profiles := []string{"loop-a", "missing-source", "both-sources", "bad-credential-source", "failing-process", "too-long", "wrong-external-id", "missing-token-file"}
	for _, p := range profiles {
		t.Run(p, func(t *testing.T) {
			for _, args := range [][]string{{"configure", "export-credentials", "--profile", p}, {"sts", "get-caller-identity", "--profile", p}} {
				aws := run(t, netns.AWSCLI(t), f.peerEnv(), args...)
				ours := run(t, ssocliBin, f.peerEnv(), args...)
				if aws.code == 0 {
					t.Fatalf("the AWS CLI succeeded: %s", aws)
				}
				// 2.9.19 prints "\n<message>\n"; ssocli the same message in
				// the 2.34+ form, then its hint. ssocli passes a
				// credential_process's stderr through (the AWS CLI only
				// quotes it in the message).
				msg := latestErrorForm(aws.stderr, aws.code)
				got := strings.TrimPrefix(ours.stderr, "the key is not plugged in\n")
				if ours.code != aws.code || !strings.HasPrefix(got, msg+"\n") || strings.Count(got, "\n") < 3 {
					t.Errorf("%s:\nssocli: exit %d stderr %q\nAWS CLI: exit %d stderr %q", strings.Join(args, " "), ours.code, ours.stderr, aws.code, aws.stderr)
				}
			}
			entries, _ := os.ReadDir(ssocache.CLIDir(f.home))
			for _, e := range entries {
				if _, err := ssocache.ReadAssumedRole(filepath.Join(ssocache.CLIDir(f.home), e.Name())); err == nil {
					t.Errorf("an assumed role was cached: %s", e.Name())
				}
			}
		})
	}
}

// TestHangingProcessIsBounded: a credential_process that never ends is cut
// off and named (the AWS CLI would wait for ever, so there is nothing to
// compare with).
func TestHangingProcessIsBounded(t *testing.T) {
	netns.Required(t)
	home := t.TempDir()
	writeFile(t, filepath.Join(home, ".aws", "config"), "[profile hang]\ncredential_process = /bin/sleep 600\n")
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "AWS_EC2_METADATA_DISABLED=true", "SSOCLI_PROCESS_TIMEOUT=2s"}
	r := run(t, ssocliBin, env, "configure", "export-credentials", "--profile", "hang")
	want := "Unable to retrieve credentials: Error when retrieving credentials from custom-process: the command /bin/sleep did not finish within 2s"
	if r.code != 253 || !strings.Contains(r.stderr, want) {
		t.Errorf("%s\nwant exit 253 and %q", r, want)
	}
}

// TestWrongMFACodeLikeAWSCLI: a wrong MFA code typed at the prompt gives the
// AWS CLI's STS error and exit code; ssocli asks on its terminal (a pseudo-
// terminal here), the AWS CLI reads stdin (its getpass fallback). Nothing
// is cached.
func TestWrongMFACodeLikeAWSCLI(t *testing.T) {
	f := newChainFixture(t)
	writeFile(t, filepath.Join(f.home, ".aws", "config"), readFileString(t, filepath.Join(f.home, ".aws", "config"))+
		"\n[profile mfa]\nrole_arn = arn:aws:iam::"+prodAccount+":role/"+directory.DemoMFARole+"\nsource_profile = ci\nmfa_serial = "+directory.DemoMFASerial+"\n")
	args := []string{"sts", "get-caller-identity", "--profile", "mfa"}
	aws := runStdin(t, netns.AWSCLI(t), f.peerEnv(), "000000\n", args...)
	msg := "An error occurred (AccessDenied) when calling the AssumeRole operation: MultiFactorAuthentication failed with invalid MFA one time pass code."
	if aws.code != 254 || !strings.Contains(aws.stderr, "\n"+msg+"\n") {
		t.Fatalf("the AWS CLI: %s", aws)
	}

	cmd := exec.Command(ssocliBin, args...)
	cmd.Env, cmd.Dir = f.peerEnv(), f.home
	tty, err := pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	var out bytes.Buffer
	readMFAPrompt(t, tty, &out)
	if _, err := tty.Write([]byte("000000\r")); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	buf := make([]byte, 4096)
	for {
		n, err := tty.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			break // the child closed the terminal
		}
	}
	err = <-done
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 254 || !strings.Contains(strings.ReplaceAll(out.String(), "\r\n", "\n"), "\nssocli: [ERROR]: "+msg+"\n") {
		t.Errorf("ssocli: %v, terminal:\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "000000") {
		t.Errorf("the MFA code was echoed")
	}
	entries, _ := os.ReadDir(ssocache.CLIDir(f.home))
	for _, e := range entries {
		if _, err := ssocache.ReadAssumedRole(filepath.Join(ssocache.CLIDir(f.home), e.Name())); err == nil {
			t.Errorf("an assumed role was cached: %s", e.Name())
		}
	}
}

// readMFAPrompt reads the terminal into out until ssocli's MFA prompt shows.
func readMFAPrompt(t *testing.T, tty io.Reader, out *bytes.Buffer) {
	t.Helper()
	prompt := "Enter MFA code for " + directory.DemoMFASerial + ": "
	buf := make([]byte, 4096)
	for !strings.Contains(out.String(), prompt) {
		n, err := tty.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			t.Fatalf("no MFA prompt from ssocli (%v): %q", err, out.String())
		}
	}
}

// latestErrorForm is the AWS CLI 2.9.19's error output ("\n<message>\n",
// exit code) in the form of 2.34+ that ssocli prints (its name for "aws"):
// "\nssocli: [ERROR]: " and, for the classes of errors that have one, the
// "An error occurred (<Code>): " wrapper; without the final newline.
func latestErrorForm(stderr string, code int) string {
	msg := strings.TrimSpace(stderr)
	wrapper := ""
	switch {
	case code == 252:
		wrapper = "An error occurred (ParamValidation): "
	case code == 253 && strings.HasPrefix(msg, "Unable to locate credentials"):
		wrapper = "An error occurred (NoCredentials): "
	case code == 253 && strings.HasPrefix(msg, "You must specify a region"):
		wrapper = "An error occurred (NoRegion): "
	case code == 253:
		wrapper = "An error occurred (Configuration): "
	}
	return "\nssocli: [ERROR]: " + wrapper + msg
}
