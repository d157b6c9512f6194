package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssocli/ssocli/internal/awsconfig"
)

// defaultScopes is the AWS CLI's default sso_registration_scopes (spec §7.1).
const defaultScopes = "sso:account:access"

// configureSSOOptions are what `configure sso` and `configure sso-session`
// run from. Given holds the answers given as flags, by prompt: a flag
// answers its prompt, so the prompt is not shown.
type configureSSOOptions struct {
	deps
	Given          map[string]string
	NonInteractive bool
	NoBrowser      bool
	UseDeviceCode  bool
}

// configureFlags maps each flag to the prompt it answers.
var configureFlags = []struct{ name, usage string }{
	{"sso-session", `the SSO session name ("" for the legacy form without a session)`},
	{"start-url", "the SSO start URL"},
	{"region", "the SSO region (sso_region)"},
	{"scopes", "the SSO registration scopes, comma-separated (default " + defaultScopes + ")"},
	{"account-id", "the AWS account ID (sso_account_id)"},
	{"role-name", "the role name (sso_role_name)"},
	{"default-region", "the profile's default client region (region)"},
	{"output-format", "the profile's default output format: json, text, table, yaml or yaml-stream (output)"},
}

func newConfigureSSOCmd(a *app, runF func(context.Context, *configureSSOOptions) error) *cobra.Command {
	o := &configureSSOOptions{}
	c := &cobra.Command{
		Use:   "sso",
		Short: "Create or update an IAM Identity Center profile, asking as `aws configure sso` does",
		Long: `Create or update a profile that gets its credentials from IAM Identity Center,
with the same questions, defaults and written configuration as "aws configure sso".
Press Enter to keep the value in [brackets]. Without --profile the profile name is
asked last (default ROLE-ACCOUNT).

Every question can be answered with a flag instead, so set-up can be scripted
without a terminal; --non-interactive takes the shown default for the others and
fails when there is none. With --account-id and --role-name given, no login is
needed; otherwise ssocli logs in (or uses the session's cached token) to list your
accounts and roles. Long lists can be narrowed by typing.

~/.aws/config is edited in place: comments, blank lines, key order and sections
ssocli does not know are kept, and the file is replaced atomically.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.deps = a.deps()
			o.Given = changedFlags(cmd)
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runConfigureSSO(cmd.Context(), o)
		},
	}
	f := c.Flags()
	for _, fl := range configureFlags {
		f.String(fl.name, "", fl.usage)
	}
	f.BoolVar(&o.NonInteractive, "non-interactive", false, "ask nothing: take flags, then current values and defaults")
	f.BoolVar(&o.NoBrowser, "no-browser", false, "do not open a browser to log in: print the URL")
	f.BoolVar(&o.UseDeviceCode, "use-device-code", false, "log in with the device code flow")
	return c
}

func newConfigureSSOSessionCmd(a *app, runF func(context.Context, *configureSSOOptions) error) *cobra.Command {
	o := &configureSSOOptions{}
	c := &cobra.Command{
		Use:   "sso-session",
		Short: "Create or update an [sso-session] section, asking as `aws configure sso-session` does",
		Long: `Create or update an [sso-session NAME] section of ~/.aws/config with the same
questions and defaults as "aws configure sso-session". It does not log in: run
ssocli sso login --sso-session NAME afterwards. Every question can be answered
with a flag (--sso-session, --start-url, --region, --scopes).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.deps = a.deps()
			o.Given = changedFlags(cmd)
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runConfigureSSOSession(cmd.Context(), o)
		},
	}
	f := c.Flags()
	for _, fl := range configureFlags[:4] {
		f.String(fl.name, "", fl.usage)
	}
	f.BoolVar(&o.NonInteractive, "non-interactive", false, "ask nothing: take flags, then current values and defaults")
	return c
}

// changedFlags returns the string flags the user set.
func changedFlags(cmd *cobra.Command) map[string]string {
	out := map[string]string{}
	for _, fl := range configureFlags {
		if f := cmd.Flags().Lookup(fl.name); f != nil && f.Changed {
			out[fl.name] = strings.TrimSpace(f.Value.String())
		}
	}
	return out
}

func runConfigureSSOSession(ctx context.Context, o *configureSSOOptions) error {
	cfg, err := o.Config()
	if err != nil {
		return err
	}
	name, vals, err := newWizard(o).ssoSession(ctx, cfg)
	if err != nil {
		return err
	}
	if err := o.editConfig(ctx, func(d *awsconfig.Document) error {
		return d.Update(awsconfig.SSOSessionSection(name), vals)
	}); err != nil {
		return err
	}
	fmt.Fprintf(o.Env.Stdout, "\nCompleted configuring SSO session: %s\nRun the following to login and refresh access token for this session:\n\naws sso login --sso-session %s\n", name, name)
	return nil
}

func runConfigureSSO(ctx context.Context, o *configureSSOOptions) error {
	cfg, err := o.Config()
	if err != nil {
		return err
	}
	ans, err := newWizard(o).profile(ctx, cfg)
	if err != nil {
		return err
	}
	// Write the profile, then the session (ConfigureSSOCommand._write_new_config).
	if err := o.editConfig(ctx, func(d *awsconfig.Document) error {
		if len(ans.profileValues) > 0 {
			if err := d.Update(awsconfig.ProfileSection(ans.profile), ans.profileValues); err != nil {
				return err
			}
		}
		if ans.session != "" {
			return d.Update(awsconfig.SSOSessionSection(ans.session), ans.sessionValues)
		}
		return nil
	}); err != nil {
		return err
	}
	// ConfigureSSOCommand._print_conclusion of 2.24.13+, word for word: the
	// profile works for the AWS CLI as it does for ssocli, and ssocli's
	// other messages name the aws commands too ("aws sso login").
	switch {
	case ans.profileValues.get("sso_account_id") == "" || ans.profileValues.get("sso_role_name") == "":
		fmt.Fprintf(o.Env.Stdout, "Successfully configured SSO for profile: %s\n", ans.profile)
	case strings.EqualFold(ans.profile, "default"):
		fmt.Fprint(o.Env.Stdout, "The AWS CLI is now configured to use the default profile.\nRun the following command to verify your configuration:\n\naws sts get-caller-identity\n")
	default:
		fmt.Fprintf(o.Env.Stdout, "To use this profile, specify the profile name using --profile, as shown:\n\naws sts get-caller-identity --profile %s\n", ans.profile)
	}
	return nil
}

// editConfig applies edit to the config file through awsconfig.EditFile: under
// the cross-process lock, re-read, written atomically, keeping every byte edit
// does not change. A new file is 0600.
func (d *deps) editConfig(ctx context.Context, edit func(*awsconfig.Document) error) error {
	path, _ := awsconfig.Paths(d.Env.getenv, d.Env.Home)
	_, err := awsconfig.EditFile(ctx, path, edit, awsconfig.EditOptions{Debug: debugLogger(d.Env, d.Globals.Debug).Debug})
	return err
}
