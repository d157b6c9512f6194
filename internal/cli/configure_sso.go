package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"

	ssotypes "github.com/aws/aws-sdk-go-v2/service/sso/types"
	"github.com/spf13/cobra"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/orgs"
	"github.com/ssocli/ssocli/internal/prompt"
	"github.com/ssocli/ssocli/internal/usererr"
)

// defaultScopes is the AWS CLI's default sso_registration_scopes (spec §7.1).
const defaultScopes = "sso:account:access"

// configureSSOOptions are the flags of `configure sso` and `configure
// sso-session`. Given holds the answers given as flags, by prompt: a flag
// answers its prompt, so the prompt is not shown.
type configureSSOOptions struct {
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

func (a *app) configureSSOCmd() *cobra.Command {
	var o configureSSOOptions
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
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Given = changedFlags(cmd)
			return a.runConfigureSSO(cmd.Context(), o)
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

func (a *app) configureSSOSessionCmd() *cobra.Command {
	var o configureSSOOptions
	c := &cobra.Command{
		Use:   "sso-session",
		Short: "Create or update an [sso-session] section, asking as `aws configure sso-session` does",
		Long: `Create or update an [sso-session NAME] section of ~/.aws/config with the same
questions and defaults as "aws configure sso-session". It does not log in: run
ssocli sso login --sso-session NAME afterwards. Every question can be answered
with a flag (--sso-session, --start-url, --region, --scopes).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Given = changedFlags(cmd)
			return a.runConfigureSSOSession(cmd.Context(), o)
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

// asker answers questions from flags, then (unless non-interactive) the user.
type asker struct {
	o  configureSSOOptions
	pr *prompt.Prompter
}

func (k *asker) ask(ctx context.Context, flag string, q prompt.Question, required bool) (string, error) {
	v, ok := k.o.Given[flag]
	if !ok && k.o.NonInteractive {
		v, ok = q.Current, true
	}
	if ok {
		if v == "" {
			v = q.Current
		}
		if v == "" && required {
			return "", usageError("%s: a value is required; give it with --%s.", q.Text, flag)
		}
		if q.Validate != nil && v != q.Current {
			if err := q.Validate(v); err != nil {
				return "", usageError("argument --%s: %v", flag, err)
			}
		}
		return v, nil
	}
	v, err := k.pr.Ask(ctx, q)
	if errors.Is(err, prompt.ErrInterrupted) || ctx.Err() != nil {
		return "", context.Canceled
	}
	if err != nil {
		return "", fmt.Errorf("read answer to %q: %w (give it with --%s)", q.Text, err, flag)
	}
	return v, nil
}

// orderedValues are keys to write, in the order the AWS CLI writes them.
type orderedValues []awsconfig.KeyValue

func (v *orderedValues) set(k, val string) {
	if val == "" {
		return
	}
	for i := range *v {
		if (*v)[i].Key == k {
			(*v)[i].Value = val
			return
		}
	}
	*v = append(*v, awsconfig.KeyValue{Key: k, Value: val})
}

func (v orderedValues) get(k string) string {
	for _, kv := range v {
		if kv.Key == k {
			return kv.Value
		}
	}
	return ""
}

// Validators of the AWS CLI's wizard (awscli/customizations/configure/sso.py).
var hostLabel = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?i:[a-z\d]|[a-z\d][a-z\d\-]{0,61}[a-z\d])$`) })

// validStartURL is botocore's is_valid_endpoint_url: the URL must have a host
// made of valid DNS labels (or be an IP address).
func validStartURL(s string) error {
	const msg = "Not a valid Start URL"
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" {
		return errors.New(msg)
	}
	h := u.Hostname()
	if net.ParseIP(h) != nil {
		return nil
	}
	if len(h) > 255 {
		return errors.New(msg)
	}
	for _, l := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if !hostLabel().MatchString(l) {
			return errors.New(msg)
		}
	}
	return nil
}

func requiredValue(s string) error {
	if s == "" {
		return errors.New("A value is required")
	}
	return nil
}

func validScopes(s string) error {
	for _, sc := range strings.Split(s, ",") {
		if strings.ContainsAny(strings.TrimSpace(sc), " \t\r\n\v\f") {
			return errors.New("Scope values must be separated by commas")
		}
	}
	return nil
}

func (a *app) runConfigureSSOSession(ctx context.Context, o configureSSOOptions) error {
	cfg, err := a.config()
	if err != nil {
		return err
	}
	k := &asker{o: o, pr: prompt.New(a.env.Stdin, a.env.Stdout)}
	k.pr.SetANSI(!a.env.NoANSI)
	name, err := k.ask(ctx, "sso-session", prompt.Question{Text: "SSO session name", Format: "SSO session name: ", Validate: requiredValue}, true)
	if err != nil {
		return err
	}
	vals := sessionValues(cfg, name)
	if err := a.askSession(ctx, k, &vals, nil); err != nil {
		return err
	}
	if err := a.editConfig(func(d *awsconfig.Document) {
		d.Update(awsconfig.SSOSessionSection(name), vals)
	}); err != nil {
		return err
	}
	fmt.Fprintf(a.env.Stdout, "\nCompleted configuring SSO session: %s\nRun the following to login and refresh access token for this session:\n\naws sso login --sso-session %s\n", name, name)
	return nil
}

// sessionValues are the keys of an existing [sso-session name] section, in
// file order (the AWS CLI writes them all back), or none.
func sessionValues(cfg *awsconfig.Config, name string) orderedValues {
	var vals orderedValues
	if s, ok := cfg.SSOSession(name); ok {
		for _, key := range s.Keys {
			if v, ok := s.Values[key]; ok {
				vals = append(vals, awsconfig.KeyValue{Key: key, Value: v})
			}
		}
	}
	return vals
}

// askSession asks start URL, region and scopes into vals, with the profile's
// sso_start_url and sso_region as defaults when vals has none.
func (a *app) askSession(ctx context.Context, k *asker, vals *orderedValues, profile map[string]string) error {
	for _, key := range []string{"sso_start_url", "sso_region"} {
		if vals.get(key) == "" && profile[key] != "" {
			vals.set(key, profile[key])
		}
	}
	if err := a.askStartAndRegion(ctx, k, vals); err != nil {
		return err
	}
	if vals.get("sso_registration_scopes") == "" {
		vals.set("sso_registration_scopes", defaultScopes)
	}
	cur := vals.get("sso_registration_scopes")
	scopes, err := k.ask(ctx, "scopes", prompt.Question{Text: "SSO registration scopes", Current: cur, Validate: validScopes}, false)
	if err != nil {
		return err
	}
	vals.set("sso_registration_scopes", scopes)
	return nil
}

func (a *app) askStartAndRegion(ctx context.Context, k *asker, vals *orderedValues) error {
	start, err := k.ask(ctx, "start-url", prompt.Question{Text: "SSO start URL", Current: vals.get("sso_start_url"), Validate: validStartURL}, true)
	if err != nil {
		return err
	}
	vals.set("sso_start_url", start)
	region, err := k.ask(ctx, "region", prompt.Question{Text: "SSO region", Current: vals.get("sso_region"), Validate: requiredValue}, true)
	if err != nil {
		return err
	}
	vals.set("sso_region", region)
	return nil
}

func (a *app) runConfigureSSO(ctx context.Context, o configureSSOOptions) error {
	cfg, err := a.config()
	if err != nil {
		return err
	}
	out := a.env.Stdout
	k := &asker{o: o, pr: prompt.New(a.env.Stdin, out)}
	k.pr.SetANSI(!a.env.NoANSI)
	profileName, explicit := a.profileName()
	current := map[string]string{}
	if s, ok := cfg.Profile(profileName); ok {
		current = s.Values
	}

	// 1. The session, or the legacy form (ConfigureSSOCommand._prompt_for_sso_registration_args).
	var profileVals, sessVals orderedValues
	q := prompt.Question{Text: "SSO session name", Current: current["sso_session"]}
	if q.Current == "" {
		q.Format = "SSO session name (Recommended): "
	}
	session, err := k.ask(ctx, "sso-session", q, false)
	if err != nil {
		return err
	}
	force := false
	if session == "" {
		warn := "WARNING: Configuring using legacy format (e.g. without an SSO session).\nConsider re-running \"configure sso\" command and providing a session name.\n"
		if a.env.StdoutTTY && !a.env.NoANSI {
			warn = "\x1b[1m" + warn + "\x1b[0m"
		}
		fmt.Fprint(out, warn)
		profileVals.set("sso_start_url", current["sso_start_url"])
		profileVals.set("sso_region", current["sso_region"])
		if err := a.askStartAndRegion(ctx, k, &profileVals); err != nil {
			return err
		}
	} else {
		profileVals.set("sso_session", session)
		sessVals = sessionValues(cfg, session)
		if _, ok := cfg.SSOSession(session); !ok {
			if err := a.askSession(ctx, k, &sessVals, current); err != nil {
				return err
			}
			// A new session always logs in afresh, so no token cached by an
			// earlier attempt is used (the AWS CLI's force_refresh).
			force = true
		}
	}
	src := sessVals
	if session == "" {
		src = profileVals
	}
	sp := &awsconfig.SSOProfile{Profile: profileName, SessionName: session, StartURL: src.get("sso_start_url"), SSORegion: src.get("sso_region")}
	if session != "" && src.get("sso_registration_scopes") != "" {
		sp.Scopes = awsconfig.ParseScopes(src.get("sso_registration_scopes"))
	}
	if sp.StartURL == "" || sp.SSORegion == "" {
		return usererr.New(usererr.CodeConfig, fmt.Sprintf("The sso-session %q has no sso_start_url or sso_region.", session)).
			WithHint("run: ssocli configure sso-session --sso-session " + session)
	}

	// 2-3. Account and role.
	accountID, roleName, err := a.chooseAccountAndRole(ctx, k, sp, force)
	if err != nil {
		return err
	}
	profileVals.set("sso_account_id", accountID)
	profileVals.set("sso_role_name", roleName)

	// 4. The profile's own defaults.
	region, err := k.ask(ctx, "default-region", prompt.Question{Text: "CLI default client Region", Current: current["region"]}, false)
	if err != nil {
		return err
	}
	profileVals.set("region", region)
	output, err := k.ask(ctx, "output-format", prompt.Question{Text: "CLI default output format", Current: current["output"]}, false)
	if err != nil {
		return err
	}
	profileVals.set("output", output)

	// 5. The profile name, only when none was named.
	if !explicit {
		def := ""
		if accountID != "" && roleName != "" {
			def = roleName + "-" + accountID
		}
		pq := prompt.Question{Text: "CLI profile name", Current: def, Validate: requiredValue}
		if _, given := o.Given["profile"]; !given && o.NonInteractive && def == "" {
			return usageError("CLI profile name: a value is required; give it with --profile.")
		}
		if profileName, err = k.ask(ctx, "profile", pq, true); err != nil {
			return err
		}
	}

	// 6. Write the profile, then the session (ConfigureSSOCommand._write_new_config).
	if err := a.editConfig(func(d *awsconfig.Document) {
		if len(profileVals) > 0 {
			d.Update(awsconfig.ProfileSection(profileName), profileVals)
		}
		if session != "" {
			d.Update(awsconfig.SSOSessionSection(session), sessVals)
		}
	}); err != nil {
		return err
	}
	if accountID != "" && roleName != "" {
		fmt.Fprintf(out, "\nTo use this profile, specify the profile name using --profile, as shown:\n\naws s3 ls --profile %s\n", profileName)
	} else {
		fmt.Fprintf(out, "Successfully configured SSO for profile: %s\n", profileName)
	}
	return nil
}

// chooseAccountAndRole lists the accounts and roles (logging in first when
// needed) and lets the user pick, with the AWS CLI's messages. With both
// --account-id and --role-name given it neither logs in nor lists. It
// returns empty names when the token is refused (the AWS CLI then skips the
// credential settings).
func (a *app) chooseAccountAndRole(ctx context.Context, k *asker, sp *awsconfig.SSOProfile, force bool) (string, string, error) {
	accountID, haveAccount := k.o.Given["account-id"]
	roleName, haveRole := k.o.Given["role-name"]
	if haveAccount && haveRole && accountID != "" && roleName != "" {
		return accountID, roleName, nil
	}
	t, err := a.target(sp)
	if err != nil {
		return "", "", err
	}
	token, err := a.configureToken(ctx, t, force, k.o)
	if err != nil {
		return "", "", err
	}
	client, err := a.manager().PortalClient(t)
	if err != nil {
		return "", "", err
	}
	l := orgs.New(client, token, orgs.Options{})
	out := a.env.Stdout
	unauthorized := func(err error) bool {
		var ue *ssotypes.UnauthorizedException
		if errors.As(err, &ue) {
			fmt.Fprint(out, "Unable to list AWS accounts and/or roles. Skipping configuring AWS credential provider for profile.\n")
			return true
		}
		return false
	}
	if accountID == "" {
		accts, err := l.Accounts(ctx)
		if err != nil {
			if unauthorized(err) {
				return "", "", nil
			}
			return "", "", usererr.FromAPI(err)
		}
		switch len(accts) {
		case 0:
			return "", "", usererr.New(usererr.CodeOther, "No AWS accounts are available to you.")
		case 1:
			accountID = accts[0].ID
			fmt.Fprintf(out, "The only AWS account available to you is: %s\n", accountID)
		default:
			fmt.Fprintf(out, "There are %d AWS accounts available to you.\n", len(accts))
			if k.o.NonInteractive {
				return "", "", usageError("There are %d AWS accounts available to you: choose one with --account-id.", len(accts))
			}
			labels := make([]string, len(accts))
			for i, ac := range accts {
				labels[i] = displayAccount(ac)
			}
			i, err := k.pr.Choose(ctx, "AWS accounts", labels)
			if err != nil {
				return "", "", chooserError(ctx, err, "account-id")
			}
			accountID = accts[i].ID
		}
		fmt.Fprintf(out, "Using the account ID %s\n", accountID)
	}
	if roleName == "" {
		roles, err := l.Roles(ctx, accountID)
		if err != nil {
			if unauthorized(err) {
				return "", "", nil
			}
			return "", "", usererr.FromAPI(err)
		}
		switch len(roles) {
		case 0:
			return "", "", usererr.New(usererr.CodeOther, fmt.Sprintf("No roles are available for the account %s", accountID))
		case 1:
			roleName = roles[0]
			fmt.Fprintf(out, "The only role available to you is: %s\n", roleName)
		default:
			fmt.Fprintf(out, "There are %d roles available to you.\n", len(roles))
			if k.o.NonInteractive {
				return "", "", usageError("There are %d roles available to you: choose one with --role-name.", len(roles))
			}
			i, err := k.pr.Choose(ctx, "Roles", roles)
			if err != nil {
				return "", "", chooserError(ctx, err, "role-name")
			}
			roleName = roles[i]
		}
		fmt.Fprintf(out, "Using the role name %q\n", roleName)
	}
	return accountID, roleName, nil
}

func chooserError(ctx context.Context, err error, flag string) error {
	if errors.Is(err, prompt.ErrInterrupted) || ctx.Err() != nil {
		return context.Canceled
	}
	return fmt.Errorf("choose: %w (give it with --%s)", err, flag)
}

// displayAccount is the AWS CLI's display_account: "Name, email (id)".
func displayAccount(a orgs.Account) string {
	switch {
	case a.Name == "" && a.Email == "":
		return a.ID
	case a.Email == "":
		return fmt.Sprintf("%s (%s)", a.Name, a.ID)
	case a.Name == "":
		return fmt.Sprintf("%s (%s)", a.Email, a.ID)
	}
	return fmt.Sprintf("%s, %s (%s)", a.Name, a.Email, a.ID)
}

// configureToken returns an access token for t: the cached one unless force
// is set (or there is none usable), else a new login, as `configure sso` logs in.
func (a *app) configureToken(ctx context.Context, t *creds.Target, force bool, o configureSSOOptions) (string, error) {
	m := a.manager()
	if !force {
		if tok, err := m.AccessToken(ctx, t); err == nil {
			return tok, nil
		}
	}
	pkce := a.usePKCE(t, "", o.UseDeviceCode, o.NoBrowser)
	if _, err := a.login(ctx, t, pkce, o.NoBrowser, a.env.Stdout); err != nil {
		return "", err
	}
	return m.AccessToken(ctx, t)
}

// editConfig reads the config file, applies edit and writes it back
// atomically, keeping every byte edit does not change. A new file is 0600.
func (a *app) editConfig(edit func(*awsconfig.Document)) error {
	path, _ := awsconfig.Paths(a.env.getenv, a.env.Home)
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read config file %s: %w", path, err)
	}
	d, err := awsconfig.ParseDocument(data)
	if err != nil {
		return usererr.Wrap(usererr.CodeOther, "Unable to parse config file: "+path, err)
	}
	edit(d)
	if err := awsconfig.WriteFileAtomic(path, d.Bytes(), 0o600); err != nil {
		return fmt.Errorf("write config file %s: %w", path, err)
	}
	a.cfg, a.cfgErr = nil, nil
	return nil
}
