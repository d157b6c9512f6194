package usererr

import (
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"
)

// TestBotocoreQuery: a URL's query in the order botocore sends it (the
// members' order in the service model), not the SDK's sorted one.
func TestBotocoreQuery(t *testing.T) {
	for in, want := range map[[2]string]string{
		{"https://p/federation/credentials?account_id=1&role_name=R", "GetRoleCredentials"}:       "https://p/federation/credentials?role_name=R&account_id=1",
		{"https://p/assignment/roles?account_id=1&max_result=5&next_token=t", "ListAccountRoles"}: "https://p/assignment/roles?next_token=t&max_result=5&account_id=1",
		{"https://p/x?b=1&a=2", "Other"}:                           "https://p/x?b=1&a=2",
		{"https://p/federation/credentials", "GetRoleCredentials"}: "https://p/federation/credentials",
	} {
		if got := botocoreQuery(in[0], in[1]); got != want {
			t.Errorf("botocoreQuery(%q, %s) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

// TestDetails: a service error's fields in botocore's order, with SSO OIDC's
// modelled error and error_description.
func TestDetails(t *testing.T) {
	e := "server_error"
	d := "internal"
	oidc := &smithy.OperationError{ServiceID: "SSO OIDC", OperationName: "RegisterClient"}
	got := details(oidc, "InternalServerException", &types.InternalServerException{Error_: &e, Error_description: &d})
	want := []Field{{"Message", ""}, {"Code", "InternalServerException"}, {"error", "server_error"}, {"error_description", "internal"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SSO OIDC (-want +got):\n%s", diff)
	}
	sts := &smithy.OperationError{ServiceID: "STS", OperationName: "AssumeRole"}
	got = details(sts, "AccessDenied", &smithy.GenericAPIError{Code: "AccessDenied", Message: "no"})
	if diff := cmp.Diff([]Field{{"Code", "AccessDenied"}, {"Message", "no"}}, got); diff != "" {
		t.Errorf("STS (-want +got):\n%s", diff)
	}
}

// TestStatusOnlyDetails: an HTTP error without an AWS error in its body is a
// service error whose information is the status and its reason phrase, so
// that every error format prints it as a service error.
func TestStatusOnlyDetails(t *testing.T) {
	resp := &smithyhttp.Response{Response: &http.Response{StatusCode: http.StatusForbidden}}
	err := &smithy.OperationError{ServiceID: "SSO", OperationName: "ListAccounts",
		Err: &smithyhttp.ResponseError{Response: resp, Err: errors.New("no body")}}
	u := As(FromAPI(err))
	if u == nil || u.Code != CodeService {
		t.Fatalf("FromAPI = %#v, want a service error", u)
	}
	if diff := cmp.Diff([]Field{{"Code", "403"}, {"Message", "Forbidden"}}, u.Details); diff != "" {
		t.Errorf("details (-want +got):\n%s", diff)
	}
}
