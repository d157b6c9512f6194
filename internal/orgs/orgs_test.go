package orgs

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
	"github.com/ssocli/ssocli/internal/usererr"
)

// login gets an access token from the server's OIDC API as alice (auto-approved).
func login(t *testing.T, ts *idctest.TestServer) string {
	t.Helper()
	ctx := context.Background()
	oidc := ssooidc.New(ssooidc.Options{Region: ts.Region, BaseEndpoint: aws.String(ts.URL), HTTPClient: ts.Client(), Credentials: aws.AnonymousCredentials{}})
	reg, err := oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("orgs-test"), ClientType: aws.String("public")})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(ts.StartURL)})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: dev.DeviceCode})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(tok.AccessToken)
}

func portal(ts *idctest.TestServer) *sso.Client {
	return sso.New(sso.Options{Region: ts.Region, BaseEndpoint: aws.String(ts.URL), HTTPClient: ts.Client(), Credentials: aws.AnonymousCredentials{}})
}

func TestAllUnderThrottling(t *testing.T) {
	t.Parallel()
	// The client asks far faster than the server allows, so many calls are
	// refused with TooManyRequestsException and must be retried.
	ts := idctest.NewServer(t, idctest.WithDirectory(directory.Generate(130, 2)), idctest.WithRateLimit(50),
		idctest.WithAutoApprove("alice"), idctest.WithAutoApproveDelay(-1))
	token := login(t, ts)
	var mu sync.Mutex
	var seen []int
	l := New(portal(ts), token, Options{Rate: 5000, Burst: 50, Concurrency: 16, BaseDelay: 10 * time.Millisecond, MaxDelay: 200 * time.Millisecond, MaxAttempts: 100,
		Progress: func(done, total int) {
			mu.Lock()
			defer mu.Unlock()
			if total != 130 {
				t.Errorf("progress total %d, want 130", total)
			}
			seen = append(seen, done)
		}})
	got, err := l.All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var want []Account
	for a := 0; a < 130; a++ {
		want = append(want, Account{ID: fmt.Sprintf("%012d", 100000000000+a), Name: fmt.Sprintf("account-%04d", a),
			Email: fmt.Sprintf("aws+%04d@example.com", a), Roles: []string{"Role01", "Role02"}})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("All (-want +got):\n%s", diff)
	}
	st := l.Stats()
	counts := ts.Server.Counts()
	if served := int64(counts["ListAccounts"] + counts["ListAccountRoles"]); served != st.Requests {
		t.Errorf("server answered %d calls, client counted %d", served, st.Requests)
	}
	if st.Requests != 2+130+st.Retried {
		t.Errorf("requests %d != 132 calls + %d retries", st.Requests, st.Retried)
	}
	if st.Throttled == 0 {
		t.Errorf("no call was throttled at 5000/s against a 50/s server; the test does not exercise retries")
	}
	if len(seen) != 131 || seen[0] != 0 || seen[len(seen)-1] != 130 {
		t.Errorf("progress calls: %d, first %v, want 131 from 0 to 130", len(seen), seen[:min(3, len(seen))])
	}
}

func TestGivesUpOnUnauthorized(t *testing.T) {
	t.Parallel()
	ts := idctest.NewServer(t)
	l := New(portal(ts), "not-a-token", Options{Rate: 1000})
	_, err := l.Accounts(context.Background())
	if err == nil {
		t.Fatal("Accounts with a bad token succeeded")
	}
	if st := l.Stats(); st.Requests != 1 || st.Retried != 0 {
		t.Errorf("an UnauthorizedException was retried: %+v", st)
	}
}

// TestSortAccounts: the order of the AWS CLI 2.36.7's account and role menus,
// computed with its get_account_sorting_key and sorted(key=str.lower) on the
// same lists: first present of name, email, ID, lower-cased, ID-only accounts
// last, ties in the portal's order.
func TestSortAccounts(t *testing.T) {
	t.Parallel()
	in := []Account{{ID: "3", Name: "b"}, {ID: "2", Name: "a"}, {ID: "1", Name: "b"}, {ID: "9"}, {ID: "4", Email: "Zed@x"},
		{ID: "5", Name: "B", Email: "a@x"}, {ID: "0"}, {ID: "6", Name: "Prod"}, {ID: "7", Email: "apple@x"}, {ID: "8", Name: "dev"}}
	SortAccounts(in)
	var got []string
	for _, a := range in {
		got = append(got, a.ID)
	}
	if diff := cmp.Diff([]string{"2", "7", "3", "1", "5", "8", "6", "4", "0", "9"}, got); diff != "" {
		t.Errorf("SortAccounts (-aws cli +ssocli):\n%s", diff)
	}
	roles := []string{"ReadOnly", "admin", "Admin", "billing", "Billing", "AdministratorAccess"}
	SortRoles(roles)
	if diff := cmp.Diff([]string{"admin", "Admin", "AdministratorAccess", "billing", "Billing", "ReadOnly"}, roles); diff != "" {
		t.Errorf("SortRoles (-aws cli +ssocli):\n%s", diff)
	}
}

// hostilePortal answers ListAccounts and ListAccountRoles with the given
// accounts and roles, whatever they hold: a compromised or impostor endpoint
// (ssocli honours AWS_ENDPOINT_URL, HTTPS_PROXY and ca_bundle).
func hostilePortal(t *testing.T, accounts []map[string]string, roles []string) *sso.Client {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /assignment/accounts", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"accountList": accounts})
	})
	mux.HandleFunc("GET /assignment/roles", func(w http.ResponseWriter, r *http.Request) {
		var list []map[string]string
		for _, n := range roles {
			list = append(list, map[string]string{"roleName": n, "accountId": r.URL.Query().Get("account_id")})
		}
		json.NewEncoder(w).Encode(map[string]any{"roleList": list})
	})
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	return sso.New(sso.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL), HTTPClient: idctest.LoopbackClient(), Credentials: aws.AnonymousCredentials{}})
}

// TestRefusesHostileValues: an account id or role name that AWS could not
// have sent is refused at this boundary, with a message naming the account,
// so that nothing of it reaches ~/.aws/config (adversarial S1).
func TestRefusesHostileValues(t *testing.T) {
	t.Parallel()
	good := map[string]string{"accountId": "111122223333", "accountName": "Development", "emailAddress": "d@example.com"}
	tests := []struct {
		name     string
		accounts []map[string]string
		roles    []string
		want     string // "" for success
	}{
		{name: "valid", accounts: []map[string]string{good}, roles: []string{"ReadOnly", "Admin+x=y,z.w@v-u_1"}},
		{name: "role with a line break", accounts: []map[string]string{good}, roles: []string{"Admin\ncredential_process = /tmp/evil"},
			want: `The portal listed a role in account 111122223333 whose name is not an IAM role name: "Admin\ncredential_process = /tmp/evil".`},
		{name: "role with a section", accounts: []map[string]string{good}, roles: []string{"ReadOnly\r\n[default]"},
			want: `The portal listed a role in account 111122223333 whose name is not an IAM role name: "ReadOnly\r\n[default]".`},
		{name: "role with a space", accounts: []map[string]string{good}, roles: []string{"Read Only"},
			want: `The portal listed a role in account 111122223333 whose name is not an IAM role name: "Read Only".`},
		{name: "role too long", accounts: []map[string]string{good}, roles: []string{strings.Repeat("r", 65)},
			want: `The portal listed a role in account 111122223333 whose name is not an IAM role name: "` + strings.Repeat("r", 65) + `".`},
		{name: "empty role", accounts: []map[string]string{good}, roles: []string{""},
			want: `The portal listed a role in account 111122223333 whose name is not an IAM role name: "".`},
		{name: "account id with a line break", accounts: []map[string]string{{"accountId": "111122223333\nsso_role_name = x", "accountName": "Dev"}},
			want: `The portal listed an account whose id is not 12 digits: "111122223333\nsso_role_name = x" (named "Dev").`},
		{name: "short account id", accounts: []map[string]string{{"accountId": "1234", "accountName": "Dev"}},
			want: `The portal listed an account whose id is not 12 digits: "1234" (named "Dev").`},
		{name: "unicode digits", accounts: []map[string]string{{"accountId": "١١١١٢٢٢٢٣٣٣٣", "accountName": "Dev"}},
			want: `The portal listed an account whose id is not 12 digits: "١١١١٢٢٢٢٣٣٣٣" (named "Dev").`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := New(hostilePortal(t, tt.accounts, tt.roles), "token", Options{Rate: 1000})
			got, err := l.All(context.Background())
			if tt.want == "" {
				if err != nil || len(got) != 1 || len(got[0].Roles) != len(tt.roles) {
					t.Fatalf("All = %+v, %v", got, err)
				}
				return
			}
			u := usererr.As(err)
			if u == nil || u.Msg != tt.want || u.Code != 255 || u.Hint == "" {
				t.Errorf("All = %d accounts, error %v; want %q with exit 255 and a hint", len(got), err, tt.want)
			}
		})
	}
}
