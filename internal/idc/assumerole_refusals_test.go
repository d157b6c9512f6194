package idc_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
)

// apiErr is the code and message of an API error ("" and "" for none).
type apiErr struct{ Code, Message string }

func apiErrOf(err error) apiErr {
	var ae smithy.APIError
	switch {
	case err == nil:
		return apiErr{}
	case errors.As(err, &ae):
		return apiErr{ae.ErrorCode(), ae.ErrorMessage()}
	default:
		return apiErr{"not an API error", err.Error()}
	}
}

func notAuthorized(caller, role string) string {
	return fmt.Sprintf("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", caller, role)
}

// otherDigit changes the last digit of an MFA code, making a wrong one.
func otherDigit(code string) string {
	last := code[len(code)-1]
	return code[:len(code)-1] + string('0'+(last-'0'+1)%10)
}

// TestAssumeRoleRefusals sends AssumeRole with the SDK's sts client, from
// IAM Identity Center role credentials and from IAM users' keys, and checks
// each answer: the code and the words of the real service.
func TestAssumeRoleRefusals(t *testing.T) {
	t.Parallel()
	clk := newClock()
	ts := chainServer(t, clk)
	dir := ts.Directory
	callers := map[string]aws.Credentials{
		"sso-admin": ts.SSORoleCredentials(t, devAcct, "AdministratorAccess"),
		"sso-read":  ts.SSORoleCredentials(t, devAcct, "ReadOnly"),
		"ci":        ciKeys,
		"other":     otherKeys,
	}
	readARN := "arn:aws:sts::" + devAcct + ":assumed-role/" + dir.RoleName(devAcct, "ReadOnly") + "/alice"
	ciARN := "arn:aws:iam::" + devAcct + ":user/ci"
	deployer, partner, breakGlass := roleARN(prodAcct, "Deployer"), roleARN(prodAcct, "Partner"), roleARN(prodAcct, "BreakGlass")
	// One valid code, used by one case only: STS accepts a code once.
	code := idctest.MFACode(t, dir, ciPhone, clk.Now())

	tests := []struct {
		name   string
		caller string
		in     sts.AssumeRoleInput
		want   apiErr
		// wantExpiry, for a success, is how long the credentials last.
		wantExpiry time.Duration
	}{
		{name: "trusted permission set", caller: "sso-admin", in: sts.AssumeRoleInput{RoleArn: &deployer}, wantExpiry: time.Hour},
		{name: "untrusted permission set", caller: "sso-read", in: sts.AssumeRoleInput{RoleArn: &deployer},
			want: apiErr{"AccessDenied", notAuthorized(readARN, deployer)}},
		{name: "trusted IAM user", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &deployer}, wantExpiry: time.Hour},
		{name: "untrusted IAM user", caller: "other", in: sts.AssumeRoleInput{RoleArn: &deployer},
			want: apiErr{"AccessDenied", notAuthorized("arn:aws:iam::"+devAcct+":user/other", deployer)}},
		{name: "role that does not exist", caller: "ci", in: sts.AssumeRoleInput{RoleArn: aws.String(roleARN(prodAcct, "Nope"))},
			want: apiErr{"AccessDenied", notAuthorized(ciARN, roleARN(prodAcct, "Nope"))}},
		{name: "role ARN with a path", caller: "ci", in: sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + prodAcct + ":role/team/Deployer")},
			want: apiErr{"AccessDenied", notAuthorized(ciARN, "arn:aws:iam::"+prodAcct+":role/team/Deployer")}},
		{name: "role ARN missing a colon", caller: "ci", in: sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam:" + prodAcct + ":role/Deployer")},
			want: apiErr{"AccessDenied", notAuthorized(ciARN, "arn:aws:iam:"+prodAcct+":role/Deployer")}},
		{name: "role ARN too short", caller: "ci", in: sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::1:role")},
			want: apiErr{"ValidationError", "1 validation error detected: Value 'arn:aws:iam::1:role' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20"}},

		{name: "external id right", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &partner, ExternalId: aws.String("ext-123")}, wantExpiry: time.Hour},
		{name: "external id missing", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &partner},
			want: apiErr{"AccessDenied", notAuthorized(ciARN, partner)}},
		{name: "external id wrong", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &partner, ExternalId: aws.String("ext-124")},
			want: apiErr{"AccessDenied", notAuthorized(ciARN, partner)}},
		{name: "external id given to a role without one", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &deployer, ExternalId: aws.String("anything")}, wantExpiry: time.Hour},

		{name: "MFA right code", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &breakGlass, SerialNumber: aws.String(ciPhone), TokenCode: aws.String(code), DurationSeconds: aws.Int32(43200)},
			wantExpiry: 12 * time.Hour},
		{name: "MFA required, none given", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &breakGlass},
			want: apiErr{"AccessDenied", notAuthorized(ciARN, breakGlass)}},
		{name: "MFA wrong code", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &breakGlass, SerialNumber: aws.String(ciPhone), TokenCode: aws.String(otherDigit(code))},
			want: apiErr{"AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code."}},
		{name: "MFA serial without code", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &breakGlass, SerialNumber: aws.String(ciPhone)},
			want: apiErr{"AccessDenied", "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."}},
		{name: "MFA code without serial", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &breakGlass, TokenCode: aws.String("123456")},
			want: apiErr{"AccessDenied", "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."}},
		{name: "MFA device that does not exist", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &breakGlass, SerialNumber: aws.String("arn:aws:iam::" + devAcct + ":mfa/nope"), TokenCode: aws.String("123456")},
			want: apiErr{"AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."}},
		{name: "MFA device of another user", caller: "sso-admin", in: sts.AssumeRoleInput{RoleArn: &breakGlass, SerialNumber: aws.String(ciPhone), TokenCode: aws.String(code)},
			want: apiErr{"AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."}},
		{name: "MFA code of five digits", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &breakGlass, SerialNumber: aws.String(ciPhone), TokenCode: aws.String("12345")},
			want: apiErr{"ValidationError", "1 validation error detected: Value at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6"}},

		{name: "duration at the role's maximum", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &deployer, DurationSeconds: aws.Int32(7200)}, wantExpiry: 2 * time.Hour},
		{name: "duration above the role's maximum", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &deployer, DurationSeconds: aws.Int32(7201)},
			want: apiErr{"ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."}},
		{name: "duration above an hour when chaining", caller: "sso-admin", in: sts.AssumeRoleInput{RoleArn: &deployer, DurationSeconds: aws.Int32(3601)},
			want: apiErr{"ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."}},
		{name: "duration of 15 minutes", caller: "sso-admin", in: sts.AssumeRoleInput{RoleArn: &deployer, DurationSeconds: aws.Int32(900)}, wantExpiry: 15 * time.Minute},
		{name: "duration below 15 minutes", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &deployer, DurationSeconds: aws.Int32(899)},
			want: apiErr{"ValidationError", "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"}},
		{name: "duration above 12 hours", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &deployer, DurationSeconds: aws.Int32(43201)},
			want: apiErr{"ValidationError", "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200"}},

		{name: "session name of one character", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &deployer, RoleSessionName: aws.String("a")},
			want: apiErr{"ValidationError", "1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"}},
		{name: "session name of 64 characters", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &deployer, RoleSessionName: aws.String(strings.Repeat("a", 64))}, wantExpiry: time.Hour},
		{name: "session name of 65 characters", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &deployer, RoleSessionName: aws.String(strings.Repeat("a", 65))},
			want: apiErr{"ValidationError", "1 validation error detected: Value '" + strings.Repeat("a", 65) + "' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64"}},
		{name: "session name with every allowed sign", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &deployer, RoleSessionName: aws.String("a_b+c=d,e.f@g-h")}, wantExpiry: time.Hour},
		{name: "session name with a space", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &deployer, RoleSessionName: aws.String("a b")},
			want: apiErr{"ValidationError", `1 validation error detected: Value 'a b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`}},
		{name: "two bad parameters", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &deployer, RoleSessionName: aws.String("a b"), DurationSeconds: aws.Int32(1)},
			want: apiErr{"ValidationError", `2 validation errors detected: Value 'a b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*; Value '1' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`}},
		{name: "session policy", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &deployer, Policy: aws.String(`{"Version":"2012-10-17"}`)},
			want: apiErr{"ValidationError", "Policy is not supported by this local STS (ssocli serve); send the request without it"}},
		{name: "session tags", caller: "ci", in: sts.AssumeRoleInput{RoleArn: &deployer, Tags: []ststypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}},
			want: apiErr{"ValidationError", "Tags is not supported by this local STS (ssocli serve); send the request without it"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := tt.in
			if in.RoleSessionName == nil {
				in.RoleSessionName = aws.String("test-session")
			}
			out, err := newClients(ts).sts(callers[tt.caller]).AssumeRole(t.Context(), &in)
			if diff := cmp.Diff(tt.want, apiErrOf(err)); diff != "" {
				t.Fatalf("AssumeRole error (-want +got):\n%s", diff)
			}
			if err != nil {
				return
			}
			if got, want := aws.ToTime(out.Credentials.Expiration), clk.Now().Add(tt.wantExpiry).Truncate(time.Second); !got.Equal(want) {
				t.Errorf("Expiration = %s, want %s", got, want)
			}
			id, err := callerIdentity(t, ts, fromSTS(out.Credentials))
			if err != nil {
				t.Fatalf("GetCallerIdentity with the issued credentials: %v", err)
			}
			if want := "arn:aws:sts::" + prodAcct + ":assumed-role/" + strings.TrimPrefix(aws.ToString(in.RoleArn), "arn:aws:iam::"+prodAcct+":role/") + "/" + aws.ToString(in.RoleSessionName); id.Arn != want {
				t.Errorf("GetCallerIdentity Arn = %s, want %s", id.Arn, want)
			}
		})
	}
}

// TestAssumeRoleMFAOnce checks that an MFA code is accepted once, that the
// next step's code works, and that credentials issued with MFA satisfy a
// role that requires it without a new code (aws:MultiFactorAuthPresent).
func TestAssumeRoleMFAOnce(t *testing.T) {
	t.Parallel()
	clk := newClock()
	ts := chainServer(t, clk)
	ctx := t.Context()
	breakGlass := roleARN(prodAcct, "BreakGlass")
	assume := func(creds aws.Credentials, serial, code string) (*sts.AssumeRoleOutput, error) {
		in := &sts.AssumeRoleInput{RoleArn: &breakGlass, RoleSessionName: aws.String("mfa")}
		if serial != "" {
			in.SerialNumber, in.TokenCode = &serial, &code
		}
		return newClients(ts).sts(creds).AssumeRole(ctx, in)
	}
	code := idctest.MFACode(t, ts.Directory, ciPhone, clk.Now())
	first, err := assume(ciKeys, ciPhone, code)
	if err != nil {
		t.Fatalf("first use of the code: %v", err)
	}
	if _, err := assume(ciKeys, ciPhone, code); apiErrOf(err) != (apiErr{"AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code."}) {
		t.Errorf("second use of the code: %v, want AccessDenied (a code is accepted once)", err)
	}
	// A device assigned to nobody may be presented by any caller, here IAM
	// Identity Center role credentials.
	ssoCreds := ts.SSORoleCredentials(t, devAcct, "AdministratorAccess")
	if _, err := assume(ssoCreds, sharedPhone, idctest.MFACode(t, ts.Directory, sharedPhone, clk.Now())); err != nil {
		t.Errorf("shared device from SSO role credentials: %v", err)
	}
	clk.Advance(directory.TOTPPeriod)
	if _, err := assume(ciKeys, ciPhone, idctest.MFACode(t, ts.Directory, ciPhone, clk.Now())); err != nil {
		t.Errorf("the next step's code: %v", err)
	}
	// A session issued with MFA assumes another role that requires MFA
	// without a new code; a session issued without MFA may not.
	vault := &sts.AssumeRoleInput{RoleArn: aws.String(roleARN(prodAcct, "Vault")), RoleSessionName: aws.String("vault")}
	if _, err := newClients(ts).sts(fromSTS(first.Credentials)).AssumeRole(ctx, vault); err != nil {
		t.Errorf("credentials issued with MFA, without a new code: %v", err)
	}
	plain, err := newClients(ts).sts(ciKeys).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN(prodAcct, "Deployer")), RoleSessionName: aws.String("plain")})
	if err != nil {
		t.Fatal(err)
	}
	wantDenied := apiErr{"AccessDenied", notAuthorized("arn:aws:sts::"+prodAcct+":assumed-role/Deployer/plain", roleARN(prodAcct, "Vault"))}
	if _, err := newClients(ts).sts(fromSTS(plain.Credentials)).AssumeRole(ctx, vault); apiErrOf(err) != wantDenied {
		t.Errorf("credentials issued without MFA: %v, want %+v", err, wantDenied)
	}
}

// TestCallerCredentials checks which credentials STS accepts: the keys of
// IAM users (GetCallerIdentity answers the user), with their secret only and
// without a session token; unknown and expired credentials get the real
// service's errors.
func TestCallerCredentials(t *testing.T) {
	t.Parallel()
	// The clock starts 14 minutes behind the wall clock, so that it can
	// pass the end of a 15-minute session while the SDK's signatures (made
	// with the wall clock) stay within the 15 minutes of skew STS allows.
	clk := idctest.NewClock(time.Now().Add(-14 * time.Minute).Truncate(time.Second))
	ts := chainServer(t, clk)
	dir := ts.Directory
	short, err := newClients(ts).sts(ciKeys).AssumeRole(t.Context(), &sts.AssumeRoleInput{RoleArn: aws.String(roleARN(prodAcct, "Deployer")),
		RoleSessionName: aws.String("short"), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	ssoCreds := ts.SSORoleCredentials(t, devAcct, "ReadOnly")
	clk.Advance(15*time.Minute + time.Second)

	tests := []struct {
		name  string
		creds aws.Credentials
		want  identity
		err   apiErr
	}{
		{name: "IAM user's keys", creds: ciKeys,
			want: identity{devAcct, "arn:aws:iam::" + devAcct + ":user/ci", dir.IAMUserID(devAcct, "ci")}},
		{name: "IAM user's key with another secret", creds: aws.Credentials{AccessKeyID: ciKeyID, SecretAccessKey: otherSecret},
			err: apiErr{"SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}},
		{name: "IAM user's key with a session token", creds: aws.Credentials{AccessKeyID: ciKeyID, SecretAccessKey: ciSecret, SessionToken: "made-up"},
			err: apiErr{"InvalidClientTokenId", "The security token included in the request is invalid."}},
		{name: "unknown key", creds: aws.Credentials{AccessKeyID: "AKIAUNKNOWNKEY000001", SecretAccessKey: ciSecret},
			err: apiErr{"InvalidClientTokenId", "The security token included in the request is invalid."}},
		{name: "expired assumed role", creds: fromSTS(short.Credentials),
			err: apiErr{"ExpiredToken", "The security token included in the request is expired"}},
		{name: "SSO role credentials still valid", creds: ssoCreds,
			want: identity{devAcct, "arn:aws:sts::" + devAcct + ":assumed-role/" + dir.RoleName(devAcct, "ReadOnly") + "/alice", dir.RoleID(devAcct, "ReadOnly") + ":alice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := callerIdentity(t, ts, tt.creds)
			if diff := cmp.Diff(tt.err, apiErrOf(err)); diff != "" {
				t.Fatalf("GetCallerIdentity error (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("identity (-want +got):\n%s", diff)
			}
		})
	}
	// An expired set of credentials cannot assume a role either.
	_, err = newClients(ts).sts(fromSTS(short.Credentials)).AssumeRole(t.Context(), &sts.AssumeRoleInput{RoleArn: aws.String(roleARN(prodAcct, "Chained")), RoleSessionName: aws.String("late")})
	if apiErrOf(err).Code != "ExpiredToken" {
		t.Errorf("AssumeRole with expired credentials: %v, want ExpiredToken", err)
	}
}
