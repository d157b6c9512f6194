package ssocache

import (
	"crypto/sha1"
	"encoding/hex"
	"path/filepath"
	"strconv"
	"time"
)

// AssumeRoleKey holds the AssumeRole (or AssumeRoleWithWebIdentity)
// parameters that name an assumed-role cache file in CLIDir
// (docs/credential-chain.md §4).
type AssumeRoleKey struct {
	RoleArn string
	// RoleSessionName is the configured session name; "" when the name is
	// generated (botocore-session-<epoch>), which botocore keeps out of the key.
	RoleSessionName string
	// ExternalID, SerialNumber and DurationSeconds are in the key when set
	// (an empty configured string counts as set).
	ExternalID      *string
	SerialNumber    *string
	DurationSeconds *int
}

// AssumedRoleFileName returns the base name of an assumed-role cache file: the
// sha1 of json.dumps(args, sort_keys=True) with Python's default ", " and ": "
// separators (botocore BaseAssumeRoleCredentialFetcher._create_cache_key). The
// keys are written here in sorted order: DurationSeconds, ExternalId, RoleArn,
// RoleSessionName, SerialNumber. Hand-written because the name must equal the
// AWS CLI's byte for byte.
func AssumedRoleFileName(k AssumeRoleKey) string {
	b := make([]byte, 0, 96+len(k.RoleArn)+len(k.RoleSessionName))
	w := objWriter{b: append(b, '{')}
	if k.DurationSeconds != nil {
		w.key("DurationSeconds")
		w.b = strconv.AppendInt(w.b, int64(*k.DurationSeconds), 10)
	}
	if k.ExternalID != nil {
		w.key("ExternalId")
		w.b = AppendPyString(w.b, *k.ExternalID)
	}
	w.key("RoleArn")
	w.b = AppendPyString(w.b, k.RoleArn)
	if k.RoleSessionName != "" {
		w.key("RoleSessionName")
		w.b = AppendPyString(w.b, k.RoleSessionName)
	}
	if k.SerialNumber != nil {
		w.key("SerialNumber")
		w.b = AppendPyString(w.b, *k.SerialNumber)
	}
	w.b = append(w.b, '}')
	sum := sha1.Sum(w.b)
	return hex.EncodeToString(sum[:]) + ".json"
}

// AssumedRolePath returns the full path of an assumed-role cache file under home.
func AssumedRolePath(home string, k AssumeRoleKey) string {
	return filepath.Join(CLIDir(home), AssumedRoleFileName(k))
}

// Field is one member of a JSON object written in Python json.dumps form.
// Value is a string, an int, an int64, or a []Field (a nested object).
type Field struct {
	Key   string
	Value any
}

// AssumedRole is an STS AssumeRole or AssumeRoleWithWebIdentity answer as the
// AWS CLI caches it (docs/credential-chain.md §4):
//
//	{"Credentials": {"AccessKeyId": …, "SecretAccessKey": …, "SessionToken": …,
//	 "Expiration": "2026-12-02T01:55:56+00:00", "AccountId": …}, <Rest…>}
//
// where Rest holds the answer's other members in the model's order
// ("AssumedRoleUser", "PackedPolicySize", …) and then "ResponseMetadata".
type AssumedRole struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
	AccountID       string // written when set, as the AWS CLI does from 2.36
	Rest            []Field
}

// Marshal returns the bytes the AWS CLI writes for the answer.
func (a *AssumedRole) Marshal() []byte {
	b := make([]byte, 0, 512+len(a.SessionToken))
	b = append(b, `{"Credentials": `...)
	w := objWriter{b: append(b, '{')}
	w.key("AccessKeyId")
	w.b = AppendPyString(w.b, a.AccessKeyID)
	w.key("SecretAccessKey")
	w.b = AppendPyString(w.b, a.SecretAccessKey)
	w.key("SessionToken")
	w.b = AppendPyString(w.b, a.SessionToken)
	w.key("Expiration")
	w.b = appendISOTime(w.b, a.Expiration)
	w.str("AccountId", a.AccountID)
	b = append(w.b, '}')
	for _, f := range a.Rest {
		b = append(b, ", "...)
		b = appendField(b, f)
	}
	return append(b, '}')
}

func appendField(b []byte, f Field) []byte {
	b = AppendPyString(b, f.Key)
	b = append(b, ": "...)
	switch v := f.Value.(type) {
	case string:
		b = AppendPyString(b, v)
	case int:
		b = strconv.AppendInt(b, int64(v), 10)
	case int32:
		b = strconv.AppendInt(b, int64(v), 10)
	case int64:
		b = strconv.AppendInt(b, v, 10)
	case []Field:
		b = append(b, '{')
		for i, m := range v {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendField(b, m)
		}
		b = append(b, '}')
	default:
		b = append(b, "null"...)
	}
	return b
}

// appendISOTime appends t as Python's datetime.isoformat() of an aware UTC
// time, quoted: 2026-12-02T01:55:56+00:00, with .ffffff only when there is a
// fraction of a second.
func appendISOTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	t = t.UTC()
	if t.Nanosecond()/1000 != 0 {
		b = t.AppendFormat(b, "2006-01-02T15:04:05.000000")
	} else {
		b = t.AppendFormat(b, "2006-01-02T15:04:05")
	}
	b = append(b, "+00:00"...)
	return append(b, '"')
}

// ReadAssumedRole reads an assumed-role cache file: the Credentials object only
// (the rest of the answer is never read back). A missing file gives an error
// satisfying errors.Is(err, fs.ErrNotExist); a file that is not JSON, has an
// SSO ProviderType, or lacks a Credentials object with AccessKeyId,
// SecretAccessKey, SessionToken and Expiration gives a *CorruptError (botocore
// treats such a file as absent, and so should the caller).
func ReadAssumedRole(path string) (*AssumedRole, error) {
	data, err := readCacheFile(path, kindAssumedRole)
	if err != nil {
		return nil, err
	}
	p := parser{sc: scanner{s: data}, path: path, kind: kindAssumedRole}
	var c RoleCredentials
	var haveCreds bool
	for key := range p.members() {
		switch key {
		case "ProviderType":
			if p.optString(key) != "" {
				p.corrupt("has a ProviderType: not an assumed-role entry", false)
			}
		case "Credentials":
			haveCreds = true
			p.roleCredentials(&c)
		default:
			p.skip()
		}
	}
	p.checkCredentials(haveCreds, &c)
	if p.err != nil {
		return nil, p.err
	}
	return &AssumedRole{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken,
		Expiration: c.Expiration, AccountID: c.AccountID}, nil
}

// WriteAssumedRole writes a to path atomically (see writeFile).
func WriteAssumedRole(path string, a *AssumedRole) error {
	return writeFile(path, a.Marshal())
}

// kindAssumedRole names assumed-role files in errors.
const kindAssumedRole = "assumed-role credentials"
