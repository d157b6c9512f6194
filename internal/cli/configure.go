package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/usererr"
)

func (a *app) configureCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "configure",
		Short: "Profiles and credentials: list profiles, export credentials",
	}
	c.AddCommand(a.exportCredentialsCmd(), a.listProfilesCmd())
	c.AddCommand(a.configureSSOCmd(), a.configureSSOSessionCmd(), a.populateCmd())
	return c
}

type exportOptions struct {
	Format string
}

var exportFormats = []string{"process", "env", "env-no-export", "powershell", "windows-cmd", "fish"}

func (a *app) exportCredentialsCmd() *cobra.Command {
	var o exportOptions
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
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.parsed != nil {
				return a.parsed(o)
			}
			return a.runExportCredentials(cmd.Context(), o)
		},
	}
	c.Flags().StringVar(&o.Format, "format", "process", "output format: "+strings.Join(exportFormats, ", "))
	return c
}

func (a *app) runExportCredentials(ctx context.Context, o exportOptions) error {
	valid := false
	for _, f := range exportFormats {
		valid = valid || f == o.Format
	}
	if !valid {
		return usageError("argument --format: Invalid choice, valid choices are:\n\n%s", strings.Join(exportFormats, " | "))
	}
	chain, err := a.profileChainGuard()
	if err != nil {
		return err
	}
	c, err := a.resolveCredentials(ctx, []string{profileChainVar + "=" + chain})
	switch {
	case errors.Is(err, errNoCredentials):
		return usererr.New(usererr.CodeConfig, "Unable to retrieve credentials: no credentials found").WithHint(usererr.As(err).Hint)
	case err != nil && creds.IsLoadError(err):
		// The AWS CLI words what fails while the chain is read as a
		// configuration error (spec §7.3); what fails fetching the
		// credentials (an STS or SSO call, a token file) keeps its own
		// message and code (docs/credential-chain.md §7).
		if u := usererr.As(err); u != nil {
			return &usererr.Error{Msg: "Unable to retrieve credentials: " + strings.TrimSpace(u.Msg), Code: usererr.CodeConfig, Hint: u.Hint, Err: u.Err}
		}
		return usererr.Wrap(usererr.CodeConfig, "Unable to retrieve credentials: "+err.Error(), err)
	case err != nil:
		return err
	}
	_, err = a.env.Stdout.Write(formatCredentials(c, o.Format))
	return err
}

// formatCredentials renders credentials in one of the export formats (spec §7.3).
func formatCredentials(c *creds.Credentials, format string) []byte {
	exp := ""
	if !c.Expiration.IsZero() {
		exp = c.Expiration.UTC().Format("2006-01-02T15:04:05") + "+00:00"
	}
	if format == "process" {
		// Python's json.dumps(indent=2): keys in this order, optional ones only when set.
		var b strings.Builder
		b.WriteString("{\n  \"Version\": 1,\n  \"AccessKeyId\": ")
		b.WriteString(jsonString(c.AccessKeyID))
		b.WriteString(",\n  \"SecretAccessKey\": ")
		b.WriteString(jsonString(c.SecretAccessKey))
		if c.SessionToken != "" {
			b.WriteString(",\n  \"SessionToken\": ")
			b.WriteString(jsonString(c.SessionToken))
		}
		if exp != "" {
			b.WriteString(",\n  \"Expiration\": ")
			b.WriteString(jsonString(exp))
		}
		b.WriteString("\n}\n")
		return []byte(b.String())
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

// jsonString quotes s as Python's json.dumps does: no HTML escaping of <, > and &.
func jsonString(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
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

func (a *app) listProfilesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list-profiles",
		Short: "List the profile names of ~/.aws/config and ~/.aws/credentials",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.config()
			if err != nil {
				return err
			}
			var b strings.Builder
			for _, n := range cfg.ProfileNames() {
				b.WriteString(n)
				b.WriteByte('\n')
			}
			_, err = a.env.Stdout.Write([]byte(b.String()))
			return err
		},
	}
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
func (a *app) profileChainGuard() (string, error) {
	profile, _ := a.profileName()
	var seen []string
	if v := a.env.getenv(profileChainVar); v != "" {
		rec, err := csv.NewReader(strings.NewReader(v)).Read()
		if err == nil {
			seen = rec
		}
	}
	if len(seen) >= maxProfileChain {
		return "", usererr.New(usererr.CodeConfig, fmt.Sprintf("Maximum recursive credential process resolution reached (%d).\nProfiles seen: %s", maxProfileChain, strings.Join(seen, " -> "))).
			WithHint("a credential_process runs export-credentials for a profile whose credential_process does the same: end the chain in a profile with credentials of its own")
	}
	for _, s := range seen {
		if s == profile {
			return "", usererr.New(usererr.CodeConfig, fmt.Sprintf("Credential process resolution detected an infinite loop, profile cycle: %s", strings.Join(append(seen, profile), " -> "))).
				WithHint("the credential_process of a profile in the cycle runs export-credentials for a profile of the cycle: point it at a profile with credentials of its own")
		}
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(append(seen, profile))
	w.Flush()
	return strings.TrimRight(b.String(), "\r\n"), nil
}
