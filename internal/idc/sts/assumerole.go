package sts

import (
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ssocli/ssocli/internal/idc/awskeys"
	"github.com/ssocli/ssocli/internal/idc/directory"
)

// chainLimit is STS's limit on role chaining: a role session that assumes a
// role gets at most an hour, whatever the role's MaxSessionDuration. IAM
// Identity Center role credentials are role sessions too.
const chainLimit = time.Hour

// The AccessDenied words of STS for MFA (AssumeRole and GetSessionToken).
const (
	msgMFABoth    = "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."
	msgMFAUnknown = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."
	msgMFAInvalid = "MultiFactorAuthentication failed with invalid MFA one time pass code."
)

func errAccessDenied(msg string) *apiError {
	return &apiError{Status: http.StatusForbidden, Code: "AccessDenied", Message: msg}
}

// errNotAuthorized is the AccessDenied of a caller the role's trust does not
// allow: also the answer for a role that does not exist, a wrong or missing
// external id and a missing MFA code, which STS does not tell apart.
func errNotAuthorized(callerARN, action, resource string) *apiError {
	return errAccessDenied(fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s", callerARN, action, resource))
}

func errInternal(detail error) *apiError {
	return &apiError{Status: http.StatusInternalServerError, Type: "Receiver", Code: "InternalFailure",
		Message: "The request processing has failed because of an unknown error, exception or failure.", detail: detail}
}

// unsupported refuses the parameters this server does not evaluate: it has
// no policies, tags or source identity to apply, and answering as if it had
// would let a test pass that AWS fails.
func unsupported(params url.Values, names ...string) *apiError {
	for _, name := range names {
		for k := range params {
			if k == name || strings.HasPrefix(k, name+".") {
				return errValidation(name + " is not supported by this local STS (ssocli serve); send the request without it")
			}
		}
	}
	return nil
}

// role finds the role a RoleArn names: arn:aws:iam::<account>:role/<name>.
// The directory's roles have no path, so an ARN with one names none of them.
func (h *Handler) role(arn string) (directory.Role, bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	if !ok || h.Directory == nil {
		return directory.Role{}, false
	}
	account, name, ok := strings.Cut(rest, ":role/")
	if !ok || strings.Contains(name, "/") {
		return directory.Role{}, false
	}
	return h.Directory.Role(account, name)
}

// callerOf is how a role's trust sees the holder of c.
func callerOf(c Credential) directory.Caller {
	switch {
	case c.Kind == KindIAMUser:
		return directory.Caller{Kind: directory.TrustIAMUser, Account: c.AccountID, Name: c.UserName}
	case c.PermissionSet != "":
		return directory.Caller{Kind: directory.TrustPermissionSet, Account: c.AccountID, Name: c.PermissionSet, User: c.SSOUser}
	default:
		return directory.Caller{Kind: directory.TrustRole, Account: c.AccountID, Name: c.RoleName}
	}
}

// assumeRole answers AssumeRole for the holder of caller.
func (h *Handler) assumeRole(caller Credential, params url.Values, reqID string, log *slog.Logger) (any, *apiError) {
	var v validation
	roleARN, _ := v.str(params, fieldRoleArn)
	session, _ := v.str(params, fieldRoleSessionName)
	seconds := v.duration(params)
	externalID, _ := v.str(params, fieldExternalID)
	serial, hasSerial := v.str(params, fieldSerialNumber)
	code, hasCode := v.str(params, fieldTokenCode)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := unsupported(params, "Policy", "PolicyArns", "Tags", "TransitiveTagKeys", "SourceIdentity", "ProvidedContexts"); err != nil {
		return nil, err
	}
	if hasSerial != hasCode {
		return nil, errAccessDenied(msgMFABoth)
	}

	denied := errNotAuthorized(caller.ARN(), "sts:AssumeRole", roleARN)
	role, ok := h.role(roleARN)
	if !ok || !role.Trusts(callerOf(caller)) {
		return nil, withDetail(denied, "the role does not exist or does not trust the caller")
	}
	// A role without an external id ignores one that is given, as IAM's
	// trust policy without an sts:ExternalId condition does.
	if role.ExternalID != "" && !equalSecret(externalID, role.ExternalID) {
		return nil, withDetail(denied, "external id missing or wrong")
	}
	duration := time.Duration(seconds) * time.Second
	if duration > role.MaxSessionDuration {
		return nil, errValidation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	if caller.Kind == KindRoleSession && duration > chainLimit {
		return nil, errValidation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	// The code is checked last, so that a refusal for another reason does
	// not use it up.
	mfa := caller.MFA
	if hasSerial {
		if err := h.checkMFA(caller, serial, code); err != nil {
			return nil, err
		}
		mfa = true
	}
	if role.RequireMFA && !mfa {
		return nil, withDetail(denied, "the role requires MFA")
	}

	c, aerr := h.issue(role, session, duration, caller.SessionID, mfa)
	if aerr != nil {
		return nil, aerr
	}
	log.Info("sts AssumeRole", "caller", caller.ARN(), "role", role.ARN(), "session", session, "access_key_id", c.AccessKeyID, "mfa", mfa)
	return assumeRoleResponse{
		Result:   assumeRoleResult{AssumedRoleUser: assumedUserOf(c), Credentials: credentialsOf(c)},
		Metadata: responseMetadata{RequestID: reqID},
	}, nil
}

// checkMFA checks an MFA code of the device serial for the holder of
// caller, and uses it up: STS accepts each code once (RFC 6238 §5.2).
func (h *Handler) checkMFA(caller Credential, serial, code string) *apiError {
	var dev directory.MFADevice
	ok := h.Directory != nil
	if ok {
		dev, ok = h.Directory.MFADevice(serial)
	}
	if ok && dev.User != "" {
		ok = caller.Kind == KindIAMUser && caller.AccountID == dev.Account && caller.UserName == dev.User
	}
	if !ok {
		return withDetail(errAccessDenied(msgMFAUnknown), "unknown MFA device, or not the caller's")
	}
	step, ok := dev.Match(code, h.Now())
	if !ok {
		return withDetail(errAccessDenied(msgMFAInvalid), "wrong MFA code")
	}
	// Forget the code once its step can no longer match.
	until := time.Unix(int64(step+2)*int64(directory.TOTPPeriod/time.Second), 0)
	fresh, err := h.Issuer.UseOnce("mfa "+serial+" "+strconv.FormatUint(step, 10), until)
	if err != nil {
		return errInternal(fmt.Errorf("record MFA code use: %w", err))
	}
	if !fresh {
		return withDetail(errAccessDenied(msgMFAInvalid), "MFA code used before")
	}
	return nil
}

// issue makes and records the credentials of a session of role.
func (h *Handler) issue(role directory.Role, session string, d time.Duration, sessionID string, mfa bool) (Credential, *apiError) {
	if h.Issuer == nil {
		return Credential{}, errInternal(fmt.Errorf("no issuer configured"))
	}
	keys := awskeys.NewTemporary()
	c := Credential{
		AccessKeyID:     keys.AccessKeyID,
		SecretAccessKey: keys.SecretAccessKey,
		SessionToken:    keys.SessionToken,
		// Whole seconds: STS's Expiration has none.
		Expiration: h.Now().Add(d).Truncate(time.Second),
		AccountID:  role.Account,
		RoleName:   role.Name,
		RoleID:     h.Directory.IAMRoleID(role.Account, role.Name),
		UserName:   session,
		Kind:       KindRoleSession,
		SessionID:  sessionID,
		MFA:        mfa,
	}
	if err := h.Issuer.IssueCredential(c); err != nil {
		return Credential{}, errInternal(fmt.Errorf("record issued credentials: %w", err))
	}
	return c, nil
}

// withDetail adds a reason for the log to a refusal the caller sees in
// STS's words only.
func withDetail(e *apiError, detail string) *apiError {
	e.detail = fmt.Errorf("%s", detail)
	return e
}

type assumeRoleResponse struct {
	XMLName  xml.Name         `xml:"AssumeRoleResponse"`
	Xmlns    string           `xml:"xmlns,attr"`
	Result   assumeRoleResult `xml:"AssumeRoleResult"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

// assumeRoleResult has no PackedPolicySize and no SourceIdentity: STS sends
// them only for session policies, tags and a source identity, which this
// server refuses.
type assumeRoleResult struct {
	AssumedRoleUser assumedRoleUser `xml:"AssumedRoleUser"`
	Credentials     credentialsXML  `xml:"Credentials"`
}

type assumedRoleUser struct {
	Arn           string `xml:"Arn"`
	AssumedRoleID string `xml:"AssumedRoleId"`
}

type credentialsXML struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

func assumedUserOf(c Credential) assumedRoleUser {
	return assumedRoleUser{Arn: c.ARN(), AssumedRoleID: c.userID()}
}

func credentialsOf(c Credential) credentialsXML {
	return credentialsXML{
		AccessKeyID:     c.AccessKeyID,
		SecretAccessKey: c.SecretAccessKey,
		SessionToken:    c.SessionToken,
		Expiration:      c.Expiration.UTC().Format(time.RFC3339), // 2019-11-09T13:34:41Z
	}
}
