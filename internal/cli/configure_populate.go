package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/template"

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

	var want []populatedProfile
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
			want = append(want, populatedProfile{name: name, values: []awsconfig.KeyValue{
				{Key: "sso_session", Value: o.SSOSession},
				{Key: "sso_account_id", Value: ac.ID},
				{Key: "sso_role_name", Value: r},
			}})
			if o.Region != "" {
				want[len(want)-1].values = append(want[len(want)-1].values, awsconfig.KeyValue{Key: "region", Value: o.Region})
			}
		}
	}

	path, _ := awsconfig.Paths(o.Env.getenv, o.Env.Home)
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read config file %s: %w", path, err)
	}
	res, err := populateConfig(old, o.SSOSession, want, o.Prune)
	if err != nil {
		return err
	}
	for _, s := range res.skipped {
		fmt.Fprintf(o.Env.Stderr, "Skipping profile %s: it is already defined outside the ssocli block.\n", s)
	}
	if o.DryRun {
		_, err := io.WriteString(o.Env.Stdout, termtext.Text(unifiedDiff(path, path, string(old), string(res.data))))
		return err
	}
	if !bytes.Equal(old, res.data) {
		if _, err := awsconfig.ParseDocument(res.data); err != nil {
			return fmt.Errorf("populate would write a config file botocore cannot read: %w", err)
		}
		if err := awsconfig.WriteFileAtomic(path, res.data, 0o600); err != nil {
			return fmt.Errorf("write config file %s: %w", path, err)
		}
	}
	fmt.Fprintf(o.Env.Stderr, "%d profiles for %d accounts in %s: %d added, %d updated, %d removed, %d unchanged, %d kept without assignment.\n",
		len(want)-len(res.skipped), len(accts), path, res.added, res.updated, res.removed, res.unchanged, res.kept)
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

type populatedProfile struct {
	name   string
	values []awsconfig.KeyValue
}

type populateResult struct {
	data                                     []byte
	added, updated, removed, unchanged, kept int
	skipped                                  []string
}

func populateMarkers(session string) (begin, end string) {
	return "# BEGIN ssocli populate " + session, "# END ssocli populate " + session
}

// populateConfig returns the config file with the session's block rewritten
// to hold want (sorted by name). Profiles of the old block that want lacks
// are kept unless prune; keys a user added to a block profile are kept.
// Profiles defined outside the block are skipped. Every byte outside the
// block is kept.
func populateConfig(old []byte, session string, want []populatedProfile, prune bool) (*populateResult, error) {
	begin, end := populateMarkers(session)
	before, block, after, found, err := splitBlock(string(old), begin, end)
	if err != nil {
		return nil, err
	}
	outside, err := awsconfig.Parse([]byte(before+after), nil, "")
	if err != nil {
		return nil, usererr.Wrap(usererr.CodeOther, "Unable to parse config file", err)
	}
	inside, err := awsconfig.Parse([]byte(block), nil, "")
	if err != nil {
		return nil, usererr.Wrap(usererr.CodeOther, "Unable to parse the ssocli populate block of the config file", err)
	}
	res := &populateResult{}
	profiles := map[string][]awsconfig.KeyValue{}
	for _, w := range want {
		if _, ok := outside.Profile(w.name); ok {
			res.skipped = append(res.skipped, w.name)
			continue
		}
		vals := w.values
		if s, ok := inside.Profile(w.name); ok {
			vals = mergeKeys(vals, s)
			if same(vals, s) {
				res.unchanged++
			} else {
				res.updated++
			}
		} else {
			res.added++
		}
		profiles[w.name] = vals
	}
	for _, name := range inside.ProfileNames() {
		if _, ok := profiles[name]; ok {
			continue
		}
		if prune {
			res.removed++
			continue
		}
		if _, ok := outside.Profile(name); ok {
			continue // now defined outside: the block must not define it twice
		}
		s, _ := inside.Profile(name)
		profiles[name] = mergeKeys(nil, s)
		res.kept++
	}
	names := make([]string, 0, len(profiles))
	for n := range profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	// The block's lines end as the file's do (CRLF in a new file on Windows).
	eol := awsconfig.LineEnding(old)
	var b strings.Builder
	b.WriteString(begin + eol)
	b.WriteString("# Written by ssocli configure populate --sso-session " + session + "; edits between these lines may be replaced." + eol)
	for i, n := range names {
		if i > 0 {
			b.WriteString(eol)
		}
		b.WriteString("[" + awsconfig.ProfileSection(n) + "]" + eol)
		for _, kv := range profiles[n] {
			b.WriteString(kv.Key + " = " + kv.Value + eol)
		}
	}
	b.WriteString(end + eol)
	if !found {
		if before != "" && !strings.HasSuffix(before, "\n") {
			before += eol
		}
		if before != "" && !strings.HasSuffix(before, "\n\n") && !strings.HasSuffix(before, "\r\n\r\n") {
			before += eol
		}
	}
	res.data = []byte(before + b.String() + after)
	return res, nil
}

// mergeKeys returns vals followed by the keys of s that vals does not set,
// in the file's order.
func mergeKeys(vals []awsconfig.KeyValue, s awsconfig.Section) []awsconfig.KeyValue {
	out := append([]awsconfig.KeyValue(nil), vals...)
	for _, k := range s.Keys {
		v, ok := s.Values[k]
		if !ok {
			continue
		}
		dup := false
		for _, kv := range vals {
			dup = dup || kv.Key == k
		}
		if !dup {
			out = append(out, awsconfig.KeyValue{Key: k, Value: v})
		}
	}
	return out
}

func same(vals []awsconfig.KeyValue, s awsconfig.Section) bool {
	if len(vals) != len(s.Values) {
		return false
	}
	for _, kv := range vals {
		if v, ok := s.Values[kv.Key]; !ok || v != kv.Value {
			return false
		}
	}
	return true
}

// splitBlock cuts data around the lines begin and end (whole lines, both
// included in block). Without a block, before is all of data.
func splitBlock(data, begin, end string) (before, block, after string, found bool, err error) {
	bi := lineIndex(data, begin, 0)
	if bi < 0 {
		return data, "", "", false, nil
	}
	ei := lineIndex(data, end, bi)
	if ei < 0 {
		return "", "", "", false, usererr.New(usererr.CodeConfig, fmt.Sprintf("The config file has the line %q but not %q after it.", begin, end)).
			WithHint("restore or remove the marker line, then run ssocli configure populate again")
	}
	stop := ei + len(end)
	if stop < len(data) && data[stop] == '\r' {
		stop++
	}
	if stop < len(data) && data[stop] == '\n' {
		stop++
	}
	return data[:bi], data[bi:stop], data[stop:], true, nil
}

// lineIndex finds line as a whole line (trailing spaces and CR allowed) at
// or after from.
func lineIndex(data, line string, from int) int {
	for i := from; i < len(data); {
		j := strings.IndexByte(data[i:], '\n')
		l := data[i:]
		if j >= 0 {
			l = data[i : i+j]
		}
		if strings.TrimRight(l, " \t\r") == line {
			return i
		}
		if j < 0 {
			break
		}
		i += j + 1
	}
	return -1
}

// unifiedDiff returns the change from a to b as a unified diff with three
// lines of context, or "" when they are equal. Lines common to the start
// and end are trimmed first; the rest is compared line by line (LCS) when
// small enough, else shown as replaced, which is what populate's single
// block needs.
func unifiedDiff(nameA, nameB, a, b string) string {
	if a == b {
		return ""
	}
	al, bl := splitLines(a), splitLines(b)
	pre := 0
	for pre < len(al) && pre < len(bl) && al[pre] == bl[pre] {
		pre++
	}
	suf := 0
	for suf < len(al)-pre && suf < len(bl)-pre && al[len(al)-1-suf] == bl[len(bl)-1-suf] {
		suf++
	}
	type op struct {
		kind byte // ' ', '-', '+'
		line string
	}
	var ops []op
	for _, l := range al[:pre] {
		ops = append(ops, op{' ', l})
	}
	ma, mb := al[pre:len(al)-suf], bl[pre:len(bl)-suf]
	if len(ma)*len(mb) <= 4_000_000 {
		// lcs[i][j] = length of the LCS of ma[i:] and mb[j:].
		lcs := make([][]int32, len(ma)+1)
		for i := range lcs {
			lcs[i] = make([]int32, len(mb)+1)
		}
		for i := len(ma) - 1; i >= 0; i-- {
			for j := len(mb) - 1; j >= 0; j-- {
				if ma[i] == mb[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < len(ma) || j < len(mb) {
			switch {
			case i < len(ma) && j < len(mb) && ma[i] == mb[j]:
				ops = append(ops, op{' ', ma[i]})
				i, j = i+1, j+1
			case i < len(ma) && (j == len(mb) || lcs[i+1][j] >= lcs[i][j+1]):
				ops = append(ops, op{'-', ma[i]})
				i++
			default:
				ops = append(ops, op{'+', mb[j]})
				j++
			}
		}
	} else {
		for _, l := range ma {
			ops = append(ops, op{'-', l})
		}
		for _, l := range mb {
			ops = append(ops, op{'+', l})
		}
	}
	for _, l := range al[len(al)-suf:] {
		ops = append(ops, op{' ', l})
	}

	const context = 3
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", nameA, nameB)
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		// A hunk: from context lines before the change to context lines
		// after the last change that is within 2*context of the next.
		start := max(0, i-context)
		end := i
		for k := i; k < len(ops); k++ {
			if ops[k].kind != ' ' {
				end = k
			} else if k-end > 2*context {
				break
			}
		}
		stop := min(len(ops), end+context+1)
		aStart, bStart := 1, 1
		for _, o := range ops[:start] {
			if o.kind != '+' {
				aStart++
			}
			if o.kind != '-' {
				bStart++
			}
		}
		aLen, bLen := 0, 0
		var body strings.Builder
		for _, o := range ops[start:stop] {
			if o.kind != '+' {
				aLen++
			}
			if o.kind != '-' {
				bLen++
			}
			body.WriteByte(o.kind)
			body.WriteString(o.line)
			if !strings.HasSuffix(o.line, "\n") {
				body.WriteString("\n\\ No newline at end of file\n")
			}
		}
		if aLen == 0 {
			aStart--
		}
		if bLen == 0 {
			bStart--
		}
		fmt.Fprintf(&out, "@@ -%d,%d +%d,%d @@\n%s", aStart, aLen, bStart, bLen, body.String())
		i = stop
	}
	return out.String()
}

// splitLines splits s after each "\n", keeping the line endings.
func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}
