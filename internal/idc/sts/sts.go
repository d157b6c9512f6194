// Package sts answers STS GetCallerIdentity, AssumeRole and
// AssumeRoleWithWebIdentity for the local IAM Identity Center (spec §8), so
// that profiles with role_arn (source_profile, credential_source,
// web_identity_token_file) resolve against it as against AWS.
//
// It speaks the STS query protocol (POST form body, or GET query string,
// Action=…&Version=2011-06-15) and answers with the XML the real service
// sends, errors included (ErrorResponse with Type, Code and Message, and the
// x-amzn-RequestId header), so that unmodified AWS tools (aws-sdk-go-v2, the
// AWS CLI, boto3, the JavaScript SDK) accept it. aws-sdk-go-v2's sts client
// (v1.52) sends the awsQuery protocol, the only protocol served here.
//
// Every request but AssumeRoleWithWebIdentity (which the SDKs send unsigned)
// must carry a valid SigV4 signature made with credentials the server knows:
// the role credentials the portal issued, the credentials of roles assumed
// here, or the access keys of IAM users in the directory. The signature is
// verified by re-signing the signed parts of the request with aws-sdk-go-v2's
// own signer and comparing in constant time; presigned URLs and SigV4a are
// not supported.
//
// AssumeRole checks the role's trust as IAM would, reduced to what the
// directory says (internal/idc/directory, iam.go): who may assume the role,
// its external id, its MFA requirement (virtual MFA devices, RFC 6238, each
// code accepted once) and its maximum session duration, plus STS's one-hour
// limit on role chaining. Session policies, tags and source identity are not
// supported and are refused. Every other action answers InvalidAction.
package sts

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ssocli/ssocli/internal/idc/directory"
)

// apiVersion is the STS API version of the query protocol.
const apiVersion = "2011-06-15"

// xmlns is the namespace of every STS response document.
const xmlns = "https://sts.amazonaws.com/doc/2011-06-15/"

// maxSkew is how far X-Amz-Date may be from the server's clock: the real
// service refuses a signature more than 15 minutes old or in the future.
const maxSkew = 15 * time.Minute

// maxBody bounds the request body. GetCallerIdentity bodies are ~40 bytes,
// AssumeRole's a few hundred; AssumeRoleWithWebIdentity's carry a token of up
// to 20,000 characters (the STS model's limit), percent-encoded.
const maxBody = 64 << 10

// Credential is a set of credentials the server knows, with the identity
// GetCallerIdentity reports for it and what a role's trust needs to know
// about it. The zero Kind is a role session.
type Credential struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	Expiration                                 time.Time // zero for an IAM user's access key, which does not expire
	AccountID                                  string
	RoleName                                   string // AWSReservedSSO_<PermissionSet>_<16 hex>, or a directory role
	RoleID                                     string // e.g. AROA + 17 upper-case alnum, stable per account+role
	UserName                                   string // the session name; for an IAM user's key, the user's name

	// Kind says whose credentials these are.
	Kind CredentialKind
	// UserID is the IAM user's unique id (AIDA…), for KindIAMUser.
	UserID string
	// PermissionSet is set for IAM Identity Center role credentials.
	PermissionSet string
	// SSOUser is the IAM Identity Center user, for IAM Identity Center role
	// credentials.
	SSOUser string
	// SessionID is the IAM Identity Center session at the root of the
	// chain, if any: what AssumeRole records, so that revoking the session
	// revokes the roles assumed from it.
	SessionID string
	// MFA says the credentials were issued with a valid MFA code
	// (aws:MultiFactorAuthPresent).
	MFA bool
}

// CredentialKind is the kind of principal a Credential belongs to.
type CredentialKind int

// The kinds of credentials.
const (
	// KindRoleSession: temporary credentials of a role (IAM Identity
	// Center role credentials, or an assumed role).
	KindRoleSession CredentialKind = iota
	// KindIAMUser: the long-term access key of an IAM user.
	KindIAMUser
)

// ARN returns the caller's ARN, as GetCallerIdentity answers and as
// AccessDenied messages name the caller.
func (c Credential) ARN() string {
	if c.Kind == KindIAMUser {
		return "arn:aws:iam::" + c.AccountID + ":user/" + c.UserName
	}
	return "arn:aws:sts::" + c.AccountID + ":assumed-role/" + c.RoleName + "/" + c.UserName
}

// userID returns GetCallerIdentity's UserId: the user's unique id, or the
// role's followed by the session name.
func (c Credential) userID() string {
	if c.Kind == KindIAMUser {
		return c.UserID
	}
	return c.RoleID + ":" + c.UserName
}

// Lookup finds the credential an access key ID belongs to.
type Lookup interface {
	// LookupCredential returns the credential for accessKeyID, and false
	// when the key is unknown or was revoked. sessionToken is the one the
	// caller presented with it ("" for none): the portal's role
	// credentials are found from it, not from a record. The caller still
	// compares it with the credential's SessionToken.
	LookupCredential(accessKeyID, sessionToken string) (Credential, bool)
}

// Issuer keeps what AssumeRole and AssumeRoleWithWebIdentity issue.
type Issuer interface {
	// IssueCredential records c, so that LookupCredential finds it.
	IssueCredential(c Credential) error
	// UseOnce marks key as used until expires, and reports false when it
	// was marked already (an MFA code is accepted once).
	UseOnce(key string, expires time.Time) (bool, error)
}

// Handler serves STS. Lookup, Now and Logger are required; every field is
// read-only once it serves; it is safe for concurrent use if Lookup and
// Issuer are.
type Handler struct {
	Lookup Lookup
	// Directory holds the roles and their trust, the MFA devices and the
	// OIDC providers; nil means none, so every AssumeRole is AccessDenied.
	Directory *directory.Directory
	// Issuer records issued credentials; nil refuses AssumeRole with an
	// InternalFailure.
	Issuer Issuer
	Now    func() time.Time
	Logger *slog.Logger
	// Region is the server's region: requests to the server's own endpoint
	// (not an sts.<region>.amazonaws.com name) may be signed for any region
	// of its partition (regionAllowed).
	Region string
}

// apiError is an STS error response.
type apiError struct {
	Status  int
	Type    string // "Sender" when empty; "Receiver" for the server's own faults
	Code    string
	Message string
	detail  error // for the log only
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// The errors the real STS answers, with its words.
func errMissingAuth() *apiError {
	return &apiError{Status: http.StatusForbidden, Code: "MissingAuthenticationToken", Message: "Request is missing Authentication Token"}
}

func errInvalidToken(detail error) *apiError {
	return &apiError{Status: http.StatusForbidden, Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid.", detail: detail}
}

func errSignature(msg string, detail error) *apiError {
	if msg == "" {
		msg = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	}
	return &apiError{Status: http.StatusForbidden, Code: "SignatureDoesNotMatch", Message: msg, detail: detail}
}

func errIncompleteSignature(detail error) *apiError {
	// The message names what is wrong with the header; it never holds a secret
	// because parseAuthorization only quotes names, never the signature.
	return &apiError{Status: http.StatusBadRequest, Code: "IncompleteSignature", Message: strings.TrimPrefix(detail.Error(), errIncomplete.Error()+": "), detail: detail}
}

func errExpired() *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "ExpiredToken", Message: "The security token included in the request is expired"}
}

func errInvalidAction(action, version string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "InvalidAction", Message: fmt.Sprintf("Could not find operation %s for version %s", action, version)}
}

// ServeHTTP answers one STS request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := newRequestID()
	// Set without canonicalising, to send the header as STS spells it.
	w.Header()["x-amzn-RequestId"] = []string{reqID}
	log := h.Logger.With("request_id", reqID, "method", r.Method, "host", r.Host)

	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET, POST")
		writeError(w, reqID, &apiError{Status: http.StatusMethodNotAllowed, Code: "InvalidAction", Message: "STS accepts only GET and POST"})
		return
	}
	// The body is read once, bounded, before the signature is checked, so
	// that a body over the bound is refused as such, not as a signature
	// computed over part of it.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if tooBig := new(http.MaxBytesError); errors.As(err, &tooBig) {
		writeError(w, reqID, &apiError{Status: http.StatusRequestEntityTooLarge, Code: "RequestEntityTooLarge",
			Message: fmt.Sprintf("The request body is too large: STS takes at most %d bytes.", maxBody)})
		log.Info("sts refused", "code", "RequestEntityTooLarge")
		return
	}
	if err != nil {
		writeError(w, reqID, &apiError{Status: http.StatusBadRequest, Code: "InvalidRequest", Message: "The request body could not be read."})
		log.Info("sts refused", "code", "InvalidRequest", "err", err)
		return
	}

	params, perr := queryParams(r, body)
	var out any
	var aerr *apiError
	var cred Credential
	if perr == nil && isAction(params, "AssumeRoleWithWebIdentity") {
		// The SDKs send it unsigned: the web identity token is the proof.
		out, aerr = h.assumeRoleWithWebIdentity(params, reqID, log)
	} else {
		cred, aerr = h.authenticate(r, body)
		switch {
		case aerr != nil:
		case perr != nil:
			aerr = perr
		case isAction(params, "GetCallerIdentity"):
			log.Info("sts GetCallerIdentity", "access_key_id", cred.AccessKeyID, "account", cred.AccountID, "arn", cred.ARN())
			out = getCallerIdentityResponse{
				Result:   getCallerIdentityResult{Arn: cred.ARN(), UserID: cred.userID(), Account: cred.AccountID},
				Metadata: responseMetadata{RequestID: reqID},
			}
		case isAction(params, "AssumeRole"):
			out, aerr = h.assumeRole(cred, params, reqID, log)
		default:
			aerr = errInvalidAction(params.Get("Action"), params.Get("Version"))
		}
	}
	if aerr != nil {
		attrs := []any{"code", aerr.Code}
		if aerr.detail != nil {
			attrs = append(attrs, "err", aerr.detail)
		}
		log.Info("sts refused", attrs...)
		writeError(w, reqID, aerr)
		return
	}
	writeXML(w, http.StatusOK, out)
}

// authenticate checks the request's SigV4 signature against the issued
// credential, in the order the real service appears to: the header, the
// clock, the key, the session token, the signature, then expiry (checked last
// so that only the key's holder learns that it expired).
func (h *Handler) authenticate(r *http.Request, body []byte) (Credential, *apiError) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return Credential{}, errMissingAuth()
	}
	a, err := parseAuthorization(header)
	if err != nil {
		return Credential{}, errIncompleteSignature(err)
	}
	amzDate := r.Header.Get("X-Amz-Date")
	if amzDate == "" {
		return Credential{}, errIncompleteSignature(fmt.Errorf("%w: authorization header requires existence of a 'X-Amz-Date' header", errIncomplete))
	}
	signingTime, err := time.Parse(amzDateFormat, amzDate)
	if err != nil {
		return Credential{}, errIncompleteSignature(fmt.Errorf("%w: X-Amz-Date must have the form yyyymmddThhmmssZ", errIncomplete))
	}
	now := h.Now().UTC()
	switch {
	case signingTime.Before(now.Add(-maxSkew)):
		return Credential{}, errSignature(fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 15 min.)",
			signingTime.Format(amzDateFormat), now.Add(-maxSkew).Format(amzDateFormat), now.Format(amzDateFormat)), nil)
	case signingTime.After(now.Add(maxSkew)):
		return Credential{}, errSignature(fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 15 min.)",
			signingTime.Format(amzDateFormat), now.Add(maxSkew).Format(amzDateFormat), now.Format(amzDateFormat)), nil)
	}
	if a.Service != "sts" {
		return Credential{}, errSignature("Credential should be scoped to correct service: 'sts'. ", nil)
	}
	if !regionAllowed(r.Host, a.Region, h.Region) {
		return Credential{}, errSignature(fmt.Sprintf("Credential should be scoped to a valid region, not '%s'. ", truncate(a.Region, 40)), nil)
	}
	if a.Date != signingTime.Format("20060102") {
		return Credential{}, errSignature(fmt.Sprintf("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			a.Date, signingTime.Format("20060102"), amzDate), nil)
	}

	cred, ok := h.Lookup.LookupCredential(a.AccessKeyID, r.Header.Get("X-Amz-Security-Token"))
	if !ok {
		return Credential{}, errInvalidToken(errors.New("unknown access key id " + truncate(a.AccessKeyID, 40)))
	}
	if !equalSecret(r.Header.Get("X-Amz-Security-Token"), cred.SessionToken) {
		return Credential{}, errInvalidToken(errors.New("session token does not belong to access key id " + cred.AccessKeyID))
	}
	want, err := expectedSignature(r, body, a, signingTime, cred.SecretAccessKey, cred.SessionToken)
	if errors.Is(err, errIncomplete) {
		return Credential{}, errIncompleteSignature(err)
	}
	if err != nil {
		return Credential{}, errSignature("", err)
	}
	if !equalSecret(want, a.Signature) {
		return Credential{}, errSignature("", errors.New("signature mismatch"))
	}
	if !cred.Expiration.IsZero() && !now.Before(cred.Expiration) {
		return Credential{}, errExpired()
	}
	return cred, nil
}

// queryParams returns the request's parameters. The query protocol puts
// them in the form body of a POST, or in the query string of a GET.
func queryParams(r *http.Request, body []byte) (url.Values, *apiError) {
	params := r.URL.Query()
	if r.Method == http.MethodPost {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, &apiError{Status: http.StatusBadRequest, Code: "MalformedQueryString", Message: "The request body is not a valid form."}
		}
		for k, v := range form {
			params[k] = append(params[k], v...)
		}
	}
	return params, nil
}

// isAction reports whether the parameters ask for action, in this API version.
func isAction(params url.Values, action string) bool {
	version := params.Get("Version")
	return params.Get("Action") == action && (version == "" || version == apiVersion)
}

type getCallerIdentityResponse struct {
	XMLName  xml.Name                `xml:"GetCallerIdentityResponse"`
	Xmlns    string                  `xml:"xmlns,attr"`
	Result   getCallerIdentityResult `xml:"GetCallerIdentityResult"`
	Metadata responseMetadata        `xml:"ResponseMetadata"`
}

type getCallerIdentityResult struct {
	Arn     string `xml:"Arn"`
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
}

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

type errorResponse struct {
	XMLName   xml.Name    `xml:"ErrorResponse"`
	Xmlns     string      `xml:"xmlns,attr"`
	Error     errorDetail `xml:"Error"`
	RequestID string      `xml:"RequestId"`
}

type errorDetail struct {
	Type    string `xml:"Type"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

func writeError(w http.ResponseWriter, reqID string, e *apiError) {
	writeXML(w, e.Status, errorResponse{
		Error:     errorDetail{Type: cmp.Or(e.Type, "Sender"), Code: e.Code, Message: e.Message},
		RequestID: reqID,
	})
}

// writeXML writes v as the body of a text/xml response, the content type
// the real STS uses.
func writeXML(w http.ResponseWriter, status int, v any) {
	switch d := v.(type) {
	case getCallerIdentityResponse:
		d.Xmlns = xmlns
		v = d
	case assumeRoleResponse:
		d.Xmlns = xmlns
		v = d
	case assumeRoleWithWebIdentityResponse:
		d.Xmlns = xmlns
		v = d
	case errorResponse:
		d.Xmlns = xmlns
		v = d
	}
	out, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		// Only fixed struct types reach here; marshalling cannot fail.
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write(append(out, '\n'))
}

// newRequestID returns a random UUID (version 4), the form of STS request IDs.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	s := hex.EncodeToString(b[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}
