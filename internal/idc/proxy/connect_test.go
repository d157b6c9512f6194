package proxy

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestConnectTarget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		authority     string
		want          string
		wantErr       bool
		wantMalformed bool
	}{
		{authority: "sts.us-east-1.amazonaws.com:443", want: "sts.us-east-1.amazonaws.com"},
		{authority: "Portal.SSO.eu-west-1.AmazonAWS.com:443", want: "portal.sso.eu-west-1.amazonaws.com"},
		{authority: "sts.amazonaws.com:80", wantErr: true},
		{authority: "sts.amazonaws.com", wantErr: true, wantMalformed: true},
		{authority: "127.0.0.1:443", wantErr: true},
		{authority: "[::1]:443", wantErr: true},
		{authority: ":443", wantErr: true, wantMalformed: true},
		{authority: "a..b:443", wantErr: true, wantMalformed: true},
		{authority: "-a.com:443", wantErr: true, wantMalformed: true},
		{authority: "a_b.com:443", wantErr: true, wantMalformed: true},
		{authority: strings.Repeat("a", 64) + ".com:443", wantErr: true, wantMalformed: true},
	}
	for _, tt := range tests {
		t.Run(tt.authority, func(t *testing.T) {
			t.Parallel()
			got, err := connectTarget(tt.authority)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("connectTarget(%q) = %q, want an error", tt.authority, got)
				}
				if m := errors.Is(err, errMalformedTarget); m != tt.wantMalformed {
					t.Errorf("connectTarget(%q) error %v: malformed %v, want %v", tt.authority, err, m, tt.wantMalformed)
				}
				return
			}
			if err != nil {
				t.Fatalf("connectTarget(%q): %v", tt.authority, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("connectTarget(%q) (-want +got):\n%s", tt.authority, diff)
			}
		})
	}
}

func FuzzConnectTarget(f *testing.F) {
	for _, s := range []string{"sts.us-east-1.amazonaws.com:443", "example.com:443", "[::1]:443", "a:b:c", "x.amazonaws.com:0443"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, authority string) {
		host, err := connectTarget(authority)
		if err != nil {
			return
		}
		// What passes is a lower-case DNS name on port 443, stable under a
		// second pass.
		if !validDNSName(host) || host != strings.ToLower(host) {
			t.Fatalf("connectTarget(%q) = %q, not a lower-case DNS name", authority, host)
		}
		again, err := connectTarget(host + ":443")
		if err != nil || again != host {
			t.Fatalf("connectTarget(%q) = %q, %v; want %q", host+":443", again, err, host)
		}
	})
}
