package cli

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestUsageErrors: every command line the parser refuses exits 252 with the
// AWS CLI's usage lines and error on stderr and nothing on stdout, a
// mistyped or missing subcommand included (B5: it used to print the group's
// help with exit 0, which a credential_process line then read as credentials).
func TestUsageErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, tc := range []struct {
		args []string
		msg  string // the ParamValidation message
		bare bool   // without the usage lines
	}{
		{[]string{"sso", "logn", "--profile", "p"}, "argument operation: Found invalid choice 'logn'\n\nMaybe you meant:\n\n  * login", false},
		{[]string{"configure", "export-credentails", "--profile", "p"}, "argument subcommand: Found invalid choice 'export-credentails'\n\nMaybe you meant:\n\n  * export-credentials", false},
		{[]string{"sts", "get-caller-identiy"}, "argument operation: Found invalid choice 'get-caller-identiy'\n\nMaybe you meant:\n\n  * get-caller-identity", false},
		{[]string{"sso"}, "the following arguments are required: operation", false},
		{[]string{}, "the following arguments are required: command", false},
		{[]string{"sso", "login", "extra"}, "Unknown options: extra", true},
		{[]string{"configure", "list-profiles", "extra", "more"}, "Unknown options: extra,more", true},
		{[]string{"sso", "login", "--bogus"}, "Unknown options: --bogus", true},
		{[]string{"sso", "login", "--profile"}, "argument --profile: expected one argument", false},
		{[]string{"sso", "list-account-roles", "--sso-session", "corp"}, "the following arguments are required: --account-id", false},
		{[]string{"configure", "populate"}, "the following arguments are required: --sso-session", false},
		{[]string{"configure", "export-credentials", "--format", "yaml"}, "argument --format: Found invalid choice 'yaml'\n", false},
		{[]string{"completion", "tcsh"}, "argument shell: Found invalid choice 'tcsh'\n", false},
		{[]string{"serve", "--token-ttl", "soon"}, `invalid argument "soon" for "--token-ttl" flag: time: invalid duration "soon"`, false},
		{[]string{"sts", "get-caller-identity", "--cli-error-format", "xml"}, "argument --cli-error-format: Found invalid choice 'xml'\n", false},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out, errs, code := h.run(tc.args...)
			if code != 252 || out != "" {
				t.Errorf("exit %d, stdout %q; want 252 and nothing", code, out)
			}
			msg := tc.msg
			if !tc.bare {
				msg += "\n\n" + strings.TrimSuffix(usageLines, "\n")
			}
			if diff := cmp.Diff("\nssocli: [ERROR]: An error occurred (ParamValidation): "+msg+"\n", errs); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
		})
	}
	// A service operation's unknown arguments: the usage lines, then the
	// message without a class (UnknownArgumentError), in every error format.
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"sts", "get-caller-identity", "x", "y"}, "x, y"},
		{[]string{"sts", "get-caller-identity", "x", "y", "--cli-error-format", "json"}, "x, y"},
		{[]string{"sso", "list-accounts", "--bogus"}, "--bogus"},
	} {
		args := tc.args
		_, errs, code := h.run(args...)
		if want := "\n" + usageLines + "\n\nssocli: [ERROR]: Unknown options: " + tc.msg + "\n"; code != 252 || errs != want {
			t.Errorf("%v: exit %d, stderr %q; want 252, %q", args, code, errs, want)
		}
	}
	// "help" is one of the choices: it prints the group's help.
	if out := h.mustRun("sso", "help"); !strings.Contains(out, "Available Commands:") {
		t.Errorf("ssocli sso help printed:\n%s", out)
	}
}
