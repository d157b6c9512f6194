// Package usererr carries errors that are safe to show to a user, together with
// the exit code the AWS CLI uses for the same situation and an optional hint that
// names the fix (for example the login command to run).
//
// Internal packages return *Error for situations the AWS CLI has a message for
// (spec/aws-cli-sso.md §1.5); internal/cli renders them. The message never holds a
// secret: callers must not put tokens or keys into Msg or Hint.
package usererr

import "errors"

// Exit codes of the AWS CLI v2 (spec §1.5).
const (
	CodeOK          = 0
	CodeInterrupted = 130
	CodeUsage       = 252
	CodeConfig      = 253
	CodeService     = 254
	CodeOther       = 255
)

// Error is an error with a user-facing message, an exit code and a hint.
type Error struct {
	Msg  string // the message, worded like the AWS CLI's where it has one
	Code int    // process exit code
	Hint string // one more line naming the fix, e.g. "run: ssocli sso login --profile dev"; may be empty
	Err  error  // the underlying error, for the debug log; may be nil

	// Kind is the code the AWS CLI (2.34+) names the error's class with in
	// "An error occurred (<Kind>): " and in the structured error formats:
	// KindConfiguration, KindNoRegion, KindNoCredentials, KindParamValidation
	// or KindPager.
	// Empty means the default of Code: 252 is ParamValidation, 253
	// Configuration, a 254 with Details a service error, and the rest are
	// general errors, which are always printed as plain text.
	Kind string
	// Details is a service error's error information as botocore has it
	// (response["Error"] with the error shape's modelled fields), in its order;
	// set by FromAPI.
	Details []Field
}

// Field is one entry of a service error's error information.
type Field struct{ Key, Value string }

// The error classes of the AWS CLI's error handlers (awscli/errorhandler.py).
const (
	KindConfiguration   = "Configuration"
	KindNoRegion        = "NoRegion"
	KindNoCredentials   = "NoCredentials"
	KindParamValidation = "ParamValidation"
	KindPager           = "Pager"
)

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// New returns an Error with the given exit code and message.
func New(code int, msg string) *Error { return &Error{Msg: msg, Code: code} }

// Wrap returns an Error with the given exit code and message that wraps err.
func Wrap(code int, msg string, err error) *Error { return &Error{Msg: msg, Code: code, Err: err} }

// WithHint returns a copy of e with Hint set.
func (e *Error) WithHint(hint string) *Error {
	c := *e
	c.Hint = hint
	return &c
}

// WithKind returns a copy of e with Kind set.
func (e *Error) WithKind(kind string) *Error {
	c := *e
	c.Kind = kind
	return &c
}

// As returns the *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
