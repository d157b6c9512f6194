package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"sync"

	ssotypes "github.com/aws/aws-sdk-go-v2/service/sso/types"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/orgs"
	"github.com/ssocli/ssocli/internal/prompt"
	"github.com/ssocli/ssocli/internal/termtext"
	"github.com/ssocli/ssocli/internal/usererr"
)

// wizard asks the questions of the AWS CLI's configure sso and configure
// sso-session wizards (awscli/customizations/configure/sso.py), taking each
// answer from its flag, else (unless --non-interactive) from the user.
type wizard struct {
	o  *configureSSOOptions
	pr *prompt.Prompter
	// resolved is where the vanity start URL answered leads, "" when it
	// was not resolved: the login sends it in place of the start URL.
	resolved string
}

func newWizard(o *configureSSOOptions) *wizard {
	pr := prompt.New(o.Env.Stdin, o.Env.Stdout)
	pr.SetANSI(!o.Env.NoANSI)
	return &wizard{o: o, pr: pr}
}

// ask answers q from the flag, the current value (--non-interactive) or the user.
func (w *wizard) ask(ctx context.Context, flag string, q prompt.Question, required bool) (string, error) {
	v, ok := w.o.Given[flag]
	if !ok && w.o.NonInteractive {
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
				if ue := usererr.As(err); ue != nil {
					return "", ue // the AWS CLI's configuration error (an http start URL: 253)
				}
				return "", usageError("argument --%s: %v", flag, err)
			}
		}
		return v, nil
	}
	v, err := w.pr.Ask(ctx, q)
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
// made of valid DNS labels (or be an IP address); and it must be https, which
// the AWS CLI 2.36 checks only when it logs in with it (resolve.py): ssocli
// refuses it at once, with that check's configuration error, so that no
// wizard writes or logs in with a start URL a later login refuses.
func validStartURL(s string) error {
	const msg = "Not a valid Start URL"
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" {
		return errors.New(msg)
	}
	h := u.Hostname()
	if err := creds.CheckStartURLScheme(s); err != nil {
		return err
	}
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
func (w *wizard) askSession(ctx context.Context, vals *orderedValues, profile map[string]string) error {
	for _, key := range []string{"sso_start_url", "sso_region"} {
		if vals.get(key) == "" && profile[key] != "" {
			vals.set(key, profile[key])
		}
	}
	if err := w.askStartAndRegion(ctx, vals); err != nil {
		return err
	}
	if vals.get("sso_registration_scopes") == "" {
		vals.set("sso_registration_scopes", defaultScopes)
	}
	cur := vals.get("sso_registration_scopes")
	scopes, err := w.ask(ctx, "scopes", prompt.Question{Text: "SSO registration scopes", Current: cur, Validate: validScopes}, false)
	if err != nil {
		return err
	}
	vals.set("sso_registration_scopes", scopes)
	return nil
}

// askStartAndRegion asks the start URL, then the region unless the start
// URL, on a host AWS does not own, resolves to one
// (ConfigureSSOCommand._prompt_for_sso_start_url_and_sso_region): a failed
// resolution just asks. A --region flag still wins over the resolved region.
func (w *wizard) askStartAndRegion(ctx context.Context, vals *orderedValues) error {
	start, err := w.ask(ctx, "start-url", prompt.Question{Text: "SSO start URL", Current: vals.get("sso_start_url"), Validate: validStartURL}, true)
	if err != nil {
		return err
	}
	vals.set("sso_start_url", start)
	w.resolved = ""
	if u, err := url.Parse(start); err == nil && u.Hostname() != "" && !creds.IsAWSOwnedHost(u.Hostname()) {
		r, err := w.o.resolveStartURL(ctx, start, "", creds.DefaultResolveTimeout)
		if err == nil {
			w.resolved = r.URL
			if _, given := w.o.Given["region"]; !given {
				vals.set("sso_region", r.Region)
				return nil
			}
		} else if ctx.Err() != nil {
			return ctx.Err()
		} else {
			w.o.debugf("start URL %s not resolved (%v); asking for the region", start, err)
		}
	}
	region, err := w.ask(ctx, "region", prompt.Question{Text: "SSO region", Current: vals.get("sso_region"), Validate: requiredValue}, true)
	if err != nil {
		return err
	}
	vals.set("sso_region", region)
	return nil
}

// ssoSession asks the questions of configure sso-session: the session's
// name, start URL, region and scopes (spec §7.2).
func (w *wizard) ssoSession(ctx context.Context, cfg *awsconfig.Config) (string, orderedValues, error) {
	name, err := w.ask(ctx, "sso-session", prompt.Question{Text: "SSO session name", Format: "SSO session name: ", Validate: requiredValue}, true)
	if err != nil {
		return "", nil, err
	}
	vals := sessionValues(cfg, name)
	if err := w.askSession(ctx, &vals, nil); err != nil {
		return "", nil, err
	}
	return name, vals, nil
}

// profileAnswers are what configure sso writes.
type profileAnswers struct {
	profile       string
	profileValues orderedValues
	session       string // "" for the legacy form
	sessionValues orderedValues
}

// profile asks the questions of configure sso (spec §7.1): the session (or
// the legacy form), the account and role (logging in to list them), the
// profile's region and output, and its name when none was given.
func (w *wizard) profile(ctx context.Context, cfg *awsconfig.Config) (*profileAnswers, error) {
	o := w.o
	out := o.Env.Stdout
	profileName, explicit := o.profileName()
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
	session, err := w.ask(ctx, "sso-session", q, false)
	if err != nil {
		return nil, err
	}
	force := false
	if session == "" {
		warn := "WARNING: Configuring using legacy format (e.g. without an SSO session).\nConsider re-running \"configure sso\" command and providing a session name.\n"
		if o.Env.StdoutTTY && !o.Env.NoANSI {
			warn = "\x1b[1m" + warn + "\x1b[0m"
		}
		fmt.Fprint(out, warn)
		profileVals.set("sso_start_url", current["sso_start_url"])
		profileVals.set("sso_region", current["sso_region"])
		if err := w.askStartAndRegion(ctx, &profileVals); err != nil {
			return nil, err
		}
	} else {
		profileVals.set("sso_session", session)
		sessVals = sessionValues(cfg, session)
		if _, ok := cfg.SSOSession(session); !ok {
			if err := w.askSession(ctx, &sessVals, current); err != nil {
				return nil, err
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
		return nil, usererr.New(usererr.CodeConfig, fmt.Sprintf("The sso-session %q has no sso_start_url or sso_region.", session)).
			WithHint("run: ssocli configure sso-session --sso-session " + session)
	}

	// 2-3. Account and role.
	accountID, roleName, err := w.chooseAccountAndRole(ctx, sp, force)
	if err != nil {
		return nil, err
	}
	profileVals.set("sso_account_id", accountID)
	profileVals.set("sso_role_name", roleName)

	// 4. The profile's own defaults.
	region, err := w.ask(ctx, "default-region", prompt.Question{Text: "Default client Region", Current: current["region"]}, false)
	if err != nil {
		return nil, err
	}
	profileVals.set("region", region)
	output, err := w.ask(ctx, "output-format", prompt.Question{Text: "CLI default output format (json if not specified)", Current: current["output"]}, false)
	if err != nil {
		return nil, err
	}
	profileVals.set("output", output)

	// 5. The profile name, only when none was named.
	if !explicit {
		def := ""
		if accountID != "" && roleName != "" {
			def = roleName + "-" + accountID
		}
		pq := prompt.Question{Text: "Profile name", Current: def, Validate: requiredValue}
		if _, given := o.Given["profile"]; !given && o.NonInteractive && def == "" {
			return nil, usageError("Profile name: a value is required; give it with --profile.")
		}
		if profileName, err = w.ask(ctx, "profile", pq, true); err != nil {
			return nil, err
		}
	}

	return &profileAnswers{profile: profileName, profileValues: profileVals, session: session, sessionValues: sessVals}, nil
}

// chooseAccountAndRole lists the accounts and roles (logging in first when
// needed) and lets the user pick, with the AWS CLI's messages. With both
// --account-id and --role-name given it neither logs in nor lists. It
// returns empty names when the token is refused (the AWS CLI then skips the
// credential settings).
func (w *wizard) chooseAccountAndRole(ctx context.Context, sp *awsconfig.SSOProfile, force bool) (string, string, error) {
	accountID, haveAccount := w.o.Given["account-id"]
	roleName, haveRole := w.o.Given["role-name"]
	if haveAccount && haveRole && accountID != "" && roleName != "" {
		return accountID, roleName, nil
	}
	t, err := w.o.target(sp)
	if err != nil {
		return "", "", err
	}
	if w.resolved != "" && w.resolved != t.StartURL {
		t.ResolvedStartURL = w.resolved
	}
	token, err := w.o.configureToken(ctx, t, force)
	if err != nil {
		return "", "", err
	}
	client, err := w.o.manager().PortalClient(t)
	if err != nil {
		return "", "", err
	}
	l := orgs.New(client, token, orgs.Options{})
	out := w.o.Env.Stdout
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
		if len(accts) == 0 {
			return "", "", usererr.New(usererr.CodeOther, "No AWS accounts are available to you.")
		}
		ids, labels := make([]string, len(accts)), make([]string, len(accts))
		for i, ac := range accts {
			ids[i], labels[i] = ac.ID, displayAccount(ac)
		}
		i, err := w.chooseOne(ctx, choice{one: "AWS account", many: "AWS accounts", title: "AWS accounts", flag: "account-id", values: ids, labels: labels})
		if err != nil {
			return "", "", err
		}
		accountID = ids[i]
		fmt.Fprintf(out, "Using the account ID %s\n", termtext.Line(accountID))
	}
	if roleName == "" {
		roles, err := l.Roles(ctx, accountID)
		if err != nil {
			if unauthorized(err) {
				return "", "", nil
			}
			return "", "", usererr.FromAPI(err)
		}
		if len(roles) == 0 {
			return "", "", usererr.New(usererr.CodeOther, fmt.Sprintf("No roles are available for the account %s", accountID))
		}
		i, err := w.chooseOne(ctx, choice{one: "role", many: "roles", title: "Roles", flag: "role-name", values: roles, labels: roles})
		if err != nil {
			return "", "", err
		}
		roleName = roles[i]
		fmt.Fprintf(out, "Using the role name %q\n", roleName)
	}
	return accountID, roleName, nil
}

// choice is one pick of the wizard: an account or a role.
type choice struct {
	one, many string   // "role", "roles"
	title     string   // the chooser's title
	flag      string   // the flag that answers it
	values    []string // what is taken (account ids, role names)
	labels    []string // what the chooser shows, one per value
}

// chooseOne picks one of c.values (at least one) as the AWS CLI's wizard
// does: a single one is taken with "The only ... available to you is", more
// are counted and listed in the chooser, or refused with --non-interactive.
func (w *wizard) chooseOne(ctx context.Context, c choice) (int, error) {
	out := w.o.Env.Stdout
	if len(c.values) == 1 {
		fmt.Fprintf(out, "The only %s available to you is: %s\n", c.one, termtext.Line(c.values[0]))
		return 0, nil
	}
	fmt.Fprintf(out, "There are %d %s available to you.\n", len(c.values), c.many)
	if w.o.NonInteractive {
		return -1, usageError("There are %d %s available to you: choose one with --%s.", len(c.values), c.many, c.flag)
	}
	i, err := w.pr.Choose(ctx, c.title, c.labels)
	if errors.Is(err, prompt.ErrInterrupted) || ctx.Err() != nil {
		return -1, context.Canceled
	}
	if err != nil {
		return -1, fmt.Errorf("choose: %w (give it with --%s)", err, c.flag)
	}
	return i, nil
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
func (o *configureSSOOptions) configureToken(ctx context.Context, t *creds.Target, force bool) (string, error) {
	m := o.manager()
	if !force {
		if tok, err := m.AccessToken(ctx, t); err == nil {
			return tok, nil
		}
	}
	pkce := o.usePKCE(t, "", o.UseDeviceCode, o.NoBrowser)
	if _, err := o.login(ctx, t, pkce, o.NoBrowser, o.Env.Stdout); err != nil {
		return "", err
	}
	return m.AccessToken(ctx, t)
}
