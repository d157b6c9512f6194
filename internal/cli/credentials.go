package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/termtext"
	"github.com/ssocli/ssocli/internal/usererr"
)

// errNoCredentials is botocore's NoCredentialsError (spec §1.5), exit 253.
var errNoCredentials = usererr.New(usererr.CodeConfig, `Unable to locate credentials. You can configure credentials by running "aws configure".`)

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
	src, err := d.resolveCredentials()
	if err != nil {
		return nil, err
	}
	if src == nil {
		return nil, errNoCredentials.WithHint(noCredentialsHint)
	}
	return src(ctx)
}

// resolveCredentials walks the part of the AWS CLI's chain (spec §1.4) that
// ssocli serves: the environment (skipped when --profile is given), the
// profile's IAM Identity Center role, then static keys in the credentials
// or config file. It returns a nil source when none of them applies.
func (d *deps) resolveCredentials() (credentialSource, error) {
	if d.Globals.Profile == "" {
		if id, secret := d.Env.getenv("AWS_ACCESS_KEY_ID"), d.Env.getenv("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
			c := &creds.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: d.Env.getenv("AWS_SESSION_TOKEN"),
				Expiration: parseExpiration(d.Env.getenv("AWS_CREDENTIAL_EXPIRATION"))}
			return func(context.Context) (*creds.Credentials, error) { return c, nil }, nil
		}
	}
	cfg, err := d.Config()
	if err != nil {
		return nil, err
	}
	name, explicit := d.profileName()
	p, err := cfg.SSOCredentials(name, explicit)
	switch {
	case err == nil:
		return func(ctx context.Context) (*creds.Credentials, error) { return d.roleCredentials(ctx, p) }, nil
	case !errors.Is(err, awsconfig.ErrNotSSO):
		return nil, err
	}
	sec, _ := cfg.Profile(name)
	if id, secret := sec.Values["aws_access_key_id"], sec.Values["aws_secret_access_key"]; id != "" && secret != "" {
		c := &creds.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: sec.Values["aws_session_token"]}
		return func(context.Context) (*creds.Credentials, error) { return c, nil }, nil
	}
	for _, k := range []string{"role_arn", "credential_process", "web_identity_token_file"} {
		if sec.Values[k] != "" {
			return nil, usererr.New(usererr.CodeConfig, "The profile \""+name+"\" uses "+k+", which ssocli does not resolve.").
				WithHint("use the AWS CLI for this profile, or give ssocli an IAM Identity Center profile (sso_session, sso_account_id, sso_role_name)")
		}
	}
	return nil, nil
}

// roleCredentials gets the role credentials of an IAM Identity Center
// profile, logging in again first when the session has ended and
// auto-login is on.
func (d *deps) roleCredentials(ctx context.Context, p *awsconfig.SSOProfile) (*creds.Credentials, error) {
	t, err := d.target(p)
	if err != nil {
		return nil, err
	}
	c, err := d.manager().RoleCredentials(ctx, t)
	if err != nil && errors.Is(err, creds.ErrLoginRequired) && d.autoLogin(p.Values["sso_auto_login"]) {
		// As the seed page shows for "aws s3 ls": the session has ended, so
		// log in again and go on. Everything goes to stderr: stdout may be
		// read by a program (credential_process).
		fmt.Fprintf(d.Env.Stderr, "Your IAM Identity Center session for %s has expired; logging in again.\n", termtext.Line(sessionLabel(t)))
		pkce := d.usePKCE(t, p.Values["sso_login_flow"], false, false)
		if _, lerr := d.login(ctx, t, pkce, false, d.Env.Stderr); lerr != nil {
			return nil, lerr
		}
		fmt.Fprintf(d.Env.Stderr, "Successfully logged into Start URL: %s\n", termtext.Line(t.StartURL))
		c, err = d.manager().RoleCredentials(ctx, t)
	}
	return c, err
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
