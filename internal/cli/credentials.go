package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/termtext"
	"github.com/ssocli/ssocli/internal/usererr"
)

// errNoCredentials is botocore's NoCredentialsError (spec §1.5), exit 253,
// with the AWS CLI 2.32+'s advice (NoCredentialsErrorHandler).
var errNoCredentials = usererr.New(usererr.CodeConfig, `Unable to locate credentials. You can configure credentials by running "aws login".`).WithKind(usererr.KindNoCredentials)

// noCredentialsHint names the fix when the chain finds nothing.
const noCredentialsHint = "configure an IAM Identity Center profile with: ssocli configure sso, then log in with: ssocli sso login --profile NAME"

// credentialSource fetches the credentials the chain chose. As botocore's
// SSO provider is deferred, resolving reads only the configuration; the
// token, a refresh and GetRoleCredentials come when the source is called,
// and so do their errors (which export-credentials does not wrap).
type credentialSource func(ctx context.Context) (*creds.Credentials, error)

// credentials resolves the credentials and fetches them; no credentials at
// all is botocore's NoCredentialsError.
func (d *deps) credentials(ctx context.Context) (*creds.Credentials, error) {
	src, err := d.resolveCredentials(nil)
	if err != nil {
		return nil, err
	}
	if src == nil {
		return nil, errNoCredentials.WithHint(noCredentialsHint)
	}
	return src(ctx)
}

// resolveCredentials loads the selected profile's chain, in the AWS CLI's
// order (docs/credential-chain.md): the environment, assume-role, web
// identity, IAM Identity Center, the credentials file, credential_process,
// the config file, the container and the instance metadata service. It
// reads the configuration only and returns a nil source when nothing
// applies. processEnv ("K=V") is added to a credential_process's
// environment.
func (d *deps) resolveCredentials(processEnv []string) (credentialSource, error) {
	cfg, err := d.Config()
	if err != nil {
		return nil, err
	}
	name, explicit := d.profileName()
	top, _ := cfg.Profile(name)
	o := creds.ChainOptions{
		Config:        cfg,
		Profile:       name,
		Explicit:      explicit,
		ProfileFlag:   d.Globals.Profile != "",
		Getenv:        d.Env.getenv,
		Environ:       func() []string { return setEnviron(d.environ(), processEnv) },
		Region:        d.region(),
		ProcessStderr: d.Env.Stderr,
		LoginRequired: func(ctx context.Context, t *creds.Target, p *awsconfig.SSOProfile) (bool, error) {
			return d.loginAgain(ctx, t, p, top.Values["sso_auto_login"])
		},
	}
	if v := d.Env.getenv("SSOCLI_PROCESS_TIMEOUT"); v != "" {
		// How long a credential_process may run (default one minute).
		t, err := time.ParseDuration(v)
		if err != nil || t <= 0 {
			return nil, usererr.New(usererr.CodeConfig, fmt.Sprintf("SSOCLI_PROCESS_TIMEOUT=%q is not a duration.", v)).
				WithHint("set it to a duration such as 90s or 5m, or unset it for the default of one minute")
		}
		o.ProcessTimeout = t
	}
	if d.Env.PromptSecret != nil {
		o.MFA = d.Env.PromptSecret
	}
	chain, err := d.manager().LoadChain(o)
	if errors.Is(err, creds.ErrNoCredentials) {
		if s := top.Values["login_session"]; s != "" {
			return nil, errLoginSession(s)
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return chain.Fetch, nil
}

// loginAgain logs in when an ended session may be logged in again by itself
// (--auto-login, or sso_auto_login = true in the selected profile or the SSO
// profile, with a person at a terminal), as the seed page shows for
// "aws s3 ls". Everything goes to stderr: stdout may be read by a program
// (credential_process).
func (d *deps) loginAgain(ctx context.Context, t *creds.Target, p *awsconfig.SSOProfile, topSetting string) (bool, error) {
	if !d.autoLogin(topSetting) && !d.autoLogin(p.Values["sso_auto_login"]) {
		return false, nil
	}
	fmt.Fprintf(d.Env.Stderr, "Your IAM Identity Center session for %s has expired; logging in again.\n", termtext.Line(sessionLabel(t)))
	pkce := d.usePKCE(t, p.Values["sso_login_flow"], false, false)
	if _, err := d.login(ctx, t, pkce, false, d.Env.Stderr); err != nil {
		return false, err
	}
	fmt.Fprintf(d.Env.Stderr, "Successfully logged into Start URL: %s\n", termtext.Line(t.StartURL))
	return true, nil
}

// setEnviron returns base with the "K=V" settings of extra replacing or
// adding their variables.
func setEnviron(base, extra []string) []string {
	if len(extra) == 0 {
		return base
	}
	out := make([]string, 0, len(base)+len(extra))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.ContainsFunc(extra, func(e string) bool { return strings.HasPrefix(e, k+"=") }) {
			out = append(out, kv)
		}
	}
	return append(out, extra...)
}

// autoLogin says whether an ended session may be logged in again by itself:
// --auto-login or sso_auto_login = true, and only with a person at a terminal.
func (d *deps) autoLogin(configured string) bool {
	on := d.Globals.AutoLogin || strings.EqualFold(strings.TrimSpace(configured), "true")
	return on && d.Env.StdinTTY && d.Env.StderrTTY
}

// region is the region for the command's own AWS calls (spec §1.1).
func (d *deps) region() string {
	if d.Globals.Region != "" {
		return d.Globals.Region
	}
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if v := d.Env.getenv(k); v != "" {
			return v
		}
	}
	if p, ok := d.profileSection(); ok {
		return strings.TrimSpace(p["region"])
	}
	return ""
}

// errLoginSession is botocore's LoginProvider failing for a profile of
// `aws login` (login_session), whose sign-in ssocli does not do: its words,
// exit 255 (253 from export-credentials, which wraps it).
func errLoginSession(session string) error {
	return usererr.New(usererr.CodeOther, fmt.Sprintf("Error loading login session token: Unable to load a existing login session for session %s, Please reauthenticate with 'aws login'.", session)).
		WithHint("log in with the AWS CLI's aws login (ssocli does not do it), or use an IAM Identity Center profile (ssocli configure sso)")
}
