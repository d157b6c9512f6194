package awskeys

import (
	"regexp"
	"testing"
)

func TestNewTemporaryShape(t *testing.T) {
	t.Parallel()
	a, b := NewTemporary(), NewTemporary()
	if a == b {
		t.Fatal("two calls returned the same credentials")
	}
	for _, tt := range []struct {
		name, value string
		re          *regexp.Regexp
	}{
		{"access key id", a.AccessKeyID, regexp.MustCompile(`^ASIA[A-Z2-7]{16}$`)},
		{"secret access key", a.SecretAccessKey, regexp.MustCompile(`^[A-Za-z0-9+/]{40}$`)},
		{"session token", a.SessionToken, regexp.MustCompile(`^IQoJb3JpZ2luX2Vj[A-Za-z0-9+/=]{400}$`)},
	} {
		if !tt.re.MatchString(tt.value) {
			t.Errorf("%s has the wrong shape (want %s)", tt.name, tt.re)
		}
	}
}
