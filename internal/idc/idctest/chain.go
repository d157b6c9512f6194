package idctest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/golang-jwt/jwt/v5"

	"github.com/ssocli/ssocli/internal/idc/directory"
)

// SSORoleCredentials signs in as the auto-approved user with the device flow
// and returns the role credentials of permission set pset in account, from
// the portal's GetRoleCredentials: what a profile with sso_account_id and
// sso_role_name resolves to, as the source of a role chain. The server must
// approve at once: WithAutoApprove(user) and WithAutoApproveDelay(-1).
func (ts *TestServer) SSORoleCredentials(t testing.TB, account, pset string) aws.Credentials {
	t.Helper()
	if ts.autoApprove == "" || !ts.approveAtOnce {
		t.Fatal("idctest: SSORoleCredentials needs a server started WithAutoApprove(user) and WithAutoApproveDelay(-1)")
	}
	ctx := t.Context()
	cfg := aws.Config{Region: ts.Region, HTTPClient: ts.Client(), BaseEndpoint: aws.String(ts.URL), RetryMaxAttempts: 1, Credentials: aws.AnonymousCredentials{}}
	oc := ssooidc.NewFromConfig(cfg)
	reg, err := oc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("idctest"), ClientType: aws.String("public"), Scopes: []string{"sso:account:access"}})
	if err != nil {
		t.Fatalf("idctest: RegisterClient: %v", err)
	}
	dev, err := oc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(ts.StartURL)})
	if err != nil {
		t.Fatalf("idctest: StartDeviceAuthorization: %v", err)
	}
	tok, err := oc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: dev.DeviceCode})
	if err != nil {
		t.Fatalf("idctest: CreateToken: %v", err)
	}
	rc, err := sso.NewFromConfig(cfg).GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: tok.AccessToken, AccountId: aws.String(account), RoleName: aws.String(pset)})
	if err != nil {
		t.Fatalf("idctest: GetRoleCredentials %s/%s as %s: %v", account, pset, ts.autoApprove, err)
	}
	c := rc.RoleCredentials
	return aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken),
		CanExpire: true, Expires: time.UnixMilli(c.Expiration)}
}

// MFACode returns the code the virtual MFA device serial (arn:aws:iam::<account>:mfa/<name>)
// of d shows at t: what a person types at "Enter MFA code for …". STS accepts
// each code once, so a test that needs two codes moves its clock on by
// directory.TOTPPeriod between them.
func MFACode(t testing.TB, d *directory.Directory, serial string, at time.Time) string {
	t.Helper()
	dev, ok := d.MFADevice(serial)
	if !ok {
		t.Fatalf("idctest: the directory has no MFA device %s", serial)
	}
	return dev.Code(at)
}

// NewOIDCProvider returns an OIDC provider of account with a fresh key, for
// a directory built in Go: alg is "RS256" (RSA 2048) or "ES256" (P-256).
func NewOIDCProvider(t testing.TB, account, issuer, alg string, audiences ...string) directory.OIDCProvider {
	t.Helper()
	var signer crypto.Signer
	var err error
	switch alg {
	case "RS256":
		signer, err = rsa.GenerateKey(rand.Reader, 2048)
	case "ES256":
		signer, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		t.Fatalf("idctest: NewOIDCProvider: alg %q is neither RS256 nor ES256", alg)
	}
	if err != nil {
		t.Fatalf("idctest: generate %s key: %v", alg, err)
	}
	return directory.OIDCProvider{Account: account, URL: issuer, Audiences: audiences, PublicKey: signer.Public(), SigningKey: signer}
}

// TokenClaims are the claims of a web identity token; zero fields take the
// defaults WebIdentityToken names.
type TokenClaims struct {
	Issuer    string
	Subject   string
	Audience  []string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// WebIdentityToken returns an OpenID Connect ID token signed with the key of
// provider p (RS256 or ES256, as the key is): the content of a
// web_identity_token_file. Defaults: iss p.URL, sub "system:serviceaccount:default:test",
// aud p.Audiences[0], iat now, exp an hour after iat.
func WebIdentityToken(t testing.TB, p directory.OIDCProvider, c TokenClaims) string {
	t.Helper()
	if p.SigningKey == nil {
		t.Fatalf("idctest: OIDC provider %s has only a public key; give the directory its private key to mint tokens", p.URL)
	}
	if c.Issuer == "" {
		c.Issuer = p.URL
	}
	if c.Subject == "" {
		c.Subject = "system:serviceaccount:default:test"
	}
	if c.Audience == nil && len(p.Audiences) > 0 {
		c.Audience = p.Audiences[:1]
	}
	if c.IssuedAt.IsZero() {
		c.IssuedAt = time.Now()
	}
	if c.ExpiresAt.IsZero() {
		c.ExpiresAt = c.IssuedAt.Add(time.Hour)
	}
	method := jwt.SigningMethod(jwt.SigningMethodRS256)
	if p.Algorithm() == "ES256" {
		method = jwt.SigningMethodES256
	}
	tok := jwt.NewWithClaims(method, jwt.RegisteredClaims{
		Issuer:    c.Issuer,
		Subject:   c.Subject,
		Audience:  c.Audience,
		IssuedAt:  jwt.NewNumericDate(c.IssuedAt),
		ExpiresAt: jwt.NewNumericDate(c.ExpiresAt),
	})
	tok.Header["kid"] = "idctest"
	s, err := tok.SignedString(p.SigningKey)
	if err != nil {
		t.Fatalf("idctest: sign web identity token: %v", err)
	}
	return s
}
