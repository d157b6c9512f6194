package creds

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ssocli/ssocli/internal/ssocache"
	"github.com/ssocli/ssocli/internal/usererr"
)

// webIdentity is botocore's AssumeRoleWithWebIdentityProvider
// (docs/credential-chain.md §5): web_identity_token_file, role_arn and
// role_session_name from AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN and
// AWS_ROLE_SESSION_NAME unless disableEnv, else from the profile. The token
// file is read again on every call, so a rotated token is picked up. The call
// is unsigned, and made with the sts client rather than stscreds: the AWS
// CLI's cache holds the whole answer.
func (r *resolver) webIdentity(profile string, disableEnv bool) (*node, error) {
	p := r.profile(profile)
	lookup := func(key, env string) (string, bool) {
		if !disableEnv {
			if v := r.o.Getenv(env); v != "" {
				return v, true
			}
		}
		return p.Get(key)
	}
	tokenFile, _ := lookup("web_identity_token_file", "AWS_WEB_IDENTITY_TOKEN_FILE")
	if tokenFile == "" {
		return nil, nil
	}
	roleArn, _ := lookup("role_arn", "AWS_ROLE_ARN")
	if roleArn == "" {
		// botocore's words, missing space included.
		return nil, invalidConfig("The provided profile or the current environment is configured to assume role with web identity but has no role ARN configured. Ensure that the profile has the role_arnconfiguration set or the AWS_ROLE_ARN env var is set.").
			WithHint("set role_arn in the profile " + profile + ", or AWS_ROLE_ARN")
	}
	key := ssocache.AssumeRoleKey{RoleArn: roleArn}
	key.RoleSessionName, _ = lookup("role_session_name", "AWS_ROLE_SESSION_NAME")
	o, err := r.stsOptions()
	if err != nil {
		return nil, err
	}
	n := &node{method: "assume-role-with-web-identity", profile: profile, roleArn: roleArn, cachePath: ssocache.AssumedRolePath(r.m.Home, key)}
	n.fetch = func(ctx context.Context) (*Credentials, error) {
		return r.m.cachedAssumedRole(ctx, n.cachePath, func(ctx context.Context) (*ssocache.AssumedRole, error) {
			return r.callWebIdentity(ctx, profile, key, tokenFile, o)
		})
	}
	return n, nil
}

func (r *resolver) callWebIdentity(ctx context.Context, profile string, key ssocache.AssumeRoleKey, tokenFile string, o STSOptions) (*ssocache.AssumedRole, error) {
	// Read whole and not stripped, as botocore's FileWebIdentityTokenLoader
	// does (stscreds.IdentityTokenFile does the same but hides the errno).
	token, err := os.ReadFile(tokenFile)
	if err != nil {
		return nil, pyOSError(err, tokenFile).WithHint("write the web identity token to " + tokenFile + ", or fix web_identity_token_file / AWS_WEB_IDENTITY_TOKEN_FILE")
	}
	in := &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(key.RoleArn), WebIdentityToken: aws.String(string(token))}
	if key.RoleSessionName != "" {
		in.RoleSessionName = aws.String(key.RoleSessionName)
	} else {
		in.RoleSessionName = aws.String(fmt.Sprintf("botocore-session-%d", r.m.now().Unix()))
	}
	o.Credentials = nil
	api, err := r.m.STSClient(o)
	if err != nil {
		return nil, err
	}
	out, err := api.AssumeRoleWithWebIdentity(ctx, in)
	if err != nil {
		return nil, assumeRoleError(err, profile)
	}
	a, err := assumedRoleEntry(out.Credentials, "AssumeRoleWithWebIdentity")
	if err != nil {
		return nil, err
	}
	// The members of AssumeRoleWithWebIdentityResponse after Credentials, in the model's order.
	str := func(k string, v *string) {
		if v != nil {
			a.Rest = append(a.Rest, ssocache.Field{Key: k, Value: *v})
		}
	}
	str("SubjectFromWebIdentityToken", out.SubjectFromWebIdentityToken)
	addAssumedRoleUser(a, out.AssumedRoleUser)
	if out.PackedPolicySize != nil {
		a.Rest = append(a.Rest, ssocache.Field{Key: "PackedPolicySize", Value: *out.PackedPolicySize})
	}
	str("Provider", out.Provider)
	str("Audience", out.Audience)
	str("SourceIdentity", out.SourceIdentity)
	a.Rest = append(a.Rest, responseMetadata(out.ResultMetadata))
	return a, nil
}

// pyOSError words a file or process error as Python's OSError does in the
// AWS CLI's output: [Errno 2] No such file or directory: '/path'.
func pyOSError(err error, name string) *usererr.Error {
	// Not found first: Python words it the same on every system (on Windows
	// Go's errno text would be the system's "cannot find the file").
	if errors.Is(err, fs.ErrNotExist) {
		return usererr.Wrap(usererr.CodeOther, "[Errno 2] No such file or directory: "+pyStrRepr(name), err)
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		text := errno.Error()
		if text != "" {
			text = strings.ToUpper(text[:1]) + text[1:]
		}
		return usererr.Wrap(usererr.CodeOther, fmt.Sprintf("[Errno %d] %s: %s", int(errno), text, pyStrRepr(name)), err)
	}
	return usererr.Wrap(usererr.CodeOther, fmt.Sprintf("%s: %v", name, err), err)
}
