package creds

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/ssocli/ssocli/internal/usererr"
)

// HTTPOptions configures NewHTTPClient.
type HTTPOptions struct {
	Getenv   func(string) string
	CABundle string // AWS_CA_BUNDLE or the profile's ca_bundle: replaces the system roots, as botocore does
}

// NewHTTPClient builds the client for AWS calls: proxies from HTTPS_PROXY,
// HTTP_PROXY and NO_PROXY (either case), the CA bundle, and the AWS CLI's 60 s
// connect and read timeouts (spec §1.1).
func NewHTTPClient(o HTTPOptions) (*http.Client, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	either := func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return getenv(toLower(k))
	}
	proxy := proxyFunc(either("HTTP_PROXY"), either("HTTPS_PROXY"), either("NO_PROXY"))
	tr := &http.Transport{
		Proxy:                 proxy,
		DialContext:           (&net.Dialer{Timeout: 60 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   60 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		IdleConnTimeout:       30 * time.Second,
		MaxIdleConnsPerHost:   8,
		ForceAttemptHTTP2:     true,
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
	return &http.Client{Transport: tr}, nil
}

// proxyFunc chooses the proxy for a request the way Go's
// http.ProxyFromEnvironment does, from values given rather than read from the
// process: HTTPS_PROXY for https, HTTP_PROXY for http, none for loopback hosts
// or hosts NO_PROXY matches ("*", a host, or a domain suffix with or without a
// leading dot; ports are ignored).
func proxyFunc(httpProxy, httpsProxy, noProxy string) func(*http.Request) (*url.URL, error) {
	return func(r *http.Request) (*url.URL, error) {
		raw := httpProxy
		if r.URL.Scheme == "https" {
			raw = httpsProxy
		}
		if raw == "" {
			return nil, nil
		}
		host := toLower(r.URL.Hostname())
		if host == "localhost" || strings.HasSuffix(host, ".localhost") {
			return nil, nil
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return nil, nil
		}
		for _, e := range strings.Split(noProxy, ",") {
			e = toLower(strings.TrimSpace(e))
			if h, _, err := net.SplitHostPort(e); err == nil {
				e = h
			}
			e = strings.TrimPrefix(e, ".")
			if e == "" {
				continue
			}
			if e == "*" || host == e || strings.HasSuffix(host, "."+e) {
				return nil, nil
			}
		}
		if !strings.Contains(raw, "://") {
			raw = "http://" + raw
		}
		u, err := url.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("invalid proxy address %q: %w", raw, err)
		}
		return u, nil
	}
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func (m *Manager) httpClient() (*http.Client, error) {
	if m.HTTPClient == nil {
		return http.DefaultClient, nil
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
