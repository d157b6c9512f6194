package orgs

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/google/go-cmp/cmp"

	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/idctest"
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

func TestSortAccounts(t *testing.T) {
	t.Parallel()
	in := []Account{{ID: "3", Name: "b"}, {ID: "2", Name: "a"}, {ID: "1", Name: "b"}}
	SortAccounts(in)
	want := []Account{{ID: "2", Name: "a"}, {ID: "1", Name: "b"}, {ID: "3", Name: "b"}}
	if diff := cmp.Diff(want, in); diff != "" {
		t.Errorf("SortAccounts (-want +got):\n%s", diff)
	}
}
