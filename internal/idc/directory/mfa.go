package directory

import (
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
)

// TOTPPeriod is the time step of the virtual MFA devices (RFC 6238 §4, X = 30 s,
// the step of IAM's virtual MFA devices).
const TOTPPeriod = 30 * time.Second

// totpOpts are IAM's virtual MFA parameters: 6 digits, HMAC-SHA-1.
var totpOpts = hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// TOTPStep returns the RFC 6238 time step (T) that t falls in.
func TOTPStep(t time.Time) uint64 { return uint64(t.Unix()) / uint64(TOTPPeriod/time.Second) }

// Code returns the device's one-time code at t, as an authenticator app
// shows it: what a test types where the AWS CLI asks "Enter MFA code for …".
func (m MFADevice) Code(at time.Time) string {
	code, err := hotp.GenerateCodeCustom(m.Secret, TOTPStep(at), totpOpts)
	if err != nil {
		// Validate refused secrets that do not decode.
		panic("directory: MFA device " + m.Name + " has an invalid secret: " + err.Error())
	}
	return code
}

// Match returns the time step whose code is code, looking at now's step and
// the one before it (RFC 6238 §5.2 allows one step of transmission delay),
// and false when neither matches. The comparison is constant-time. A caller
// that must accept each code once (RFC 6238 §5.2) remembers the step.
func (m MFADevice) Match(code string, now time.Time) (uint64, bool) {
	step := TOTPStep(now)
	for _, s := range []uint64{step, step - 1} {
		if ok, err := hotp.ValidateCustom(code, s, m.Secret, totpOpts); err == nil && ok {
			return s, true
		}
	}
	return 0, false
}
