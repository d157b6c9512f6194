package creds

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ssocli/ssocli/internal/authflow"
	"github.com/ssocli/ssocli/internal/usererr"
)

// TestFlowError: the flows' typed errors get the AWS CLI's words and exit
// codes here, not in authflow (spec §2.2, §2.3).
func TestFlowError(t *testing.T) {
	t.Parallel()
	listen := errors.New("listen tcp 127.0.0.1:0: socket: too many open files")
	tests := []struct {
		err  error
		want string // "" when err passes through
		code int
	}{
		{err: authflow.ErrPendingExpired, code: 255,
			want: "The pending authorization to retrieve an SSO token has expired. The login flow to retrieve an SSO token must be restarted."},
		{err: fmt.Errorf("poll: %w", authflow.ErrPendingExpired), code: 255,
			want: "The pending authorization to retrieve an SSO token has expired. The login flow to retrieve an SSO token must be restarted."},
		{err: authflow.ErrAuthorizationFailed, code: 255, want: "Error loading authorization code: Failed to retrieve an authorization code."},
		{err: &authflow.ListenError{Err: listen}, code: 255,
			want: "Unable to initialize the OAuth 2.0 authorization callback handler: " + listen.Error() + " \n You may use --use-device-code to fall back to the device code flow which does not require the callback handler."},
		{err: context.Canceled},
	}
	for _, tt := range tests {
		got := flowError(tt.err)
		if !errors.Is(got, tt.err) {
			t.Errorf("flowError(%v) = %v, which does not wrap it", tt.err, got)
		}
		u := usererr.As(got)
		if tt.want == "" {
			if u != nil {
				t.Errorf("flowError(%v) = %v, want it passed through", tt.err, got)
			}
			continue
		}
		if u == nil || u.Msg != tt.want || u.Code != tt.code {
			t.Errorf("flowError(%v) = %v, want %q with exit %d", tt.err, got, tt.want, tt.code)
		}
	}
}
