package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/creds"
)

// logoutOptions are what `sso logout` runs from. Only a --profile given on
// the command line (Globals.Profile) narrows it, not AWS_PROFILE.
type logoutOptions struct {
	deps
	SSOSession string
}

func newLogoutCmd(a *app, runF func(context.Context, *logoutOptions) error) *cobra.Command {
	o := &logoutOptions{}
	c := &cobra.Command{
		Use:   "logout",
		Short: "Revoke and delete cached IAM Identity Center sessions and their role credentials",
		Long: `Log out of IAM Identity Center: revoke each cached session token on the server,
delete the token files in ~/.aws/sso/cache and the role credentials made from
them in ~/.aws/cli/cache. Client registrations and other credentials are kept.

With no flag every cached session is logged out, as "aws sso logout" does.
With --sso-session S or --profile P only that session is.

If the server cannot be reached, the local files are still deleted; the command
then names the sessions it could not revoke and exits non-zero.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.deps = a.deps()
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runLogout(cmd.Context(), o)
		},
	}
	c.Flags().StringVar(&o.SSOSession, "sso-session", "", "log out of this [sso-session] only")
	return c
}

func runLogout(ctx context.Context, o *logoutOptions) error {
	lo := creds.LogoutOptions{}
	profile := o.Globals.Profile
	if o.SSOSession != "" || profile != "" {
		cfg, err := o.Config()
		if err != nil {
			return err
		}
		p, err := cfg.SSOLogin(profile, o.SSOSession, profile != "")
		if err != nil {
			return err
		}
		want, err := o.target(p)
		if err != nil {
			return err
		}
		lo.Sessions = append(lo.Sessions, want)
		lo.PortalEndpoint, lo.UseFIPS, lo.UseDualStack = want.PortalEndpoint, want.UseFIPS, want.UseDualStack
		// Role credentials of every profile on that session go too.
		for _, k := range o.knownTargets() {
			if k.SessionName == want.SessionName && (want.SessionName != "" || k.StartURL == want.StartURL) {
				lo.Sessions = append(lo.Sessions, k)
			}
		}
	} else {
		name, _ := o.profileName()
		if cfg, err := o.Config(); err == nil {
			lo.PortalEndpoint, _ = cfg.EndpointURL(name, awsconfig.ServiceSSO, o.Env.getenv)
			lo.UseFIPS, lo.UseDualStack = cfg.UseFIPSEndpoint(name, o.Env.getenv), cfg.UseDualStackEndpoint(name, o.Env.getenv)
		}
	}
	res, err := o.manager().Logout(ctx, lo)
	if res != nil {
		o.debugf("removed %d session token(s) and %d role credential file(s)", res.Sessions, res.Roles)
	}
	return err
}
