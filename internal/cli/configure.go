package cli

import (
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/ssocache"
	"github.com/ssocli/ssocli/internal/usererr"
)

func newConfigureCmd(a *app) *cobra.Command {
	c := makeGroup(&cobra.Command{
		Use:   "configure",
		Short: "Profiles and credentials: get, set and list settings, list profiles, export credentials",
	}, "subcommand")
	c.AddCommand(newExportCredentialsCmd(a, nil), newListProfilesCmd(a, nil))
	c.AddCommand(newConfigureSSOCmd(a, nil), newConfigureSSOSessionCmd(a, nil), newPopulateCmd(a, nil))
	c.AddCommand(newConfigureGetCmd(a, nil), newConfigureSetCmd(a, nil), newConfigureListCmd(a, nil))
	return c
}

// exportOptions are what `configure export-credentials` runs from.
type exportOptions struct {
	deps
	Format string
}

var exportFormats = []string{"process", "env", "env-no-export", "powershell", "windows-cmd", "fish"}

func newExportCredentialsCmd(a *app, runF func(context.Context, *exportOptions) error) *cobra.Command {
	o := &exportOptions{}
	c := &cobra.Command{
		Use:   "export-credentials",
		Short: "Print the profile's credentials for other tools (credential_process, shell variables)",
		Long: `Print the credentials of a profile in a form other tools read, exactly as
"aws configure export-credentials" does:

  process        the credential_process JSON (default), so that any AWS SDK can use
                 credential_process = ssocli configure export-credentials --profile P
  env            export AWS_ACCESS_KEY_ID=... lines for POSIX shells
  env-no-export  the same without "export"
  powershell     $Env:AWS_ACCESS_KEY_ID="..." lines
  windows-cmd    set AWS_ACCESS_KEY_ID=... lines
  fish           set -gx AWS_ACCESS_KEY_ID "..." lines

Credentials come from ~/.aws/cli/cache while at least 15 minutes remain, with no
network call; otherwise they are fetched with the cached session token.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.deps = a.deps()
			if !slices.Contains(exportFormats, o.Format) {
				return invalidChoice("--format", exportFormats, o.Format, nil)
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runExportCredentials(cmd.Context(), o)
		},
	}
	c.Flags().StringVar(&o.Format, "format", "process", "output format: "+strings.Join(exportFormats, ", "))
	return c
}

func runExportCredentials(ctx context.Context, o *exportOptions) error {
	defer tuneGC(o.Env.getenv, exportGCPercent)()
	// A config file that cannot be read fails before the chain is walked,
	// with its own message (255), as in the AWS CLI.
	if _, err := o.Config(); err != nil {
		return err
	}
	// Resolving failures are wrapped, as the AWS CLI's exportcreds.py wraps
	// what get_credentials raises (spec §7.3); fetching failures (the token,
	// a refresh, GetRoleCredentials) keep their own text and code, because
	// the AWS CLI's SSO credentials are deferred until then.
	chain, err := o.profileChainGuard()
	if err != nil {
		return err
	}
	src, err := o.resolveCredentials([]string{profileChainVar + "=" + chain})
	if err != nil {
		return retrieveError(err)
	}
	if src == nil {
		return usererr.New(usererr.CodeConfig, "Unable to retrieve credentials: no credentials found").WithHint(noCredentialsHint)
	}
	c, err := src(ctx)
	if creds.IsLoadError(err) {
		// What botocore runs while it loads the chain (credential_process,
		// the container endpoint) is wrapped too, though ssocli runs it
		// only when the credentials are fetched.
		return retrieveError(err)
	}
	if err != nil {
		return err
	}
	_, err = o.Env.Stdout.Write(formatCredentials(c, o.Format))
	return err
}

// formatCredentials renders credentials in one of the export formats (spec §7.3).
func formatCredentials(c *creds.Credentials, format string) []byte {
	exp := ""
	if !c.Expiration.IsZero() {
		exp = c.Expiration.UTC().Format("2006-01-02T15:04:05") + "+00:00"
	}
	if format == "process" {
		// The AWS CLI's json.dumps(output, indent=2, separators=(',', ': ')):
		// keys in this order, optional ones only when set, non-ASCII escaped
		// (ensure_ascii), no HTML escaping.
		b := []byte("{\n  \"Version\": 1,\n  \"AccessKeyId\": ")
		b = ssocache.AppendPyString(b, c.AccessKeyID)
		b = append(b, ",\n  \"SecretAccessKey\": "...)
		b = ssocache.AppendPyString(b, c.SecretAccessKey)
		if c.SessionToken != "" {
			b = append(b, ",\n  \"SessionToken\": "...)
			b = ssocache.AppendPyString(b, c.SessionToken)
		}
		if exp != "" {
			b = append(b, ",\n  \"Expiration\": "...)
			b = ssocache.AppendPyString(b, exp)
		}
		return append(b, "\n}\n"...)
	}
	vars := [][2]string{{"AWS_ACCESS_KEY_ID", c.AccessKeyID}, {"AWS_SECRET_ACCESS_KEY", c.SecretAccessKey}}
	if c.SessionToken != "" {
		vars = append(vars, [2]string{"AWS_SESSION_TOKEN", c.SessionToken})
	}
	if exp != "" {
		vars = append(vars, [2]string{"AWS_CREDENTIAL_EXPIRATION", exp})
	}
	var b strings.Builder
	for _, v := range vars {
		switch format {
		case "env":
			fmt.Fprintf(&b, "export %s=%s\n", v[0], v[1])
		case "env-no-export":
			fmt.Fprintf(&b, "%s=%s\n", v[0], v[1])
		case "powershell":
			fmt.Fprintf(&b, "$Env:%s=\"%s\"\n", v[0], v[1])
		case "windows-cmd":
			fmt.Fprintf(&b, "set %s=%s\n", v[0], v[1])
		case "fish":
			fmt.Fprintf(&b, "set -gx %s \"%s\"\n", v[0], v[1])
		}
	}
	return []byte(b.String())
}

// parseExpiration reads AWS_CREDENTIAL_EXPIRATION; zero when absent or unreadable.
func parseExpiration(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05Z"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// listProfilesOptions are what `configure list-profiles` runs from.
type listProfilesOptions struct {
	deps
}

func newListProfilesCmd(a *app, runF func(context.Context, *listProfilesOptions) error) *cobra.Command {
	o := &listProfilesOptions{}
	return &cobra.Command{
		Use:   "list-profiles",
		Short: "List the profile names of ~/.aws/config and ~/.aws/credentials",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.deps = a.deps()
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runListProfiles(cmd.Context(), o)
		},
	}
}

func runListProfiles(_ context.Context, o *listProfilesOptions) error {
	cfg, err := o.Config()
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, n := range cfg.ProfileNames() {
		b.WriteString(n)
		b.WriteByte('\n')
	}
	_, err = o.Env.Stdout.Write([]byte(b.String()))
	return err
}

// retrieveError is the AWS CLI's wording of a failure to load the chain
// (exportcreds.py): "Unable to retrieve credentials: <msg>\n" (the newline
// shows in the structured error forms), exit 253.
func retrieveError(err error) error {
	if u := usererr.As(err); u != nil {
		return &usererr.Error{Msg: "Unable to retrieve credentials: " + strings.TrimSpace(u.Msg) + "\n", Code: usererr.CodeConfig, Hint: u.Hint, Err: u.Err}
	}
	return usererr.Wrap(usererr.CodeConfig, "Unable to retrieve credentials: "+err.Error()+"\n", err)
}

// profileChainVar is the AWS CLI's guard against export-credentials running
// itself through credential_process without end (exportcreds.py): the
// profiles seen so far, as one CSV row.
const profileChainVar = "_AWS_CLI_PROFILE_CHAIN"

// maxProfileChain is the AWS CLI's _MAX_RECURSION.
const maxProfileChain = 4

// profileChainGuard refuses a fourth nested export-credentials and a profile
// already in the chain, with the AWS CLI's messages (exit 253), and returns
// the chain value for the credential_process children.
func (d *deps) profileChainGuard() (string, error) {
	profile, _ := d.profileName()
	var seen []string
	if v := d.Env.getenv(profileChainVar); v != "" {
		if rec, err := csv.NewReader(strings.NewReader(v)).Read(); err == nil {
			seen = rec
		}
	}
	if len(seen) >= maxProfileChain {
		return "", usererr.New(usererr.CodeConfig, fmt.Sprintf("Maximum recursive credential process resolution reached (%d).\nProfiles seen: %s", maxProfileChain, strings.Join(seen, " -> "))).
			WithHint("a credential_process runs export-credentials for a profile whose credential_process does the same: end the chain in a profile with credentials of its own")
	}
	if slices.Contains(seen, profile) {
		return "", usererr.New(usererr.CodeConfig, fmt.Sprintf("Credential process resolution detected an infinite loop, profile cycle: %s\n", strings.Join(append(seen, profile), " -> "))).
			WithHint("the credential_process of a profile in the cycle runs export-credentials for a profile of the cycle: point it at a profile with credentials of its own")
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(append(seen, profile))
	w.Flush()
	return strings.TrimRight(b.String(), "\r\n"), nil
}
