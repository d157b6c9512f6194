package directory

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"
)

// Load reads a directory from a YAML file (see testdata/example.yaml for the
// format). Mistakes are reported with the file, the line and the fix, e.g.
//
//	directory.yaml:12: unknown key "pasword" in user "alice"; did you mean "password"?
//
// Unknown keys are errors rather than ignored, because a silently ignored typo
// in a password or an assignment is much harder to find than a refusal.
func Load(path string) (*Directory, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read directory %s: %w", path, err)
	}
	return Parse(path, data)
}

// Parse is Load on bytes already read; name is the file name used in errors.
func Parse(name string, data []byte) (*Directory, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	l := &loader{name: name}
	d, err := l.document(&doc)
	if err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}

type loader struct{ name string }

func (l *loader) errf(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d: "+format, append([]any{l.name, n.Line}, args...)...)
}

// pair is one key: value of a mapping, in file order.
type pair struct {
	key   string
	kn, v *yaml.Node
}

// pairs returns the entries of a mapping node, refusing duplicate keys.
func (l *loader) pairs(n *yaml.Node, what string) ([]pair, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, l.errf(n, "%s must be a mapping of key: value", what)
	}
	seen := map[string]bool{}
	var out []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			return nil, l.errf(k, "%q appears twice in %s", k.Value, what)
		}
		seen[k.Value] = true
		out = append(out, pair{k.Value, k, v})
	}
	return out, nil
}

// fields returns the entries of a mapping whose keys must come from allowed.
func (l *loader) fields(n *yaml.Node, what string, allowed ...string) (map[string]*yaml.Node, error) {
	ps, err := l.pairs(n, what)
	if err != nil {
		return nil, err
	}
	out := map[string]*yaml.Node{}
	for _, p := range ps {
		ok := false
		for _, a := range allowed {
			ok = ok || a == p.key
		}
		if !ok {
			if s := suggest(p.key, allowed); s != "" {
				return nil, l.errf(p.kn, "unknown key %q in %s; did you mean %q?", p.key, what, s)
			}
			return nil, l.errf(p.kn, "unknown key %q in %s; known keys are %s", p.key, what, strings.Join(allowed, ", "))
		}
		out[p.key] = p.v
	}
	return out, nil
}

func (l *loader) str(n *yaml.Node, what string) (string, error) {
	if n == nil {
		return "", nil
	}
	if n.Kind != yaml.ScalarNode {
		return "", l.errf(n, "%s must be a single value", what)
	}
	return n.Value, nil
}

func (l *loader) list(n *yaml.Node, what string) ([]*yaml.Node, error) {
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, l.errf(n, "%s must be a list", what)
	}
	return n.Content, nil
}

func (l *loader) document(doc *yaml.Node) (*Directory, error) {
	d := &Directory{}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: empty file; see internal/idc/directory/testdata/example.yaml for the format", l.name)
	}
	top, err := l.fields(doc.Content[0], "the directory", "instance", "users", "groups", "accounts", "permissionSets", "assignments")
	if err != nil {
		return nil, err
	}
	if n := top["instance"]; n != nil {
		f, err := l.fields(n, "instance", "id", "startUrl", "region")
		if err != nil {
			return nil, err
		}
		if d.Instance.ID, err = l.str(f["id"], "instance id"); err != nil {
			return nil, err
		}
		if d.Instance.ID != "" && !instanceIDRe().MatchString(d.Instance.ID) {
			return nil, l.errf(f["id"], "instance id %q must look like d-0000000000 (\"d-\" and 10 lowercase letters or digits)", d.Instance.ID)
		}
		if d.Instance.StartURL, err = l.str(f["startUrl"], "startUrl"); err != nil {
			return nil, err
		}
		if u := d.Instance.StartURL; u != "" && !strings.HasPrefix(u, "https://") {
			return nil, l.errf(f["startUrl"], "startUrl %q must start with https://", u)
		}
		if d.Instance.Region, err = l.str(f["region"], "region"); err != nil {
			return nil, err
		}
	}

	groupLine := map[string]bool{}
	if n := top["groups"]; n != nil {
		ps, err := l.pairs(n, "groups")
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			g := Group{Name: p.key}
			f, err := l.fields(p.v, fmt.Sprintf("group %q", p.key), "description")
			if err != nil {
				return nil, err
			}
			if g.Description, err = l.str(f["description"], "description"); err != nil {
				return nil, err
			}
			groupLine[p.key] = true
			d.Groups = append(d.Groups, g)
		}
	}

	users := map[string]bool{}
	if n := top["users"]; n != nil {
		ps, err := l.pairs(n, "users")
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			what := fmt.Sprintf("user %q", p.key)
			f, err := l.fields(p.v, what, "password", "email", "displayName", "groups")
			if err != nil {
				return nil, err
			}
			u := User{Name: p.key}
			if u.Password, err = l.str(f["password"], "password"); err != nil {
				return nil, err
			}
			if u.Password == "" {
				return nil, l.errf(p.kn, "%s has no password; add a line \"password: ...\"", what)
			}
			if u.Email, err = l.str(f["email"], "email"); err != nil {
				return nil, err
			}
			if u.DisplayName, err = l.str(f["displayName"], "displayName"); err != nil {
				return nil, err
			}
			gs, err := l.list(f["groups"], what+" groups")
			if err != nil {
				return nil, err
			}
			for _, g := range gs {
				if !groupLine[g.Value] {
					return nil, l.errf(g, "%s is in unknown group %q; define it under groups:", what, g.Value)
				}
				u.Groups = append(u.Groups, g.Value)
			}
			users[p.key] = true
			d.Users = append(d.Users, u)
		}
	}

	accounts := map[string]string{} // id or name -> id
	var pendingIAM []accountIAM
	if n := top["accounts"]; n != nil {
		items, err := l.list(n, "accounts")
		if err != nil {
			return nil, err
		}
		for i, it := range items {
			f, err := l.fields(it, fmt.Sprintf("account #%d", i+1), append([]string{"id", "name", "email"}, accountIAMKeys...)...)
			if err != nil {
				return nil, err
			}
			var a Account
			if a.ID, err = l.str(f["id"], "account id"); err != nil {
				return nil, err
			}
			if !accountIDRe().MatchString(a.ID) {
				at := f["id"]
				if at == nil {
					at = it
				}
				return nil, l.errf(at, "account id %q must be exactly 12 digits (quote it, e.g. id: \"012345678901\")", a.ID)
			}
			if _, dup := accounts[a.ID]; dup {
				return nil, l.errf(f["id"], "account %s is defined twice", a.ID)
			}
			if a.Name, err = l.str(f["name"], "account name"); err != nil {
				return nil, err
			}
			if a.Email, err = l.str(f["email"], "account email"); err != nil {
				return nil, err
			}
			accounts[a.ID] = a.ID
			if a.Name != "" {
				accounts[a.Name] = a.ID
			}
			pendingIAM = append(pendingIAM, accountIAM{id: a.ID, name: cmp.Or(a.Name, a.ID), f: f})
			d.Accounts = append(d.Accounts, a)
		}
	}

	psets := map[string]bool{}
	if n := top["permissionSets"]; n != nil {
		ps, err := l.pairs(n, "permissionSets")
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			what := fmt.Sprintf("permission set %q", p.key)
			f, err := l.fields(p.v, what, "sessionDuration")
			if err != nil {
				return nil, err
			}
			ps := PermissionSet{Name: p.key, SessionDuration: time.Hour}
			if s, _ := l.str(f["sessionDuration"], "sessionDuration"); s != "" {
				dur, err := time.ParseDuration(s)
				if err != nil || dur < 15*time.Minute || dur > 12*time.Hour {
					return nil, l.errf(f["sessionDuration"], "sessionDuration %q of %s must be a duration from 15m to 12h, e.g. 1h or 90m", s, what)
				}
				ps.SessionDuration = dur
			}
			psets[p.key] = true
			d.PermissionSets = append(d.PermissionSets, ps)
		}
	}

	if n := top["assignments"]; n != nil {
		items, err := l.list(n, "assignments")
		if err != nil {
			return nil, err
		}
		for i, it := range items {
			what := fmt.Sprintf("assignment #%d", i+1)
			f, err := l.fields(it, what, "user", "group", "account", "permissionSet")
			if err != nil {
				return nil, err
			}
			var a Assignment
			a.User, _ = l.str(f["user"], "user")
			a.Group, _ = l.str(f["group"], "group")
			acct, _ := l.str(f["account"], "account")
			a.PermissionSet, _ = l.str(f["permissionSet"], "permissionSet")
			switch {
			case (a.User == "") == (a.Group == ""):
				return nil, l.errf(it, "%s must have exactly one of user: or group:", what)
			case a.User != "" && !users[a.User]:
				return nil, l.errf(f["user"], "%s names unknown user %q; define it under users:", what, a.User)
			case a.Group != "" && !groupLine[a.Group]:
				return nil, l.errf(f["group"], "%s names unknown group %q; define it under groups:", what, a.Group)
			case f["account"] == nil:
				return nil, l.errf(it, "%s has no account:; give an account id or name", what)
			case accounts[acct] == "":
				return nil, l.errf(f["account"], "%s names unknown account %q; define it under accounts:", what, acct)
			case f["permissionSet"] == nil:
				return nil, l.errf(it, "%s has no permissionSet:", what)
			case !psets[a.PermissionSet]:
				return nil, l.errf(f["permissionSet"], "%s names unknown permission set %q; define it under permissionSets:", what, a.PermissionSet)
			}
			a.Account = accounts[acct]
			d.Assignments = append(d.Assignments, a)
		}
	}
	if err := l.iam(d, pendingIAM, known{accounts: accounts, psets: psets, users: users}); err != nil {
		return nil, err
	}
	if len(d.Users) == 0 {
		return nil, errors.New(l.name + ": no users; add at least one under users:")
	}
	return d, nil
}

// suggest returns the allowed key closest to key when it is close enough to be
// a typo (edit distance at most 2, or equal ignoring case, '_' and '-').
func suggest(key string, allowed []string) string {
	norm := func(s string) string {
		return strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(s))
	}
	best, bestD := "", 3
	for _, a := range allowed {
		if norm(a) == norm(key) {
			return a
		}
		if d := editDistance(key, a); d < bestD {
			best, bestD = a, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
