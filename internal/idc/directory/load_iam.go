package directory

import (
	"fmt"
	"strconv"
	"time"

	"go.yaml.in/yaml/v4"
)

// The keys of an account entry that hold its IAM side (see iam.go and
// testdata/example.yaml).
var accountIAMKeys = []string{"iamUsers", "mfaDevices", "oidcProviders", "roles"}

// accountIAM is the IAM part of one account entry, read after every account,
// user and permission set is known, because trust entries may point at
// accounts and roles further down the file.
type accountIAM struct {
	id   string
	name string // for messages: the account's name, or its id
	f    map[string]*yaml.Node
}

// known is what the rest of the file defined, for resolving references.
type known struct {
	accounts map[string]string // id or name -> id
	psets    map[string]bool
	users    map[string]bool
}

// iam reads the IAM parts of the accounts into d.
func (l *loader) iam(d *Directory, pending []accountIAM, k known) error {
	iamUsers := map[string]bool{} // account/name
	keyIDs := map[string]bool{}
	providers := map[string]bool{} // account + " " + url
	for _, a := range pending {
		if err := l.iamUsers(d, a, iamUsers, keyIDs); err != nil {
			return err
		}
	}
	for _, a := range pending {
		if err := l.mfaDevices(d, a, iamUsers); err != nil {
			return err
		}
		if err := l.oidcProviders(d, a, providers); err != nil {
			return err
		}
	}
	// Every role's name first, so that trust may name a role defined later.
	roles := map[string]bool{}
	type roleNode struct {
		account accountIAM
		p       pair
	}
	var all []roleNode
	for _, a := range pending {
		ps, err := l.pairs(nilIfAbsent(a.f["roles"]), fmt.Sprintf("roles of account %s", a.name))
		if err != nil {
			return err
		}
		for _, p := range ps {
			if err := checkIAMName("role", p.key); err != nil {
				return l.errf(p.kn, "%v", err)
			}
			roles[a.id+"/"+p.key] = true
			all = append(all, roleNode{a, p})
		}
	}
	for _, rn := range all {
		r, err := l.role(rn.account, rn.p, k, iamUsers, roles, providers)
		if err != nil {
			return err
		}
		d.Roles = append(d.Roles, r)
	}
	return nil
}

// nilIfAbsent lets pairs treat a missing key like an empty mapping.
func nilIfAbsent(n *yaml.Node) *yaml.Node {
	if n == nil {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
	}
	return n
}

func (l *loader) iamUsers(d *Directory, a accountIAM, seen, keyIDs map[string]bool) error {
	ps, err := l.pairs(nilIfAbsent(a.f["iamUsers"]), fmt.Sprintf("iamUsers of account %s", a.name))
	if err != nil {
		return err
	}
	for _, p := range ps {
		what := fmt.Sprintf("IAM user %q", p.key)
		if err := checkIAMName("IAM user", p.key); err != nil {
			return l.errf(p.kn, "%v", err)
		}
		f, err := l.fields(p.v, what, "accessKeys")
		if err != nil {
			return err
		}
		u := IAMUser{Account: a.id, Name: p.key}
		items, err := l.list(f["accessKeys"], what+" accessKeys")
		if err != nil {
			return err
		}
		for i, it := range items {
			kf, err := l.fields(it, fmt.Sprintf("access key #%d of %s", i+1, what), "id", "secret")
			if err != nil {
				return err
			}
			var key AccessKey
			if key.ID, err = l.str(kf["id"], "access key id"); err != nil {
				return err
			}
			if key.Secret, err = l.str(kf["secret"], "access key secret"); err != nil {
				return err
			}
			at := kf["id"]
			if at == nil {
				at = it
			}
			if err := checkAccessKey(key); err != nil {
				if kf["id"] != nil && accessKeyIDRe().MatchString(key.ID) && kf["secret"] != nil {
					at = kf["secret"]
				}
				return l.errf(at, "%s: %v", what, err)
			}
			if keyIDs[key.ID] {
				return l.errf(at, "access key %s is defined twice; every access key id must be unique", key.ID)
			}
			keyIDs[key.ID] = true
			u.AccessKeys = append(u.AccessKeys, key)
		}
		seen[a.id+"/"+p.key] = true
		d.IAMUsers = append(d.IAMUsers, u)
	}
	return nil
}

func (l *loader) mfaDevices(d *Directory, a accountIAM, iamUsers map[string]bool) error {
	ps, err := l.pairs(nilIfAbsent(a.f["mfaDevices"]), fmt.Sprintf("mfaDevices of account %s", a.name))
	if err != nil {
		return err
	}
	for _, p := range ps {
		what := fmt.Sprintf("MFA device %q", p.key)
		if err := checkIAMName("MFA device", p.key); err != nil {
			return l.errf(p.kn, "%v", err)
		}
		f, err := l.fields(p.v, what, "secret", "user")
		if err != nil {
			return err
		}
		m := MFADevice{Account: a.id, Name: p.key}
		if m.Secret, err = l.str(f["secret"], "secret"); err != nil {
			return err
		}
		if f["secret"] == nil {
			return l.errf(p.kn, "%s has no secret; add a line \"secret: <base32>\" (at least 26 base32 characters)", what)
		}
		if err := checkTOTPSecret(m.Secret); err != nil {
			return l.errf(f["secret"], "%s: %v", what, err)
		}
		if m.User, err = l.str(f["user"], "user"); err != nil {
			return err
		}
		if m.User != "" && !iamUsers[a.id+"/"+m.User] {
			return l.errf(f["user"], "%s is assigned to unknown IAM user %q; define it under iamUsers: of the same account", what, m.User)
		}
		d.MFADevices = append(d.MFADevices, m)
	}
	return nil
}

func (l *loader) oidcProviders(d *Directory, a accountIAM, seen map[string]bool) error {
	items, err := l.list(a.f["oidcProviders"], fmt.Sprintf("oidcProviders of account %s", a.name))
	if err != nil {
		return err
	}
	for i, it := range items {
		what := fmt.Sprintf("OIDC provider #%d of account %s", i+1, a.name)
		f, err := l.fields(it, what, "url", "audiences", "signingKey")
		if err != nil {
			return err
		}
		p := OIDCProvider{Account: a.id}
		if p.URL, err = l.str(f["url"], "url"); err != nil {
			return err
		}
		if f["url"] == nil {
			return l.errf(it, "%s has no url:; give the issuer, the iss of its tokens", what)
		}
		if err := checkIssuer(p.URL); err != nil {
			return l.errf(f["url"], "%v", err)
		}
		if seen[a.id+" "+p.URL] {
			return l.errf(f["url"], "OIDC provider %q is defined twice in account %s", p.URL, a.name)
		}
		auds, err := l.list(f["audiences"], what+" audiences")
		if err != nil {
			return err
		}
		for _, n := range auds {
			v, err := l.str(n, "audience")
			if err != nil {
				return err
			}
			p.Audiences = append(p.Audiences, v)
		}
		if len(p.Audiences) == 0 {
			return l.errf(it, "%s has no audiences:; list the aud values its tokens carry, e.g. [sts.amazonaws.com]", what)
		}
		key, err := l.str(f["signingKey"], "signingKey")
		if err != nil {
			return err
		}
		if f["signingKey"] == nil {
			return l.errf(it, "%s has no signingKey:; give a PEM private key (RSA for RS256, EC P-256 for ES256) or its public key", what)
		}
		if p.PublicKey, p.SigningKey, err = ParseOIDCKey(key); err != nil {
			return l.errf(f["signingKey"], "%s: %v", what, err)
		}
		seen[a.id+" "+p.URL] = true
		d.OIDCProviders = append(d.OIDCProviders, p)
	}
	return nil
}

func (l *loader) role(a accountIAM, p pair, k known, iamUsers, roles, providers map[string]bool) (Role, error) {
	what := fmt.Sprintf("role %q", p.key)
	f, err := l.fields(p.v, what, "maxSessionDuration", "externalId", "requireMfa", "trust")
	if err != nil {
		return Role{}, err
	}
	r := Role{Account: a.id, Name: p.key, MaxSessionDuration: DefaultMaxSessionDuration}
	if n := f["maxSessionDuration"]; n != nil {
		s, err := l.str(n, "maxSessionDuration")
		if err != nil {
			return Role{}, err
		}
		dur, perr := time.ParseDuration(s)
		if secs, err := strconv.Atoi(s); err == nil {
			dur, perr = time.Duration(secs)*time.Second, nil
		}
		if perr != nil || checkMaxSession(dur) != nil {
			return Role{}, l.errf(n, "maxSessionDuration %q of %s must be seconds from 3600 to 43200, or a duration from 1h to 12h, e.g. 7200 or 2h", s, what)
		}
		r.MaxSessionDuration = dur
	}
	if r.ExternalID, err = l.str(f["externalId"], "externalId"); err != nil {
		return Role{}, err
	}
	if err := checkExternalID(r.ExternalID); err != nil {
		return Role{}, l.errf(f["externalId"], "%s: %v", what, err)
	}
	if n := f["requireMfa"]; n != nil {
		if n.Kind != yaml.ScalarNode || n.Decode(&r.RequireMFA) != nil {
			return Role{}, l.errf(n, "requireMfa of %s must be true or false", what)
		}
	}
	items, err := l.list(f["trust"], what+" trust")
	if err != nil {
		return Role{}, err
	}
	if len(items) == 0 {
		return Role{}, l.errf(p.kn, "%s trusts nobody; add a trust: list (permissionSet:, user:, iamUser:, role: or oidcProvider: entries)", what)
	}
	for i, it := range items {
		t, err := l.trust(a, it, fmt.Sprintf("trust entry #%d of %s", i+1, what), k, iamUsers, roles, providers)
		if err != nil {
			return Role{}, err
		}
		r.Trust = append(r.Trust, t)
	}
	return r, nil
}

func (l *loader) trust(a accountIAM, it *yaml.Node, what string, k known, iamUsers, roles, providers map[string]bool) (Trust, error) {
	f, err := l.fields(it, what, "permissionSet", "user", "iamUser", "role", "oidcProvider", "account")
	if err != nil {
		return Trust{}, err
	}
	kinds := []struct {
		key  string
		kind TrustKind
	}{{"permissionSet", TrustPermissionSet}, {"user", TrustUser}, {"iamUser", TrustIAMUser}, {"role", TrustRole}, {"oidcProvider", TrustOIDCProvider}}
	var t Trust
	var key string
	for _, kd := range kinds {
		if f[kd.key] == nil {
			continue
		}
		if key != "" {
			return Trust{}, l.errf(it, "%s names both %s: and %s:; give one principal per entry", what, key, kd.key)
		}
		key, t.Kind = kd.key, kd.kind
	}
	if key == "" {
		return Trust{}, l.errf(it, "%s names no principal; give one of permissionSet:, user:, iamUser:, role: or oidcProvider:", what)
	}
	at := f[key]
	if t.Name, err = l.str(at, key); err != nil {
		return Trust{}, err
	}
	t.Account = a.id
	if n := f["account"]; n != nil {
		if t.Kind == TrustUser || t.Kind == TrustOIDCProvider {
			return Trust{}, l.errf(n, "%s: account: does not apply to a %s: entry; remove it", what, key)
		}
		acct, err := l.str(n, "account")
		if err != nil {
			return Trust{}, err
		}
		if k.accounts[acct] == "" {
			return Trust{}, l.errf(n, "%s names unknown account %q; define it under accounts:", what, acct)
		}
		t.Account = k.accounts[acct]
	}
	switch t.Kind {
	case TrustPermissionSet:
		if !k.psets[t.Name] {
			return Trust{}, l.errf(at, "%s names unknown permission set %q; define it under permissionSets:", what, t.Name)
		}
	case TrustUser:
		if !k.users[t.Name] {
			return Trust{}, l.errf(at, "%s names unknown user %q; define it under users:", what, t.Name)
		}
		t.Account = ""
	case TrustIAMUser:
		if !iamUsers[t.Account+"/"+t.Name] {
			return Trust{}, l.errf(at, "%s names unknown IAM user %q of account %s; define it under that account's iamUsers:", what, t.Name, t.Account)
		}
	case TrustRole:
		if !roles[t.Account+"/"+t.Name] {
			return Trust{}, l.errf(at, "%s names unknown role %q of account %s; define it under that account's roles:", what, t.Name, t.Account)
		}
	case TrustOIDCProvider:
		if !providers[t.Account+" "+t.Name] {
			return Trust{}, l.errf(at, "%s names OIDC provider %q, which account %s does not have; define it under its oidcProviders:", what, t.Name, a.name)
		}
	}
	return t, nil
}
