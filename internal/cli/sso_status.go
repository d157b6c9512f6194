package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssocli/ssocli/internal/creds"
	"github.com/ssocli/ssocli/internal/ssocache"
)

// ExitNotLoggedIn is the exit code of `sso status` when the session asked
// about is missing or expired, apart from every error code.
const ExitNotLoggedIn = 1

type statusOptions struct {
	SSOSession string
	Profile    string
	Output     string
}

func (a *app) statusCmd() *cobra.Command {
	var o statusOptions
	c := &cobra.Command{
		Use:   "status",
		Short: "Show the cached IAM Identity Center sessions and role credentials (never secrets)",
		Long: `Show each cached IAM Identity Center session: its name or start URL, region,
when the access token expires, whether it can be refreshed and until when its
client registration lasts, the role credentials cached for it, and the roles
assumed from them through a profile's source_profile chain (role_arn).

Exit code: 0 when the session asked about (--sso-session, --profile, or else
every cached session) is valid, 1 when it is missing or expired, so that scripts
and shell prompts can test it:

  ssocli sso status --sso-session corp >/dev/null || ssocli sso login --sso-session corp`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("profile") {
				o.Profile = a.g.profile
			}
			// A person reads this one: a table unless --output asks otherwise.
			o.Output = a.g.output
			if o.Output == "" {
				o.Output = "table"
			}
			if a.parsed != nil {
				return a.parsed(o)
			}
			return a.runStatus(cmd.Context(), o)
		},
	}
	c.Flags().StringVar(&o.SSOSession, "sso-session", "", "show this [sso-session] only")
	return c
}

type statusJSON struct {
	Session               string        `json:"Session"`
	StartURL              string        `json:"StartUrl"`
	Region                string        `json:"Region"`
	ExpiresAt             string        `json:"ExpiresAt"`
	Valid                 bool          `json:"Valid"`
	CanRefresh            bool          `json:"CanRefresh"`
	RegistrationExpiresAt string        `json:"RegistrationExpiresAt,omitempty"`
	RoleCredentials       []roleStatus  `json:"RoleCredentials"`
	AssumedRoles          []assumedRole `json:"AssumedRoles"`
}

// assumedRole is a role assumed from the session's role credentials through
// a profile's source_profile chain, cached in ~/.aws/cli/cache.
type assumedRole struct {
	Profile    string `json:"Profile"`
	RoleArn    string `json:"RoleArn"`
	Expiration string `json:"Expiration"`
}

type roleStatus struct {
	Profile    string `json:"Profile,omitempty"`
	AccountID  string `json:"AccountId"`
	RoleName   string `json:"RoleName"`
	Expiration string `json:"Expiration"`
}

func (a *app) runStatus(_ context.Context, o statusOptions) error {
	known := a.knownTargets()
	all, err := a.manager().Status(known)
	if err != nil {
		return err
	}
	var want string
	switch {
	case o.SSOSession != "":
		want = o.SSOSession
	case o.Profile != "":
		for _, k := range known {
			if k.Profile == o.Profile {
				want = k.SessionName
				if want == "" {
					want = k.StartURL
				}
			}
		}
		if want == "" {
			return usageError("The profile %q is not an IAM Identity Center profile.", o.Profile)
		}
	}
	var shown []creds.SessionStatus
	for _, s := range all {
		if want == "" || s.Name == want {
			shown = append(shown, s)
		}
	}
	assumed := map[string][]creds.AssumedRoleStatus{}
	if cfg, err := a.config(); err == nil {
		for _, r := range a.manager().AssumedRoles(cfg, a.env.getenv) {
			assumed[r.TokenFile] = append(assumed[r.TokenFile], r)
		}
	}
	assumedOf := func(s creds.SessionStatus) []creds.AssumedRoleStatus {
		session := s.Name
		if session == s.StartURL {
			session = ""
		}
		return assumed[ssocache.TokenFileName(session, s.StartURL)]
	}
	now := a.env.now()
	switch o.Output {
	case "json":
		rows := make([]statusJSON, 0, len(shown))
		for _, s := range shown {
			r := statusJSON{Session: s.Name, StartURL: s.StartURL, Region: s.Region, ExpiresAt: isoTime(s.ExpiresAt),
				Valid: s.Valid, CanRefresh: s.CanRefresh, RoleCredentials: []roleStatus{}}
			if !s.RegistrationExpiresAt.IsZero() {
				r.RegistrationExpiresAt = isoTime(s.RegistrationExpiresAt)
			}
			for _, rc := range s.Roles {
				r.RoleCredentials = append(r.RoleCredentials, roleStatus{Profile: rc.Profile, AccountID: rc.AccountID, RoleName: rc.RoleName, Expiration: isoTime(rc.Expiration)})
			}
			r.AssumedRoles = []assumedRole{}
			for _, ar := range assumedOf(s) {
				r.AssumedRoles = append(r.AssumedRoles, assumedRole{Profile: ar.Profile, RoleArn: ar.RoleArn, Expiration: isoTime(ar.Expiration)})
			}
			rows = append(rows, r)
		}
		b, _ := json.MarshalIndent(map[string]any{"Sessions": rows}, "", "    ")
		fmt.Fprintf(a.env.Stdout, "%s\n", b)
	case "text":
		for _, s := range shown {
			fmt.Fprintf(a.env.Stdout, "SESSION\t%s\t%s\t%s\t%s\t%t\t%t\n", s.Name, s.StartURL, s.Region, isoTime(s.ExpiresAt), s.Valid, s.CanRefresh)
			for _, rc := range s.Roles {
				fmt.Fprintf(a.env.Stdout, "ROLE\t%s\t%s\t%s\t%s\n", rc.Profile, rc.AccountID, rc.RoleName, isoTime(rc.Expiration))
			}
			for _, ar := range assumedOf(s) {
				fmt.Fprintf(a.env.Stdout, "ASSUMED\t%s\t%s\t%s\n", ar.Profile, ar.RoleArn, isoTime(ar.Expiration))
			}
		}
	default:
		if len(shown) == 0 {
			fmt.Fprintln(a.env.Stdout, "No IAM Identity Center session is cached.")
		}
		for i, s := range shown {
			if i > 0 {
				fmt.Fprintln(a.env.Stdout)
			}
			tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
			state := "valid"
			switch {
			case !s.Valid:
				state = "expired"
			case !s.ExpiresAt.After(now):
				state = "expired, refreshable"
			}
			fmt.Fprintf(tw, "Session:\t%s\n", s.Name)
			fmt.Fprintf(tw, "Start URL:\t%s\n", s.StartURL)
			fmt.Fprintf(tw, "Region:\t%s\n", s.Region)
			fmt.Fprintf(tw, "Access token:\t%s, expires %s (%s)\n", state, isoTime(s.ExpiresAt), relTime(s.ExpiresAt, now))
			if s.CanRefresh {
				fmt.Fprintf(tw, "Refresh:\tyes, registration lasts until %s\n", isoTime(s.RegistrationExpiresAt))
			} else {
				fmt.Fprintf(tw, "Refresh:\tno\n")
			}
			for _, rc := range s.Roles {
				fmt.Fprintf(tw, "Role credentials:\t%s %s (profile %s), expire %s (%s)\n", rc.AccountID, rc.RoleName, rc.Profile, isoTime(rc.Expiration), relTime(rc.Expiration, now))
			}
			for _, ar := range assumedOf(s) {
				fmt.Fprintf(tw, "Assumed role:\t%s (profile %s), expires %s (%s)\n", ar.RoleArn, ar.Profile, isoTime(ar.Expiration), relTime(ar.Expiration, now))
			}
			tw.Flush()
		}
	}
	valid := len(shown) > 0
	for _, s := range shown {
		valid = valid && s.Valid
	}
	if !valid {
		if want != "" && len(shown) == 0 {
			fmt.Fprintf(a.env.Stderr, "Not logged in to %s.\n", want)
		}
		return &exitError{code: ExitNotLoggedIn}
	}
	return nil
}

func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// relTime says "in 42m" or "3h10m ago".
func relTime(t, now time.Time) string {
	d := t.Sub(now).Round(time.Minute)
	h, m := int(d.Abs().Hours()), int(d.Abs().Minutes())%60
	s := fmt.Sprintf("%dm", m)
	if h > 0 {
		s = fmt.Sprintf("%dh%02dm", h, m)
	}
	if d >= 0 {
		return "in " + s
	}
	return s + " ago"
}

func (a *app) outputFormat() string {
	if a.g.output != "" {
		return a.g.output
	}
	if v := a.env.getenv("AWS_DEFAULT_OUTPUT"); v != "" {
		return v
	}
	if p, ok := a.profileSection(); ok && p["output"] != "" {
		return p["output"]
	}
	return "json"
}
