package sts

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestAssumeRoleResponseBytes pins the XML of the two answers: the elements
// the real service sends, in its namespace, without PackedPolicySize and
// SourceIdentity, and an Expiration in whole seconds.
func TestAssumeRoleResponseBytes(t *testing.T) {
	t.Parallel()
	c := Credential{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "secret", SessionToken: "token",
		Expiration: time.Date(2019, 11, 9, 13, 34, 41, 0, time.UTC), AccountID: "123456789012", RoleName: "demo", RoleID: "AROAEXAMPLE", UserName: "John"}
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"AssumeRole", assumeRoleResponse{
			Result:   assumeRoleResult{AssumedRoleUser: assumedUserOf(c), Credentials: credentialsOf(c)},
			Metadata: responseMetadata{RequestID: "req-1"},
		}, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/John</Arn>
      <AssumedRoleId>AROAEXAMPLE:John</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
      <SecretAccessKey>secret</SecretAccessKey>
      <SessionToken>token</SessionToken>
      <Expiration>2019-11-09T13:34:41Z</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>req-1</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
`},
		{"AssumeRoleWithWebIdentity", assumeRoleWithWebIdentityResponse{
			Result: assumeRoleWithWebIdentityResult{Credentials: credentialsOf(c), SubjectFromWebIdentityToken: "sub-1", AssumedRoleUser: assumedUserOf(c),
				Provider: "arn:aws:iam::123456789012:oidc-provider/token.example.com", Audience: "sts.amazonaws.com"},
			Metadata: responseMetadata{RequestID: "req-2"},
		}, `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <Credentials>
      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
      <SecretAccessKey>secret</SecretAccessKey>
      <SessionToken>token</SessionToken>
      <Expiration>2019-11-09T13:34:41Z</Expiration>
    </Credentials>
    <SubjectFromWebIdentityToken>sub-1</SubjectFromWebIdentityToken>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/John</Arn>
      <AssumedRoleId>AROAEXAMPLE:John</AssumedRoleId>
    </AssumedRoleUser>
    <Provider>arn:aws:iam::123456789012:oidc-provider/token.example.com</Provider>
    <Audience>sts.amazonaws.com</Audience>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>req-2</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			writeXML(rec, http.StatusOK, tt.v)
			if diff := cmp.Diff(tt.want, rec.Body.String()); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

// TestServerFaultIsReceiver checks that the server's own failures are
// answered as the real service answers them (Type Receiver, status 500),
// such as a store that cannot record issued credentials.
func TestServerFaultIsReceiver(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	writeError(rec, "req", errInternal(nil))
	want := `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Receiver</Type>
    <Code>InternalFailure</Code>
    <Message>The request processing has failed because of an unknown error, exception or failure.</Message>
  </Error>
  <RequestId>req</RequestId>
</ErrorResponse>
`
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500", rec.Code)
	}
	if diff := cmp.Diff(want, rec.Body.String()); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}
