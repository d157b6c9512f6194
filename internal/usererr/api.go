package usererr

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/aws/smithy-go"
)

// FromAPI turns an error from an aws-sdk-go-v2 call into the AWS CLI's message:
// a service error becomes `An error occurred (Code) when calling the Op
// operation: message` (exit 254) and a failed connection becomes `Could not
// connect to the endpoint URL: "url"` (exit 255). Errors that are already
// *Error, and context cancellations, pass through unchanged.
func FromAPI(err error) error {
	if err == nil || As(err) != nil || errors.Is(err, context.Canceled) {
		return err
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		op := ""
		var oe *smithy.OperationError
		if errors.As(err, &oe) {
			op = oe.Operation()
		}
		return Wrap(CodeService, fmt.Sprintf("An error occurred (%s) when calling the %s operation: %s", ae.ErrorCode(), op, ae.ErrorMessage()), err)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		u := ue.URL
		if p, perr := url.Parse(u); perr == nil {
			p.RawQuery = "" // queries may carry identifiers; the AWS CLI prints the path only
			u = p.String()
		}
		return Wrap(CodeOther, fmt.Sprintf("Could not connect to the endpoint URL: %q", u), err)
	}
	return err
}

// APICode returns the error code of an AWS API error in err's chain, or "".
func APICode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
