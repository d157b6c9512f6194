package cli

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestFlagsToOptions checks the first layer of each command: flags become the
// options struct, and nothing runs.
func TestFlagsToOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want any
	}{
		{[]string{"sso", "login"}, loginOptions{}},
		{[]string{"sso", "login", "--sso-session", "corp", "--no-browser", "--use-device-code"}, loginOptions{SSOSession: "corp", NoBrowser: true, UseDeviceCode: true}},
		{[]string{"sso", "logout"}, logoutOptions{}},
		{[]string{"sso", "logout", "--profile", "dev"}, logoutOptions{Profile: "dev"}},
		{[]string{"sso", "logout", "--sso-session", "corp"}, logoutOptions{SSOSession: "corp"}},
		{[]string{"sso", "status"}, statusOptions{Output: "table"}},
		{[]string{"sso", "status", "--sso-session", "corp", "--output", "json"}, statusOptions{SSOSession: "corp", Output: "json"}},
		{[]string{"configure", "export-credentials"}, exportOptions{Format: "process"}},
		{[]string{"configure", "export-credentials", "--format", "fish"}, exportOptions{Format: "fish"}},
		{[]string{"sts", "get-caller-identity"}, callerIdentityOptions{Output: "json"}},
		{[]string{"sts", "get-caller-identity", "--output", "text", "--endpoint-url", "http://127.0.0.1:1"}, callerIdentityOptions{Output: "text", EndpointURL: "http://127.0.0.1:1"}},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--auto-approve", "alice", "--token-ttl", "16m"},
			serveOptions{Addr: "127.0.0.1:0", AutoApprove: "alice", AutoApproveDelay: time.Second, TokenTTL: 16 * time.Minute,
				SessionTTL: 8 * time.Hour, DeviceCodeTTL: 10 * time.Minute, RefreshGrace: 30 * time.Second, RolesPerAccount: 3}},
	}
	for _, tt := range tests {
		var got any
		a := &app{env: &Env{Getenv: func(string) string { return "" }}, parsed: func(o any) error { got = o; return nil }}
		root := a.rootCmd()
		var out bytes.Buffer
		root.SetArgs(tt.args)
		root.SetOut(&out)
		root.SetErr(&out)
		if err := root.ExecuteContext(context.Background()); err != nil {
			t.Errorf("%v: %v", tt.args, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%v (-want +got):\n%s", tt.args, diff)
		}
	}
}
