package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/ssocli/ssocli/internal/orgs"
	"github.com/ssocli/ssocli/internal/termtext"
	"github.com/ssocli/ssocli/internal/usererr"
)

// ssoListOptions are what `sso list-accounts` and `sso list-account-roles` run from.
type ssoListOptions struct {
	deps
	SSOSession string
	AccountID  string // list-account-roles only
	Rate       float64
}

func newListAccountsCmd(a *app, runF func(context.Context, *ssoListOptions) error) *cobra.Command {
	o := &ssoListOptions{}
	c := &cobra.Command{
		Use:   "list-accounts",
		Short: "List the AWS accounts your IAM Identity Center session can reach",
		Long: `List the accounts of the session of a profile (--profile) or of an [sso-session]
(--sso-session), with the cached token (refreshed when it is about to expire),
printed like "aws sso list-accounts": {"accountList": [...]} (--output json),
ACCOUNTLIST lines (text) or a table. Every page is fetched.`,
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
	c.Flags().StringVar(&o.SSOSession, "sso-session", "", "use this [sso-session]'s token instead of the profile's")
	c.Flags().Float64Var(&o.Rate, "rate", orgs.DefaultRate, "most portal requests per second")
	return c
}

func newListAccountRolesCmd(a *app, runF func(context.Context, *ssoListOptions) error) *cobra.Command {
	o := &ssoListOptions{}
	c := &cobra.Command{
		Use:   "list-account-roles",
		Short: "List your roles in one AWS account",
		Long: `List the roles you have in an account (--account-id), with the cached token of the
profile or --sso-session, printed like "aws sso list-account-roles":
{"roleList": [...]} (--output json), ROLELIST lines (text) or a table.`,
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
	c.Flags().StringVar(&o.SSOSession, "sso-session", "", "use this [sso-session]'s token instead of the profile's")
	c.Flags().StringVar(&o.AccountID, "account-id", "", "the account whose roles to list (required)")
	c.Flags().Float64Var(&o.Rate, "rate", orgs.DefaultRate, "most portal requests per second")
	return c
}

// checkList checks the flags the list commands share.
func checkList(o *ssoListOptions) error {
	return checkOutputFlag(o.Globals.Output)
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
	client, err := m.PortalClient(t)
	if err != nil {
		return nil, err
	}
	return orgs.New(client, token, orgs.Options{Rate: rate}), nil
}

// accountJSON and roleJSON are the API's shapes (spec §9.2), in its key order.
type accountJSON struct {
	AccountID    string `json:"accountId"`
	AccountName  string `json:"accountName"`
	EmailAddress string `json:"emailAddress"`
}

type roleJSON struct {
	RoleName  string `json:"roleName"`
	AccountID string `json:"accountId"`
}

func runListAccounts(ctx context.Context, o *ssoListOptions) error {
	output, err := o.outputFormat()
	if err != nil {
		return err
	}
	l, err := o.sessionLister(ctx, o.SSOSession, o.Rate)
	if err != nil {
		return err
	}
	accts, err := l.Accounts(ctx)
	if err != nil {
		return usererr.FromAPI(err)
	}
	list := make([]accountJSON, len(accts))
	rows := make([][]string, len(accts))
	for i, ac := range accts {
		list[i] = accountJSON{ac.ID, ac.Name, ac.Email}
		rows[i] = []string{ac.ID, ac.Name, ac.Email}
	}
	return printList(o.Env.Stdout, output, "ListAccounts", "accountList", []string{"accountId", "accountName", "emailAddress"}, list, rows)
}

func runListAccountRoles(ctx context.Context, o *ssoListOptions) error {
	output, err := o.outputFormat()
	if err != nil {
		return err
	}
	l, err := o.sessionLister(ctx, o.SSOSession, o.Rate)
	if err != nil {
		return err
	}
	roles, err := l.Roles(ctx, o.AccountID)
	if err != nil {
		return usererr.FromAPI(err)
	}
	list := make([]roleJSON, len(roles))
	rows := make([][]string, len(roles))
	for i, r := range roles {
		list[i] = roleJSON{r, o.AccountID}
		// Text and table columns are sorted by key, as the AWS CLI sorts them.
		rows[i] = []string{o.AccountID, r}
	}
	return printList(o.Env.Stdout, output, "ListAccountRoles", "roleList", []string{"accountId", "roleName"}, list, rows)
}

// printList prints a list result the AWS CLI's way: JSON with 4-space
// indents; text as one "<KEY>\tvalue\t..." line per item with the values in
// key order; or a table titled by the operation with a sub-table per list.
//
// Text and table cells are made safe for a terminal (termtext.Line); JSON
// keeps the exact values, with what a terminal would act on escaped.
func printList(w io.Writer, format, op, key string, cols []string, list any, rows [][]string) error {
	for _, r := range rows {
		for i := range r {
			r[i] = termtext.Line(r[i])
		}
	}
	switch format {
	case "text":
		var b strings.Builder
		for _, r := range rows {
			b.WriteString(strings.ToUpper(key))
			for _, v := range r {
				b.WriteString("\t" + v)
			}
			b.WriteString("\n")
		}
		_, err := io.WriteString(w, b.String())
		return err
	case "table":
		_, err := io.WriteString(w, listTable(op, key, cols, rows))
		return err
	}
	b, err := json.MarshalIndent(map[string]any{key: list}, "", "    ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", termtext.JSON(b))
	return err
}

// listTable draws the AWS CLI's table for one list:
//
//	---------------------------------
//	|         ListAccounts          |
//	+-------------------------------+
//	||         accountList         ||
//	|+-----------+-----------------+|
//	||  accountId|  accountName    ||
//	...
func listTable(op, key string, cols []string, rows [][]string) string {
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = len(c)
	}
	for _, r := range rows {
		for i, v := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(v))
		}
	}
	inner := -1 // width between the inner "||" borders
	for _, w := range widths {
		inner += w + 5
	}
	inner = max(inner, len(key)+4, len(op)+2)
	center := func(s string, n int) string {
		pad := n - len(s)
		return strings.Repeat(" ", pad/2) + s + strings.Repeat(" ", pad-pad/2)
	}
	sep := func() string {
		parts := make([]string, len(widths))
		for i, w := range widths {
			parts[i] = strings.Repeat("-", w+4)
		}
		s := strings.Join(parts, "+")
		return "|+" + s + strings.Repeat("-", inner-len(s)) + "+|\n"
	}
	line := func(vals []string) string {
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = "  " + v + strings.Repeat(" ", widths[i]-utf8.RuneCountInString(v)+2)
		}
		s := strings.Join(parts, "|")
		return "||" + s + strings.Repeat(" ", inner-utf8.RuneCountInString(s)) + "||\n"
	}
	var b strings.Builder
	b.WriteString(strings.Repeat("-", inner+4) + "\n")
	b.WriteString("|" + center(op, inner+2) + "|\n")
	b.WriteString("+" + strings.Repeat("-", inner+2) + "+\n")
	b.WriteString("||" + center(key, inner) + "||\n")
	b.WriteString(sep())
	b.WriteString(line(cols))
	b.WriteString(sep())
	for _, r := range rows {
		b.WriteString(line(r))
	}
	b.WriteString("|+" + strings.Repeat("-", inner) + "+|\n")
	return b.String()
}
