package usererr

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// FromAPI turns an error from an aws-sdk-go-v2 call into the AWS CLI's
// (botocore's) message for it:
//
//   - a service error: `An error occurred (Code) when calling the Op operation: message` (exit 254);
//     an HTTP error with no AWS error code uses the status as the code, as botocore does;
//   - an answer that cannot be read: `Unable to parse the response of the Op operation (HTTP status N)` (exit 255);
//   - a failed connection: `Could not connect to the endpoint URL: "url"`, `Read timeout on endpoint URL: "url"`,
//     `Connection was closed before we received a valid response from endpoint URL: "url".` or
//     `SSL validation failed for url <reason>` (exit 255);
//   - a request that did not get through its proxy (*ProxyError): `Failed to connect to proxy URL: "proxy"` (exit 255).
//
// Errors that are already *Error, and context cancellations, pass through unchanged.
func FromAPI(err error) error {
	if err == nil || As(err) != nil || errors.Is(err, context.Canceled) {
		return err
	}
	op := ""
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		op = oe.Operation()
	}
	retries := ""
	var me *retry.MaxAttemptsError
	if errors.As(err, &me) && me.Attempt > 1 {
		retries = fmt.Sprintf(" (reached max retries: %d)", me.Attempt-1)
	}
	var re *smithyhttp.ResponseError
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code := ae.ErrorCode()
		if code == "UnknownError" && errors.As(err, &re) && re.Response != nil && re.Response.Response != nil {
			// No error type in the answer: botocore names the error by its HTTP status.
			code = strconv.Itoa(re.HTTPStatusCode())
		}
		u := Wrap(CodeService, fmt.Sprintf("An error occurred (%s) when calling the %s operation%s: %s", code, op, retries, ae.ErrorMessage()), err)
		u.Details = details(oe, code, ae)
		return u
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// The whole URL with its query, as botocore prints it (the query of
		// GetRoleCredentials names the role and account, no secret).
		return Wrap(CodeOther, networkMessage(ue, botocoreQuery(ue.URL, op)), err)
	}
	if errors.As(err, &re) && re.Response != nil && re.Response.Response != nil {
		status := re.HTTPStatusCode()
		if status >= 300 {
			// botocore's error information for a body without an error:
			// the status as the code, its reason phrase as the message.
			u := Wrap(CodeService, fmt.Sprintf("An error occurred (%d) when calling the %s operation%s: %s", status, op, retries, http.StatusText(status)), err)
			u.Details = []Field{{"Code", strconv.Itoa(status)}, {"Message", http.StatusText(status)}}
			return u
		}
		return Wrap(CodeOther, fmt.Sprintf("Unable to parse the response of the %s operation (HTTP status %d): the endpoint did not answer like the AWS API.", op, status), err).
			WithHint("check the endpoint (AWS_ENDPOINT_URL, endpoint_url, HTTPS_PROXY): it may not be an AWS endpoint")
	}
	return err
}

// details is botocore's error information of a service error, in its order:
// the JSON protocols (IAM Identity Center's portal and OIDC) parse Message
// before Code, the query protocol (STS) Code before Message; then the error
// shape's modelled fields, which for SSO OIDC are error and error_description
// (the `Error_` and `Error_description` fields of ssooidc's error types, read
// by reflection so that this package needs no service package).
func details(oe *smithy.OperationError, code string, ae smithy.APIError) []Field {
	msg := Field{"Message", ae.ErrorMessage()}
	out := []Field{msg, {"Code", code}}
	if oe != nil && oe.Service() == "STS" {
		out = []Field{{"Code", code}, msg}
	}
	v := reflect.ValueOf(ae)
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return out
	}
	for _, f := range []struct{ field, key string }{{"Error_", "error"}, {"Error_description", "error_description"}} {
		fv := v.FieldByName(f.field)
		if fv.IsValid() && fv.Kind() == reflect.Pointer && !fv.IsNil() && fv.Elem().Kind() == reflect.String {
			out = append(out, Field{f.key, fv.Elem().String()})
		}
	}
	return out
}

// queryOrder is the order of the query parameters botocore sends for the
// operations ssocli calls with a query: the order of the members in the
// service model, where the SDK sorts them.
var queryOrder = map[string][]string{
	"GetRoleCredentials": {"role_name", "account_id"},
	"ListAccountRoles":   {"next_token", "max_result", "account_id"},
	"ListAccounts":       {"next_token", "max_result"},
}

// botocoreQuery returns u with its query parameters in botocore's order for op.
func botocoreQuery(u, op string) string {
	order, ok := queryOrder[op]
	base, query, found := strings.Cut(u, "?")
	if !ok || !found {
		return u
	}
	params := strings.Split(query, "&")
	rank := func(p string) int {
		name, _, _ := strings.Cut(p, "=")
		if i := slices.Index(order, name); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortStableFunc(params, func(a, b string) int { return rank(a) - rank(b) })
	return base + "?" + strings.Join(params, "&")
}

// ProxyError is a request that never got through its proxy: the proxy could
// not be reached, refused the tunnel (407, 403, ...), or closed it or answered
// garbage before the endpoint was reached.
type ProxyError struct {
	URL string // the proxy's URL, user name and password masked
	Err error
}

func (e *ProxyError) Error() string { return "proxy " + e.URL + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *ProxyError) Unwrap() error { return e.Err }

// networkMessage words a failed request as botocore's endpoint errors do.
func networkMessage(ue *url.Error, u string) string {
	var (
		pe        *ProxyError
		unknownCA *x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		verify    *tls.CertificateVerificationError
		op        *net.OpError
	)
	switch {
	case errors.As(ue, &pe):
		return fmt.Sprintf("Failed to connect to proxy URL: %q", pe.URL)
	case errors.As(ue, &unknownCA) || errors.As(ue, &hostname) || errors.As(ue, &invalid) || errors.As(ue, &verify):
		return fmt.Sprintf("SSL validation failed for %s %v", u, certReason(ue))
	case ue.Timeout():
		if errors.As(ue, &op) && op.Op == "dial" {
			return fmt.Sprintf("Connect timeout on endpoint URL: %q", u)
		}
		return fmt.Sprintf("Read timeout on endpoint URL: %q", u)
	case !couldNotConnect(ue):
		// The connection was made, then lost before a whole answer came.
		return fmt.Sprintf("Connection was closed before we received a valid response from endpoint URL: %q.", u)
	}
	return fmt.Sprintf("Could not connect to the endpoint URL: %q", u)
}

// couldNotConnect reports whether the request failed before a connection
// was made: a failed dial, a name that does not resolve, a proxy refusing
// the tunnel.
func couldNotConnect(err error) bool {
	var (
		op  *net.OpError
		dns *net.DNSError
	)
	if errors.As(err, &dns) {
		return true
	}
	if errors.As(err, &op) && (op.Op == "dial" || op.Op == "proxyconnect") {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH)
}

// certReason is the innermost certificate error, without Go's request prefix.
func certReason(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		var ve *tls.CertificateVerificationError
		if errors.As(err, &ve) && ve.Err != nil {
			return ve.Err
		}
		err = next
	}
}

// APICode returns the error code of an AWS API error in err's chain, or "".
func APICode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
