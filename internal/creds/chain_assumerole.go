package creds

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/ssocli/ssocli/internal/awsconfig"
	"github.com/ssocli/ssocli/internal/ssocache"
	"github.com/ssocli/ssocli/internal/usererr"
)

// botocore's AssumeRoleProvider (docs/credential-chain.md §3). The AssumeRole
// call is made with the sts client directly rather than stscreds: stscreds
// always sends DurationSeconds (15 minutes unless set, which would make
// every cached entry too short to reuse), names sessions aws-go-sdk-<ns>, and
// returns only the credentials, while the AWS CLI's cache holds the whole
// answer.

// hasAssumeRoleVars is botocore's _has_assume_role_config_vars.
func hasAssumeRoleVars(p awsconfig.Section) bool {
	return p.Has("role_arn") && !p.Has("web_identity_token_file")
}

// assumeRoleTop is the provider at the top of the chain: it applies to the
// selected profile only; source profiles are followed by assumeRole itself.
func (r *resolver) assumeRoleTop(profile string) (*node, error) {
	if !hasAssumeRoleVars(r.profile(profile)) {
		return nil, nil
	}
	return r.assumeRole(profile)
}

// roleConfig is botocore's role_config: the keys of one role profile.
type roleConfig struct {
	profile                           string
	roleArn                           string
	sourceProfile, credentialSource   *string
	mfaSerial, externalID, sessionKey *string
	duration                          *int
}

func get(s awsconfig.Section, key string) *string {
	if v, ok := s.Get(key); ok {
		return &v
	}
	return nil
}

// readRoleConfig is botocore's _get_role_config, with its checks in its order.
func (r *resolver) readRoleConfig(name string) (*roleConfig, error) {
	p := r.profile(name)
	rc := &roleConfig{
		profile:          name,
		roleArn:          p.Values["role_arn"],
		sourceProfile:    get(p, "source_profile"),
		credentialSource: get(p, "credential_source"),
		mfaSerial:        get(p, "mfa_serial"),
		externalID:       get(p, "external_id"),
		sessionKey:       get(p, "role_session_name"),
	}
	if v := get(p, "duration_seconds"); v != nil {
		if d, ok := pyInt(*v); ok {
			rc.duration = &d
		}
	}
	switch {
	case rc.credentialSource != nil && rc.sourceProfile != nil:
		return nil, invalidConfig(fmt.Sprintf(`The profile "%s" contains both source_profile and credential_source.`, name)).
			WithHint("keep one of them in the profile " + name + ": source_profile names a profile, credential_source one of Environment, EcsContainer, Ec2InstanceMetadata")
	case rc.credentialSource == nil && rc.sourceProfile == nil:
		return nil, partialCredentials("assume-role", "source_profile or credential_source").
			WithHint("add source_profile = <profile with credentials> (or credential_source) to the profile " + name)
	case rc.credentialSource != nil:
		if !slices.Contains(credentialSources, *rc.credentialSource) {
			return nil, invalidConfig(fmt.Sprintf(`The credential source "%s" referenced in profile "%s" is not valid.`, *rc.credentialSource, name)).
				WithHint("use one of " + strings.Join(credentialSources, ", ") + " (spelled exactly so)")
		}
	default:
		if err := r.checkSourceProfile(name, *rc.sourceProfile); err != nil {
			return nil, err
		}
	}
	return rc, nil
}

// checkSourceProfile is botocore's _validate_source_profile: the source must
// exist, and must not have been visited, except that a profile with static
// keys may name itself.
func (r *resolver) checkSourceProfile(parent, source string) error {
	sp, ok := r.o.Config.Profile(source)
	if !ok {
		return invalidConfig(fmt.Sprintf(`The source_profile "%s" referenced in the profile "%s" does not exist.`, source, parent)).
			WithHint("add a profile " + source + " with credentials, or fix source_profile in the profile " + parent)
	}
	if !slices.Contains(r.visited, source) {
		return nil
	}
	if source != parent || !hasStaticKeys(sp) {
		return invalidConfig(fmt.Sprintf("Infinite loop in credential configuration detected. Attempting to load from profile %s which has already been visited. Visited profiles: %s",
			source, pyList(r.visited))).
			WithHint("make the source_profile chain end in a profile with credentials of its own (IAM Identity Center, keys, credential_process)")
	}
	return nil
}

// sourceOf is botocore's _resolve_source_credentials: the credential_source's
// provider, or the source profile resolved with the profile providers (the
// environment off), or, when the source is itself a role without keys, that
// role.
func (r *resolver) sourceOf(rc *roleConfig) (*node, error) {
	if rc.credentialSource != nil {
		n, err := r.credentialSource(*rc.credentialSource)
		if err != nil {
			return nil, err
		}
		if n == nil {
			return nil, retrievalError(*rc.credentialSource, "No credentials found in credential_source referenced in profile "+rc.profile).
				WithHint(credentialSourceHint(*rc.credentialSource))
		}
		return n, nil
	}
	source := *rc.sourceProfile
	r.visited = append(r.visited, source)
	sp := r.profile(source)
	if hasStaticKeys(sp) || !hasAssumeRoleVars(sp) {
		for _, load := range r.profileProviders(source, true) {
			n, err := load()
			if err != nil || n != nil {
				return n, err
			}
		}
		return nil, invalidConfig(fmt.Sprintf(`The source profile "%s" must have credentials.`, source)).
			WithHint("give the profile " + source + " credentials (sso_session + sso_account_id + sso_role_name, keys, or credential_process)")
	}
	return r.assumeRole(source)
}

// assumeRole loads one role profile and its sources.
func (r *resolver) assumeRole(name string) (*node, error) {
	rc, err := r.readRoleConfig(name)
	if err != nil {
		return nil, err
	}
	src, err := r.sourceOf(rc)
	if err != nil {
		return nil, err
	}
	key := ssocache.AssumeRoleKey{RoleArn: rc.roleArn, ExternalID: rc.externalID, SerialNumber: rc.mfaSerial, DurationSeconds: rc.duration}
	if rc.sessionKey != nil {
		key.RoleSessionName = *rc.sessionKey
	}
	sts, err := r.stsOptions()
	if err != nil {
		return nil, err
	}
	n := &node{method: "assume-role", profile: name, roleArn: rc.roleArn, source: src,
		cachePath: ssocache.AssumedRolePath(r.m.Home, key)}
	n.fetch = func(ctx context.Context) (*Credentials, error) {
		return r.m.cachedAssumedRole(ctx, n.cachePath, func(ctx context.Context) (*ssocache.AssumedRole, error) {
			return r.callAssumeRole(ctx, rc, key, src, sts)
		})
	}
	return n, nil
}

// callAssumeRole fetches the source's credentials, asks for the MFA code if
// the role has one, and calls AssumeRole.
func (r *resolver) callAssumeRole(ctx context.Context, rc *roleConfig, key ssocache.AssumeRoleKey, src *node, o STSOptions) (*ssocache.AssumedRole, error) {
	sc, err := src.fetch(ctx)
	if err != nil {
		return nil, err
	}
	in := &sts.AssumeRoleInput{RoleArn: aws.String(rc.roleArn), ExternalId: rc.externalID, SerialNumber: rc.mfaSerial}
	if key.RoleSessionName != "" {
		in.RoleSessionName = aws.String(key.RoleSessionName)
	} else {
		in.RoleSessionName = aws.String(fmt.Sprintf("botocore-session-%d", r.m.now().Unix()))
	}
	if rc.duration != nil {
		in.DurationSeconds = aws.Int32(int32(*rc.duration))
	}
	if rc.mfaSerial != nil {
		noTerminal := usererr.New(usererr.CodeOther, fmt.Sprintf(`The profile "%s" needs an MFA code for %s (mfa_serial), and there is no terminal to ask for it.`, rc.profile, *rc.mfaSerial)).
			WithHint("run the command once in a terminal: the role's credentials are then cached and reused without a code while 15 minutes or more remain")
		if r.o.MFA == nil {
			return nil, noTerminal
		}
		code, err := r.o.MFA(ctx, fmt.Sprintf("Enter MFA code for %s: ", *rc.mfaSerial))
		if errors.Is(err, ErrNoTerminal) {
			return nil, noTerminal
		}
		if err != nil {
			return nil, err
		}
		in.TokenCode = aws.String(code)
	}
	o.Credentials = credentials.NewStaticCredentialsProvider(sc.AccessKeyID, sc.SecretAccessKey, sc.SessionToken)
	api, err := r.m.STSClient(o)
	if err != nil {
		return nil, err
	}
	out, err := api.AssumeRole(ctx, in)
	if err != nil {
		return nil, assumeRoleError(err, rc.profile)
	}
	a, err := assumedRoleEntry(out.Credentials, "AssumeRole")
	if err != nil {
		return nil, err
	}
	// The members of AssumeRoleResponse after Credentials, in the model's order.
	addAssumedRoleUser(a, out.AssumedRoleUser)
	if out.PackedPolicySize != nil {
		a.Rest = append(a.Rest, ssocache.Field{Key: "PackedPolicySize", Value: *out.PackedPolicySize})
	}
	if out.SourceIdentity != nil {
		a.Rest = append(a.Rest, ssocache.Field{Key: "SourceIdentity", Value: *out.SourceIdentity})
	}
	a.Rest = append(a.Rest, responseMetadata(out.ResultMetadata))
	return a, nil
}

// stsOptions are the settings of the chain's STS calls: the command's region
// and the selected profile's endpoint, FIPS and dual-stack settings (botocore
// builds every client from the session's profile).
func (r *resolver) stsOptions() (STSOptions, error) {
	ep, err := r.o.Config.EndpointURL(r.o.Profile, awsconfig.ServiceSTS, r.o.Getenv)
	if err != nil {
		return STSOptions{}, err
	}
	return STSOptions{Region: r.o.Region, Endpoint: ep,
		UseFIPS:      r.o.Config.UseFIPSEndpoint(r.o.Profile, r.o.Getenv),
		UseDualStack: r.o.Config.UseDualStackEndpoint(r.o.Profile, r.o.Getenv)}, nil
}

// pyInt is Python's int() of a string: surrounding whitespace, one sign,
// decimal digits with single underscores between them.
func pyInt(s string) (int, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return 0, false
	}
	n, err := strconv.Atoi(strings.ReplaceAll(s, "_", ""))
	if err != nil || strings.ContainsAny(s, "+-") {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// cachedAssumedRole returns the credentials in the assumed-role cache file
// path while at least RoleWindow is left; otherwise, under the file's lock,
// it reads the cache again (another process may have written it while this
// one waited), then calls fetch and writes its answer atomically. So N
// processes asking for one role at once make one STS call.
func (m *Manager) cachedAssumedRole(ctx context.Context, path string, fetch func(context.Context) (*ssocache.AssumedRole, error)) (*Credentials, error) {
	if c := m.readAssumedRole(path); c != nil {
		return c, nil
	}
	file := filepath.Base(path)
	unlock, err := ssocache.Lock(ctx, m.Home, lockName("assume-role", file), m.log().Debug)
	if err != nil {
		return nil, fmt.Errorf("lock assumed-role credentials: %w", err)
	}
	defer unlock()
	if c := m.readAssumedRole(path); c != nil {
		return c, nil
	}
	a, err := fetch(ctx)
	if err != nil {
		return nil, err
	}
	if err := ssocache.WriteAssumedRole(path, a); err != nil {
		m.warn("Could not cache the assumed role's credentials: %v. They are used for this command and fetched again by the next one.", err)
	}
	return assumedToCredentials(a), nil
}

func (m *Manager) readAssumedRole(path string) *Credentials {
	a, err := ssocache.ReadAssumedRole(path)
	if err != nil {
		return nil
	}
	if a.Expiration.Sub(m.now()) < RoleWindow {
		return nil
	}
	return assumedToCredentials(a)
}

func assumedToCredentials(a *ssocache.AssumedRole) *Credentials {
	return &Credentials{AccessKeyID: a.AccessKeyID, SecretAccessKey: a.SecretAccessKey, SessionToken: a.SessionToken,
		Expiration: a.Expiration, AccountID: a.AccountID}
}

// assumeRoleError is the AWS CLI's message for a refused AssumeRole, with a
// hint naming what of the profile to check.
func assumeRoleError(err error, profile string) error {
	err = usererr.FromAPI(err)
	u := usererr.As(err)
	if u == nil || u.Hint != "" {
		return err
	}
	switch usererr.APICode(err) {
	case "AccessDenied":
		return u.WithHint("check role_arn, external_id and mfa_serial of the profile " + profile + ", and that the role trusts the identity of its source")
	case "ValidationError":
		return u.WithHint("check duration_seconds and role_session_name of the profile " + profile + " (a role allows 1 to 12 hours, a role chain 1 hour)")
	case "ExpiredToken", "InvalidClientTokenId":
		return u.WithHint("the source credentials of the profile " + profile + " are not valid any more: renew them (for IAM Identity Center: ssocli sso login)")
	}
	return err
}

// assumedRoleEntry is the cache entry of the credentials an STS operation
// (AssumeRole, AssumeRoleWithWebIdentity) returned, or the error for none.
func assumedRoleEntry(c *types.Credentials, op string) (*ssocache.AssumedRole, error) {
	if c == nil || c.AccessKeyId == nil || c.SecretAccessKey == nil || c.SessionToken == nil || c.Expiration == nil {
		return nil, usererr.New(usererr.CodeOther, op+" returned no credentials")
	}
	return &ssocache.AssumedRole{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey,
		SessionToken: *c.SessionToken, Expiration: c.Expiration.UTC()}, nil
}

// addAssumedRoleUser adds the response's AssumedRoleUser member to a, and
// the account id its ARN names (as the AWS CLI 2.25+ writes AccountId).
func addAssumedRoleUser(a *ssocache.AssumedRole, u *types.AssumedRoleUser) {
	if u == nil {
		return
	}
	a.AccountID = accountFromArn(aws.ToString(u.Arn))
	a.Rest = append(a.Rest, ssocache.Field{Key: "AssumedRoleUser", Value: []ssocache.Field{
		{Key: "AssumedRoleId", Value: aws.ToString(u.AssumedRoleId)}, {Key: "Arn", Value: aws.ToString(u.Arn)}}})
}
