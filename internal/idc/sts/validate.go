package sts

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// A field is one request parameter and its constraints, as the STS service
// model (botocore's sts/2011-06-15/service-2.json) states them. The real
// service checks them and words each failure the same way; so does this one.
type field struct {
	param     string // the query parameter, e.g. RoleSessionName
	member    string // how messages name it, e.g. roleSessionName
	required  bool
	min, max  int    // length in characters; 0 means no bound
	pattern   string // the model's pattern, as messages quote it
	re        func() *regexp.Regexp
	sensitive bool // the value is never quoted back
}

// Go spellings of the model's patterns (Java's \uXXXX becomes \x{XXXX}).
var (
	arnRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[\t\n\r\x{20}-\x{7E}\x{85}\x{A0}-\x{D7FF}\x{E000}-\x{FFFD}\x{10000}-\x{10FFFF}]+$`)
	})
	sessionNameRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]*$`) })
	externalIDRe  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@:/-]*$`) })
	serialRe      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=/:,.@-]*$`) })
	tokenCodeRe   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\d]*$`) })
)

// The fields of AssumeRole and AssumeRoleWithWebIdentity.
var (
	fieldRoleArn = field{param: "RoleArn", member: "roleArn", required: true, min: 20, max: 2048,
		pattern: `[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+`, re: arnRe}
	fieldRoleSessionName = field{param: "RoleSessionName", member: "roleSessionName", required: true, min: 2, max: 64,
		pattern: `[\w+=,.@-]*`, re: sessionNameRe}
	fieldExternalID = field{param: "ExternalId", member: "externalId", min: 2, max: 1224,
		pattern: `[\w+=,.@:\/-]*`, re: externalIDRe}
	fieldSerialNumber = field{param: "SerialNumber", member: "serialNumber", min: 9, max: 256,
		pattern: `[\w+=/:,.@-]*`, re: serialRe}
	fieldTokenCode = field{param: "TokenCode", member: "tokenCode", min: 6, max: 6,
		pattern: `[\d]*`, re: tokenCodeRe, sensitive: true}
	fieldWebIdentityToken = field{param: "WebIdentityToken", member: "webIdentityToken", required: true, min: 4, max: 20000,
		sensitive: true}
)

// Bounds of DurationSeconds (roleDurationSecondsType).
const (
	minDurationSeconds     = 900
	maxDurationSeconds     = 43200
	defaultDurationSeconds = 3600
)

// validation collects the constraint failures of one request.
type validation []string

func (v *validation) fail(f field, value, constraint string, present bool) {
	var at string
	switch {
	case !present:
		at = "Value null at"
	case f.sensitive:
		// Never echo a secret (an MFA code, a web identity token).
		at = "Value at"
	default:
		at = fmt.Sprintf("Value '%s' at", value)
	}
	*v = append(*v, fmt.Sprintf("%s '%s' failed to satisfy constraint: Member must %s", at, f.member, constraint))
}

// str checks a string field and returns its value and whether it was given.
func (v *validation) str(params url.Values, f field) (string, bool) {
	vals, present := params[f.param]
	if !present {
		if f.required {
			v.fail(f, "", "not be null", false)
		}
		return "", false
	}
	value := vals[0]
	if f.re != nil && !f.re().MatchString(value) {
		v.fail(f, value, "satisfy regular expression pattern: "+f.pattern, true)
	}
	n := utf8.RuneCountInString(value)
	if f.min > 0 && n < f.min {
		v.fail(f, value, fmt.Sprintf("have length greater than or equal to %d", f.min), true)
	}
	if f.max > 0 && n > f.max {
		v.fail(f, value, fmt.Sprintf("have length less than or equal to %d", f.max), true)
	}
	return value, true
}

// duration checks DurationSeconds and returns it, or the default of one hour.
func (v *validation) duration(params url.Values) int {
	s, ok := params["DurationSeconds"]
	if !ok {
		return defaultDurationSeconds
	}
	f := field{member: "durationSeconds"}
	n, err := strconv.Atoi(s[0])
	switch {
	case err != nil:
		v.fail(f, s[0], "be an integer", true)
	case n < minDurationSeconds:
		v.fail(f, s[0], fmt.Sprintf("have value greater than or equal to %d", minDurationSeconds), true)
	case n > maxDurationSeconds:
		v.fail(f, s[0], fmt.Sprintf("have value less than or equal to %d", maxDurationSeconds), true)
	}
	return n
}

// err returns the ValidationError of the failures, or nil.
func (v validation) err() *apiError {
	switch len(v) {
	case 0:
		return nil
	case 1:
		return errValidation("1 validation error detected: " + v[0])
	default:
		return errValidation(fmt.Sprintf("%d validation errors detected: %s", len(v), strings.Join(v, "; ")))
	}
}

func errValidation(msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "ValidationError", Message: msg}
}
