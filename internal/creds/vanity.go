package creds

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ssocli/ssocli/internal/usererr"
)

// Start URL resolution of the AWS CLI ≥2.35 (awscli/customizations/sso/resolve.py
// of 2.36.7, followed line by line; its messages are kept word for word
// because scripts and people match them). A start URL on a host name AWS owns
// is used as it is; any other ("vanity") start URL is asked once, by HEAD
// (GET when HEAD is answered 405 or 501), where it redirects, and the
// redirect target, which must be on an AWS-owned host, gives the resolved
// start URL and the region.

// DefaultResolveTimeout is resolve.py's _DEFAULT_TIMEOUT: the wait for a
// vanity start URL when no --cli-connect-timeout applies (the configure
// wizards, or a connect timeout of 0).
const DefaultResolveTimeout = 10 * time.Second

// awsOwnedSuffixes and awsOwnedExact are resolve.py's _AWS_OWNED_SUFFIXES and
// _AWS_OWNED_EXACT.
var (
	awsOwnedSuffixes = []string{
		".app.aws",
		".portal.amazonaws.com",
		".portal.amazonaws.com.cn",
		".app.amazonwebservices.com.cn",
		".portal.amazonaws.eu",
		".api.amazonwebservices.eu",
		".awsapps.com",
		".awsapps.cn",
	}
	awsOwnedExact = []string{
		"identitycenter.amazonaws.com",
		"identitycenter.amazonaws.com.cn",
		"identitycenter.amazonaws.eu",
		"identitycenter.us-gov.amazonaws.com",
	}
)

// regionPatterns are resolve.py's _REGION_PATTERNS (re.IGNORECASE, applied to
// the lower-cased host), compiled on first use.
var regionPatterns = sync.OnceValue(func() []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, p := range []string{
		`^[^.]+\.portal\.([a-z0-9-]+)\.app\.aws$`,                        // {id}.portal.{region}.app.aws
		`^[^.]+\.([a-z0-9-]+)\.portal\.amazonaws\.com$`,                  // {id}.{region}.portal.amazonaws.com
		`^[^.]+\.([a-z0-9-]+)\.portal\.amazonaws\.com\.cn$`,              // {id}.{region}.portal.amazonaws.com.cn
		`^[^.]+\.portal\.([a-z0-9-]+)\.app\.amazonwebservices\.com\.cn$`, // {id}.portal.{region}.app.amazonwebservices.com.cn
		`^[^.]+\.([a-z0-9-]+)\.portal\.amazonaws\.eu$`,                   // {id}.{region}.portal.amazonaws.eu
		`^[^.]+\.portal\.([a-z0-9-]+)\.api\.amazonwebservices\.eu$`,      // {id}.portal.{region}.api.amazonwebservices.eu
	} {
		out = append(out, regexp.MustCompile(`(?i)`+p))
	}
	return out
})

// IsAWSOwnedHost is resolve.py's is_aws_owned_domain.
func IsAWSOwnedHost(host string) bool {
	host = strings.TrimRight(strings.ToLower(host), ".")
	for _, h := range awsOwnedExact {
		if host == h {
			return true
		}
	}
	for _, s := range awsOwnedSuffixes {
		if host == s[1:] || strings.HasSuffix(host, s) {
			return true
		}
	}
	return false
}

// regionFromHost is resolve.py's _extract_region_from_hostname.
func regionFromHost(host string) string {
	host = strings.TrimRight(strings.ToLower(host), ".")
	for _, re := range regionPatterns() {
		if m := re.FindStringSubmatch(host); m != nil {
			return m[1]
		}
	}
	return ""
}

// ResolveOptions are what ResolveStartURL needs.
type ResolveOptions struct {
	// HTTPClient makes the requests (the one of every AWS call: proxies, CA
	// bundle); its redirects are not followed.
	HTTPClient *http.Client
	// ConfiguredRegion is the sso_region of the configuration, "" when none.
	ConfiguredRegion string
	// Timeout bounds each request; zero means DefaultResolveTimeout.
	Timeout time.Duration
}

// ResolvedStartURL is where a start URL leads.
type ResolvedStartURL struct {
	// URL is the start URL to send to IAM Identity Center (startUrl of
	// StartDeviceAuthorization, issuerUrl of RegisterClient): the start URL
	// itself for an AWS-owned host, else the redirect target, normalised.
	URL string
	// Region is the region of the instance: from the redirect target's host
	// name, else the configured one.
	Region string
}

// Vanity reports whether the start URL was resolved to another URL.
func (r ResolvedStartURL) Vanity(startURL string) bool { return r.URL != startURL }

// CheckStartURLScheme refuses a start URL that is not https, with the AWS
// CLI's message (resolve.py: the first check of resolve_start_url).
func CheckStartURLScheme(startURL string) error {
	if startURLScheme(startURL) == "https" {
		return nil
	}
	return usererr.New(usererr.CodeConfig, "The sso_start_url must use the https scheme.").
		WithHint("set sso_start_url to the https:// address of your AWS access portal, e.g. https://d-1234567890.awsapps.com/start")
}

// startURLScheme is urlparse(u).scheme: the lower-cased letters before the
// first ':' when they form a scheme.
func startURLScheme(u string) string {
	i := strings.IndexByte(u, ':')
	if i <= 0 {
		return ""
	}
	s := u[:i]
	for j, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return ""
		}
	}
	return strings.ToLower(s)
}

// ResolveStartURL is resolve.py's resolve_start_url: the https check, then
// an AWS-owned start URL as it is (with the configured region, which it
// needs), else the redirect of the vanity start URL (at most one, by HEAD or
// GET), which must lead to an https URL on an AWS-owned host.
func ResolveStartURL(ctx context.Context, startURL string, o ResolveOptions) (ResolvedStartURL, error) {
	if err := CheckStartURLScheme(startURL); err != nil {
		return ResolvedStartURL{}, err
	}
	u, err := url.Parse(startURL)
	if err != nil || u.Hostname() == "" {
		return ResolvedStartURL{}, usererr.New(usererr.CodeConfig, fmt.Sprintf("Invalid sso_start_url: '%s'", startURL))
	}
	if IsAWSOwnedHost(u.Hostname()) {
		if o.ConfiguredRegion == "" {
			return ResolvedStartURL{}, usererr.New(usererr.CodeConfig, "Missing required configuration: sso_region. Please run 'aws configure sso' to set it.")
		}
		return ResolvedStartURL{URL: startURL, Region: o.ConfiguredRegion}, nil
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultResolveTimeout
	}
	final, err := followRedirect(ctx, o.HTTPClient, u, timeout)
	if err != nil {
		return ResolvedStartURL{}, err
	}
	resolved := normalizeURL(final)
	host := strings.ToLower(final.Hostname())
	if host == "" || !IsAWSOwnedHost(host) {
		return ResolvedStartURL{}, usererr.New(usererr.CodeConfig, fmt.Sprintf("Could not resolve start URL '%s' to an AWS-owned endpoint. Final URL: '%s'", startURL, resolved))
	}
	if !strings.EqualFold(final.Scheme, "https") {
		return ResolvedStartURL{}, usererr.New(usererr.CodeConfig, fmt.Sprintf("Resolved URL must use https. Got: '%s'", resolved))
	}
	region := regionFromHost(host)
	if region == "" {
		if o.ConfiguredRegion == "" {
			return ResolvedStartURL{}, usererr.New(usererr.CodeConfig, fmt.Sprintf("Cannot determine region from start URL '%s'. Please provide sso_region in your configuration.", startURL))
		}
		region = o.ConfiguredRegion
	}
	return ResolvedStartURL{URL: resolved, Region: region}, nil
}

// normalizeURL is resolve.py's _normalize_url: scheme, lower-case host, the
// port unless it is the scheme's default, and the path without trailing
// slashes; no query or fragment.
func normalizeURL(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	netloc := strings.ToLower(u.Hostname())
	if p, err := strconv.Atoi(u.Port()); err == nil && p != 0 && !(scheme == "https" && p == 443 || scheme == "http" && p == 80) {
		netloc += ":" + strconv.Itoa(p)
	}
	return (&url.URL{Scheme: scheme, Host: netloc, Path: strings.TrimRight(u.Path, "/")}).String()
}

// isRedirect reports whether resolve.py follows status (a switch, not a map:
// nothing to build when the package is initialised, on the credential path).
func isRedirect(status int) bool {
	switch status {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// followRedirect is resolve.py's _follow_redirect with _MAX_REDIRECTS = 1:
// one HEAD (a GET when HEAD gets 405 or 501); a 2xx answer keeps u, a
// redirect gives its Location (resolved against u), which is not asked in
// turn; anything else fails.
func followRedirect(ctx context.Context, hc *http.Client, u *url.URL, timeout time.Duration) (*url.URL, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	noFollow := *hc
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	status, location, err := askOnce(ctx, &noFollow, http.MethodHead, u, timeout)
	if err != nil {
		return nil, err
	}
	if status == http.StatusMethodNotAllowed || status == http.StatusNotImplemented {
		if status, location, err = askOnce(ctx, &noFollow, http.MethodGet, u, timeout); err != nil {
			return nil, err
		}
	}
	switch {
	case status >= 200 && status < 300:
		return u, nil
	case isRedirect(status):
		if location == "" {
			return nil, usererr.New(usererr.CodeConfig, "Redirect response missing Location header.")
		}
		next, err := u.Parse(location)
		if err != nil {
			return nil, usererr.Wrap(usererr.CodeConfig, fmt.Sprintf("Failed to resolve start URL: %v", err), err)
		}
		return next, nil
	}
	return nil, usererr.New(usererr.CodeConfig, fmt.Sprintf("Failed to resolve start URL: HTTP %d", status))
}

// askOnce sends one request to u and returns the status and Location.
func askOnce(parent context.Context, hc *http.Client, method string, u *url.URL, timeout time.Duration) (int, string, error) {
	var connected atomic.Bool
	trace := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { connected.Store(true) }}
	ctx, cancel := context.WithTimeout(httptrace.WithClientTrace(parent, trace), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return 0, "", usererr.Wrap(usererr.CodeConfig, fmt.Sprintf("Failed to resolve start URL: %v", err), err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		if parent.Err() != nil {
			return 0, "", parent.Err() // interrupted: the caller says so
		}
		if timedOut(err) && connected.Load() {
			// Python's urllib lets a timeout while reading the answer
			// through as socket.timeout, which the AWS CLI shows as it is
			// (exit 255); only a failure to connect is its URLError.
			return 0, "", usererr.Wrap(usererr.CodeOther, "The read operation timed out", err)
		}
		return 0, "", usererr.Wrap(usererr.CodeConfig, "Failed to resolve start URL: "+resolveReason(err), err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location"), nil
}

func timedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// resolveReason words why a request got no answer as Python's urllib does
// (URLError.reason) where the cause is the same, else as Go does.
func resolveReason(err error) string {
	if timedOut(err) {
		return "timed out"
	}
	var cr *connectRefused
	if errors.As(err, &cr) {
		return "Tunnel connection failed: " + cr.status
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		return getaddrinfoReason(de)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// getaddrinfoReason is urllib's reason for a name that did not resolve: the
// socket.gaierror of glibc's getaddrinfo, "[Errno <EAI_*>] <gai_strerror>".
// Go's resolver words its errors its own way ("no such host", "server
// misbehaving", a failed dial of the DNS server); a name that does not exist
// is EAI_NONAME, every other failure (no network, no DNS server answering)
// EAI_AGAIN, as glibc reports them. These are the Linux words on every
// system, where Python's differ by platform (macOS: "[Errno 8] nodename nor
// servname provided, or not known", Windows: "[Errno 11001] getaddrinfo
// failed"): the goldens are Linux's, and a script can rely on one text.
func getaddrinfoReason(de *net.DNSError) string {
	if de.IsNotFound {
		return "[Errno -2] Name or service not known"
	}
	return "[Errno -3] Temporary failure in name resolution"
}
