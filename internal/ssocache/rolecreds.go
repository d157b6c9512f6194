package ssocache

import "time"

// ProviderTypeSSO is the "ProviderType" of the role-credential files this package
// writes; aws sso logout deletes exactly the CLIDir files that carry it (spec §6).
const ProviderTypeSSO = "sso"

// RoleCredentials are SSO role credentials as the AWS CLI caches them in CLIDir
// (spec §5). AccountID is written only when set (the AWS CLI adds it from 2.25.0).
type RoleCredentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
	AccountID       string
}

// Marshal returns the bytes the AWS CLI writes:
// {"ProviderType": "sso", "Credentials": {"AccessKeyId": …, "SecretAccessKey": …,
// "SessionToken": …, "Expiration": …, "AccountId": …}}.
func (c *RoleCredentials) Marshal() []byte {
	b := make([]byte, 0, 192+len(c.AccessKeyID)+len(c.SecretAccessKey)+len(c.SessionToken)+len(c.AccountID))
	b = append(b, `{"ProviderType": "sso", "Credentials": `...)
	w := objWriter{b: append(b, '{')}
	w.str("AccessKeyId", c.AccessKeyID)
	w.str("SecretAccessKey", c.SecretAccessKey)
	w.str("SessionToken", c.SessionToken)
	w.time("Expiration", c.Expiration)
	w.str("AccountId", c.AccountID)
	return append(w.b, '}', '}')
}

// ReadRoleCredentials reads a role-credential cache file. A missing file gives an
// error satisfying errors.Is(err, fs.ErrNotExist); a file that is not JSON, lacks a
// Credentials object, any of AccessKeyId, SecretAccessKey, SessionToken and
// Expiration, or has a ProviderType other than "sso", gives a *CorruptError.
// Keys it does not know are skipped: this file is rewritten only from a fresh
// GetRoleCredentials answer.
func ReadRoleCredentials(path string) (*RoleCredentials, error) {
	data, err := readCacheFile(path, kindRoleCreds)
	if err != nil {
		return nil, err
	}
	return parseRoleCredentials(path, data)
}

// WriteRoleCredentials writes c to path atomically (see writeFile).
func WriteRoleCredentials(path string, c *RoleCredentials) error {
	return writeFile(path, c.Marshal())
}

func parseRoleCredentials(path, data string) (*RoleCredentials, error) {
	c := &RoleCredentials{}
	p := parser{sc: scanner{s: data}, path: path, kind: kindRoleCreds}
	var providerType string
	var haveCreds bool
	for key := range p.members() {
		switch key {
		case "ProviderType":
			providerType = p.optString(key)
		case "Credentials":
			haveCreds = true
			p.roleCredentials(c)
		default:
			p.skip()
		}
	}
	if p.err == nil && providerType != ProviderTypeSSO {
		p.corrupt(`ProviderType is not "sso"`, false)
	}
	p.checkCredentials(haveCreds, c)
	if p.err != nil {
		return nil, p.err
	}
	return c, nil
}

// checkCredentials reports, unless an error came first, the first member
// a role credentials entry lacks: the Credentials object, or one of its
// keys and expiry (the SSO and the assumed-role entries alike).
func (p *parser) checkCredentials(haveCreds bool, c *RoleCredentials) {
	if p.err != nil {
		return
	}
	switch {
	case !haveCreds:
		p.corrupt("missing Credentials", false)
	case c.AccessKeyID == "":
		p.corrupt("missing AccessKeyId", false)
	case c.SecretAccessKey == "":
		p.corrupt("missing SecretAccessKey", false)
	case c.SessionToken == "":
		p.corrupt("missing SessionToken", false)
	case c.Expiration.IsZero():
		p.corrupt("missing Expiration", false)
	}
}

// roleCredentials reads the "Credentials" object into c.
func (p *parser) roleCredentials(c *RoleCredentials) {
	if p.sc.pos < len(p.sc.s) && p.sc.s[p.sc.pos] != '{' {
		p.skipMistyped("Credentials", "an object")
		return
	}
	p.syntax(p.sc.beginObject())
	for first := true; p.err == nil; {
		key, ok, err := p.sc.nextKey(&first)
		if err != nil {
			p.syntax(err)
			return
		}
		if !ok {
			return
		}
		switch key {
		case "AccessKeyId":
			c.AccessKeyID = p.optString(key)
		case "SecretAccessKey":
			c.SecretAccessKey = p.optString(key)
		case "SessionToken":
			c.SessionToken = p.optString(key)
		case "Expiration":
			c.Expiration = p.optTime(key)
		case "AccountId":
			c.AccountID = p.optString(key)
		default:
			p.skip()
		}
	}
}

// skip reads and drops a value.
func (p *parser) skip() {
	_, err := p.sc.value(nil, false, 0)
	p.syntax(err)
}
