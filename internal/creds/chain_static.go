package creds

import (
	"context"

	"github.com/ssocli/ssocli/internal/awsconfig"
)

// sharedCredentialsFile is botocore's SharedCredentialProvider: static keys
// in the profile's section of the credentials file alone.
func (r *resolver) sharedCredentialsFile(profile string) (*node, error) {
	s, ok := r.o.Config.CredentialsFileProfile(profile)
	if !ok {
		return nil, nil
	}
	return staticKeys(s, "shared-credentials-file", profile, r.o.Config.CredentialsPath)
}

// configFile is botocore's ConfigProvider: static keys in the profile's
// section of the config file alone.
func (r *resolver) configFile(profile string) (*node, error) {
	s, ok := r.o.Config.ConfigFileProfile(profile)
	if !ok {
		return nil, nil
	}
	return staticKeys(s, "config-file", profile, r.o.Config.ConfigPath)
}

// staticKeys reads aws_access_key_id (which turns the provider on),
// aws_secret_access_key (then required), aws_security_token or
// aws_session_token, and aws_account_id.
func staticKeys(s awsconfig.Section, method, profile, file string) (*node, error) {
	if !s.Has("aws_access_key_id") {
		return nil, nil
	}
	secret, ok := s.Get("aws_secret_access_key")
	if !ok {
		return nil, partialCredentials(method, "aws_secret_access_key").
			WithHint("add aws_secret_access_key to the profile " + profile + " in " + file + ", or remove its aws_access_key_id")
	}
	id, _ := s.Get("aws_access_key_id")
	c := &Credentials{AccessKeyID: id, SecretAccessKey: secret, AccountID: s.Values["aws_account_id"]}
	for _, k := range []string{"aws_security_token", "aws_session_token"} {
		if v, ok := s.Get(k); ok {
			c.SessionToken = v
			break
		}
	}
	return &node{method: method, profile: profile, fetch: func(context.Context) (*Credentials, error) {
		cc := *c
		return &cc, nil
	}}, nil
}

// hasStaticKeys is botocore's _has_static_credentials: either key present.
func hasStaticKeys(s awsconfig.Section) bool {
	return s.Has("aws_access_key_id") || s.Has("aws_secret_access_key")
}
