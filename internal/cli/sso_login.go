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
)

func (a *app) ssoCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "sso",
		Short: "Log in to and out of IAM Identity Center, and see your sessions",
	}
	c.AddCommand(a.loginCmd(), a.logoutCmd(), a.statusCmd())
	c.AddCommand(a.listAccountsCmd(), a.listAccountRolesCmd())
	return c
}

// loginOptions are the flags of `sso login`.
type loginOptions struct {
	SSOSession    string
	NoBrowser     bool
	UseDeviceCode bool
}

func (a *app) loginCmd() *cobra.Command {
	var o loginOptions
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
section, or set SSOCLI_LOGIN_FLOW=device_code.

If several terminals log in to the same session at once, one of them runs the
login and the others wait for it and use its token.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.parsed != nil {
				return a.parsed(o)
			}
			return a.runLogin(cmd.Context(), o)
		},
	}
	f := c.Flags()
	f.StringVar(&o.SSOSession, "sso-session", "", "log in to this [sso-session] instead of the profile's")
	f.BoolVar(&o.NoBrowser, "no-browser", false, "do not open a browser: print the URL to open elsewhere")
	f.BoolVar(&o.UseDeviceCode, "use-device-code", false, "use the device code flow even for sso-session profiles")
	return c
}

func (a *app) runLogin(ctx context.Context, o loginOptions) error {
	cfg, err := a.config()
	if err != nil {
		return err
	}
	name, explicit := a.profileName()
	p, err := cfg.SSOLogin(name, o.SSOSession, explicit)
	if err != nil {
		return err
	}
	t, err := a.target(p)
	if err != nil {
		return err
	}
	pkce := a.usePKCE(t, p.Values["sso_login_flow"], o.UseDeviceCode, o.NoBrowser)
	res, err := a.login(ctx, t, pkce, o.NoBrowser, a.env.Stdout)
	if err != nil {
		return err
	}
	if res.Shared {
		fmt.Fprintln(a.env.Stderr, "The other login finished; using its token.")
	}
	fmt.Fprintf(a.env.Stdout, "Successfully logged into Start URL: %s\n", t.StartURL)
	return nil
}

// usePKCE chooses the flow (spec §2.1): PKCE for sso-session logins, unless
// the device flow is asked for (flag, sso_login_flow = device_code, or
// SSOCLI_LOGIN_FLOW=device_code) or no browser can be opened here, which is
// said in one line.
func (a *app) usePKCE(t *creds.Target, configured string, useDeviceCode, noBrowser bool) bool {
	if t.SessionName == "" || useDeviceCode || configured == "device_code" || a.env.getenv("SSOCLI_LOGIN_FLOW") == "device_code" {
		return false
	}
	if !noBrowser {
		if reason := a.browserUnavailable(); reason != "" {
			fmt.Fprintf(a.env.Stderr, "No browser can be opened here (%s): using the device code flow instead.\n", reason)
			return false
		}
	}
	return true
}

// login runs the flow for t and prints what the user must do, as the AWS CLI
// words it (spec §2.2, §2.3).
func (a *app) login(ctx context.Context, t *creds.Target, pkce, noBrowser bool, out io.Writer) (*creds.LoginResult, error) {
	if !noBrowser && a.browserUnavailable() != "" {
		// Nothing to open: print what --no-browser prints, which has the
		// whole URL (usePKCE has already said why).
		noBrowser = true
	}
	progress := a.progress()
	defer progress.done()
	lo := creds.LoginOptions{
		PKCE: pkce,
		WaitingForOther: func() {
			fmt.Fprintf(a.env.Stderr, "Another ssocli is logging in to %s; waiting for it to finish...\n", sessionLabel(t))
		},
		DisplayCode: func(c authflow.DeviceCode) error {
			if noBrowser || a.env.OpenBrowser == nil {
				fmt.Fprintf(out, "Browser will not be automatically opened.\nPlease visit the following URL:\n\n%s\n\nThen enter the code:\n\n%s\n\nAlternatively, you may visit the following URL which will autofill the code upon loading:\n%s\n",
					c.VerificationURI, c.UserCode, c.VerificationURIComplete)
				return nil
			}
			fmt.Fprintf(out, "Attempting to open your default browser.\nIf the browser does not open or you wish to use a different device to authorize this request, open the following URL:\n\n%s\n", c.VerificationURI)
			fmt.Fprintf(out, "\nThen enter the code:\n\n%s\n", c.UserCode)
			a.openBrowser(c.VerificationURIComplete)
			return nil
		},
		OpenURL: func(u string) error {
			if noBrowser || a.env.OpenBrowser == nil {
				fmt.Fprintf(out, "Browser will not be automatically opened.\nPlease visit the following URL:\n\n%s\n", u)
				return nil
			}
			fmt.Fprintf(out, "Attempting to open your default browser. If the browser does not open, open the following URL.\nIf you are unable to open the URL on this device, run this command again with the '--use-device-code' option.\n\n%s\n\n", u)
			a.openBrowser(u)
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
	res, err := a.manager().Login(ctx, t, lo)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return res, err
}

// openBrowser opens u, ignoring failures as the AWS CLI does: the URL is printed.
func (a *app) openBrowser(u string) {
	if err := a.env.OpenBrowser(u); err != nil {
		fmt.Fprintf(a.env.Stderr, "Could not open a browser (%v); open the URL above yourself.\n", err)
	}
}

// browserUnavailable says why no browser can be opened, or "".
func (a *app) browserUnavailable() string {
	if a.env.OpenBrowser == nil {
		return "no browser is configured"
	}
	if a.env.BrowserCheck != nil {
		if err := a.env.BrowserCheck(); err != nil {
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

// progress is a one-line status on stderr, redrawn in place on a terminal and
// silent otherwise (logs stay clean).
type progressLine struct {
	a     *app
	width int // characters of the line shown
	shown bool
}

func (a *app) progress() *progressLine { return &progressLine{a: a} }

func (p *progressLine) show(s string) {
	if !p.a.env.StderrTTY {
		return
	}
	io.WriteString(p.a.env.Stderr, prompt.RedrawLine(p.width, s, !p.a.env.NoANSI))
	p.width = utf8.RuneCountInString(s)
	p.shown = true
}

func (p *progressLine) done() {
	if p.shown {
		io.WriteString(p.a.env.Stderr, prompt.RedrawLine(p.width, "", !p.a.env.NoANSI))
	}
}
