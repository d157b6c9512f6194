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

// credentials resolves credentials through the part of the AWS CLI's chain
// (spec §1.4) that ssocli serves: the environment (skipped when --profile is
// given), the profile's IAM Identity Center role, then static keys in the
// credentials or config file.
func (a *app) credentials(ctx context.Context) (*creds.Credentials, error) {
	if a.g.profile == "" {
		if id, secret := a.env.getenv("AWS_ACCESS_KEY_ID"), a.env.getenv("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
			return &creds.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: a.env.getenv("AWS_SESSION_TOKEN"),
				Expiration: parseExpiration(a.env.getenv("AWS_CREDENTIAL_EXPIRATION"))}, nil
		}
	}
	name, explicit := a.profileName()
	return a.profileCredentials(ctx, name, explicit)
}

// profileCredentials resolves the named profile's credentials: its IAM
// Identity Center role, then static keys in the credentials or config file
// (the environment is not looked at). The credential endpoints serve several
// profiles with it.
func (a *app) profileCredentials(ctx context.Context, name string, explicit bool) (*creds.Credentials, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	p, err := cfg.SSOCredentials(name, explicit)
	switch {
	case err == nil:
		t, err := a.target(p)
		if err != nil {
			return nil, err
		}
		c, err := a.manager().RoleCredentials(ctx, t)
		if err != nil && errors.Is(err, creds.ErrLoginRequired) && a.autoLogin(p.Values["sso_auto_login"]) {
			// As the seed page shows for "aws s3 ls": the session has ended, so
			// log in again and go on. Everything goes to stderr: stdout may be
			// read by a program (credential_process).
			fmt.Fprintf(a.env.Stderr, "Your IAM Identity Center session for %s has expired; logging in again.\n", sessionLabel(t))
			pkce := a.usePKCE(t, p.Values["sso_login_flow"], false, false)
			if _, lerr := a.login(ctx, t, pkce, false, a.env.Stderr); lerr != nil {
				return nil, lerr
			}
			fmt.Fprintf(a.env.Stderr, "Successfully logged into Start URL: %s\n", t.StartURL)
			c, err = a.manager().RoleCredentials(ctx, t)
		}
		return c, err
	case !errors.Is(err, awsconfig.ErrNotSSO):
		return nil, err
	}
	sec, _ := cfg.Profile(name)
	if id, secret := sec.Values["aws_access_key_id"], sec.Values["aws_secret_access_key"]; id != "" && secret != "" {
		return &creds.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: sec.Values["aws_session_token"]}, nil
	}
	for _, k := range []string{"role_arn", "credential_process", "web_identity_token_file"} {
		if sec.Values[k] != "" {
			return nil, usererr.New(usererr.CodeConfig, "The profile \""+name+"\" uses "+k+", which ssocli does not resolve.").
				WithHint("use the AWS CLI for this profile, or give ssocli an IAM Identity Center profile (sso_session, sso_account_id, sso_role_name)")
		}
	}
	return nil, errNoCredentials.WithHint("configure an IAM Identity Center profile with: ssocli configure sso, then log in with: ssocli sso login --profile NAME")
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
