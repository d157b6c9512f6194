package creds

import (
	"context"
	"fmt"
	"time"

	"github.com/ssocli/ssocli/internal/usererr"
)

// env is botocore's EnvProvider (docs/credential-chain.md §2): a non-empty
// AWS_ACCESS_KEY_ID turns it on, and then AWS_SECRET_ACCESS_KEY is required.
func (r *resolver) env() (*node, error) {
	getenv := r.o.Getenv
	id := getenv("AWS_ACCESS_KEY_ID")
	if id == "" {
		return nil, nil
	}
	secret := getenv("AWS_SECRET_ACCESS_KEY")
	if secret == "" {
		return nil, partialCredentials("env", "AWS_SECRET_ACCESS_KEY").
			WithHint("set AWS_SECRET_ACCESS_KEY as well, or unset AWS_ACCESS_KEY_ID to use a profile")
	}
	c := &Credentials{AccessKeyID: id, SecretAccessKey: secret, AccountID: getenv("AWS_ACCOUNT_ID")}
	for _, k := range []string{"AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"} {
		if v := getenv(k); v != "" {
			c.SessionToken = v
			break
		}
	}
	if v := getenv("AWS_CREDENTIAL_EXPIRATION"); v != "" {
		t, err := parseDate(v)
		if err != nil {
			return nil, err
		}
		c.Expiration = t
	}
	return &node{method: "env", fetch: func(context.Context) (*Credentials, error) {
		cc := *c
		return &cc, nil
	}}, nil
}

// parseDate reads a date the way botocore's dateutil.parser.parse is used on
// expiry times: the forms AWS tools write (RFC 3339 with Z or an offset, with
// or without a fraction). Anything else is dateutil's "Unknown string format".
func parseDate(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04:05UTC"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, usererr.New(usererr.CodeOther, fmt.Sprintf("Unknown string format: %s", s)).
		WithHint("write the expiry time as RFC 3339, for example 2030-01-02T03:04:05Z")
}
