package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/template"

	"github.com/rogpeppe/go-internal/diff"
	"github.com/spf13/cobra"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/orgs"
	"github.com/ssocli/ssocli/internal/termtext"
	"github.com/ssocli/ssocli/internal/usererr"
)

// defaultProfileTemplate names populated profiles.
const defaultProfileTemplate = "{{.AccountName}}-{{.RoleName}}"

// populateOptions are what `configure populate` runs from.
type populateOptions struct {
	deps
	SSOSession  string
	Template    string
	Region      string
	Prune       bool
	DryRun      bool
	Rate        float64
	Concurrency int
}

func newPopulateCmd(a *app, runF func(context.Context, *populateOptions) error) *cobra.Command {
	o := &populateOptions{}
	c := &cobra.Command{
		Use:   "populate",
		Short: "Write one profile for every account and role an sso-session can reach",
		Long: `Write a profile for every account and role the logged-in user of an sso-session
can reach, named by --profile-template (fields: .AccountName, .AccountID,
.AccountEmail, .RoleName, .SessionName; names are made safe for a section header:
spaces, brackets and other odd characters become "-").

The profiles go between two marked lines of ~/.aws/config,
  # BEGIN ssocli populate SESSION
  # END ssocli populate SESSION
so a second run updates them instead of adding duplicates, and nothing outside the
block is touched (a profile of the same name outside it is left alone and skipped).
A profile whose assignment is gone stays unless --prune is given. --dry-run prints
the change as a unified diff and writes nothing.

Accounts and roles are listed concurrently under --rate requests a second (the
portal throttles at about 20), and throttled calls are retried with backoff.
Log in first: ssocli sso login --sso-session SESSION.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.deps = a.deps()
			if o.SSOSession == "" {
				return &parseError{msg: "the following arguments are required: --sso-session"}
			}
			if _, err := profileTemplate(o.Template); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runPopulate(cmd.Context(), o)
		},
	}
	f := c.Flags()
	f.StringVar(&o.SSOSession, "sso-session", "", "the [sso-session] whose accounts and roles to write (required)")
	f.StringVar(&o.Template, "profile-template", defaultProfileTemplate, "Go template of the profile names")
	f.StringVar(&o.Region, "region", "", "the region key of every written profile")
	f.BoolVar(&o.Prune, "prune", false, "remove profiles of the block whose account or role is no longer assigned")
	f.BoolVar(&o.DryRun, "dry-run", false, "print the change as a unified diff; write nothing")
	f.Float64Var(&o.Rate, "rate", orgs.DefaultRate, "most portal requests per second")
	f.IntVar(&o.Concurrency, "concurrency", 8, "accounts listed at once")
	return c
}

// profileNameData is what --profile-template sees.
type profileNameData struct {
	AccountName, AccountID, AccountEmail, RoleName, SessionName string
}

// profileTemplate parses --profile-template ("" is the default).
func profileTemplate(text string) (*template.Template, error) {
	if text == "" {
		text = defaultProfileTemplate
	}
	tmpl, err := template.New("profile").Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, usageError("argument --profile-template: %v", err)
	}
	return tmpl, nil
}

func runPopulate(ctx context.Context, o *populateOptions) error {
	tmpl, err := profileTemplate(o.Template)
	if err != nil {
		return err
	}
	cfg, err := o.Config()
	if err != nil {
		return err
	}
	p, err := cfg.SSOLogin("", o.SSOSession, false)
	if err != nil {
		return err
	}
	t, err := o.target(p)
	if err != nil {
		return err
	}
	m := o.manager()
	token, err := m.AccessToken(ctx, t)
	if err != nil {
		return err
	}
	client, err := m.PortalClient(t)
	if err != nil {
		return err
	}
	bar := o.progress()
	l := orgs.New(client, token, orgs.Options{Rate: o.Rate, Concurrency: o.Concurrency, Progress: func(done, total int) {
		bar.show(progressBar("Listing roles", done, total))
	}})
	accts, err := l.All(ctx)
	bar.done()
	if err != nil {
		return usererr.FromAPI(err)
	}
	st := l.Stats()
	o.debugf("populate: %d requests, %d throttled, %d retried", st.Requests, st.Throttled, st.Retried)

	var want []awsconfig.BlockProfile
	byName := map[string]string{}
	for _, ac := range accts {
		for _, r := range ac.Roles {
			var b strings.Builder
			if err := tmpl.Execute(&b, profileNameData{AccountName: ac.Name, AccountID: ac.ID, AccountEmail: ac.Email, RoleName: r, SessionName: o.SSOSession}); err != nil {
				return usageError("argument --profile-template: %v", err)
			}
			name := sanitizeProfileName(b.String())
			if name == "" {
				return usageError("argument --profile-template: it gives an empty name for account %s and role %s.", ac.ID, r)
			}
			what := ac.ID + "/" + r
			if prev, ok := byName[name]; ok {
				return usageError("argument --profile-template: it names both %s and %s %q; add {{.AccountID}} or {{.RoleName}} to it.", prev, what, name)
			}
			byName[name] = what
			want = append(want, awsconfig.BlockProfile{Name: name, Values: []awsconfig.KeyValue{
				{Key: "sso_session", Value: o.SSOSession},
				{Key: "sso_account_id", Value: ac.ID},
				{Key: "sso_role_name", Value: r},
			}})
			if o.Region != "" {
				want[len(want)-1].Values = append(want[len(want)-1].Values, awsconfig.KeyValue{Key: "region", Value: o.Region})
			}
		}
	}

	path, _ := awsconfig.Paths(o.Env.getenv, o.Env.Home)
	var res *awsconfig.BlockResult
	change, err := awsconfig.EditFile(ctx, path, func(d *awsconfig.Document) error {
		var err error
		res, err = d.ReplaceBlock(populateBlock(o.SSOSession, want, o.Prune))
		return err
	}, awsconfig.EditOptions{DryRun: o.DryRun, Debug: debugLogger(o.Env, o.Globals.Debug).Debug})
	var unsafe *awsconfig.UnsafeEntryError
	if errors.As(err, &unsafe) {
		return usererr.Wrap(usererr.CodeOther, err.Error(), err).
			WithHint("the name came from the IAM Identity Center portal, and nothing was written; check that AWS_ENDPOINT_URL, endpoint_url and HTTPS_PROXY lead where you expect")
	}
	if err != nil {
		return err
	}
	for _, s := range res.Skipped {
		fmt.Fprintf(o.Env.Stderr, "Skipping profile %s: it is already defined outside the ssocli block.\n", s)
	}
	if o.DryRun {
		_, err := io.WriteString(o.Env.Stdout, termtext.Text(dryRunDiff(path, change)))
		return err
	}
	fmt.Fprintf(o.Env.Stderr, "%d profiles for %d accounts in %s: %d added, %d updated, %d removed, %d unchanged, %d kept without assignment.\n",
		len(want)-len(res.Skipped), len(accts), path, res.Added, res.Updated, res.Removed, res.Unchanged, res.Kept)
	return nil
}

// progressBar renders "label [#####     ] done/total accounts".
func progressBar(label string, done, total int) string {
	const width = 30
	n := 0
	if total > 0 {
		n = done * width / total
	}
	return fmt.Sprintf("%s [%s%s] %d/%d accounts", label, strings.Repeat("#", n), strings.Repeat(" ", width-n), done, total)
}

// sanitizeProfileName makes a name safe for "[profile NAME]": runs of
// anything but letters, digits and . _ - @ + = , become one "-", and "-" is
// trimmed from both ends.
func sanitizeProfileName(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		ok := r == '.' || r == '_' || r == '-' || r == '@' || r == '+' || r == '=' || r == ',' ||
			r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !ok {
			if !dash {
				b.WriteByte('-')
				dash = true
			}
			continue
		}
		b.WriteRune(r)
		dash = r == '-'
	}
	return strings.Trim(b.String(), "-")
}

// populateBlock is the block of ~/.aws/config that populate owns for session.
func populateBlock(session string, want []awsconfig.BlockProfile, prune bool) awsconfig.Block {
	begin, end := populateMarkers(session)
	return awsconfig.Block{
		Begin: begin, End: end,
		Comment:  []string{"# Written by ssocli configure populate --sso-session " + session + "; edits between these lines may be replaced."},
		Profiles: want,
		Prune:    prune,
	}
}

func populateMarkers(session string) (begin, end string) {
	return "# BEGIN ssocli populate " + session, "# END ssocli populate " + session
}

// dryRunDiff is what --dry-run prints: the change as a unified diff with three
// lines of context, "" when nothing changes. It is Go's own anchored diff
// (github.com/rogpeppe/go-internal/diff, a copy of the toolchain's
// internal/diff): unique lines such as the profile headers anchor it, so a
// pruned block reads as removed profiles, in O(n log n).
func dryRunDiff(path string, c *awsconfig.Change) string {
	return string(diff.Diff(path, c.Before, path, c.After))
}
