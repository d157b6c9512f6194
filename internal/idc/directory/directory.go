// Package directory is the identity data of the local IAM Identity Center: the
// instance, its users and groups, the AWS accounts, the permission sets and the
// assignments that say which user (or group) may use which permission set in
// which account; and per account the IAM side that STS needs: IAM users with
// access keys, virtual MFA devices, OpenID Connect providers and roles with
// their trust (iam.go).
//
// A Directory is read-only once built. It comes from Demo (a small built-in
// organisation), Load (a YAML file, see testdata/example.yaml) or Generate (a
// large synthetic organisation for load tests). It holds no session state: that
// lives in internal/idc/store. It follows what the portal API exposes (spec §9.2):
// ListAccounts, ListAccountRoles and the role a GetRoleCredentials call may take;
// and what STS AssumeRole checks (a role's trust, external id, MFA and maximum
// session duration).
package directory

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"sync"
	"time"
)

// Instance is the Identity Center instance: its identity store id, the start
// URL users log in with, and the region its OIDC and portal endpoints live in.
type Instance struct {
	ID       string // e.g. "d-0000000000"
	StartURL string // e.g. "https://d-0000000000.awsapps.com/start"
	Region   string // e.g. "us-east-1"
}

// User is a person who can sign in.
type User struct {
	Name        string
	Password    string // plain text: this is a local test server, never a real directory
	Email       string
	DisplayName string
	Groups      []string // group names
}

// Group is a named set of users; assignments may name a group.
type Group struct {
	Name        string
	Description string
}

// Account is an AWS account of the organisation.
type Account struct {
	ID    string // 12 digits
	Name  string
	Email string
}

// PermissionSet is what an assignment grants: in an account it becomes the IAM
// role AWSReservedSSO_<Name>_<16 hex>, and its role credentials last
// SessionDuration.
type PermissionSet struct {
	Name            string
	SessionDuration time.Duration
}

// Assignment grants PermissionSet in Account to User or to every member of
// Group (exactly one of the two is set).
type Assignment struct {
	User          string
	Group         string
	Account       string // account id
	PermissionSet string
}

// Directory is the whole identity data. Build it with Demo, Load or Generate, or
// fill the fields and call Validate; do not change it once in use.
type Directory struct {
	Instance       Instance
	Users          []User
	Groups         []Group
	Accounts       []Account
	PermissionSets []PermissionSet
	Assignments    []Assignment

	// The IAM side, for STS AssumeRole and AssumeRoleWithWebIdentity (iam.go).
	IAMUsers      []IAMUser
	MFADevices    []MFADevice
	OIDCProviders []OIDCProvider
	Roles         []Role

	once sync.Once
	idx  *index
}

// index answers the questions the servers ask on every call in O(log n).
type index struct {
	users    map[string]*User
	accounts map[string]*Account
	psets    map[string]*PermissionSet
	// access maps user -> account id -> sorted permission set names.
	access map[string]map[string][]string
	iam    *iamIndex
}

// DefaultInstanceID is the instance id Demo and Generate use.
const DefaultInstanceID = "d-0000000000"

// DefaultRegion is the region Demo and Generate use.
const DefaultRegion = "us-east-1"

// StartURLFor returns the start URL of an instance id, the way AWS forms it.
func StartURLFor(instanceID string) string {
	return "https://" + instanceID + ".awsapps.com/start"
}

var (
	accountIDRe  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{12}$`) })
	instanceIDRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^d-[0-9a-z]{10}$`) })
	// psetNameRe follows the IAM Identity Center rule for permission set names
	// (1-32 characters of [\w+=,.@-]).
	psetNameRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]{1,32}$`) })
)

// Validate checks that every reference resolves and builds the lookup index. It
// fills the instance defaults (id, region, start URL) when they are empty.
func (d *Directory) Validate() error {
	if d.Instance.ID == "" {
		d.Instance.ID = DefaultInstanceID
	}
	if d.Instance.Region == "" {
		d.Instance.Region = DefaultRegion
	}
	if d.Instance.StartURL == "" {
		d.Instance.StartURL = StartURLFor(d.Instance.ID)
	}
	if !instanceIDRe().MatchString(d.Instance.ID) {
		return fmt.Errorf("instance id %q is not of the form d-xxxxxxxxxx (10 lowercase letters or digits)", d.Instance.ID)
	}
	ix := &index{
		users:    map[string]*User{},
		accounts: map[string]*Account{},
		psets:    map[string]*PermissionSet{},
		access:   map[string]map[string][]string{},
	}
	groups := map[string]bool{}
	for _, g := range d.Groups {
		if groups[g.Name] {
			return fmt.Errorf("group %q is defined twice", g.Name)
		}
		groups[g.Name] = true
	}
	members := map[string][]string{}
	for i := range d.Users {
		u := &d.Users[i]
		if u.Name == "" {
			return fmt.Errorf("user #%d has no name", i+1)
		}
		if ix.users[u.Name] != nil {
			return fmt.Errorf("user %q is defined twice", u.Name)
		}
		for _, g := range u.Groups {
			if !groups[g] {
				return fmt.Errorf("user %q is in unknown group %q; define it under groups", u.Name, g)
			}
			members[g] = append(members[g], u.Name)
		}
		ix.users[u.Name] = u
	}
	for i := range d.Accounts {
		a := &d.Accounts[i]
		if !accountIDRe().MatchString(a.ID) {
			return fmt.Errorf("account id %q must be exactly 12 digits", a.ID)
		}
		if ix.accounts[a.ID] != nil {
			return fmt.Errorf("account %s is defined twice", a.ID)
		}
		ix.accounts[a.ID] = a
	}
	for i := range d.PermissionSets {
		p := &d.PermissionSets[i]
		if !psetNameRe().MatchString(p.Name) {
			return fmt.Errorf("permission set name %q must be 1-32 characters of letters, digits and +=,.@_-", p.Name)
		}
		if ix.psets[p.Name] != nil {
			return fmt.Errorf("permission set %q is defined twice", p.Name)
		}
		if p.SessionDuration < 15*time.Minute || p.SessionDuration > 12*time.Hour {
			return fmt.Errorf("permission set %q: session duration %s must be between 15m and 12h", p.Name, p.SessionDuration)
		}
		ix.psets[p.Name] = p
	}
	grant := func(user, account, pset string) {
		m := ix.access[user]
		if m == nil {
			m = map[string][]string{}
			ix.access[user] = m
		}
		for _, have := range m[account] {
			if have == pset {
				return
			}
		}
		m[account] = append(m[account], pset)
	}
	for i, a := range d.Assignments {
		switch {
		case (a.User == "") == (a.Group == ""):
			return fmt.Errorf("assignment #%d must name exactly one of user or group", i+1)
		case a.User != "" && ix.users[a.User] == nil:
			return fmt.Errorf("assignment #%d names unknown user %q", i+1, a.User)
		case a.Group != "" && !groups[a.Group]:
			return fmt.Errorf("assignment #%d names unknown group %q", i+1, a.Group)
		case ix.accounts[a.Account] == nil:
			return fmt.Errorf("assignment #%d names unknown account %q", i+1, a.Account)
		case ix.psets[a.PermissionSet] == nil:
			return fmt.Errorf("assignment #%d names unknown permission set %q", i+1, a.PermissionSet)
		}
		if a.User != "" {
			grant(a.User, a.Account, a.PermissionSet)
		}
		for _, u := range members[a.Group] {
			grant(u, a.Account, a.PermissionSet)
		}
	}
	for _, m := range ix.access {
		for _, ps := range m {
			sort.Strings(ps)
		}
	}
	if err := d.validateIAM(ix); err != nil {
		return err
	}
	d.idx = ix
	return nil
}

// ix returns the index, building it on first use for a Directory whose
// Validate was never called (an invalid one then answers as if empty).
func (d *Directory) ix() *index {
	d.once.Do(func() {
		if d.idx != nil {
			return
		}
		if err := d.Validate(); err != nil {
			d.idx = &index{}
		}
	})
	return d.idx
}

// User returns the named user.
func (d *Directory) User(name string) (User, bool) {
	u := d.ix().users[name]
	if u == nil {
		return User{}, false
	}
	return *u, true
}

// CheckPassword reports whether password is the user's password. It compares
// in constant time so a local server does not teach bad habits.
func (d *Directory) CheckPassword(user, password string) bool {
	u := d.ix().users[user]
	want := "\x00no such user"
	if u != nil {
		want = u.Password
	}
	a := sha256.Sum256([]byte(password))
	b := sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1 && u != nil
}

// Account returns the account with the given id.
func (d *Directory) Account(id string) (Account, bool) {
	a := d.ix().accounts[id]
	if a == nil {
		return Account{}, false
	}
	return *a, true
}

// PermissionSet returns the named permission set.
func (d *Directory) PermissionSet(name string) (PermissionSet, bool) {
	p := d.ix().psets[name]
	if p == nil {
		return PermissionSet{}, false
	}
	return *p, true
}

// AccountsFor returns the accounts the user has at least one assignment in,
// sorted by account id (the order ListAccounts pages through).
func (d *Directory) AccountsFor(user string) []Account {
	ix := d.ix()
	var out []Account
	for id := range ix.access[user] {
		out = append(out, *ix.accounts[id])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// RolesFor returns the permission set names the user may use in the account,
// sorted by name; nil when none.
func (d *Directory) RolesFor(user, accountID string) []string {
	ps := d.ix().access[user][accountID]
	return append([]string(nil), ps...)
}

// HasAccess reports whether the user may take permission set pset in account.
func (d *Directory) HasAccess(user, accountID, pset string) bool {
	for _, p := range d.ix().access[user][accountID] {
		if p == pset {
			return true
		}
	}
	return false
}

// RoleName returns the IAM role name AWS provisions for a permission set in an
// account: AWSReservedSSO_<PermissionSet>_<16 hex>. The suffix is derived from
// the instance, account and permission set, so it is stable across restarts and
// differs between accounts, as in AWS.
func (d *Directory) RoleName(accountID, pset string) string {
	sum := sha256.Sum256([]byte("role-name\x00" + d.Instance.ID + "\x00" + accountID + "\x00" + pset))
	return "AWSReservedSSO_" + pset + "_" + hex.EncodeToString(sum[:8])
}

// RoleID returns the stable unique id (AROA…) of the role RoleName names.
func (d *Directory) RoleID(accountID, pset string) string {
	return d.uniqueID("AROA", "role-id", accountID, pset)
}
