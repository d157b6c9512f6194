// Package sts answers STS GetCallerIdentity for the local IAM Identity Center,
// for the role credentials the Identity Center issued (spec §8).
//
// It speaks the STS query protocol (POST form body, or GET query string,
// Action=GetCallerIdentity&Version=2011-06-15) and answers with the XML the
// real service sends, errors included (ErrorResponse with Type, Code and
// Message, and the x-amzn-RequestId header), so that unmodified AWS tools
// (aws-sdk-go-v2, the AWS CLI) accept it.
//
// Every request must carry a valid SigV4 signature made with a secret the
// Identity Center issued. The signature is verified by re-signing the signed
// parts of the request with aws-sdk-go-v2's own signer and comparing in
// constant time; presigned URLs and SigV4a are not supported.
//
// It is not an STS: AssumeRole and every other action answer InvalidAction.
// aws-sdk-go-v2's sts client (v1.52) sends the awsQuery protocol, the only
// protocol served here.
package sts

import (
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
)

// apiVersion is the STS API version of the query protocol.
const apiVersion = "2011-06-15"

// xmlns is the namespace of every STS response document.
const xmlns = "https://sts.amazonaws.com/doc/2011-06-15/"

// maxSkew is how far X-Amz-Date may be from the server's clock: the real
// service refuses a signature more than 15 minutes old or in the future.
const maxSkew = 15 * time.Minute

// maxBody bounds the request body; GetCallerIdentity bodies are ~40 bytes.
const maxBody = 64 << 10

// Credential is a set of role credentials the Identity Center issued, with
// the identity GetCallerIdentity reports for it.
type Credential struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	Expiration                                 time.Time
	AccountID                                  string
	RoleName                                   string // AWSReservedSSO_<PermissionSet>_<16 hex>
	RoleID                                     string // e.g. AROA + 17 upper-case alnum, stable per account+role
	UserName                                   string // the session name
}

// Lookup finds the credential an access key ID belongs to.
type Lookup interface {
	// LookupCredential returns the credential for accessKeyID, and false
	// when the key is unknown or was revoked.
	LookupCredential(accessKeyID string) (Credential, bool)
}

// Handler serves STS GetCallerIdentity. Every field is required, and
// read-only once it serves; it is safe for concurrent use if Lookup is.
type Handler struct {
	Lookup Lookup
	Now    func() time.Time
	Logger *slog.Logger
}

// apiError is an STS error response.
type apiError struct {
	Status  int
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
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeError(w, reqID, &apiError{Status: http.StatusBadRequest, Code: "InvalidRequest", Message: "The request body could not be read."})
		log.Info("sts refused", "code", "InvalidRequest", "err", err)
		return
	}

	cred, aerr := h.authenticate(r, body)
	if aerr == nil {
		aerr = h.dispatch(r, body)
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
	log.Info("sts GetCallerIdentity", "access_key_id", cred.AccessKeyID, "account", cred.AccountID, "role", cred.RoleName)
	writeXML(w, http.StatusOK, getCallerIdentityResponse{
		Result: getCallerIdentityResult{
			Arn:     fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", cred.AccountID, cred.RoleName, cred.UserName),
			UserID:  cred.RoleID + ":" + cred.UserName,
			Account: cred.AccountID,
		},
		Metadata: responseMetadata{RequestID: reqID},
	})
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
	if a.Date != signingTime.Format("20060102") {
		return Credential{}, errSignature(fmt.Sprintf("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			a.Date, signingTime.Format("20060102"), amzDate), nil)
	}

	cred, ok := h.Lookup.LookupCredential(a.AccessKeyID)
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
	if !now.Before(cred.Expiration) {
		return Credential{}, errExpired()
	}
	return cred, nil
}

// dispatch checks that the request asks for GetCallerIdentity. The query
// protocol puts the parameters in the form body of a POST, or in the query
// string of a GET.
func (h *Handler) dispatch(r *http.Request, body []byte) *apiError {
	params := r.URL.Query()
	if r.Method == http.MethodPost {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return &apiError{Status: http.StatusBadRequest, Code: "MalformedQueryString", Message: "The request body is not a valid form."}
		}
		for k, v := range form {
			params[k] = append(params[k], v...)
		}
	}
	action, version := params.Get("Action"), params.Get("Version")
	if action != "GetCallerIdentity" || (version != "" && version != apiVersion) {
		return errInvalidAction(action, version)
	}
	return nil
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
		Error:     errorDetail{Type: "Sender", Code: e.Code, Message: e.Message},
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
