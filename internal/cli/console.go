package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/usererr"
	"github.com/ssocli/ssocli/internal/webconsole"
)

// serviceSignin is the sign-in service for endpoint overrides
// (AWS_ENDPOINT_URL_SIGNIN, [services] signin = endpoint_url): the service id
// the AWS SDKs give the sign-in service, whose host serves /federation.
var serviceSignin = awsconfig.Service{EnvID: "SIGNIN", ConfigKey: "signin"}

// consoleOptions are the flags of `ssocli console`.
type consoleOptions struct {
	deps
	Destination     string
	Service         string
	SessionDuration time.Duration
	URLOnly         bool
}

func newConsoleCmd(a *app, runF func(context.Context, *consoleOptions) error) *cobra.Command {
	o := &consoleOptions{}
	c := &cobra.Command{
		Use:   "console [--profile P] [--destination URL | --service NAME] [--region R] [--url-only]",
		Short: "Open the AWS console as a profile's role",
		Long: `Sign in to the AWS Management Console with the profile's role credentials and
open it in your browser, or print the sign-in URL with --url-only (on stdout,
and nothing else there, so it can be piped).

It works for every profile ssocli resolves credentials for: the credentials go
to the AWS sign-in federation endpoint (getSigninToken), which answers a
sign-in token; the URL carries that token to the console page. The URL signs
in whoever opens it within 15 minutes: treat it as a secret.

The console page is the console home of the region (--region, else the
profile's region), or --service NAME's home (ec2, s3, ...), or --destination,
any console URL. The partition's hosts are used: signin.aws.amazon.com and
<region>.console.aws.amazon.com, signin.amazonaws.cn and console.amazonaws.cn
for cn-* regions, signin.amazonaws-us-gov.com and console.amazonaws-us-gov.com
for us-gov-* regions.

--session-duration asks for a console session of 15m to 12h (else the
service's default). AWS refuses it for role-chained credentials (a role_arn
profile whose source is itself temporary, e.g. an IAM Identity Center
profile), so ssocli does too.

The sign-in endpoint follows the endpoint overrides: AWS_ENDPOINT_URL_SIGNIN,
AWS_ENDPOINT_URL, or "signin = endpoint_url = ..." in the profile's
[services] section; the console page is then <endpoint>/console/..., which is
where ssocli serve shows who is signed in.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.deps = a.deps()
			if o.Service != "" && o.Destination != "" {
				return usageError("--destination and --service cannot be used together: give one console page")
			}
			if o.Service != "" && !webconsole.ValidService(o.Service) {
				return usageError("--service %q is not a console service name: use its lower-case name as in the console's URL, e.g. ec2, s3, cloudformation", o.Service)
			}
			if o.Destination != "" {
				if u, err := url.Parse(o.Destination); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
					return usageError("--destination %q is not an absolute URL: give a console page, e.g. https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1", o.Destination)
				}
			}
			if err := webconsole.CheckSessionDuration(o.SessionDuration, false); err != nil {
				return usageError("--session-duration %s: %v", o.SessionDuration, err)
			}
			if o.SessionDuration%time.Second != 0 {
				return usageError("--session-duration %s: give whole seconds, e.g. 1h or 90m", o.SessionDuration)
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runConsole(cmd.Context(), o)
		},
	}
	f := c.Flags()
	f.StringVar(&o.Destination, "destination", "", "the console URL to open (default: the console home of the region)")
	f.StringVar(&o.Service, "service", "", "open this service's console page, e.g. ec2, s3, cloudformation")
	f.DurationVar(&o.SessionDuration, "session-duration", 0, "length of the console session, 15m to 12h (default: the service's); not for role-chained credentials")
	f.BoolVar(&o.URLOnly, "url-only", false, "print the sign-in URL on stdout instead of opening a browser")
	return c
}

func runConsole(ctx context.Context, o *consoleOptions) error {
	name, _ := o.profileName()
	chained := o.roleChained(name)
	if err := webconsole.CheckSessionDuration(o.SessionDuration, chained); err != nil {
		return usererr.New(usererr.CodeUsage, fmt.Sprintf("Cannot ask for a console session of %s for profile %s: %v.", o.SessionDuration, name, err)).
			WithHint("leave out --session-duration: the console session of a role-chained profile lasts as long as its credentials (at most an hour)")
	}
	c, err := o.credentials(ctx)
	if err != nil {
		return err
	}
	hint := o.consoleLoginHint()
	if c.SessionToken == "" {
		return usererr.New(usererr.CodeConfig, fmt.Sprintf("The console sign-in needs temporary credentials, and profile %s has long-term access keys.", name)).
			WithHint("use an IAM Identity Center profile (ssocli configure sso) or a role profile (role_arn) for the console")
	}
	if !c.Expiration.IsZero() && !o.Env.now().Before(c.Expiration) {
		return usererr.New(usererr.CodeOther, fmt.Sprintf("The credentials of profile %s expired at %s.", name, c.Expiration.UTC().Format(time.RFC3339))).WithHint(hint)
	}
	endpoint, err := o.signinEndpoint(name)
	if err != nil {
		return err
	}
	hc, err := o.HTTPClient()
	if err != nil {
		return err
	}
	wc := &webconsole.Client{HTTPClient: hc, Endpoint: endpoint, Region: o.region()}
	dest := o.Destination
	if dest == "" {
		dest = wc.Destination(o.Service)
	}
	o.debugf("console sign-in: federation endpoint %s, destination %s, access key %s, session duration %s", wc.FederationURL(), dest, c.AccessKeyID, o.SessionDuration)
	token, err := wc.SigninToken(ctx, webconsole.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}, o.SessionDuration)
	if err != nil {
		return consoleError(err, name, o.SessionDuration, hint)
	}
	loginURL := wc.LoginURL(token, dest)
	if o.URLOnly {
		fmt.Fprintln(o.Env.Stdout, loginURL)
		return nil
	}
	if reason := o.browserUnavailable(); reason != "" {
		fmt.Fprintf(o.Env.Stderr, "No browser can be opened here (%s). Open this URL within 15 minutes to sign in (it is a secret: it signs in whoever opens it):\n", reason)
		fmt.Fprintln(o.Env.Stdout, loginURL)
		return nil
	}
	fmt.Fprintf(o.Env.Stderr, "Opening the AWS console for profile %s in your browser.\n", name)
	if err := o.Env.OpenBrowser(loginURL); err != nil {
		fmt.Fprintf(o.Env.Stderr, "Could not open a browser (%v). Open this URL within 15 minutes to sign in (it is a secret: it signs in whoever opens it):\n", err)
		fmt.Fprintln(o.Env.Stdout, loginURL)
	}
	return nil
}

// consoleError words what the federation endpoint said.
func consoleError(err error, profile string, duration time.Duration, hint string) error {
	var re *webconsole.RefusedError
	if !errors.As(err, &re) {
		return usererr.Wrap(usererr.CodeOther, fmt.Sprintf("Could not sign in to the AWS console: %v", err), err)
	}
	msg := fmt.Sprintf("The AWS sign-in service refused the credentials of profile %s (HTTP %d", profile, re.Status)
	if re.Message != "" {
		msg += ": " + re.Message
	}
	msg += ")."
	if duration > 0 {
		hint = "try again without --session-duration (AWS refuses it for role-chained credentials); if that fails too, " + hint
	}
	u := usererr.Wrap(usererr.CodeService, msg, err).WithHint(hint)
	// The federation endpoint's answer has no error code: named by its
	// status, as botocore names such an error.
	u.Details = []usererr.Field{{Key: "Code", Value: strconv.Itoa(re.Status)}, {Key: "Message", Value: msg}}
	return u
}

// consoleLoginHint names the login that gives the profile fresh
// credentials: its IAM Identity Center session's, or a generic one.
func (d *deps) consoleLoginHint() string {
	name, explicit := d.profileName()
	if cfg, err := d.Config(); err == nil {
		if p, err := cfg.SSOCredentials(name, explicit); err == nil {
			if t, err := d.target(p); err == nil {
				return t.LoginHint()
			}
		}
	}
	return (&creds.Target{Profile: name}).LoginHint()
}

// signinEndpoint is the sign-in endpoint override for the profile, or "".
func (d *deps) signinEndpoint(profile string) (string, error) {
	cfg, err := d.Config()
	if err != nil {
		return "", err
	}
	return cfg.EndpointURL(profile, serviceSignin, d.Env.getenv)
}

// roleChained reports whether the profile's credentials come from role
// chaining: an AssumeRole (role_arn) whose source credentials are themselves
// temporary (an IAM Identity Center profile, another role, or a container
// or instance role), as AWS counts it.
func (d *deps) roleChained(profile string) bool {
	cfg, err := d.Config()
	if err != nil {
		return false
	}
	seen := map[string]bool{}
	p, ok := cfg.Profile(profile)
	if !ok || p.Values["role_arn"] == "" {
		return false
	}
	if p.Values["credential_source"] != "" && p.Values["credential_source"] != "Environment" {
		return true
	}
	for src := p.Values["source_profile"]; src != "" && !seen[src]; {
		seen[src] = true
		s, ok := cfg.Profile(src)
		if !ok {
			return false
		}
		v := s.Values
		switch {
		case v["role_arn"] != "" && src != profile:
			return true
		case v["sso_session"] != "" || v["sso_start_url"] != "" || v["aws_session_token"] != "":
			return true
		case v["aws_access_key_id"] != "":
			return false
		}
		src = v["source_profile"]
	}
	return false
}
