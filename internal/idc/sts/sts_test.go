package sts

import (
	stdcmp "cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

// mapLookup is a Lookup over a fixed set of credentials.
type mapLookup map[string]Credential

func (m mapLookup) LookupCredential(id, _ string) (Credential, bool) {
	c, ok := m[id]
	return c, ok
}

// Test credentials: fake values of the right shape, never real ones.
const (
	testKeyID  = "ASIAEXAMPLEKEY00001"
	testSecret = "test-secret-access-key-000000000000000"
	testToken  = "test-session-token-0001"
)

func testCredential(expires time.Time) Credential {
	return Credential{
		AccessKeyID:     testKeyID,
		SecretAccessKey: testSecret,
		SessionToken:    testToken,
		Expiration:      expires,
		AccountID:       "111122223333",
		RoleName:        "AWSReservedSSO_ReadOnly_0123456789abcdef",
		RoleID:          "AROAEXAMPLEROLEID0001",
		UserName:        "alice",
	}
}

const wantArn = "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_ReadOnly_0123456789abcdef/alice"

func TestSDKClientGetsIdentity(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(&Handler{
		Lookup: mapLookup{testKeyID: testCredential(time.Now().Add(time.Hour))},
		Now:    time.Now, // the SDK signs with the wall clock and cannot be given another
		Logger: slog.New(slog.DiscardHandler),
	})
	t.Cleanup(srv.Close)

	tests := []struct {
		name     string
		secret   string
		token    string
		wantCode string // "" for success
	}{
		{name: "issued credentials", secret: testSecret, token: testToken},
		{name: "other secret", secret: "another-secret-of-the-same-length-0000", token: testToken, wantCode: "SignatureDoesNotMatch"},
		{name: "other session token", secret: testSecret, token: "another-token", wantCode: "InvalidClientTokenId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client := awssts.NewFromConfig(aws.Config{
				Region:      "us-east-1",
				Credentials: credentials.NewStaticCredentialsProvider(testKeyID, tt.secret, tt.token),
				HTTPClient:  srv.Client(),
			}, func(o *awssts.Options) {
				o.BaseEndpoint = aws.String(srv.URL)
				o.RetryMaxAttempts = 1
			})
			out, err := client.GetCallerIdentity(context.Background(), &awssts.GetCallerIdentityInput{})
			if tt.wantCode != "" {
				var apiErr smithy.APIError
				if !errors.As(err, &apiErr) {
					t.Fatalf("GetCallerIdentity error = %v, want API error %s", err, tt.wantCode)
				}
				if diff := cmp.Diff(tt.wantCode, apiErr.ErrorCode()); diff != "" {
					t.Errorf("error code (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("GetCallerIdentity: %v", err)
			}
			got := map[string]string{"Account": aws.ToString(out.Account), "Arn": aws.ToString(out.Arn), "UserId": aws.ToString(out.UserId)}
			want := map[string]string{"Account": "111122223333", "Arn": wantArn, "UserId": "AROAEXAMPLEROLEID0001:alice"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("identity (-want +got):\n%s", diff)
			}
		})
	}
}

// t0 is the server's clock in the signed-request table.
var t0 = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

const queryBody = "Action=GetCallerIdentity&Version=2011-06-15"

// signing says how to sign one request of the table.
type signing struct {
	keyID, secret, token string
	at                   time.Time
	host, region         string // the Host signed and sent, and the scope's region; "" for the server's and us-east-1
}

var validSigning = signing{keyID: testKeyID, secret: testSecret, token: testToken, at: t0}

// newSignedRequest builds a request the way aws-sdk-go-v2 does for STS and
// signs it with the SDK's signer.
func newSignedRequest(t *testing.T, baseURL, method, body string, s signing) *http.Request {
	t.Helper()
	target := baseURL + "/"
	var rd io.Reader
	if method == http.MethodGet {
		target += "?" + body
		body = ""
	} else {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if s.host != "" {
		req.Host = s.host
	}
	region := stdcmp.Or(s.region, "us-east-1")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: s.keyID, SecretAccessKey: s.secret, SessionToken: s.token},
		req, hex.EncodeToString(sum[:]), "sts", region, s.at); err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "unsigned-agent/1.0") // not signed, as with the SDK
	return req
}

// parsedError is the part of an STS ErrorResponse the tests check.
type parsedError struct {
	Xmlns   string `xml:"xmlns,attr"`
	Type    string `xml:"Error>Type"`
	Code    string `xml:"Error>Code"`
	Message string `xml:"Error>Message"`
	ReqID   string `xml:"RequestId"`
}

type parsedIdentity struct {
	Xmlns   string `xml:"xmlns,attr"`
	Arn     string `xml:"GetCallerIdentityResult>Arn"`
	UserID  string `xml:"GetCallerIdentityResult>UserId"`
	Account string `xml:"GetCallerIdentityResult>Account"`
	ReqID   string `xml:"ResponseMetadata>RequestId"`
}

// TestSignatureRegion: the credential scope must name the region of the
// endpoint: sts.<region>.amazonaws.com its own, sts.amazonaws.com
// us-east-1, and this server's own endpoint a region of its partition.
func TestSignatureRegion(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(&Handler{Lookup: mapLookup{testKeyID: testCredential(t0.Add(time.Hour))}, Now: func() time.Time { return t0 },
		Logger: slog.New(slog.DiscardHandler), Region: "us-east-1"})
	t.Cleanup(srv.Close)
	tests := []struct {
		host, region string
		ok           bool
	}{
		{"", "us-east-1", true},
		{"", "us-west-2", true}, // a profile's region other than the sso_region
		{"", "eu-west-1", true},
		{"", "cn-north-1", false},
		{"", "us-gov-west-1", false},
		{"", "bogus-region-9", false},
		{"", "local", false},
		{"sts.eu-west-1.amazonaws.com", "eu-west-1", true},
		{"sts.eu-west-1.amazonaws.com:443", "eu-west-1", true},
		{"sts.eu-west-1.amazonaws.com", "us-east-1", false},
		{"sts.eu-west-1.amazonaws.com", "eu-west-2", false},
		{"sts.amazonaws.com", "us-east-1", true},
		{"sts.amazonaws.com", "eu-west-1", false},
	}
	for _, tt := range tests {
		name := stdcmp.Or(tt.host, "local endpoint") + "/" + tt.region
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sig := validSigning
			sig.host, sig.region = tt.host, tt.region
			resp, err := srv.Client().Do(newSignedRequest(t, srv.URL, http.MethodPost, queryBody, sig))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var e parsedError
			_ = xml.NewDecoder(resp.Body).Decode(&e)
			switch {
			case tt.ok && resp.StatusCode != http.StatusOK:
				t.Errorf("status %d (%s: %s), want 200", resp.StatusCode, e.Code, e.Message)
			case !tt.ok && (resp.StatusCode != http.StatusForbidden || e.Code != "SignatureDoesNotMatch" || e.Message != "Credential should be scoped to a valid region, not '"+tt.region+"'. "):
				t.Errorf("status %d, %s: %q; want 403 SignatureDoesNotMatch naming the region", resp.StatusCode, e.Code, e.Message)
			}
		})
	}
}

func TestSignedRequestMutations(t *testing.T) {
	t.Parallel()
	lookup := mapLookup{
		testKeyID: testCredential(t0.Add(time.Hour)),
		"ASIAEXPIREDKEY00001": func() Credential {
			c := testCredential(t0.Add(-time.Second))
			c.AccessKeyID = "ASIAEXPIREDKEY00001"
			return c
		}(),
	}
	srv := httptest.NewServer(&Handler{Lookup: lookup, Now: func() time.Time { return t0 }, Logger: slog.New(slog.DiscardHandler)})
	t.Cleanup(srv.Close)

	type result struct {
		Status int
		Code   string
	}
	ok := result{Status: http.StatusOK}
	tests := []struct {
		name    string
		method  string
		body    string
		sign    signing
		mutate  func(r *http.Request)
		want    result
		wantMsg string // checked when not empty
	}{
		{name: "valid POST", want: ok},
		{name: "valid GET", method: http.MethodGet, want: ok},
		{name: "unsigned header added", mutate: func(r *http.Request) { r.Header.Set("X-Forwarded-For", "10.0.0.1") }, want: ok},
		{name: "clock 14 min behind", sign: signing{keyID: testKeyID, secret: testSecret, token: testToken, at: t0.Add(-14 * time.Minute)}, want: ok},
		{name: "changed body", mutate: func(r *http.Request) { setBody(r, "Action=GetCallerIdentity&Version=2011-06-16") },
			want: result{http.StatusForbidden, "SignatureDoesNotMatch"}},
		{name: "changed signed header", mutate: func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") },
			want: result{http.StatusForbidden, "SignatureDoesNotMatch"}},
		{name: "removed signed header", mutate: func(r *http.Request) { r.Header.Del("Content-Type") },
			want: result{http.StatusForbidden, "SignatureDoesNotMatch"}},
		{name: "changed signature", mutate: flipSignature,
			want: result{http.StatusForbidden, "SignatureDoesNotMatch"}},
		{name: "other secret", sign: signing{keyID: testKeyID, secret: "another-secret-of-the-same-length-0000", token: testToken, at: t0},
			want: result{http.StatusForbidden, "SignatureDoesNotMatch"}},
		{name: "other region in scope", mutate: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/us-east-1/", "/eu-west-1/", 1))
		}, want: result{http.StatusForbidden, "SignatureDoesNotMatch"}},
		{name: "date 16 min behind", sign: signing{keyID: testKeyID, secret: testSecret, token: testToken, at: t0.Add(-16 * time.Minute)},
			want:    result{http.StatusForbidden, "SignatureDoesNotMatch"},
			wantMsg: "Signature expired: 20240506T065209Z is now earlier than 20240506T065309Z (20240506T070809Z - 15 min.)"},
		{name: "date 16 min ahead", sign: signing{keyID: testKeyID, secret: testSecret, token: testToken, at: t0.Add(16 * time.Minute)},
			want:    result{http.StatusForbidden, "SignatureDoesNotMatch"},
			wantMsg: "Signature not yet current: 20240506T072409Z is still later than 20240506T072309Z (20240506T070809Z + 15 min.)"},
		{name: "expired credential", sign: signing{keyID: "ASIAEXPIREDKEY00001", secret: testSecret, token: testToken, at: t0},
			want: result{http.StatusBadRequest, "ExpiredToken"}, wantMsg: "The security token included in the request is expired"},
		{name: "unknown key", sign: signing{keyID: "ASIAUNKNOWNKEY00001", secret: testSecret, token: testToken, at: t0},
			want: result{http.StatusForbidden, "InvalidClientTokenId"}, wantMsg: "The security token included in the request is invalid."},
		{name: "wrong session token", sign: signing{keyID: testKeyID, secret: testSecret, token: "another-token", at: t0},
			want: result{http.StatusForbidden, "InvalidClientTokenId"}},
		{name: "no session token", sign: signing{keyID: testKeyID, secret: testSecret, at: t0},
			want: result{http.StatusForbidden, "InvalidClientTokenId"}},
		{name: "missing Authorization", mutate: func(r *http.Request) { r.Header.Del("Authorization") },
			want: result{http.StatusForbidden, "MissingAuthenticationToken"}},
		{name: "garbled Authorization", mutate: func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x") },
			want: result{http.StatusBadRequest, "IncompleteSignature"}},
		{name: "missing X-Amz-Date", mutate: func(r *http.Request) { r.Header.Del("X-Amz-Date") },
			want: result{http.StatusBadRequest, "IncompleteSignature"}},
		{name: "unknown action", body: "Action=GetSessionToken&Version=2011-06-15",
			want: result{http.StatusBadRequest, "InvalidAction"}, wantMsg: "Could not find operation GetSessionToken for version 2011-06-15"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			method, body, sign := tt.method, tt.body, tt.sign
			if method == "" {
				method = http.MethodPost
			}
			if body == "" {
				body = queryBody
			}
			if sign == (signing{}) {
				sign = validSigning
			}
			req := newSignedRequest(t, srv.URL, method, body, sign)
			if tt.mutate != nil {
				tt.mutate(req)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			reqID := resp.Header.Get("X-Amzn-Requestid")
			if reqID == "" {
				t.Error("response has no x-amzn-RequestId header")
			}
			if got := resp.Header.Get("Content-Type"); got != "text/xml" {
				t.Errorf("Content-Type = %q, want text/xml", got)
			}

			got := result{Status: resp.StatusCode}
			if resp.StatusCode == http.StatusOK {
				var id parsedIdentity
				if err := xml.Unmarshal(raw, &id); err != nil {
					t.Fatalf("parse response: %v\n%s", err, raw)
				}
				want := parsedIdentity{Xmlns: xmlns, Arn: wantArn, UserID: "AROAEXAMPLEROLEID0001:alice", Account: "111122223333", ReqID: reqID}
				if diff := cmp.Diff(want, id); diff != "" {
					t.Errorf("identity (-want +got):\n%s", diff)
				}
			} else {
				var e parsedError
				if err := xml.Unmarshal(raw, &e); err != nil {
					t.Fatalf("parse error response: %v\n%s", err, raw)
				}
				got.Code = e.Code
				if e.Type != "Sender" || e.Xmlns != xmlns || e.ReqID != reqID || e.Message == "" {
					t.Errorf("error response = %+v, want Type Sender, namespace %s, RequestId %s and a message", e, xmlns, reqID)
				}
				if tt.wantMsg != "" {
					if diff := cmp.Diff(tt.wantMsg, e.Message); diff != "" {
						t.Errorf("message (-want +got):\n%s", diff)
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}

func setBody(r *http.Request, body string) {
	r.Body = io.NopCloser(strings.NewReader(body))
	r.ContentLength = int64(len(body))
}

// flipSignature changes the last hex digit of the signature.
func flipSignature(r *http.Request) {
	h := r.Header.Get("Authorization")
	last := h[len(h)-1]
	repl := byte('0')
	if last == '0' {
		repl = '1'
	}
	r.Header.Set("Authorization", h[:len(h)-1]+string(repl))
}

func TestResponseBytes(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	writeXML(rec, http.StatusOK, getCallerIdentityResponse{
		Result:   getCallerIdentityResult{Arn: "arn:aws:sts::1:assumed-role/R/u", UserID: "AROAX:u", Account: "1"},
		Metadata: responseMetadata{RequestID: "req-1"},
	})
	want := `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:sts::1:assumed-role/R/u</Arn>
    <UserId>AROAX:u</UserId>
    <Account>1</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>req-1</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
`
	if diff := cmp.Diff(want, rec.Body.String()); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

func TestRequestIDIsUUID(t *testing.T) {
	t.Parallel()
	a, b := newRequestID(), newRequestID()
	if a == b {
		t.Errorf("two request IDs are equal: %s", a)
	}
	if len(a) != 36 || a[14] != '4' || strings.Count(a, "-") != 4 {
		t.Errorf("request ID %q is not a version 4 UUID", a)
	}
}

// TestRequestIDHeaderSpelling checks the header is sent as STS spells it,
// not in Go's canonical form.
func TestRequestIDHeaderSpelling(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	(&Handler{Lookup: mapLookup{}, Now: time.Now, Logger: slog.New(slog.DiscardHandler)}).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(queryBody)))
	var names []string
	for k := range rec.Header() {
		if strings.EqualFold(k, "x-amzn-RequestId") {
			names = append(names, k)
		}
	}
	if diff := cmp.Diff([]string{"x-amzn-RequestId"}, names); diff != "" {
		t.Errorf("request ID header names (-want +got):\n%s", diff)
	}
	if rec.Code != http.StatusForbidden {
		t.Errorf("status = %d, want 403 for a request without Authorization", rec.Code)
	}
}
