package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
)

const testStartURL = "https://d-0000000000.awsapps.com/start"

// ptyStep waits for the terminal to show want, then types send.
type ptyStep struct{ want, send string }

const (
	keyDown  = "\x1b[B"
	keyEnter = "\r"
)

// configureCases are driven twice: through a pseudo-terminal with the
// answers of steps, and with flags only, without a terminal. Both must write
// testdata/configure/<name>.golden, which gen.py made with the AWS CLI's own
// config writer for the same answers.
var configureCases = []struct {
	name  string
	args  []string // the command and --profile, common to both forms
	steps []ptyStep
	flags []string
}{
	{
		name: "sso-new-session",
		args: []string{"configure", "sso", "--profile", "dev", "--use-device-code"},
		steps: []ptyStep{
			{"SSO session name (Recommended): ", "corp\r"},
			{"SSO start URL [None]: ", testStartURL + "\r"},
			{"SSO region [None]: ", "us-east-1\r"},
			{"SSO registration scopes [sso:account:access]: ", "\r"},
			{"There are 12 AWS accounts available to you.", ""},
			{"Filter: ", "0007"},
			{"(1 of 12;", keyEnter},
			{"Using the account ID 100000000007", ""},
			{"There are 3 roles available to you.", keyDown + keyDown + keyEnter},
			{`Using the role name "Role03"`, ""},
			{"Default client Region [None]: ", "eu-west-1\r"},
			{"CLI default output format (json if not specified) [None]: ", "json\r"},
			{"aws sts get-caller-identity --profile dev", ""},
		},
		flags: []string{"--sso-session", "corp", "--start-url", testStartURL, "--region", "us-east-1",
			"--account-id", "100000000007", "--role-name", "Role03", "--default-region", "eu-west-1", "--output-format", "json", "--non-interactive"},
	},
	{
		name: "sso-existing-session",
		args: []string{"configure", "sso", "--use-device-code"},
		steps: []ptyStep{
			{"SSO session name (Recommended): ", "corp\r"},
			{"There are 12 AWS accounts available to you.", ""},
			{"Filter: ", "account-0002"},
			{"(1 of 12;", keyEnter},
			{"Using the account ID 100000000002", ""},
			{"There are 3 roles available to you.", "role01"},
			{"(1 of 3;", keyEnter},
			{"Default client Region [us-west-2]: ", "\r"},
			{"CLI default output format (json if not specified) [text]: ", "\r"},
			{"Profile name [Role01-100000000002]: ", "\r"},
			{"aws sts get-caller-identity --profile Role01-100000000002", ""},
		},
		flags: []string{"--sso-session", "corp", "--account-id", "100000000002", "--role-name", "Role01", "--non-interactive"},
	},
	{
		name: "sso-legacy",
		args: []string{"configure", "sso", "--profile", "dev"},
		steps: []ptyStep{
			{"SSO session name (Recommended): ", "\r"},
			{"WARNING: Configuring using legacy format", ""},
			{"SSO start URL [None]: ", "not a url\r"},
			{"Not a valid Start URL", testStartURL + "\r"},
			{"SSO region [None]: ", "\r"},
			{"A value is required", "us-east-1\r"},
			{"Filter: ", "account-0011"},
			{"(1 of 12;", keyEnter},
			{"There are 3 roles available to you.", keyDown + keyEnter},
			{"Default client Region [ap-south-1]: ", "\r"},
			{"CLI default output format (json if not specified) [None]: ", "yaml\r"},
			{"aws sts get-caller-identity --profile dev", ""},
		},
		flags: []string{"--sso-session", "", "--start-url", testStartURL, "--region", "us-east-1",
			"--account-id", "100000000011", "--role-name", "Role02", "--output-format", "yaml", "--non-interactive"},
	},
	{
		name: "sso-session",
		args: []string{"configure", "sso-session"},
		steps: []ptyStep{
			{"SSO session name: ", "my corp\r"},
			{"SSO start URL [None]: ", testStartURL + "\r"},
			{"SSO region [None]: ", "eu-central-1\r"},
			{"SSO registration scopes [sso:account:access]: ", "sso:account:access, codewhisperer completions\r"},
			{"Scope values must be separated by commas", "sso:account:access,codewhisperer:completions\r"},
			{"aws sso login --sso-session my corp", ""},
		},
		flags: []string{"--sso-session", "my corp", "--start-url", testStartURL, "--region", "eu-central-1",
			"--scopes", "sso:account:access,codewhisperer:completions", "--non-interactive"},
	},
}

// newConfigureHome returns a harness with the case's input config and a
// local Identity Center of 12 accounts with 3 roles each.
func newConfigureHome(t *testing.T, name string) *harness {
	t.Helper()
	h := newHarness(t, idctest.WithDirectory(directory.Generate(12, 3)))
	if in, err := os.ReadFile(filepath.Join("testdata", "configure", name+".input")); err == nil {
		h.writeConfig(string(in))
	} else if err := os.Remove(h.configPath()); err != nil {
		t.Fatal(err)
	}
	return h
}

// golden is the config the AWS CLI writes for the case, with the line
// endings ssocli gives it: the input file's, or for a new file the system's
// (CRLF on Windows, as the AWS CLI writes there; awsconfig.LineEnding).
func golden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "configure", name+".golden"))
	if err != nil {
		t.Fatal(err)
	}
	in, _ := os.ReadFile(filepath.Join("testdata", "configure", name+".input"))
	return strings.ReplaceAll(string(b), "\n", awsconfig.LineEnding(in))
}

func TestConfigureFlagsOnly(t *testing.T) {
	t.Parallel()
	for _, tc := range configureCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newConfigureHome(t, tc.name)
			out, errs, code := h.run(append(append([]string{}, tc.args...), tc.flags...)...)
			if code != 0 {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errs)
			}
			if strings.Contains(out, "[None]") {
				t.Errorf("the flag-only form asked a question:\n%s", out)
			}
			if diff := cmp.Diff(golden(t, tc.name), h.readConfig()); diff != "" {
				t.Errorf("config written (-aws cli +ssocli):\n%s", diff)
			}
		})
	}
}

func TestConfigureNonInteractiveErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want string
		code int
	}{
		{"start URL required", []string{"configure", "sso-session", "--sso-session", "x", "--non-interactive"}, "SSO start URL: a value is required; give it with --start-url.", 252},
		{"bad start URL", []string{"configure", "sso-session", "--sso-session", "x", "--start-url", "nope", "--region", "r", "--non-interactive"}, "argument --start-url: Not a valid Start URL", 252},
		{"http start URL", []string{"configure", "sso-session", "--sso-session", "x", "--start-url", "http://d-0000000000.awsapps.com/start", "--region", "r", "--non-interactive"},
			"The sso_start_url must use the https scheme.", 253},
		{"http start URL, configure sso", []string{"configure", "sso", "--profile", "p", "--sso-session", "", "--start-url", "http://sso.example.com/start", "--region", "r", "--non-interactive"},
			"The sso_start_url must use the https scheme.", 253},
		{"many accounts", []string{"configure", "sso", "--profile", "p", "--sso-session", "corp", "--start-url", testStartURL, "--region", "us-east-1", "--non-interactive", "--use-device-code"},
			"There are 12 AWS accounts available to you: choose one with --account-id.", 252},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newConfigureHome(t, tc.name)
			_, errs, code := h.run(tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d with %q", code, errs, tc.code, tc.want)
			}
		})
	}
}

// TestConfigureCtrlC runs the real binary under a pseudo-terminal and
// presses Ctrl-C at each question of the wizards, line prompts (where the
// terminal turns it into SIGINT) and choosers (raw mode, where it is a byte)
// alike: ssocli must exit 130 at once and leave ~/.aws/config as it was.
// requireTerminal skips the test without a pseudo-terminal (fails under CI).
