package idc_test

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/url"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/ssocli/ssocli/internal/idc/idctest"
)

// TestThroughProxy calls the OIDC API at its real host name through the
// server's CONNECT proxy, trusting only the server's CA: the way the AWS CLI
// 2.9.19 reaches it (spec §12). Nothing leaves the machine: the client dials
// only the loopback proxy.
func TestThroughProxy(t *testing.T) {
	t.Parallel()
	ts := idctest.NewServer(t, idctest.WithDataDir(""))
	pem, err := os.ReadFile(ts.Server.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("CA file holds no certificate")
	}
	proxyURL, _ := url.Parse(ts.URL)
	hc := ts.Client()
	tr := hc.Transport.(*http.Transport)
	tr.Proxy = http.ProxyURL(proxyURL)
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	c := ssooidc.NewFromConfig(aws.Config{Region: "us-east-1", HTTPClient: hc, RetryMaxAttempts: 1, Credentials: aws.AnonymousCredentials{}})
	reg, err := c.RegisterClient(t.Context(), &ssooidc.RegisterClientInput{ClientName: aws.String("p"), ClientType: aws.String("public")})
	if err != nil {
		t.Fatalf("RegisterClient through the proxy: %v", err)
	}
	if aws.ToString(reg.ClientId) == "" {
		t.Error("no client id")
	}
	if got := ts.Server.Counts()["RegisterClient"]; got != 1 {
		t.Errorf("RegisterClient count = %d, want 1", got)
	}
}
