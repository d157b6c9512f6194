// Package webconsole signs role credentials in to the AWS Management Console
// through the AWS sign-in federation endpoint, as the IAM guide "Enable
// custom identity broker access to the AWS console" describes: a
// getSigninToken request with the credentials as the Session JSON, then a
// login URL that carries the sign-in token, an issuer and the destination
// page. It knows the sign-in and console host names of each partition (aws,
// aws-cn, aws-us-gov) and the SessionDuration bounds of the service.
//
// The federation endpoint is not an SDK operation (no AWS SDK has a client
// for it), so the two requests are written here by hand. The package never
// prints or logs: the sign-in token and the login URL are secrets (anyone who
// opens the URL within 15 minutes is signed in), and it returns typed errors
// that the caller words.
package webconsole

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// SessionDuration bounds of the federation endpoint for AssumeRole*
// credentials (IAM Identity Center role credentials are of that kind).
const (
	MinSessionDuration = 15 * time.Minute
	MaxSessionDuration = 12 * time.Hour
)

// Issuer is the Issuer of ssocli's login URLs.
const Issuer = "ssocli"

// Partition is what console sign-in needs to know of an AWS partition.
type Partition struct {
	ID string // aws, aws-cn, aws-us-gov
	// SigninHost serves the federation endpoint.
	SigninHost string
	// ConsoleHost is the console's host name; Regional says that the
	// console has a host per region (<region>.<ConsoleHost>).
	ConsoleHost string
	Regional    bool
}

var (
	partitionAWS   = Partition{ID: "aws", SigninHost: "signin.aws.amazon.com", ConsoleHost: "console.aws.amazon.com", Regional: true}
	partitionChina = Partition{ID: "aws-cn", SigninHost: "signin.amazonaws.cn", ConsoleHost: "console.amazonaws.cn"}
	partitionGov   = Partition{ID: "aws-us-gov", SigninHost: "signin.amazonaws-us-gov.com", ConsoleHost: "console.amazonaws-us-gov.com"}
)

// PartitionOf returns the partition of a region by its name, as the SDKs'
// partition table matches them (cn-*, us-gov-*, and the commercial
// partition for everything else, including no region).
func PartitionOf(region string) Partition {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return partitionChina
	case strings.HasPrefix(region, "us-gov-"):
		return partitionGov
	default:
		return partitionAWS
	}
}

// Credentials are the temporary credentials to sign in with.
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
}

// Client talks to the federation endpoint.
type Client struct {
	HTTPClient *http.Client
	// Endpoint replaces https://<signin host> (an endpoint override, e.g.
	// the local Identity Center); "" means the partition's sign-in host.
	Endpoint string
	// Region chooses the partition when Endpoint is "".
	Region string
}

// FederationURL is the federation endpoint the client uses.
func (c *Client) FederationURL() string {
	if c.Endpoint != "" {
		return strings.TrimSuffix(c.Endpoint, "/") + "/federation"
	}
	return "https://" + PartitionOf(c.Region).SigninHost + "/federation"
}

// ErrRefused is what the federation endpoint's refusals wrap.
var ErrRefused = errors.New("the sign-in federation endpoint refused the request")

// RefusedError is a non-200 answer of the federation endpoint. Message is the
// first line of its body, at most 200 characters, as the service wrote it
// (it never holds the credentials).
type RefusedError struct {
	Status  int
	Message string
}

func (e *RefusedError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("%v (HTTP %d)", ErrRefused, e.Status)
	}
	return fmt.Sprintf("%v (HTTP %d: %s)", ErrRefused, e.Status, e.Message)
}

func (e *RefusedError) Unwrap() error { return ErrRefused }

// SigninToken asks the federation endpoint for a sign-in token for creds.
// duration, when not zero, is sent as SessionDuration (the caller checks it
// with CheckSessionDuration first). The token is a secret.
func (c *Client) SigninToken(ctx context.Context, creds Credentials, duration time.Duration) (string, error) {
	session, err := json.Marshal(map[string]string{
		"sessionId":    creds.AccessKeyID,
		"sessionKey":   creds.SecretAccessKey,
		"sessionToken": creds.SessionToken,
	})
	if err != nil {
		return "", fmt.Errorf("encode the session: %w", err)
	}
	q := url.Values{"Action": {"getSigninToken"}, "Session": {string(session)}}
	if duration > 0 {
		q.Set("SessionDuration", strconv.Itoa(int(duration/time.Second)))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.FederationURL()+"?"+q.Encode(), nil)
	if err != nil {
		return "", fmt.Errorf("build the getSigninToken request: %w", err)
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		// The URL holds the credentials: never let it into the error.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", fmt.Errorf("reach the sign-in federation endpoint %s: %w", c.FederationURL(), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("read the answer of %s: %w", c.FederationURL(), err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", &RefusedError{Status: resp.StatusCode, Message: firstLine(body)}
	}
	var out struct{ SigninToken string }
	if err := json.Unmarshal(body, &out); err != nil || out.SigninToken == "" {
		return "", fmt.Errorf("the sign-in federation endpoint %s answered without a SigninToken", c.FederationURL())
	}
	return out.SigninToken, nil
}

// LoginURL is the URL that signs a browser in with token and takes it to
// destination. It holds the token: a secret for 15 minutes.
func (c *Client) LoginURL(token, destination string) string {
	q := url.Values{"Action": {"login"}, "Issuer": {Issuer}, "Destination": {destination}, "SigninToken": {token}}
	return c.FederationURL() + "?" + q.Encode()
}

// ValidService reports whether name can be a console service's path
// segment (ec2, s3, cloudformation, ...): 1 to 63 lower-case letters,
// digits and inner hyphens.
func ValidService(name string) bool {
	if len(name) == 0 || len(name) > 63 || name[0] == '-' {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Destination is the console page for service ("" for the console home) in
// region: https://<region>.console.aws.amazon.com/<service>/home?region=R
// in the commercial partition, the partition's one console host elsewhere.
// With an endpoint override the page is under <endpoint>/console/, where the
// local Identity Center (ssocli serve) has its console page.
func (c *Client) Destination(service string) string {
	path := "/console/home"
	if service != "" {
		path = "/" + service + "/home"
	}
	var base string
	switch p := PartitionOf(c.Region); {
	case c.Endpoint != "":
		base = strings.TrimSuffix(c.Endpoint, "/")
		if service != "" {
			path = "/console" + path
		}
	case p.Regional && c.Region != "":
		base = "https://" + c.Region + "." + p.ConsoleHost
	default:
		base = "https://" + p.ConsoleHost
	}
	if c.Region != "" {
		return base + path + "?region=" + url.QueryEscape(c.Region)
	}
	return base + path
}

// ErrDurationWithChaining: AWS refuses a SessionDuration with credentials
// from role chaining (AssumeRole called with temporary credentials).
var ErrDurationWithChaining = errors.New("a console session duration cannot be asked for with credentials from role chaining")

// ErrDurationRange: SessionDuration is outside 15 minutes to 12 hours.
var ErrDurationRange = errors.New("the console session duration must be from 15 minutes to 12 hours")

// CheckSessionDuration checks a SessionDuration before it is sent: within
// the service's bounds, in whole seconds, and not with role-chained
// credentials.
func CheckSessionDuration(d time.Duration, chained bool) error {
	if d == 0 {
		return nil
	}
	if chained {
		return ErrDurationWithChaining
	}
	if d < MinSessionDuration || d > MaxSessionDuration {
		return ErrDurationRange
	}
	return nil
}

func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
