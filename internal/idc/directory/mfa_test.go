package directory

import (
	"encoding/base32"
	"testing"
	"time"
)

// TestTOTPVectors checks the codes against RFC 6238 Appendix B (SHA-1 seed
// "12345678901234567890", 8 digits there; the last 6 digits here, which is
// what a 6-digit device shows: the code is the value mod 10^6).
func TestTOTPVectors(t *testing.T) {
	t.Parallel()
	m := MFADevice{Name: "rfc", Secret: base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))}
	for _, tt := range []struct {
		unix int64
		want string
	}{
		{59, "287082"},         // 94287082
		{1111111109, "081804"}, // 07081804
		{1111111111, "050471"}, // 14050471
		{1234567890, "005924"}, // 89005924
		{2000000000, "279037"}, // 69279037
	} {
		if got := m.Code(time.Unix(tt.unix, 0)); got != tt.want {
			t.Errorf("Code(%d) = %s, want %s", tt.unix, got, tt.want)
		}
	}
}

func TestTOTPMatch(t *testing.T) {
	t.Parallel()
	m := MFADevice{Name: "phone", Secret: "CPY7K24MBI4F7JIJPELNFUEVA7ALL7FR"}
	now := time.Unix(1_800_000_015, 0) // 15 s into a step
	step := TOTPStep(now)
	tests := []struct {
		name     string
		code     string
		wantStep uint64
		wantOK   bool
	}{
		{"current step", m.Code(now), step, true},
		{"previous step", m.Code(now.Add(-TOTPPeriod)), step - 1, true},
		{"two steps ago", m.Code(now.Add(-2 * TOTPPeriod)), 0, false},
		{"next step", m.Code(now.Add(TOTPPeriod)), 0, false},
		{"five digits", m.Code(now)[:5], 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := m.Match(tt.code, now)
			if got != tt.wantStep || ok != tt.wantOK {
				t.Errorf("Match = %d, %v; want %d, %v", got, ok, tt.wantStep, tt.wantOK)
			}
		})
	}
}
