package creds

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssocli/ssocli/internal/idc"
	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/usererr"
)

// TestIsAWSOwnedHost: resolve.py's allowlist, suffixes and exact names,
// case and a final dot aside; look-alikes are not AWS-owned.
func TestIsAWSOwnedHost(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"d-1234567890.awsapps.com":                      true,
		"MyOrg.AWSAPPS.com.":                            true,
		"awsapps.com":                                   true,
		"ssoins-1.portal.us-east-1.app.aws":             true,
		"x.portal.amazonaws.com.cn":                     true,
		"x.app.amazonwebservices.com.cn":                true,
		"x.portal.amazonaws.eu":                         true,
		"x.api.amazonwebservices.eu":                    true,
		"d-1.awsapps.cn":                                true,
		"identitycenter.amazonaws.com":                  true,
		"identitycenter.us-gov.amazonaws.com":           true,
		"identitycenter.amazonaws.eu":                   true,
		"x.identitycenter.amazonaws.com":                false,
		"sso.example.com":                               false,
		"evilawsapps.com":                               false,
		"awsapps.com.example.com":                       false,
		"ssoins-1.portal.us-east-1.app.aws.example.com": false,
		"oidc.us-east-1.amazonaws.com":                  false,
	} {
		if got := IsAWSOwnedHost(host); got != want {
			t.Errorf("IsAWSOwnedHost(%q) = %v, want %v", host, got, want)
		}
	}
}

// TestRegionFromHost: resolve.py's six host name patterns.
func TestRegionFromHost(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]string{
		"ssoins-1.portal.us-west-2.app.aws":                           "us-west-2",
		"SSOINS-1.PORTAL.EU-WEST-1.APP.AWS":                           "eu-west-1",
		"ssoins-1.ap-south-1.portal.amazonaws.com":                    "ap-south-1",
		"ssoins-1.cn-north-1.portal.amazonaws.com.cn":                 "cn-north-1",
		"ssoins-1.portal.cn-northwest-1.app.amazonwebservices.com.cn": "cn-northwest-1",
		"ssoins-1.eusc-de-east-1.portal.amazonaws.eu":                 "eusc-de-east-1",
		"ssoins-1.portal.eusc-de-east-1.api.amazonwebservices.eu":     "eusc-de-east-1",
		"d-1234567890.awsapps.com":                                    "",
		"a.b.portal.us-west-2.app.aws":                                "",
	} {
		if got := regionFromHost(host); got != want {
			t.Errorf("regionFromHost(%q) = %q, want %q", host, got, want)
		}
	}
}

// TestResolveStartURLOffline: what resolve_start_url decides without a
// request: the https check comes first, an AWS-owned URL is kept as it is
// (and needs a region), nothing is asked for either.
func TestResolveStartURLOffline(t *testing.T) {
	t.Parallel()
	noCalls := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL)
		return nil, context.Canceled
	})}
	for _, tc := range []struct {
		url, region string
		want        ResolvedStartURL
		err         string
	}{
		{"https://d-1234567890.awsapps.com/start/", "eu-west-1", ResolvedStartURL{"https://d-1234567890.awsapps.com/start/", "eu-west-1"}, ""},
		{"HTTPS://d-1234567890.awsapps.com/start", "eu-west-1", ResolvedStartURL{"HTTPS://d-1234567890.awsapps.com/start", "eu-west-1"}, ""},
		{"https://d-1234567890.awsapps.com/start", "", ResolvedStartURL{}, "Missing required configuration: sso_region. Please run 'aws configure sso' to set it."},
		{"http://d-1234567890.awsapps.com/start", "eu-west-1", ResolvedStartURL{}, "The sso_start_url must use the https scheme."},
		{"d-1234567890.awsapps.com/start", "eu-west-1", ResolvedStartURL{}, "The sso_start_url must use the https scheme."},
		{"https:///start", "eu-west-1", ResolvedStartURL{}, "Invalid sso_start_url: 'https:///start'"},
	} {
		got, err := ResolveStartURL(context.Background(), tc.url, ResolveOptions{HTTPClient: noCalls, ConfiguredRegion: tc.region})
		msg := ""
		if err != nil {
			msg = err.Error()
			if exitCode(err) != usererr.CodeConfig {
				t.Errorf("%s: exit code %d, want 253", tc.url, exitCode(err))
			}
		}
		if got != tc.want || msg != tc.err {
			t.Errorf("ResolveStartURL(%q, %q) = %+v, %q; want %+v, %q", tc.url, tc.region, got, msg, tc.want, tc.err)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestResolveTimeout: a vanity URL that does not answer in time fails as the
// AWS CLI 2.36.7 failed with --cli-connect-timeout 1 (its golden): the answer
// was not read in time, exit 255.
func TestResolveTimeout(t *testing.T) {
	t.Parallel()
	ts := idctest.NewServer(t, idctest.WithVanity(idc.VanityURL{URL: "https://sso.example.com/start", Delay: 10 * time.Second}))
	hc, err := NewHTTPClient(HTTPOptions{CABundle: ts.Server.CAFile(), Getenv: func(k string) string {
		if k == "HTTPS_PROXY" {
			return ts.URL
		}
		return ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join("..", "cli", "testdata", "awscli-2.36.7", "vanity", "timeout.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Code   int    `json:"code"`
		Stderr string `json:"stderr"`
	}
	if err := json.Unmarshal(b, &golden); err != nil {
		t.Fatal(err)
	}
	_, err = ResolveStartURL(context.Background(), "https://sso.example.com/start", ResolveOptions{HTTPClient: hc, ConfiguredRegion: "eu-west-1", Timeout: 300 * time.Millisecond})
	if err == nil {
		t.Fatal("resolved a vanity URL that never answers")
	}
	want := strings.TrimPrefix(strings.TrimSpace(golden.Stderr), "aws: [ERROR]: ")
	if err.Error() != want || exitCode(err) != golden.Code {
		t.Errorf("error %q (exit %d), want %q (exit %d)", err, exitCode(err), want, golden.Code)
	}
}

func exitCode(err error) int {
	if e := usererr.As(err); e != nil {
		return e.Code
	}
	return -1
}

// TestGetaddrinfoReason: a name that does not resolve is worded as Python's
// socket.gaierror on Linux, whatever Go's resolver said.
func TestGetaddrinfoReason(t *testing.T) {
	for _, tc := range []struct {
		err  *net.DNSError
		want string
	}{
		{&net.DNSError{Err: "no such host", Name: "x.example", IsNotFound: true}, "[Errno -2] Name or service not known"},
		{&net.DNSError{Err: "server misbehaving", Name: "x.example", IsTemporary: true}, "[Errno -3] Temporary failure in name resolution"},
		{&net.DNSError{Err: "dial udp [::1]:53: connect: connection refused", Name: "x.example"}, "[Errno -3] Temporary failure in name resolution"},
	} {
		err := &url.Error{Op: "Head", URL: "https://x.example/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: tc.err}}
		if got := resolveReason(err); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.err, got, tc.want)
		}
	}
}
