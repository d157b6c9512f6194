package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/awsout"
	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/orgs"
	"github.com/ssocli/ssocli/internal/usererr"
)

// ssoListOptions are what `sso list-accounts` and `sso list-account-roles` run from.
type ssoListOptions struct {
	deps
	SSOSession string
	// AccessToken is the AWS CLI's --access-token: the portal token to use
	// as it is, instead of a cached session's (the call then goes to the
	// portal of the profile's region, as the AWS CLI sends it).
	AccessToken string
	AccountID   string // list-account-roles only
	Rate        float64
}

func newListAccountsCmd(a *app, runF func(context.Context, *ssoListOptions) error) *cobra.Command {
	o := &ssoListOptions{}
	c := &cobra.Command{
		Use:   "list-accounts",
		Short: "List the AWS accounts your IAM Identity Center session can reach",
		Long: `List the accounts of the session of a profile (--profile) or of an [sso-session]
(--sso-session), with the cached token (refreshed when it is about to expire),
or with the AWS CLI's --access-token, printed like "aws sso list-accounts" in
each --output format, after --query. Every page is fetched.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.deps = a.deps()
			if err := checkList(o); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runListAccounts(cmd.Context(), o)
		},
	}
	addListFlags(c, o)
	return c
}

func newListAccountRolesCmd(a *app, runF func(context.Context, *ssoListOptions) error) *cobra.Command {
	o := &ssoListOptions{}
	c := &cobra.Command{
		Use:   "list-account-roles",
		Short: "List your roles in one AWS account",
		Long: `List the roles you have in an account (--account-id), with the cached token of the
profile or --sso-session, or --access-token, printed like
"aws sso list-account-roles" in each --output format, after --query.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.deps = a.deps()
			if o.AccountID == "" {
				return &parseError{msg: "the following arguments are required: --account-id"}
			}
			if err := checkList(o); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runListAccountRoles(cmd.Context(), o)
		},
	}
	c.Flags().StringVar(&o.AccountID, "account-id", "", "the account whose roles to list (required)")
	addListFlags(c, o)
	return c
}

// addListFlags adds the flags the list commands share.
func addListFlags(c *cobra.Command, o *ssoListOptions) {
	c.Flags().StringVar(&o.SSOSession, "sso-session", "", "use this [sso-session]'s token instead of the profile's")
	c.Flags().StringVar(&o.AccessToken, "access-token", "", "use this portal access token (as the AWS CLI takes it) instead of a cached one")
	c.Flags().Float64Var(&o.Rate, "rate", orgs.DefaultRate, "most portal requests per second")
}

// checkList checks the flags the list commands share.
func checkList(o *ssoListOptions) error {
	if o.AccessToken != "" && o.SSOSession != "" {
		return usageError("--access-token and --sso-session cannot be used together: the token is the session.")
	}
	return checkPrintFlags(o.Globals)
}

// lister returns the Lister of the command: with --access-token, one that
// calls the portal of the profile's region with it, as the AWS CLI's sso
// client does; else one with the cached token of the session.
func (o *ssoListOptions) lister(ctx context.Context) (*orgs.Lister, error) {
	if o.AccessToken == "" {
		return o.sessionLister(ctx, o.SSOSession, o.Rate)
	}
	if err := o.checkProfile(); err != nil {
		return nil, err
	}
	region := o.region()
	if region == "" {
		return nil, errNoRegion
	}
	if err := checkRegion(region); err != nil {
		return nil, err
	}
	cfg, err := o.Config()
	if err != nil {
		return nil, err
	}
	name, _ := o.profileName()
	t := &creds.Target{Profile: name, Region: region, PortalEndpoint: o.Globals.EndpointURL}
	if t.PortalEndpoint == "" {
		if t.PortalEndpoint, err = cfg.EndpointURL(name, awsconfig.ServiceSSO, o.Env.getenv); err != nil {
			return nil, err
		}
	}
	client, err := o.commandManager().PortalClient(t)
	if err != nil {
		return nil, err
	}
	return orgs.New(client, o.AccessToken, orgs.Options{Rate: o.Rate}), nil
}

// sessionLister returns a Lister with the cached token of --sso-session or
// of the selected profile's session.
func (d *deps) sessionLister(ctx context.Context, session string, rate float64) (*orgs.Lister, error) {
	cfg, err := d.Config()
	if err != nil {
		return nil, err
	}
	name, explicit := d.profileName()
	if session != "" {
		name, explicit = "", false
	}
	p, err := cfg.SSOLogin(name, session, explicit)
	if err != nil {
		return nil, err
	}
	t, err := d.target(p)
	if err != nil {
		return nil, err
	}
	m := d.manager()
	token, err := m.AccessToken(ctx, t)
	if err != nil {
		return nil, err
	}
	if d.Globals.EndpointURL != "" {
		// --endpoint-url is the portal call's endpoint, as for the AWS
		// CLI's sso client; the token refresh keeps its own.
		pt := *t
		pt.PortalEndpoint = d.Globals.EndpointURL
		t = &pt
	}
	client, err := d.commandManager().PortalClient(t)
	if err != nil {
		return nil, err
	}
	return orgs.New(client, token, orgs.Options{Rate: rate}), nil
}

func runListAccounts(ctx context.Context, o *ssoListOptions) error {
	if _, err := o.outputFormat(); err != nil {
		return err
	}
	l, err := o.lister(ctx)
	if err != nil {
		return err
	}
	accts, err := l.Accounts(ctx)
	if err != nil {
		return usererr.FromAPI(err)
	}
	// The API's members in the order of the service model (spec §9.2).
	list := make([]any, len(accts))
	for i, ac := range accts {
		list[i] = awsout.Map{{Key: "accountId", Value: ac.ID}, {Key: "accountName", Value: ac.Name}, {Key: "emailAddress", Value: ac.Email}}
	}
	return o.printResponse("ListAccounts", awsout.Map{{Key: "accountList", Value: list}})
}

func runListAccountRoles(ctx context.Context, o *ssoListOptions) error {
	if _, err := o.outputFormat(); err != nil {
		return err
	}
	l, err := o.lister(ctx)
	if err != nil {
		return err
	}
	roles, err := l.Roles(ctx, o.AccountID)
	if err != nil {
		return usererr.FromAPI(err)
	}
	list := make([]any, len(roles))
	for i, r := range roles {
		list[i] = awsout.Map{{Key: "roleName", Value: r}, {Key: "accountId", Value: o.AccountID}}
	}
	return o.printResponse("ListAccountRoles", awsout.Map{{Key: "roleList", Value: list}})
}
