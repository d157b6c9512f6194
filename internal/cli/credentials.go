package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/usererr"
)

// errNoCredentials is botocore's NoCredentialsError (spec §1.5), exit 253.
var errNoCredentials = usererr.New(usererr.CodeConfig, `Unable to locate credentials. You can configure credentials by running "aws configure".`)

// credentials resolves the selected profile's credentials through the AWS
// CLI's whole chain (docs/credential-chain.md): environment, assume-role,
// web identity, IAM Identity Center, the credentials file, credential_process,
// the config file, the container and the instance metadata service.
func (a *app) credentials(ctx context.Context) (*creds.Credentials, error) {
	return a.resolveCredentials(ctx, nil)
}

// resolveCredentials is credentials with extra variables for the environment
// of a credential_process ("K=V").
func (a *app) resolveCredentials(ctx context.Context, processEnv []string) (*creds.Credentials, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	name, explicit := a.profileName()
	top, _ := cfg.Profile(name)
	o := creds.ChainOptions{
		Config:        cfg,
		Profile:       name,
		Explicit:      explicit,
		ProfileFlag:   a.g.profile != "",
		Getenv:        a.env.getenv,
		Environ:       func() []string { return setEnviron(a.environ(), processEnv) },
		Region:        a.region(),
		ProcessStderr: a.env.Stderr,
		LoginRequired: func(ctx context.Context, t *creds.Target, p *awsconfig.SSOProfile) (bool, error) {
			return a.loginAgain(ctx, t, p, top.Values["sso_auto_login"])
		},
	}
	if a.env.PromptSecret != nil {
		o.MFA = func(_ context.Context, prompt string) (string, error) { return a.env.PromptSecret(prompt) }
	}
	c, err := a.manager().Resolve(ctx, o)
	if errors.Is(err, creds.ErrNoCredentials) {
		return nil, errNoCredentials.WithHint("configure an IAM Identity Center profile with: ssocli configure sso, then log in with: ssocli sso login --profile NAME")
	}
	return c, err
}

// loginAgain logs in when an ended session may be logged in again by itself
// (--auto-login, or sso_auto_login = true in the selected profile or the SSO
// profile, with a person at a terminal), as the seed page shows for
// "aws s3 ls". Everything goes to stderr: stdout may be read by a program
// (credential_process).
func (a *app) loginAgain(ctx context.Context, t *creds.Target, p *awsconfig.SSOProfile, topSetting string) (bool, error) {
	if !a.autoLogin(topSetting) && !a.autoLogin(p.Values["sso_auto_login"]) {
		return false, nil
	}
	fmt.Fprintf(a.env.Stderr, "Your IAM Identity Center session for %s has expired; logging in again.\n", sessionLabel(t))
	pkce := a.usePKCE(t, p.Values["sso_login_flow"], false, false)
	if _, err := a.login(ctx, t, pkce, false, a.env.Stderr); err != nil {
		return false, err
	}
	fmt.Fprintf(a.env.Stderr, "Successfully logged into Start URL: %s\n", t.StartURL)
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
		replaced := false
		for _, e := range extra {
			if ek, _, _ := strings.Cut(e, "="); ek == k {
				replaced = true
			}
		}
		if !replaced {
			out = append(out, kv)
		}
	}
	return append(out, extra...)
}

// autoLogin says whether an ended session may be logged in again by itself:
// --auto-login or sso_auto_login = true, and only with a person at a terminal.
func (a *app) autoLogin(configured string) bool {
	on := a.g.autoLogin || strings.EqualFold(strings.TrimSpace(configured), "true")
	return on && a.env.StdinTTY && a.env.StderrTTY
}

// region is the region for the command's own AWS calls (spec §1.1).
func (a *app) region() string {
	if a.g.region != "" {
		return a.g.region
	}
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if v := a.env.getenv(k); v != "" {
			return v
		}
	}
	if p, ok := a.profileSection(); ok {
		return strings.TrimSpace(p["region"])
	}
	return ""
}
