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
		want string // the line after the usage lines
	}{
		{[]string{"sso", "logn", "--profile", "p"}, "ssocli: error: argument operation: Invalid choice, valid choices are:\n\n" +
			"list-account-roles                       | list-accounts                           \n" +
			"login                                    | logout                                  \n" +
			"status                                   | help                                    \n" +
			"\n\nInvalid choice: 'logn', maybe you meant:\n\n  * login"},
		{[]string{"configure", "export-credentails", "--profile", "p"}, "ssocli: error: argument subcommand: Invalid choice, valid choices are:\n\n" +
			"export-credentials                       | get                                     \n" +
			"list                                     | list-profiles                           \n" +
			"populate                                 | set                                     \n" +
			"sso                                      | sso-session                             \n" +
			"help                                    \n" +
			"\n\nInvalid choice: 'export-credentails', maybe you meant:\n\n  * export-credentials"},
		{[]string{"sts", "get-caller-identiy"}, "ssocli: error: argument operation: Invalid choice, valid choices are:\n\n" +
			"get-caller-identity                      | help                                    \n" +
			"\n\nInvalid choice: 'get-caller-identiy', maybe you meant:\n\n  * get-caller-identity"},
		{[]string{"sso"}, "ssocli: error: the following arguments are required: operation"},
		{[]string{}, "ssocli: error: the following arguments are required: command"},
		{[]string{"sso", "login", "extra"}, "Unknown options: extra"},
		{[]string{"configure", "list-profiles", "extra"}, "Unknown options: extra"},
		{[]string{"sso", "login", "--bogus"}, "Unknown options: --bogus"},
		{[]string{"sso", "login", "--profile"}, "ssocli: error: argument --profile: expected one argument"},
		{[]string{"sso", "list-account-roles", "--sso-session", "corp"}, "ssocli: error: the following arguments are required: --account-id"},
		{[]string{"configure", "populate"}, "ssocli: error: the following arguments are required: --sso-session"},
		{[]string{"configure", "export-credentials", "--format", "yaml"}, "ssocli: error: argument --format: Invalid choice, valid choices are:\n\n" +
			"process                                  | env                                     \n" +
			"env-no-export                            | powershell                              \n" +
			"windows-cmd                              | fish                                    "},
		{[]string{"completion", "tcsh"}, "ssocli: error: argument shell: Invalid choice, valid choices are:\n\n" +
			"bash                                     | zsh                                     \n" +
			"fish                                     | powershell                              "},
		{[]string{"serve", "--token-ttl", "soon"}, `ssocli: error: invalid argument "soon" for "--token-ttl" flag: time: invalid duration "soon"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out, errs, code := h.run(tc.args...)
			if code != 252 || out != "" {
				t.Errorf("exit %d, stdout %q; want 252 and nothing", code, out)
			}
			if diff := cmp.Diff("\n"+usageLines+"\n"+tc.want+"\n\n", errs); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
		})
	}
	// "help" is one of the choices: it prints the group's help.
	if out := h.mustRun("sso", "help"); !strings.Contains(out, "Available Commands:") {
		t.Errorf("ssocli sso help printed:\n%s", out)
	}
}
