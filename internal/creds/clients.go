package creds

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"golang.org/x/net/http/httpproxy"

	"github.com/ssocli/ssocli/internal/usererr"
)

// HTTPOptions configures NewHTTPClient.
type HTTPOptions struct {
	Getenv   func(string) string
	CABundle string // AWS_CA_BUNDLE or the profile's ca_bundle: replaces the system roots, as botocore does
	// ConnectTimeout and ReadTimeout are --cli-connect-timeout and
	// --cli-read-timeout: 0 is the AWS CLI's 60 s, NoTimeout none. The read
	// timeout bounds the wait for a response's headers.
	ConnectTimeout, ReadTimeout time.Duration
	// InsecureSkipVerify is --no-verify-ssl: certificates are not checked,
	// and WarnInsecure, when set, is called once for each host so called.
	InsecureSkipVerify bool
	WarnInsecure       func(host string)
}

// NoTimeout in HTTPOptions means no timeout (the AWS CLI's 0).
const NoTimeout time.Duration = -1

// defaultTimeout is the AWS CLI's connect and read timeout (spec §1.1).
const defaultTimeout = 60 * time.Second

func timeoutOr(d time.Duration) time.Duration {
	switch {
	case d == 0:
		return defaultTimeout
	case d < 0:
		return 0 // none, for net.Dialer and http.Transport
	}
	return d
}

// CheckCABundle refuses a CA bundle setting that is set but only white
// space, as botocore/endpoint.py _validate_verify_value does (2.36.6+)
// before any request.
func CheckCABundle(bundle string) error {
	if bundle != "" && strings.TrimSpace(bundle) == "" {
		return usererr.New(usererr.CodeOther, "Invalid CA bundle: the configured value (ca_bundle, AWS_CA_BUNDLE, REQUESTS_CA_BUNDLE, or verify) "+
			"resolved to an empty or whitespace-only string. Provide a valid path to a CA bundle file.")
	}
	return nil
}

// NewHTTPClient builds the client for AWS calls: proxies from HTTPS_PROXY,
// HTTP_PROXY and NO_PROXY (either case, see proxyFunc), the CA bundle, and the
// AWS CLI's 60 s connect and read timeouts (spec §1.1). A request that cannot
// get through its proxy fails with a *usererr.ProxyError naming the proxy.
func NewHTTPClient(o HTTPOptions) (*http.Client, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if o.InsecureSkipVerify {
		// --no-verify-ssl: botocore's verify=False, no bundle consulted.
		o.CABundle = ""
	}
	if err := CheckCABundle(o.CABundle); err != nil {
		return nil, err
	}
	proxy := proxyFunc(getenv)
	connect, read := timeoutOr(o.ConnectTimeout), timeoutOr(o.ReadTimeout)
	tr := &http.Transport{
		Proxy:                 func(r *http.Request) (*url.URL, error) { return proxy(r.URL) },
		DialContext:           (&net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   connect,
		ResponseHeaderTimeout: read,
		IdleConnTimeout:       30 * time.Second,
		MaxIdleConnsPerHost:   8,
		ForceAttemptHTTP2:     true,
		// Go returns only the status text of a refused CONNECT; keep it
		// typed, so that the proxy is named (W4).
		OnProxyConnectResponse: func(_ context.Context, proxyURL *url.URL, _ *http.Request, resp *http.Response) error {
			if resp.StatusCode != http.StatusOK {
				return &usererr.ProxyError{URL: maskProxyURL(proxyURL), Err: &connectRefused{status: resp.Status}}
			}
			return nil
		},
	}
	if o.CABundle != "" {
		pem, err := os.ReadFile(o.CABundle)
		if err != nil {
			return nil, usererr.Wrap(usererr.CodeOther, fmt.Sprintf("Unable to read the CA bundle %s: %v", o.CABundle, errors.Unwrap(err)), err).
				WithHint("fix AWS_CA_BUNDLE or the profile's ca_bundle so that it names a readable PEM file")
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, usererr.New(usererr.CodeOther, fmt.Sprintf("The CA bundle %s holds no PEM certificate.", o.CABundle)).
				WithHint("fix AWS_CA_BUNDLE or the profile's ca_bundle so that it names a PEM file")
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	var rt http.RoundTripper = &proxyErrors{base: tr, proxy: proxy}
	if o.InsecureSkipVerify {
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		tr.TLSClientConfig.InsecureSkipVerify = true
		if o.WarnInsecure != nil {
			rt = &insecureWarner{base: rt, warn: o.WarnInsecure, proxy: proxy}
		}
	}
	return &http.Client{Transport: rt}, nil
}

// insecureWarner calls warn once for each host of an https request, as
// urllib3 warns (through Python's warnings, once per message) for each
// unverified connection: the host connected to, which is the proxy's when
// the request goes through one (urllib3's conn.host of a tunnel).
type insecureWarner struct {
	base  http.RoundTripper
	warn  func(host string)
	proxy func(*url.URL) (*url.URL, error)
	mu    sync.Mutex
	seen  map[string]bool
}

func (w *insecureWarner) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme == "https" {
		host := r.URL.Hostname()
		if pu, err := w.proxy(r.URL); err == nil && pu != nil {
			host = pu.Hostname()
		}
		w.mu.Lock()
		first := !w.seen[host]
		if first {
			if w.seen == nil {
				w.seen = map[string]bool{}
			}
			w.seen[host] = true
		}
		w.mu.Unlock()
		if first {
			w.warn(host)
		}
	}
	return w.base.RoundTrip(r)
}

// connectRefused is a proxy's answer other than 200 to CONNECT.
type connectRefused struct{ status string }

func (e *connectRefused) Error() string { return "the proxy answered CONNECT with " + e.status }

// proxyFunc chooses the proxy of a request from the environment given (not
// the process's) by Go's rules, golang.org/x/net/http/httpproxy, the code
// behind http.ProxyFromEnvironment: HTTPS_PROXY for https, HTTP_PROXY for
// http (upper case first, then lower), a value without a scheme meaning
// http://; never for localhost or a loopback address; and none for a host
// NO_PROXY matches: "*", a host or domain and its subdomains ("example.com"),
// subdomains only (".example.com"), an IP address or CIDR range, each
// optionally with a port. botocore (Python's proxy_bypass_environment) takes
// no CIDR ranges and lets ".example.com" match example.com itself.
func proxyFunc(getenv func(string) string) func(*url.URL) (*url.URL, error) {
	either := func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return getenv(strings.ToLower(k))
	}
	cfg := httpproxy.Config{HTTPProxy: either("HTTP_PROXY"), HTTPSProxy: either("HTTPS_PROXY"), NoProxy: either("NO_PROXY")}
	return cfg.ProxyFunc()
}

// proxyErrors marks the failures of requests that never got through their
// proxy: a proxy that cannot be reached, refuses the tunnel, closes it or
// answers garbage before the endpoint was reached. botocore says "Failed to
// connect to proxy URL" for these; Go's errors do not say the proxy was to
// blame.
type proxyErrors struct {
	base  http.RoundTripper
	proxy func(*url.URL) (*url.URL, error)
}

func (p *proxyErrors) RoundTrip(r *http.Request) (*http.Response, error) {
	pu, perr := p.proxy(r.URL)
	if perr != nil || pu == nil {
		return p.base.RoundTrip(r)
	}
	var connected atomic.Bool
	r = r.WithContext(httptrace.WithClientTrace(r.Context(), &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { connected.Store(true) },
	}))
	resp, err := p.base.RoundTrip(r)
	var pe *usererr.ProxyError
	if err == nil || connected.Load() || r.Context().Err() != nil || errors.As(err, &pe) || isCertError(err) {
		return resp, err
	}
	return nil, &usererr.ProxyError{URL: maskProxyURL(pu), Err: err}
}

// isCertError reports a certificate the endpoint (through the tunnel) or the
// proxy presented that does not verify: that is said as such, not as a proxy
// failure.
func isCertError(err error) bool {
	var (
		unknownCA *x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		verify    *tls.CertificateVerificationError
	)
	return errors.As(err, &unknownCA) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verify)
}

// maskProxyURL is the proxy URL with its user name and password replaced by
// "***", as botocore's mask_proxy_url prints it.
func maskProxyURL(u *url.URL) string {
	c := *u
	c.User = nil
	s := c.String()
	if u.User == nil {
		return s
	}
	mask := "***"
	if _, ok := u.User.Password(); ok {
		mask += ":***"
	}
	scheme, rest, _ := strings.Cut(s, "://")
	return scheme + "://" + mask + "@" + rest
}

// httpClient returns the client for AWS calls: Manager.HTTPClient's, or one
// built from the process's environment with the AWS CLI's timeouts.
func (m *Manager) httpClient() (*http.Client, error) {
	if m.HTTPClient == nil {
		return NewHTTPClient(HTTPOptions{})
	}
	return m.HTTPClient()
}

// clientConfig is what the OIDC and portal clients share: the sso_region,
// the HTTP client, the AWS CLI's retry settings (standard mode, 3 attempts),
// no credentials (every SSO call is unsigned, spec §2.2 and §9.2), and the
// endpoint override when there is one.
func (m *Manager) clientConfig(region, endpoint string) (aws.Config, error) {
	hc, err := m.httpClient()
	if err != nil {
		return aws.Config{}, err
	}
	cfg := aws.Config{
		Region:           region,
		HTTPClient:       hc,
		RetryMaxAttempts: 3,
		RetryMode:        aws.RetryModeStandard,
		Credentials:      aws.AnonymousCredentials{},
	}
	if endpoint != "" {
		cfg.BaseEndpoint = aws.String(endpoint)
	}
	return cfg, nil
}

// OIDCClient returns an SSO OIDC client for the target's region and endpoint.
func (m *Manager) OIDCClient(t *Target) (*ssooidc.Client, error) {
	cfg, err := m.clientConfig(t.Region, t.OIDCEndpoint)
	if err != nil {
		return nil, err
	}
	fips, dual := t.endpointVariants(t.OIDCEndpoint)
	return ssooidc.NewFromConfig(cfg, func(o *ssooidc.Options) {
		o.EndpointOptions.UseFIPSEndpoint, o.EndpointOptions.UseDualStackEndpoint = fips, dual
	}), nil
}

// PortalClient returns an SSO portal client for the target's region and endpoint.
func (m *Manager) PortalClient(t *Target) (*sso.Client, error) {
	cfg, err := m.clientConfig(t.Region, t.PortalEndpoint)
	if err != nil {
		return nil, err
	}
	fips, dual := t.endpointVariants(t.PortalEndpoint)
	return sso.NewFromConfig(cfg, func(o *sso.Options) {
		o.EndpointOptions.UseFIPSEndpoint, o.EndpointOptions.UseDualStackEndpoint = fips, dual
	}), nil
}

// endpointVariants are the SDK's FIPS and dual-stack settings for the
// target's OIDC and portal clients; off when an endpoint is configured (the
// SDK refuses FIPS with a custom endpoint; botocore ignores it then).
func (t *Target) endpointVariants(endpoint string) (aws.FIPSEndpointState, aws.DualStackEndpointState) {
	fips, dual := aws.FIPSEndpointStateUnset, aws.DualStackEndpointStateUnset
	if endpoint != "" {
		return fips, dual
	}
	if t.UseFIPS {
		fips = aws.FIPSEndpointStateEnabled
	}
	if t.UseDualStack {
		dual = aws.DualStackEndpointStateEnabled
	}
	return fips, dual
}

// AuthorizeEndpoint is the /authorize URL of the target's OIDC endpoint
// (spec §2.3): the configured endpoint, else the one the SDK's endpoint rules
// give for the region and the FIPS and dual-stack settings.
func (t *Target) AuthorizeEndpoint() string {
	base := t.OIDCEndpoint
	if base == "" {
		// RegisterClient resolved the same parameters before any login gets
		// here, so an error cannot happen in practice; "" makes the flow fail.
		e, err := ssooidc.NewDefaultEndpointResolverV2().ResolveEndpoint(context.Background(), ssooidc.EndpointParameters{
			Region: aws.String(t.Region), UseFIPS: aws.Bool(t.UseFIPS), UseDualStack: aws.Bool(t.UseDualStack)})
		if err != nil {
			return ""
		}
		base = e.URI.String()
	}
	for len(base) > 0 && base[len(base)-1] == '/' {
		base = base[:len(base)-1]
	}
	return base + "/authorize"
}
