package sts

import (
	"crypto"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ssocli/ssocli/internal/idc/directory"
)

// The InvalidIdentityToken words of STS.
const (
	msgNotJWT      = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
	msgNoProvider  = "No OpenIDConnect provider found in your account for %s"
	msgAudience    = "Incorrect token audience"
	msgNotVerified = "The web identity token that was passed could not be validated by Amazon Web Services. Get a new identity token from the identity provider and then retry the request."
)

func errInvalidIdentityToken(msg string, detail error) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "InvalidIdentityToken", Message: msg, detail: detail}
}

// errNotAuthorizedWebIdentity is the AccessDenied of a role whose trust does
// not name the token's provider (or that does not exist).
func errNotAuthorizedWebIdentity(detail string) *apiError {
	return withDetail(errAccessDenied("Not authorized to perform sts:AssumeRoleWithWebIdentity"), detail)
}

// assumeRoleWithWebIdentity answers AssumeRoleWithWebIdentity: the token,
// an OpenID Connect ID token, must be signed by the key of an OIDC provider
// of the role's account, carry one of its audiences, not have expired, and
// the role must trust that provider.
func (h *Handler) assumeRoleWithWebIdentity(params url.Values, reqID string, log *slog.Logger) (any, *apiError) {
	var v validation
	roleARN, _ := v.str(params, fieldRoleArn)
	session, _ := v.str(params, fieldRoleSessionName)
	token, _ := v.str(params, fieldWebIdentityToken)
	seconds := v.duration(params)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := unsupported(params, "Policy", "PolicyArns", "ProviderId"); err != nil {
		return nil, err
	}

	role, roleOK := h.role(roleARN)
	account := roleAccount(roleARN)
	claims, provider, aerr := h.verifyWebIdentity(token, account)
	if aerr != nil {
		return nil, aerr
	}
	caller := directory.Caller{Kind: directory.TrustOIDCProvider, Account: provider.Account, Name: provider.URL}
	switch {
	case !roleOK || !role.Trusts(caller):
		return nil, errNotAuthorizedWebIdentity("the role does not exist or does not trust the provider")
	case role.RequireMFA:
		// A web identity carries no MFA (aws:MultiFactorAuthPresent is absent).
		return nil, errNotAuthorizedWebIdentity("the role requires MFA")
	}
	duration := time.Duration(seconds) * time.Second
	if duration > role.MaxSessionDuration {
		return nil, errValidation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	c, aerr := h.issue(role, session, duration, "", false)
	if aerr != nil {
		return nil, aerr
	}
	log.Info("sts AssumeRoleWithWebIdentity", "provider", provider.ARN(), "subject", claims.Subject, "role", role.ARN(), "session", session, "access_key_id", c.AccessKeyID)
	return assumeRoleWithWebIdentityResponse{
		Result: assumeRoleWithWebIdentityResult{
			Credentials:                 credentialsOf(c),
			SubjectFromWebIdentityToken: claims.Subject,
			AssumedRoleUser:             assumedUserOf(c),
			// The API reference says Provider is the token's iss; the
			// service answers with the provider's ARN (as EKS's IRSA
			// examples show), which is what this follows.
			Provider: provider.ARN(),
			Audience: claims.matched,
		},
		Metadata: responseMetadata{RequestID: reqID},
	}, nil
}

// roleAccount returns the account id of a role ARN, or "".
func roleAccount(arn string) string {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	if !ok {
		return ""
	}
	account, _, _ := strings.Cut(rest, ":")
	return account
}

// webClaims are the claims of a verified token.
type webClaims struct {
	jwt.RegisteredClaims
	matched string // the audience that matched one of the provider's
}

// verifyWebIdentity checks token against the OIDC providers of account, in
// the order STS reports problems: the token's form, its issuer, its
// signature, its audience, then its time.
func (h *Handler) verifyWebIdentity(token, account string) (webClaims, directory.OIDCProvider, *apiError) {
	var unverified jwt.RegisteredClaims
	if _, _, err := jwt.NewParser().ParseUnverified(token, &unverified); err != nil {
		return webClaims{}, directory.OIDCProvider{}, errInvalidIdentityToken(msgNotJWT, err)
	}
	iss := unverified.Issuer
	var provider directory.OIDCProvider
	ok := h.Directory != nil && iss != ""
	if ok {
		provider, ok = h.Directory.OIDCProvider(account, iss)
	}
	if !ok {
		// The issuer comes from the caller: bound it before echoing it.
		return webClaims{}, directory.OIDCProvider{}, errInvalidIdentityToken(fmt.Sprintf(msgNoProvider, truncate(iss, 256)), nil)
	}

	now := h.Now()
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{provider.Algorithm()}),
		jwt.WithIssuer(provider.URL),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	var claims webClaims
	_, err := parser.ParseWithClaims(token, &claims.RegisteredClaims, func(*jwt.Token) (any, error) {
		return crypto.PublicKey(provider.PublicKey), nil
	})
	// The parser validates the claims only once the signature holds, so an
	// invalid claim means a good signature; the audience is checked here,
	// before the claims' times.
	if err != nil && !errors.Is(err, jwt.ErrTokenInvalidClaims) {
		return webClaims{}, provider, errInvalidIdentityToken(msgNotVerified, err)
	}
	for _, aud := range claims.Audience {
		if slices.Contains(provider.Audiences, aud) {
			claims.matched = aud
			break
		}
	}
	switch {
	case claims.matched == "":
		return webClaims{}, provider, errInvalidIdentityToken(msgAudience, nil)
	case errors.Is(err, jwt.ErrTokenExpired):
		return webClaims{}, provider, &apiError{Status: http.StatusBadRequest, Code: "ExpiredTokenException",
			Message: fmt.Sprintf("Token expired: current date/time %d must be before the expiration date/time %d", now.Unix(), claims.ExpiresAt.Unix())}
	case err != nil:
		return webClaims{}, provider, errInvalidIdentityToken(msgNotVerified, err)
	case claims.Subject == "":
		return webClaims{}, provider, errInvalidIdentityToken(msgNotVerified, errors.New("token has no sub"))
	}
	return claims, provider, nil
}

type assumeRoleWithWebIdentityResponse struct {
	XMLName  xml.Name                        `xml:"AssumeRoleWithWebIdentityResponse"`
	Xmlns    string                          `xml:"xmlns,attr"`
	Result   assumeRoleWithWebIdentityResult `xml:"AssumeRoleWithWebIdentityResult"`
	Metadata responseMetadata                `xml:"ResponseMetadata"`
}

type assumeRoleWithWebIdentityResult struct {
	Credentials                 credentialsXML  `xml:"Credentials"`
	SubjectFromWebIdentityToken string          `xml:"SubjectFromWebIdentityToken"`
	AssumedRoleUser             assumedRoleUser `xml:"AssumedRoleUser"`
	Provider                    string          `xml:"Provider"`
	Audience                    string          `xml:"Audience"`
}
