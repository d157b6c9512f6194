package ssocache

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/google/go-cmp/cmp"
)

// fakeOIDC answers the SDK's refresh CreateToken call without any network.
type fakeOIDC struct{ calls int }

func (f *fakeOIDC) CreateToken(_ context.Context, in *ssooidc.CreateTokenInput, _ ...func(*ssooidc.Options)) (*ssooidc.CreateTokenOutput, error) {
	f.calls++
	return &ssooidc.CreateTokenOutput{
		AccessToken:  aws.String("fake-access-token-sdk"),
		ExpiresIn:    3600,
		RefreshToken: aws.String("fake-refresh-token-sdk"),
	}, nil
}

// TestGoSDKReadsOurToken: aws-sdk-go-v2's SSO token provider, which Go programs
// use with sso-session profiles, accepts a token file we wrote.
func TestGoSDKReadsOurToken(t *testing.T) {
	t.Parallel()
	path := TokenPath(t.TempDir(), "my-sso", "")
	tok := &Token{
		StartURL: "https://example.awsapps.com/start?x=<&>", Region: "us-east-1",
		AccessToken: "fake-access-token", ExpiresAt: date("2044-04-04T07:00:01Z"),
		ClientID: "fake-client-id", ClientSecret: "fake-client-secret",
		RegistrationExpiresAt: date("2044-04-04T07:00:01Z"), RefreshToken: "fake-refresh-token",
	}
	if err := WriteToken(path, tok); err != nil {
		t.Fatal(err)
	}
	client := &fakeOIDC{}
	got, err := ssocreds.NewSSOTokenProvider(client, path).RetrieveBearerToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.Value != tok.AccessToken || !got.Expires.Equal(tok.ExpiresAt) || client.calls != 0 {
		t.Errorf("SDK read token %s expiring %v after %d refreshes, want %s expiring %v and none",
			redact(got.Value), got.Expires, client.calls, redact(tok.AccessToken), tok.ExpiresAt)
	}
}

// TestReadTokenTheGoSDKRefreshed: an expired token of ours is refreshed and
// rewritten by the Go SDK (its own format: sorted keys, Go escapes, trailing
// newline, our keys it does not know kept); we read that back, and the SDK reads
// our rewrite of it.
func TestReadTokenTheGoSDKRefreshed(t *testing.T) {
	t.Parallel()
	path := TokenPath(t.TempDir(), "my-sso", "")
	old := &Token{
		StartURL: "https://example.awsapps.com/start?x=<&>", Region: "us-east-1",
		AccessToken: "fake-access-token-old", ExpiresAt: date("2020-01-01T00:00:00Z"),
		ClientID: "fake-client-id", ClientSecret: "fake-client-secret",
		RegistrationExpiresAt: date("2044-04-04T07:00:01Z"), RefreshToken: "fake-refresh-token-old",
		extra: []member{{"receivedAt", []byte(`"2019-12-31T23:00:00Z"`)}},
	}
	if err := WriteToken(path, old); err != nil {
		t.Fatal(err)
	}
	client := &fakeOIDC{}
	if _, err := ssocreds.NewSSOTokenProvider(client, path).RetrieveBearerToken(context.Background()); err != nil {
		t.Fatal(err)
	}
	if client.calls != 1 {
		t.Fatalf("SDK made %d refresh calls, want 1", client.calls)
	}
	if string(mustRead(t, path)) == string(old.Marshal()) {
		t.Fatal("the SDK did not rewrite the file")
	}

	got, err := ReadToken(path)
	if err != nil {
		t.Fatal(err)
	}
	if !got.ExpiresAt.After(old.ExpiresAt) {
		t.Errorf("ExpiresAt %v not after the old %v", got.ExpiresAt, old.ExpiresAt)
	}
	want := *old
	want.AccessToken, want.RefreshToken, want.ExpiresAt = "fake-access-token-sdk", "fake-refresh-token-sdk", got.ExpiresAt
	if d := cmp.Diff(&want, got, cmpOpts); d != "" {
		t.Errorf("token after the SDK's refresh (-want +got):\n%s", d)
	}

	// Our rewrite is back in the AWS CLI's format and still good for the SDK.
	if err := WriteToken(path, got); err != nil {
		t.Fatal(err)
	}
	if d := diffBytes(mustRead(t, path), want.Marshal()); d != "" {
		t.Error(d)
	}
	bt, err := ssocreds.NewSSOTokenProvider(client, path).RetrieveBearerToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if bt.Value != "fake-access-token-sdk" || client.calls != 1 {
		t.Errorf("SDK read %s after %d calls, want the refreshed token and no new call", redact(bt.Value), client.calls)
	}
}
