package sts

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const testSig = "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024"

func TestParseAuthorization(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		header  string
		want    authorization
		wantErr bool
	}{
		{
			name:   "sdk form",
			header: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" + testSig,
			want: authorization{AccessKeyID: "AKIDEXAMPLE", Date: "20150830", Region: "us-east-1", Service: "sts",
				SignedHeaders: []string{"content-type", "host", "x-amz-date"}, Signature: testSig},
		},
		{
			name:   "botocore form, no spaces, other order",
			header: "AWS4-HMAC-SHA256 Signature=" + testSig + ",Credential=AKID/20150830/eu-west-1/sts/aws4_request,SignedHeaders=host",
			want: authorization{AccessKeyID: "AKID", Date: "20150830", Region: "eu-west-1", Service: "sts",
				SignedHeaders: []string{"host"}, Signature: testSig},
		},
		{name: "empty", header: "", wantErr: true},
		{name: "other algorithm", header: "AWS4-ECDSA-P256-SHA256 Credential=A/20150830/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=" + testSig, wantErr: true},
		{name: "no signature", header: "AWS4-HMAC-SHA256 Credential=A/20150830/us-east-1/sts/aws4_request, SignedHeaders=host", wantErr: true},
		{name: "short scope", header: "AWS4-HMAC-SHA256 Credential=A/20150830/us-east-1/aws4_request, SignedHeaders=host, Signature=" + testSig, wantErr: true},
		{name: "bad date", header: "AWS4-HMAC-SHA256 Credential=A/2015-08-30/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=" + testSig, wantErr: true},
		{name: "upper-case header", header: "AWS4-HMAC-SHA256 Credential=A/20150830/us-east-1/sts/aws4_request, SignedHeaders=Host, Signature=" + testSig, wantErr: true},
		{name: "empty header name", header: "AWS4-HMAC-SHA256 Credential=A/20150830/us-east-1/sts/aws4_request, SignedHeaders=host;;x, Signature=" + testSig, wantErr: true},
		{name: "short signature", header: "AWS4-HMAC-SHA256 Credential=A/20150830/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=abc", wantErr: true},
		{name: "upper-case signature", header: "AWS4-HMAC-SHA256 Credential=A/20150830/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=" + strings.ToUpper(testSig), wantErr: true},
		{name: "duplicate parameter", header: "AWS4-HMAC-SHA256 Credential=A/20150830/us-east-1/sts/aws4_request, Credential=B/20150830/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=" + testSig, wantErr: true},
		{name: "unknown parameter", header: "AWS4-HMAC-SHA256 Credential=A/20150830/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=" + testSig + ", Extra=1", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseAuthorization(tt.header)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("parseAuthorization() = %+v, want an error", got)
				}
				if !errors.Is(err, errIncomplete) {
					t.Errorf("error %v does not wrap errIncomplete", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseAuthorization: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseAuthorization (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" + testSig)
	f.Fuzz(func(t *testing.T, header string) {
		a, err := parseAuthorization(header)
		if err != nil {
			return
		}
		// Whatever parses must be something the verifier can use.
		if a.AccessKeyID == "" || len(a.Signature) != 64 || len(a.SignedHeaders) == 0 || len(a.Date) != 8 {
			t.Errorf("parseAuthorization(%q) accepted an unusable header: %+v", header, a)
		}
	})
}
