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
	"github.com/ssocli/ssocli/internal/termtext"
	"github.com/ssocli/ssocli/internal/usererr"
)

// ExitNotLoggedIn is the exit code of `sso status` when the session asked
// about is missing or expired, apart from every error code.
const ExitNotLoggedIn = 1

// statusOptions are what `sso status` runs from. Only a --profile given on
// the command line (Globals.Profile) narrows it, not AWS_PROFILE; --output
// defaults to a table, whatever the profile says (a person reads this one).
type statusOptions struct {
	deps
	SSOSession string
}

func newStatusCmd(a *app, runF func(context.Context, *statusOptions) error) *cobra.Command {
	o := &statusOptions{}
	c := &cobra.Command{
		Use:   "status",
		Short: "Show the cached IAM Identity Center sessions and role credentials (never secrets)",
		Long: `Show each cached IAM Identity Center session: its name or start URL, region,
when the access token expires, whether it can be refreshed and until when its
client registration lasts, the role credentials cached for it, and the roles
assumed from them through a profile's source_profile chain (role_arn).

Exit code: 0 when the session asked about (--sso-session, --profile, or else
every cached session) is valid, 1 when it is missing or expired, so that scripts
and shell prompts can test it (a token file that cannot be read is an error, as
for every other command):

  ssocli sso status --sso-session corp >/dev/null || ssocli sso login --sso-session corp`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.deps = a.deps()
			if err := checkOutputFlag(o.Globals.Output); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runStatus(cmd.Context(), o)
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
	Error                 string        `json:"Error,omitempty"`
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

func runStatus(_ context.Context, o *statusOptions) error {
	output := o.Globals.Output
	if output == "" {
		output = "table"
	}
	known := o.knownTargets()
	all, err := o.manager().Status(known)
	if err != nil {
		return err
	}
	var want string
	switch {
	case o.SSOSession != "":
		want = o.SSOSession
	case o.Globals.Profile != "":
		for _, k := range known {
			if k.Profile == o.Globals.Profile {
				want = k.SessionName
				if want == "" {
					want = k.StartURL
				}
			}
		}
		if want == "" {
			return usageError("The profile %q is not an IAM Identity Center profile.", o.Globals.Profile)
		}
	}
	var shown []creds.SessionStatus
	for _, s := range all {
		if want == "" || s.Name == want {
			shown = append(shown, s)
		}
	}
	assumed := map[string][]creds.AssumedRoleStatus{}
	if cfg, err := o.Config(); err == nil {
		for _, r := range o.manager().AssumedRoles(cfg, o.Env.getenv) {
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
	now := o.Env.now()
	out := o.Env.Stdout
	switch output {
	case "json":
		rows := make([]statusJSON, 0, len(shown))
		for _, s := range shown {
			r := statusJSON{Session: s.Name, StartURL: s.StartURL, Region: s.Region, ExpiresAt: isoTime(s.ExpiresAt),
				Valid: s.Valid, CanRefresh: s.CanRefresh, RoleCredentials: []roleStatus{}}
			if !s.RegistrationExpiresAt.IsZero() {
				r.RegistrationExpiresAt = isoTime(s.RegistrationExpiresAt)
			}
			if s.Err != nil {
				r.ExpiresAt, r.Error = "", errorText(s.Err)
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
		fmt.Fprintf(out, "%s\n", termtext.JSON(b))
	case "text":
		for _, s := range shown {
			fmt.Fprintf(out, "SESSION\t%s\t%s\t%s\t%s\t%t\t%t\n", termtext.Line(s.Name), termtext.Line(s.StartURL), termtext.Line(s.Region), isoTime(s.ExpiresAt), s.Valid, s.CanRefresh)
			for _, rc := range s.Roles {
				fmt.Fprintf(out, "ROLE\t%s\t%s\t%s\t%s\n", termtext.Line(rc.Profile), termtext.Line(rc.AccountID), termtext.Line(rc.RoleName), isoTime(rc.Expiration))
			}
			for _, ar := range assumedOf(s) {
				fmt.Fprintf(out, "ASSUMED\t%s\t%s\t%s\n", termtext.Line(ar.Profile), termtext.Line(ar.RoleArn), isoTime(ar.Expiration))
			}
		}
	default:
		if len(shown) == 0 {
			fmt.Fprintln(out, "No IAM Identity Center session is cached.")
		}
		for i, s := range shown {
			if i > 0 {
				fmt.Fprintln(out)
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			state := "valid"
			switch {
			case !s.Valid:
				state = "expired"
			case !s.ExpiresAt.After(now):
				state = "expired, refreshable"
			}
			fmt.Fprintf(tw, "Session:\t%s\n", termtext.Line(s.Name))
			fmt.Fprintf(tw, "Start URL:\t%s\n", termtext.Line(s.StartURL))
			fmt.Fprintf(tw, "Region:\t%s\n", termtext.Line(s.Region))
			if s.Err != nil {
				fmt.Fprintf(tw, "Access token:\tunreadable: %s\n", termtext.Line(errorText(s.Err)))
				tw.Flush()
				continue
			}
			fmt.Fprintf(tw, "Access token:\t%s, expires %s (%s)\n", state, isoTime(s.ExpiresAt), relTime(s.ExpiresAt, now))
			if s.CanRefresh {
				fmt.Fprintf(tw, "Refresh:\tyes, registration lasts until %s\n", isoTime(s.RegistrationExpiresAt))
			} else {
				fmt.Fprintf(tw, "Refresh:\tno\n")
			}
			for _, rc := range s.Roles {
				fmt.Fprintf(tw, "Role credentials:\t%s %s (profile %s), expire %s (%s)\n", termtext.Line(rc.AccountID), termtext.Line(rc.RoleName), termtext.Line(rc.Profile), isoTime(rc.Expiration), relTime(rc.Expiration, now))
			}
			for _, ar := range assumedOf(s) {
				fmt.Fprintf(tw, "Assumed role:\t%s (profile %s), expires %s (%s)\n", termtext.Line(ar.RoleArn), termtext.Line(ar.Profile), isoTime(ar.Expiration), relTime(ar.Expiration, now))
			}
			tw.Flush()
		}
	}
	// The session asked about has a token file that cannot be read: say so
	// as every other command would, rather than "not logged in".
	if want != "" && len(shown) == 1 && shown[0].Err != nil {
		return shown[0].Err
	}
	valid := len(shown) > 0
	for _, s := range shown {
		valid = valid && s.Valid
	}
	if !valid {
		if want != "" && len(shown) == 0 {
			fmt.Fprintf(o.Env.Stderr, "Not logged in to %s.\n", termtext.Line(want))
		}
		return &exitError{code: ExitNotLoggedIn}
	}
	return nil
}

// errorText is the user-facing message of err.
func errorText(err error) string {
	if u := usererr.As(err); u != nil {
		return u.Msg
	}
	return err.Error()
}

func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// relTime says how far t is from now: "in 42m", "3h10m ago", "in 12d03h",
// "less than a minute ago". It counts in seconds of Unix time, not in a
// time.Duration, which stops at about 292 years (a date in year 9999 would
// read "2562047h47m"); and the sign is t's, so a token that expired seconds
// ago is not "in 0m".
func relTime(t, now time.Time) string {
	future := t.After(now)
	secs := t.Unix() - now.Unix()
	if secs < 0 {
		secs = -secs
	}
	mins := (secs + 30) / 60
	var s string
	switch {
	case mins == 0:
		s = "less than a minute"
	case mins < 60:
		s = fmt.Sprintf("%dm", mins)
	case mins < 48*60:
		s = fmt.Sprintf("%dh%02dm", mins/60, mins%60)
	default:
		hours := (secs + 1800) / 3600
		s = fmt.Sprintf("%dd%02dh", hours/24, hours%24)
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

// outputFormat is the output format of a command that prints an API's
// result: --output, AWS_DEFAULT_OUTPUT, the profile's output, else json
// (spec §1.1), checked.
func (d *deps) outputFormat() (string, error) {
	f := d.Globals.Output
	if f == "" {
		f = d.Env.getenv("AWS_DEFAULT_OUTPUT")
	}
	if p, ok := d.profileSection(); f == "" && ok {
		f = p["output"]
	}
	if f == "" {
		f = "json"
	}
	return f, checkOutput(f)
}

// checkOutput refuses an output format ssocli cannot print.
func checkOutput(f string) error {
	if f != "json" && f != "text" && f != "table" {
		return usageError("Unsupported output format %q: use json, text or table.", f)
	}
	return nil
}

// checkOutputFlag checks --output when it is given.
func checkOutputFlag(f string) error {
	if f == "" {
		return nil
	}
	if checkOutput(f) != nil {
		return invalidChoice("--output", []string{"json", "text", "table"}, f, nil)
	}
	return nil
}
