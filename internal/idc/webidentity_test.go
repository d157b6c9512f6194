package idc_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
)

// TestAssumeRoleWithWebIdentity sends AssumeRoleWithWebIdentity as the SDKs
// do (unsigned) with tokens minted by the directory's OIDC providers and
// broken in each way STS checks, and uses the credentials it issues.
func TestAssumeRoleWithWebIdentity(t *testing.T) {
	t.Parallel()
	clk := newClock()
	ts := chainServer(t, clk)
	dir := ts.Directory
	es, _ := dir.OIDCProvider(prodAcct, webIssuer)
	rs, _ := dir.OIDCProvider(prodAcct, rsaIssuer)
	// A provider with the same issuer and another key: a forged token.
	forger := idctest.NewOIDCProvider(t, prodAcct, webIssuer, "ES256", "sts.amazonaws.com")
	now := clk.Now()
	mint := func(p directory.OIDCProvider, c idctest.TokenClaims) string {
		if c.IssuedAt.IsZero() {
			c.IssuedAt = now
		}
		return idctest.WebIdentityToken(t, p, c)
	}
	anon := sts.New(sts.Options{Region: ts.Region, HTTPClient: ts.Client(), BaseEndpoint: aws.String(ts.URL), RetryMaxAttempts: 1})
	webApp, rsaApp := roleARN(prodAcct, "WebApp"), roleARN(prodAcct, "RSAApp")
	expired := now.Add(-time.Minute)
	notVerified := apiErr{"InvalidIdentityToken", "The web identity token that was passed could not be validated by Amazon Web Services. Get a new identity token from the identity provider and then retry the request."}
	notAuthorized := apiErr{"AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"}

	tests := []struct {
		name     string
		role     string
		token    string
		duration int32
		want     apiErr
		wantAud  string // for a success
	}{
		{name: "ES256 token", role: webApp, token: mint(es, idctest.TokenClaims{}), wantAud: "sts.amazonaws.com"},
		{name: "second audience", role: webApp, token: mint(es, idctest.TokenClaims{Audience: []string{"unknown", "second-audience"}}), wantAud: "second-audience"},
		{name: "RS256 token", role: rsaApp, token: mint(rs, idctest.TokenClaims{}), wantAud: "app"},
		{name: "duration at the role's maximum", role: webApp, token: mint(es, idctest.TokenClaims{}), duration: 7200, wantAud: "sts.amazonaws.com"},
		{name: "duration above the role's maximum", role: webApp, token: mint(es, idctest.TokenClaims{}), duration: 7201,
			want: apiErr{"ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."}},
		{name: "forged signature", role: webApp, token: mint(forger, idctest.TokenClaims{}), want: notVerified},
		// The signature is checked before the audience.
		{name: "forged signature, wrong audience", role: webApp, token: mint(forger, idctest.TokenClaims{Audience: []string{"app"}}), want: notVerified},
		{name: "no subject", role: webApp, token: noSubject(t, es, now), want: notVerified},
		{name: "tampered payload", role: webApp, token: tamper(mint(es, idctest.TokenClaims{})), want: notVerified},
		{name: "RS256 token for the ES256 provider", role: webApp, token: idctest.WebIdentityToken(t,
			directory.OIDCProvider{URL: webIssuer, Audiences: []string{"sts.amazonaws.com"}, SigningKey: rs.SigningKey, PublicKey: rs.PublicKey}, idctest.TokenClaims{IssuedAt: now}),
			want: notVerified},
		{name: "unsigned token", role: webApp, token: unsigned(t, webIssuer, now), want: notVerified},
		{name: "wrong audience", role: webApp, token: mint(es, idctest.TokenClaims{Audience: []string{"app"}}),
			want: apiErr{"InvalidIdentityToken", "Incorrect token audience"}},
		{name: "unknown issuer", role: webApp, token: mint(es, idctest.TokenClaims{Issuer: "https://evil.example.com"}),
			want: apiErr{"InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://evil.example.com"}},
		{name: "provider of another account", role: roleARN(devAcct, "WebApp"), token: mint(es, idctest.TokenClaims{}),
			want: apiErr{"InvalidIdentityToken", "No OpenIDConnect provider found in your account for " + webIssuer}},
		{name: "expired", role: webApp, token: mint(es, idctest.TokenClaims{IssuedAt: now.Add(-time.Hour), ExpiresAt: expired}),
			want: apiErr{"ExpiredTokenException", fmt.Sprintf("Token expired: current date/time %d must be before the expiration date/time %d", now.Unix(), expired.Unix())}},
		{name: "issued in the future", role: webApp, token: mint(es, idctest.TokenClaims{IssuedAt: now.Add(time.Hour)}), want: notVerified},
		{name: "not a JWT", role: webApp, token: "not-a-jwt",
			want: apiErr{"InvalidIdentityToken", "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"}},
		{name: "role that does not trust the provider", role: roleARN(prodAcct, "Deployer"), token: mint(es, idctest.TokenClaims{}), want: notAuthorized},
		{name: "role that does not exist", role: roleARN(prodAcct, "Nope"), token: mint(es, idctest.TokenClaims{}), want: notAuthorized},
		{name: "role that requires MFA", role: roleARN(prodAcct, "WebMFA"), token: mint(es, idctest.TokenClaims{}), want: notAuthorized},
		{name: "token of three characters", role: webApp, token: "a.b",
			want: apiErr{"ValidationError", "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to 4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(tt.role), RoleSessionName: aws.String("web-session"), WebIdentityToken: aws.String(tt.token)}
			if tt.duration != 0 {
				in.DurationSeconds = aws.Int32(tt.duration)
			}
			out, err := anon.AssumeRoleWithWebIdentity(t.Context(), in)
			if diff := cmp.Diff(tt.want, apiErrOf(err)); diff != "" {
				t.Fatalf("AssumeRoleWithWebIdentity error (-want +got):\n%s", diff)
			}
			if err != nil {
				return
			}
			name := strings.TrimPrefix(tt.role, "arn:aws:iam::"+prodAcct+":role/")
			p := es
			if name == "RSAApp" {
				p = rs
			}
			got := []string{aws.ToString(out.AssumedRoleUser.Arn), aws.ToString(out.AssumedRoleUser.AssumedRoleId), aws.ToString(out.SubjectFromWebIdentityToken),
				aws.ToString(out.Audience), aws.ToString(out.Provider)}
			want := []string{"arn:aws:sts::" + prodAcct + ":assumed-role/" + name + "/web-session", dir.IAMRoleID(prodAcct, name) + ":web-session",
				"system:serviceaccount:default:test", tt.wantAud, p.ARN()}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
			life := time.Hour
			if tt.duration != 0 {
				life = time.Duration(tt.duration) * time.Second
			}
			if got, want := aws.ToTime(out.Credentials.Expiration), now.Add(life); !got.Equal(want) {
				t.Errorf("Expiration = %s, want %s", got, want)
			}
			if out.PackedPolicySize != nil || out.SourceIdentity != nil {
				t.Errorf("PackedPolicySize = %v, SourceIdentity = %v; want both absent", out.PackedPolicySize, out.SourceIdentity)
			}
			id, err := callerIdentity(t, ts, fromSTS(out.Credentials))
			if err != nil || id.Arn != want[0] {
				t.Errorf("GetCallerIdentity with the issued credentials = %+v, %v; want %s", id, err, want[0])
			}
		})
	}
}

// b64 is the encoding of the parts of a JWT (RFC 7515 §2).
var b64 = base64.RawURLEncoding

// tamper changes the subject in a token's payload, keeping its signature.
func tamper(token string) string {
	parts := strings.Split(token, ".")
	payload, _ := b64.DecodeString(parts[1])
	parts[1] = b64.EncodeToString([]byte(strings.Replace(string(payload), "default:test", "default:root", 1)))
	return strings.Join(parts, ".")
}

// noSubject returns a token of p without a sub claim.
func noSubject(t *testing.T, p directory.OIDCProvider, now time.Time) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.RegisteredClaims{Issuer: p.URL, Audience: p.Audiences[:1],
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))}).SignedString(p.SigningKey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// unsigned returns a token with alg "none" and no signature.
func unsigned(t *testing.T, iss string, now time.Time) string {
	t.Helper()
	header := b64.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	payload := b64.EncodeToString([]byte(fmt.Sprintf(`{"iss":%q,"sub":"x","aud":"sts.amazonaws.com","iat":%d,"exp":%d}`, iss, now.Unix(), now.Add(time.Hour).Unix())))
	return header + "." + payload + "."
}
