package creds

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/usererr"
)

func transportOf(t *testing.T, hc *http.Client) *http.Transport {
	t.Helper()
	rt := hc.Transport
	if w, ok := rt.(*insecureWarner); ok {
		rt = w.base
	}
	pe, ok := rt.(*proxyErrors)
	if !ok {
		t.Fatalf("transport %T, want the one NewHTTPClient builds", hc.Transport)
	}
	return pe.base.(*http.Transport)
}

// TestHTTPTimeouts: --cli-connect-timeout and --cli-read-timeout reach the
// transport; 0 (NoTimeout) is none, as in the AWS CLI.
func TestHTTPTimeouts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		connect, read         time.Duration
		wantConnect, wantRead time.Duration
	}{
		{0, 0, 60 * time.Second, 60 * time.Second},
		{5 * time.Second, 7 * time.Second, 5 * time.Second, 7 * time.Second},
		{NoTimeout, NoTimeout, 0, 0},
	} {
		hc, err := NewHTTPClient(HTTPOptions{ConnectTimeout: tc.connect, ReadTimeout: tc.read})
		if err != nil {
			t.Fatal(err)
		}
		tr := transportOf(t, hc)
		if tr.TLSHandshakeTimeout != tc.wantConnect || tr.ResponseHeaderTimeout != tc.wantRead {
			t.Errorf("options %v/%v: TLS handshake %v, response header %v; want %v and %v",
				tc.connect, tc.read, tr.TLSHandshakeTimeout, tr.ResponseHeaderTimeout, tc.wantConnect, tc.wantRead)
		}
	}
}

// TestInsecureSkipVerify: --no-verify-ssl calls an endpoint whose
// certificate the client does not trust (the CA bundle is not consulted),
// and warns once for each host connected to (here the proxy, as urllib3).
func TestInsecureSkipVerify(t *testing.T) {
	t.Parallel()
	ts := idctest.NewServer(t, idctest.WithDataDir(""))
	var warned []string
	hc, err := NewHTTPClient(HTTPOptions{
		Getenv: func(k string) string {
			if k == "HTTPS_PROXY" {
				return ts.URL
			}
			return ""
		},
		CABundle:           "/nonexistent/bundle.pem",
		InsecureSkipVerify: true,
		WarnInsecure:       func(host string) { warned = append(warned, host) },
	})
	if err != nil {
		t.Fatal(err)
	}
	m := &Manager{HTTPClient: func() (*http.Client, error) { return hc, nil }}
	api, err := m.PortalClient(&Target{Region: ts.Region})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		_, err = api.ListAccounts(context.Background(), &sso.ListAccountsInput{AccessToken: aws.String("not-a-token")})
		if usererr.APICode(err) != "UnauthorizedException" {
			t.Fatalf("with an untrusted certificate and --no-verify-ssl: %v, want the portal's UnauthorizedException", usererr.FromAPI(err))
		}
	}
	proxy, err := url.Parse(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{proxy.Hostname()}, warned); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

// TestWhitespaceCABundle: a CA bundle of spaces is the AWS CLI 2.36.6's
// configuration error, not a file that cannot be read.
func TestWhitespaceCABundle(t *testing.T) {
	t.Parallel()
	_, err := NewHTTPClient(HTTPOptions{CABundle: " \t"})
	u := usererr.As(err)
	want := "Invalid CA bundle: the configured value (ca_bundle, AWS_CA_BUNDLE, REQUESTS_CA_BUNDLE, or verify) resolved to an empty or whitespace-only string. Provide a valid path to a CA bundle file."
	if u == nil || u.Msg != want || u.Code != usererr.CodeOther {
		t.Errorf("error %v, want exit 255 and %q", err, want)
	}
	if _, err := NewHTTPClient(HTTPOptions{CABundle: " x "}); err == nil || strings.Contains(err.Error(), "Invalid CA bundle") {
		t.Errorf("a bundle named with spaces around: %v, want it read (and fail as missing)", err)
	}
}
