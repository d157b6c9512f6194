package interop

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestShape checks the helper the format comparisons rest on: it must tell
// apart key order, nesting and date formats, and ignore values.
func TestShape(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, in string
		want     []string
	}{
		{
			"token",
			`{"startUrl": "https://x", "accessToken": "a", "expiresAt": "2026-11-26T01:08:02Z", "n": 1}`,
			[]string{"startUrl=string", "accessToken=string", "expiresAt=date", "n=float64"},
		},
		{
			"other key order",
			`{"accessToken": "a", "startUrl": "https://x"}`,
			[]string{"accessToken=string", "startUrl=string"},
		},
		{
			"fractional seconds are not the cache's date format",
			`{"expiresAt": "2026-11-26T01:08:02.000Z"}`,
			[]string{"expiresAt=string"},
		},
		{
			"nested and lists",
			`{"ProviderType": "sso", "Credentials": {"AccessKeyId": "A", "Expiration": "2026-11-25T18:08:08Z"}, "scopes": ["a", "b"], "last": true}`,
			[]string{"ProviderType=string", "Credentials.AccessKeyId=string", "Credentials.Expiration=date", "scopes=list", "last=bool"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(c.want, shape(t, []byte(c.in))); diff != "" {
				t.Errorf("shape (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	in := `{"startUrl": "https://x", "accessToken": "se\"cret", "clientId": "c", "clientSecret": "s", "refreshToken": "r"}`
	want := `{"startUrl": "https://x", "accessToken": "<secret>", "clientId": "c", "clientSecret": "<secret>", "refreshToken": "<secret>"}`
	if got := redact([]byte(in)); got != want {
		t.Errorf("redact = %s, want %s", got, want)
	}
}

func TestSetEnv(t *testing.T) {
	t.Parallel()
	got := setEnv([]string{"A=1", "BROWSER=/bin/false", "AB=2"}, "BROWSER=", "A=3", "C=4")
	want := []string{"AB=2", "A=3", "C=4"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("setEnv (-want +got):\n%s", diff)
	}
}
