package ssocache

import (
	"time"
)

const (
	kindToken        = "SSO token"
	kindRegistration = "client registration"
	kindRoleCreds    = "role credentials"
)

// Token is an SSO access token as cached in SSODir (spec §3.2). A zero or empty
// field is absent from the file. Keys the file held that Token does not know are
// kept and written back after the known ones, in the order they were read; so
// change a Token you read rather than building a new one when you rewrite a file.
type Token struct {
	StartURL              string
	Region                string
	AccessToken           string
	ExpiresAt             time.Time
	ClientID              string
	ClientSecret          string
	RegistrationExpiresAt time.Time
	RefreshToken          string

	extra []member
}

// Marshal returns the bytes the AWS CLI writes for t: keys startUrl, region,
// accessToken, expiresAt, clientId, clientSecret, registrationExpiresAt,
// refreshToken (each when set), then unknown keys; Python json.dumps spacing and
// escaping, no trailing newline.
func (t *Token) Marshal() []byte {
	b := make([]byte, 0, 256+len(t.AccessToken)+len(t.RefreshToken)+len(t.ClientSecret)+extraSize(t.extra))
	w := objWriter{b: append(b, '{')}
	w.str("startUrl", t.StartURL)
	w.str("region", t.Region)
	w.str("accessToken", t.AccessToken)
	w.time("expiresAt", t.ExpiresAt)
	w.str("clientId", t.ClientID)
	w.str("clientSecret", t.ClientSecret)
	w.time("registrationExpiresAt", t.RegistrationExpiresAt)
	w.str("refreshToken", t.RefreshToken)
	w.extra(t.extra)
	return append(w.b, '}')
}

// ReadToken reads a token cache file. A missing file gives an error satisfying
// errors.Is(err, fs.ErrNotExist); a file that is not JSON, or lacks accessToken or
// expiresAt (the keys botocore's SSOTokenLoader requires), gives a *CorruptError.
func ReadToken(path string) (*Token, error) {
	data, err := readCacheFile(path, kindToken)
	if err != nil {
		return nil, err
	}
	return parseToken(path, data)
}

// WriteToken writes t to path atomically (see writeFile).
func WriteToken(path string, t *Token) error { return writeFile(path, t.Marshal()) }

func parseToken(path, data string) (*Token, error) {
	t := &Token{}
	p := parser{sc: scanner{s: data}, path: path, kind: kindToken}
	for key := range p.members() {
		switch key {
		case "startUrl":
			t.StartURL = p.optString(key)
		case "region":
			t.Region = p.optString(key)
		case "accessToken":
			t.AccessToken = p.optString(key)
		case "expiresAt":
			t.ExpiresAt = p.optTime(key)
		case "clientId":
			t.ClientID = p.optString(key)
		case "clientSecret":
			t.ClientSecret = p.optString(key)
		case "registrationExpiresAt":
			t.RegistrationExpiresAt = p.optTime(key)
		case "refreshToken":
			t.RefreshToken = p.optString(key)
		default:
			t.extra = p.unknown(t.extra, key)
		}
	}
	if p.err == nil {
		switch {
		case t.AccessToken == "":
			p.corrupt("missing accessToken", false)
		case t.ExpiresAt.IsZero():
			p.corrupt("missing expiresAt", false)
		}
	}
	if p.err != nil {
		return nil, p.err
	}
	return t, nil
}

// Registration is a client registration as cached in SSODir (spec §3.3). Nil
// Scopes or GrantTypes are absent from the file. Unknown keys are kept as for Token.
type Registration struct {
	ClientID     string
	ClientSecret string
	ExpiresAt    time.Time
	Scopes       []string
	GrantTypes   []string

	extra []member
}

// Marshal returns the bytes the AWS CLI writes for r: clientId, clientSecret,
// expiresAt, scopes (when set), grantTypes (when set), then unknown keys.
func (r *Registration) Marshal() []byte {
	w := objWriter{b: append(make([]byte, 0, 256+len(r.ClientID)+len(r.ClientSecret)+extraSize(r.extra)), '{')}
	w.str("clientId", r.ClientID)
	w.str("clientSecret", r.ClientSecret)
	w.time("expiresAt", r.ExpiresAt)
	w.list("scopes", r.Scopes)
	w.list("grantTypes", r.GrantTypes)
	w.extra(r.extra)
	return append(w.b, '}')
}

// ReadRegistration reads a client-registration cache file. Errors are as for
// ReadToken; clientId, clientSecret and expiresAt are required.
func ReadRegistration(path string) (*Registration, error) {
	data, err := readCacheFile(path, kindRegistration)
	if err != nil {
		return nil, err
	}
	return parseRegistration(path, data)
}

// WriteRegistration writes r to path atomically (see writeFile).
func WriteRegistration(path string, r *Registration) error {
	return writeFile(path, r.Marshal())
}

func parseRegistration(path, data string) (*Registration, error) {
	r := &Registration{}
	p := parser{sc: scanner{s: data}, path: path, kind: kindRegistration}
	for key := range p.members() {
		switch key {
		case "clientId":
			r.ClientID = p.optString(key)
		case "clientSecret":
			r.ClientSecret = p.optString(key)
		case "expiresAt":
			r.ExpiresAt = p.optTime(key)
		case "scopes":
			r.Scopes = p.optList(key)
		case "grantTypes":
			r.GrantTypes = p.optList(key)
		default:
			r.extra = p.unknown(r.extra, key)
		}
	}
	if p.err == nil {
		switch {
		case r.ClientID == "":
			p.corrupt("missing clientId", false)
		case r.ClientSecret == "":
			p.corrupt("missing clientSecret", false)
		case r.ExpiresAt.IsZero():
			p.corrupt("missing expiresAt", false)
		}
	}
	if p.err != nil {
		return nil, p.err
	}
	return r, nil
}

func extraSize(extra []member) int {
	n := 0
	for _, m := range extra {
		n += len(m.key) + len(m.value) + 6
	}
	return n
}
