package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/creds"
)

type logoutOptions struct {
	SSOSession string
	Profile    string // only when --profile was given on the command line
}

func (a *app) logoutCmd() *cobra.Command {
	var o logoutOptions
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
			if cmd.Flags().Changed("profile") {
				o.Profile = a.g.profile
			}
			if a.parsed != nil {
				return a.parsed(o)
			}
			return a.runLogout(cmd.Context(), o)
		},
	}
	c.Flags().StringVar(&o.SSOSession, "sso-session", "", "log out of this [sso-session] only")
	return c
}

func (a *app) runLogout(ctx context.Context, o logoutOptions) error {
	lo := creds.LogoutOptions{}
	if o.SSOSession != "" || o.Profile != "" {
		cfg, err := a.config()
		if err != nil {
			return err
		}
		p, err := cfg.SSOLogin(o.Profile, o.SSOSession, o.Profile != "")
		if err != nil {
			return err
		}
		want, err := a.target(p)
		if err != nil {
			return err
		}
		lo.Sessions = append(lo.Sessions, want)
		lo.PortalEndpoint = want.PortalEndpoint
		// Role credentials of every profile on that session go too.
		for _, k := range a.knownTargets() {
			if k.SessionName == want.SessionName && (want.SessionName != "" || k.StartURL == want.StartURL) {
				lo.Sessions = append(lo.Sessions, k)
			}
		}
	} else {
		name, _ := a.profileName()
		if cfg, err := a.config(); err == nil {
			lo.PortalEndpoint, _ = cfg.EndpointURL(name, awsconfig.ServiceSSO, a.env.getenv)
		}
	}
	res, err := a.manager().Logout(ctx, lo)
	if a.g.debug && res != nil {
		fmt.Fprintf(a.env.Stderr, "debug: removed %d session token(s) and %d role credential file(s)\n", res.Sessions, res.Roles)
	}
	return err
}
