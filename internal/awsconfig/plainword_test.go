package awsconfig

import (
	"math/rand/v2"
	"testing"
)

// TestPlainWord checks plainWord's eight-byte scan against plainWordByte
// byte by byte, on words of every length up to 40 with one byte of each
// value at each position.
func TestPlainWord(t *testing.T) {
	want := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if !plainWordByte(s[i]) {
				return false
			}
		}
		return true
	}
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 40)
	for n := 1; n <= len(buf); n++ {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				for i := range buf[:n] {
					buf[i] = byte('(' + r.IntN(0x7f-'(')) // ordinary ASCII...
					if buf[i] == '\\' {
						buf[i] = 'x'
					}
				}
				if r.IntN(4) == 0 {
					buf[r.IntN(n)] = byte(0x80 + r.IntN(0x80)) // ...with a high byte in some
				}
				buf[pos] = byte(c)
				if s := string(buf[:n]); plainWord(s) != want(s) {
					t.Fatalf("plainWord(%q) = %v", s, !want(s))
				}
			}
		}
	}
}
