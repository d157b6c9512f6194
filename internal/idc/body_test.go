package idc_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	oidctypes "github.com/aws/aws-sdk-go-v2/service/ssooidc/types"

	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
)

// TestBodyTooLarge: a body over the bound is refused as too large, in each
// service's own shape, not as invalid JSON or as a wrong signature.
func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	clk := newClock()
	ts := idctest.NewServer(t, idctest.WithAutoApprove("alice"), idctest.WithNow(clk.Now))
	c := newClients(ts)
	ctx := t.Context()
	big := strings.Repeat("x", 100<<10)

	t.Run("oidc", func(t *testing.T) {
		_, err := c.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String(big), ClientType: aws.String("public")})
		var ir *oidctypes.InvalidRequestException
		var re interface{ HTTPStatusCode() int }
		if !errors.As(err, &ir) || !strings.Contains(aws.ToString(ir.Error_description), "too large") {
			t.Errorf("RegisterClient with a 100 KiB name: %v, want InvalidRequestException saying the body is too large", err)
		}
		if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusRequestEntityTooLarge {
			t.Errorf("RegisterClient with a 100 KiB name: %v, want status 413", err)
		}
		// Just under the bound is read (and refused for what it says).
		_, err = c.oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String(big[:60<<10]), ClientType: aws.String("other")})
		if got := errCode(err); got != "InvalidClientMetadataException" {
			t.Errorf("RegisterClient with a 60 KiB name: %q, want InvalidClientMetadataException", got)
		}
	})

	t.Run("sts signed", func(t *testing.T) {
		_, tok := login(t, c, clk, []string{"sso:account:access"})
		rc, err := c.sso.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: tok.AccessToken, AccountId: aws.String(directory.DemoDevAccount), RoleName: aws.String("ReadOnly")})
		if err != nil {
			t.Fatal(err)
		}
		body := "Action=GetCallerIdentity&Version=2011-06-15&Pad=" + strings.Repeat("p", 1<<20)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		sum := sha256.Sum256([]byte(body))
		cr := rc.RoleCredentials
		if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: aws.ToString(cr.AccessKeyId), SecretAccessKey: aws.ToString(cr.SecretAccessKey), SessionToken: aws.ToString(cr.SessionToken)},
			req, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var e struct {
			Code    string `xml:"Error>Code"`
			Message string `xml:"Error>Message"`
		}
		if err := xml.NewDecoder(resp.Body).Decode(&e); err != nil {
			t.Fatalf("not an STS error document: %v", err)
		}
		if resp.StatusCode != http.StatusRequestEntityTooLarge || e.Code != "RequestEntityTooLarge" || !strings.Contains(e.Message, "too large") {
			t.Errorf("signed 1 MiB STS body: %d %s %q, want 413 RequestEntityTooLarge", resp.StatusCode, e.Code, e.Message)
		}
	})

	t.Run("pages", func(t *testing.T) {
		resp, err := ts.Client().PostForm(ts.URL+"/login", url.Values{"username": {big}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "Request too large") {
			t.Errorf("100 KiB sign-in form: status %d, want 413 with a page saying so", resp.StatusCode)
		}
	})
}
