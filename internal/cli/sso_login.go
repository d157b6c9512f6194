package cli

import (
	"context"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/ssocli/ssocli/internal/authflow"
	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/prompt"
	"github.com/ssocli/ssocli/internal/termtext"
)

func newSSOCmd(a *app) *cobra.Command {
	c := makeGroup(&cobra.Command{
		Use:   "sso",
		Short: "Log in to and out of IAM Identity Center, and see your sessions",
	}, "operation")
	c.AddCommand(newLoginCmd(a, nil), newLogoutCmd(a, nil), newStatusCmd(a, nil))
	c.AddCommand(newListAccountsCmd(a, nil), newListAccountRolesCmd(a, nil))
	return c
}

// loginOptions are what `sso login` runs from.
type loginOptions struct {
	deps
	SSOSession    string
	NoBrowser     bool
	UseDeviceCode bool
}

func newLoginCmd(a *app, runF func(context.Context, *loginOptions) error) *cobra.Command {
	o := &loginOptions{}
	c := &cobra.Command{
		Use:   "login",
		Short: "Log in to an IAM Identity Center session and cache its token",
		Long: `Log in to the IAM Identity Center session of a profile (--profile) or of an
[sso-session] section (--sso-session), and cache the token in ~/.aws/sso/cache
where ssocli, the AWS CLI and the AWS SDKs all find it.

sso-session profiles sign in through your browser (authorization code with PKCE).
Legacy profiles, --use-device-code, and machines where no browser can be opened
(an SSH session, a container, CI) use the device code flow instead: open the
printed URL on any device and enter the code. To always use the device code
flow for a session, add "sso_login_flow = device_code" to its [sso-session]
section, or set SSOCLI_LOGIN_FLOW=device_code (both are ssocli's own: the AWS
CLI and the SDKs have only --use-device-code).

A start URL on a host AWS does not own (a vanity URL) is resolved first, as
the AWS CLI >= 2.35 does: its one redirect must lead to an AWS-owned host,
which gives the start URL sent to IAM Identity Center and the region; after
the login, sso_region is set to that region if it differed.

If several terminals log in to the same session at once, one of them runs the
login and the others wait for it and use its token.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.deps = a.deps()
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runLogin(cmd.Context(), o)
		},
	}
	f := c.Flags()
	f.StringVar(&o.SSOSession, "sso-session", "", "log in to this [sso-session] instead of the profile's")
	f.BoolVar(&o.NoBrowser, "no-browser", false, "do not open a browser: print the URL to open elsewhere")
	f.BoolVar(&o.UseDeviceCode, "use-device-code", false, "use the device code flow even for sso-session profiles")
	return c
}

func runLogin(ctx context.Context, o *loginOptions) error {
	cfg, err := o.Config()
	if err != nil {
		return err
	}
	name, explicit := o.profileName()
	p, err := cfg.SSOLogin(name, o.SSOSession, explicit)
	if err != nil {
		return err
	}
	// The start URL, resolved before anything is sent to SSO OIDC
	// (sso/login.py): a vanity URL gives the start URL to send and the
	// region, which the configuration gets once the login succeeded.
	configured := p.SSORegion
	r, err := o.resolveStartURL(ctx, p.StartURL, configured, loginResolveTimeout(o.Globals.ConnectTimeout))
	if err != nil {
		return err
	}
	p.SSORegion = r.Region
	t, err := o.target(p)
	if err != nil {
		return err
	}
	if r.Vanity(p.StartURL) {
		t.ResolvedStartURL = r.URL
	}
	pkce := o.usePKCE(t, p.Values["sso_login_flow"], o.UseDeviceCode, o.NoBrowser)
	res, err := o.login(ctx, t, pkce, o.NoBrowser, o.Env.Stdout)
	if err != nil {
		return err
	}
	if res.Shared {
		fmt.Fprintln(o.Env.Stderr, "The other login finished; using its token.")
	}
	if configured != r.Region {
		if err := o.writeSSORegion(ctx, p, name, r.Region); err != nil {
			return err
		}
		fmt.Fprintf(o.Env.Stdout, "SSO region updated to %s\n", termtext.Line(r.Region))
	}
	fmt.Fprintf(o.Env.Stdout, "Successfully logged into Start URL: %s\n", termtext.Line(t.StartURL))
	return nil
}

// usePKCE chooses the flow (spec §2.1): PKCE for sso-session logins, unless
// the device flow is asked for (flag, sso_login_flow = device_code, or
// SSOCLI_LOGIN_FLOW=device_code) or no browser can be opened here, which is
// said in one line.
func (d *deps) usePKCE(t *creds.Target, configured string, useDeviceCode, noBrowser bool) bool {
	if t.SessionName == "" || useDeviceCode || configured == "device_code" || d.Env.getenv("SSOCLI_LOGIN_FLOW") == "device_code" {
		return false
	}
	if !noBrowser {
		if reason := d.browserUnavailable(); reason != "" {
			fmt.Fprintf(d.Env.Stderr, "No browser can be opened here (%s): using the device code flow instead.\n", reason)
			return false
		}
	}
	return true
}

// login runs the flow for t and prints what the user must do, as the AWS CLI
// words it (spec §2.2, §2.3).
func (d *deps) login(ctx context.Context, t *creds.Target, pkce, noBrowser bool, out io.Writer) (*creds.LoginResult, error) {
	if err := creds.CheckStartURLScheme(t.StartURL); err != nil {
		return nil, err
	}
	if !noBrowser && d.browserUnavailable() != "" {
		// Nothing to open: print what --no-browser prints, which has the
		// whole URL (usePKCE has already said why).
		noBrowser = true
	}
	progress := d.progress()
	defer progress.done()
	lo := creds.LoginOptions{
		PKCE: pkce,
		WaitingForOther: func() {
			fmt.Fprintf(d.Env.Stderr, "Another ssocli is logging in to %s; waiting for it to finish...\n", sessionLabel(t))
		},
		DisplayCode: func(c authflow.DeviceCode) error {
			if noBrowser || d.Env.OpenBrowser == nil {
				fmt.Fprintf(out, "Browser will not be automatically opened.\nPlease visit the following URL:\n\n%s\n\nThen enter the code:\n\n%s\n\nAlternatively, you may visit the following URL which will autofill the code upon loading:\n%s\n",
					termtext.Line(c.VerificationURI), termtext.Line(c.UserCode), termtext.Line(c.VerificationURIComplete))
				return nil
			}
			fmt.Fprintf(out, "Attempting to open your default browser.\nIf the browser does not open or you wish to use a different device to authorize this request, open the following URL:\n\n%s\n", termtext.Line(c.VerificationURI))
			fmt.Fprintf(out, "\nThen enter the code:\n\n%s\n", termtext.Line(c.UserCode))
			d.openBrowser(c.VerificationURIComplete)
			return nil
		},
		OpenURL: func(u string) error {
			if noBrowser || d.Env.OpenBrowser == nil {
				fmt.Fprintf(out, "Browser will not be automatically opened.\nPlease visit the following URL:\n\n%s\n", u)
				return nil
			}
			fmt.Fprintf(out, "Attempting to open your default browser. If the browser does not open, open the following URL.\nIf you are unable to open the URL on this device, run this command again with the '--use-device-code' option.\n\n%s\n\n", u)
			d.openBrowser(u)
			return nil
		},
		Waiting: func(left time.Duration) {
			what := "device code approval"
			if pkce {
				what = "browser sign-in"
			}
			progress.show(fmt.Sprintf("Waiting for %s... %s left (Ctrl-C to cancel)", what, left.Round(time.Second)))
		},
	}
	res, err := d.manager().Login(ctx, t, lo)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return res, err
}

// openBrowser opens u, ignoring failures as the AWS CLI does: the URL is printed.
func (d *deps) openBrowser(u string) {
	if err := d.Env.OpenBrowser(u); err != nil {
		fmt.Fprintf(d.Env.Stderr, "Could not open a browser (%v); open the URL above yourself.\n", err)
	}
}

// browserUnavailable says why no browser can be opened, or "".
func (d *deps) browserUnavailable() string {
	if d.Env.OpenBrowser == nil {
		return "no browser is configured"
	}
	if d.Env.BrowserCheck != nil {
		if err := d.Env.BrowserCheck(); err != nil {
			return err.Error()
		}
	}
	return ""
}

func sessionLabel(t *creds.Target) string {
	if t.SessionName != "" {
		return "session " + t.SessionName
	}
	return t.StartURL
}

// progressLine is a one-line status on stderr, redrawn in place on a
// terminal and silent otherwise (logs stay clean).
type progressLine struct {
	env   *Env
	width int // characters of the line shown
	shown bool
}

func (d *deps) progress() *progressLine { return &progressLine{env: d.Env} }

func (p *progressLine) show(s string) {
	if !p.env.StderrTTY {
		return
	}
	io.WriteString(p.env.Stderr, prompt.RedrawLine(p.width, s, !p.env.NoANSI))
	p.width = utf8.RuneCountInString(s)
	p.shown = true
}

func (p *progressLine) done() {
	if p.shown {
		io.WriteString(p.env.Stderr, prompt.RedrawLine(p.width, "", !p.env.NoANSI))
	}
}
