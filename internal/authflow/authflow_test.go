package authflow

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
	"github.com/google/go-cmp/cmp"
)

// scripted answers CreateToken with a queue of errors, then a token; it records
// when each call was made.
type scripted struct {
	interval int32
	answers  []error
	calls    []time.Duration
	start    time.Time
	verify   func(*ssooidc.CreateTokenInput) error
}

func (s *scripted) RegisterClient(context.Context, *ssooidc.RegisterClientInput, ...func(*ssooidc.Options)) (*ssooidc.RegisterClientOutput, error) {
	return nil, errors.New("not used")
}

func (s *scripted) StartDeviceAuthorization(_ context.Context, in *ssooidc.StartDeviceAuthorizationInput, _ ...func(*ssooidc.Options)) (*ssooidc.StartDeviceAuthorizationOutput, error) {
	s.start = time.Now()
	return &ssooidc.StartDeviceAuthorizationOutput{
		DeviceCode: ptr("dc"), UserCode: ptr("ABCD-EFGH"), VerificationUri: ptr("https://x/device"),
		VerificationUriComplete: ptr("https://x/device?user_code=ABCD-EFGH"), ExpiresIn: 600, Interval: s.interval,
	}, nil
}

func (s *scripted) CreateToken(_ context.Context, in *ssooidc.CreateTokenInput, _ ...func(*ssooidc.Options)) (*ssooidc.CreateTokenOutput, error) {
	s.calls = append(s.calls, time.Since(s.start).Round(time.Second))
	if s.verify != nil {
		if err := s.verify(in); err != nil {
			return nil, err
		}
	}
	if len(s.answers) > 0 {
		err := s.answers[0]
		s.answers = s.answers[1:]
		return nil, err
	}
	return &ssooidc.CreateTokenOutput{AccessToken: ptr("at"), RefreshToken: ptr("rt"), ExpiresIn: 3600}, nil
}

var (
	pending  = &types.AuthorizationPendingException{}
	slowDown = &types.SlowDownException{}
	expired  = &types.ExpiredTokenException{}
	denied   = &types.AccessDeniedException{}
)

func TestDeviceFlowPolling(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		interval  int32
		answers   []error
		wantCalls []time.Duration
		wantShown int
		wantErr   error
	}{
		{name: "pre-authorised client shows no code", interval: 1, wantCalls: []time.Duration{0}, wantShown: 0},
		{name: "second attempt right after the code", interval: 1, answers: []error{pending, pending, pending},
			wantCalls: []time.Duration{0, 0, time.Second, 2 * time.Second}, wantShown: 1},
		{name: "no interval means 5 s", interval: 0, answers: []error{pending, pending},
			wantCalls: []time.Duration{0, 0, 5 * time.Second}, wantShown: 1},
		{name: "slow_down adds 5 s each time", interval: 1, answers: []error{pending, slowDown, slowDown},
			wantCalls: []time.Duration{0, 0, 6 * time.Second, 17 * time.Second}, wantShown: 1},
		{name: "expired token stops", interval: 1, answers: []error{pending, expired},
			wantCalls: []time.Duration{0, 0}, wantShown: 1, wantErr: ErrPendingExpired},
		{name: "denied is passed on", interval: 1, answers: []error{pending, pending, denied},
			wantCalls: []time.Duration{0, 0, time.Second}, wantShown: 1, wantErr: denied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				api := &scripted{interval: tt.interval, answers: tt.answers}
				shown := 0
				f := &DeviceFlow{API: api, Client: Client{ID: "id", Secret: "s"}, StartURL: "https://d/start",
					DisplayCode: func(c DeviceCode) error {
						shown++
						if c.UserCode != "ABCD-EFGH" || c.VerificationURI != "https://x/device" {
							t.Errorf("DisplayCode got %+v", c)
						}
						return nil
					}}
				tok, err := f.Run(context.Background())
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Run error = %v, want %v", err, tt.wantErr)
				}
				if err == nil && (tok.AccessToken != "at" || tok.RefreshToken != "rt" || tok.ExpiresIn != time.Hour) {
					t.Errorf("token = %+v", tok)
				}
				if diff := cmp.Diff(tt.wantCalls, api.calls); diff != "" {
					t.Errorf("CreateToken times (-want +got):\n%s", diff)
				}
				if shown != tt.wantShown {
					t.Errorf("DisplayCode called %d times, want %d", shown, tt.wantShown)
				}
			})
		})
	}
}

func TestDeviceFlowGivesUpAtExpiry(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		answers := make([]error, 1000)
		for i := range answers {
			answers[i] = pending
		}
		api := &scripted{interval: 1, answers: answers}
		f := &DeviceFlow{API: api, Client: Client{ID: "id", Secret: "s"}, StartURL: "u"}
		_, err := f.Run(context.Background())
		if !errors.Is(err, ErrPendingExpired) {
			t.Fatalf("err = %v, want ErrPendingExpired", err)
		}
		if last := api.calls[len(api.calls)-1]; last > 600*time.Second {
			t.Errorf("polled until %v, after the code expired", last)
		}
	})
}

func TestDeviceFlowCancel(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		answers := make([]error, 100)
		for i := range answers {
			answers[i] = pending
		}
		f := &DeviceFlow{API: &scripted{interval: 5, answers: answers}, Client: Client{ID: "id", Secret: "s"}, StartURL: "u"}
		if _, err := f.Run(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want deadline exceeded", err)
		}
	})
}

func TestRegisterInput(t *testing.T) {
	t.Parallel()
	dev := RegisterInput("botocore-client-corp", "https://d/start", nil, false)
	if dev.GrantTypes != nil || dev.Scopes != nil || dev.RedirectUris != nil || dev.IssuerUrl != nil {
		t.Errorf("device registration carries PKCE fields: %+v", dev)
	}
	p := RegisterInput("botocore-client-corp", "https://d/start", nil, true)
	want := []any{[]string{"authorization_code", "refresh_token"}, []string{"http://127.0.0.1/oauth/callback"}, "https://d/start", []string{"sso:account:access"}}
	got := []any{p.GrantTypes, p.RedirectUris, *p.IssuerUrl, p.Scopes}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PKCE registration (-want +got):\n%s", diff)
	}
}

func TestVerifierAndChallenge(t *testing.T) {
	t.Parallel()
	v, err := NewVerifier(strings.NewReader(strings.Repeat("\x00\x01\xff\x41", 100)))
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 64 || strings.Trim(v, verifierAlphabet) != "" {
		t.Errorf("verifier %q: want 64 characters of %q", v, verifierAlphabet)
	}
	// RFC 7636 appendix B.
	if got, want := Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"; got != want {
		t.Errorf("Challenge = %q, want %q", got, want)
	}
}

func TestAuthorizeURL(t *testing.T) {
	t.Parallel()
	got := AuthorizeURL("https://oidc.us-east-1.amazonaws.com/authorize", "cid", "http://127.0.0.1:45325/oauth/callback", "507d3252-aaaa", "gPl_F7OI", []string{"sso:account:access", "a b"})
	want := "https://oidc.us-east-1.amazonaws.com/authorize?response_type=code&client_id=cid&redirect_uri=http%3A%2F%2F127.0.0.1%3A45325%2Foauth%2Fcallback&state=507d3252-aaaa&code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess%20a%20b&code_challenge=gPl_F7OI"
	if got != want {
		t.Errorf("AuthorizeURL:\n got %s\nwant %s", got, want)
	}
}

// visit is one request the browser makes to the loopback callback.
type visit struct {
	query      func(state string) url.Values
	wantStatus int
}

// browser plays the user agent and whatever else can reach the loopback port:
// after a stray favicon request it makes the visits in order, checking each
// answer's status, and closes done when it has made them all.
func browser(t *testing.T, visits []visit, done chan<- struct{}) func(string) error {
	return func(authorize string) error {
		u, err := url.Parse(authorize)
		if err != nil {
			return err
		}
		q := u.Query()
		redirect := q.Get("redirect_uri")
		if !strings.HasPrefix(redirect, "http://127.0.0.1:") {
			t.Errorf("redirect_uri %q is not loopback", redirect)
		}
		go func() {
			defer close(done)
			base := strings.TrimSuffix(redirect, "/oauth/callback")
			if r, err := http.Get(base + "/favicon.ico"); err == nil {
				r.Body.Close()
			}
			for i, v := range visits {
				r, err := http.Get(redirect + "?" + v.query(q.Get("state")).Encode())
				if err != nil {
					t.Errorf("callback %d: %v", i, err)
					return
				}
				r.Body.Close()
				if r.StatusCode != v.wantStatus {
					t.Errorf("callback %d: status %d, want %d", i, r.StatusCode, v.wantStatus)
				}
			}
		}()
		return nil
	}
}

func TestPKCEFlow(t *testing.T) {
	t.Parallel()
	approve := visit{query: func(s string) url.Values { return url.Values{"code": {"the-code"}, "state": {s}} }, wantStatus: 200}
	// What another page in the browser or another local process can send
	// without knowing the state: each is answered 400 and ignored (RFC 8252 §8.9).
	forged := []visit{
		{query: func(s string) url.Values { return url.Values{"code": {"the-code"}, "state": {s + "x"}} }, wantStatus: 400},
		{query: func(string) url.Values { return url.Values{"error": {"access_denied"}} }, wantStatus: 400},
		{query: func(s string) url.Values { return url.Values{"error": {"access_denied"}, "state": {"x" + s}} }, wantStatus: 400},
		{query: func(string) url.Values { return url.Values{"code": {"the-code"}} }, wantStatus: 400},
		{query: func(string) url.Values { return url.Values{"code": {"the-code"}, "state": {""}} }, wantStatus: 400},
	}
	tests := []struct {
		name    string
		visits  []visit
		wantErr error
	}{
		{name: "approved", visits: []visit{approve}},
		{name: "declined", visits: []visit{{query: func(s string) url.Values {
			return url.Values{"error": {"access_denied"}, "error_description": {"no"}, "state": {s}}
		}, wantStatus: 200}}, wantErr: ErrAuthorizationFailed},
		{name: "forged callbacks are ignored", visits: append(forged[:len(forged):len(forged)], approve)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var challenge string
			api := &scripted{verify: func(in *ssooidc.CreateTokenInput) error {
				sum := sha256.Sum256([]byte(*in.CodeVerifier))
				if *in.GrantType != "authorization_code" || *in.Code != "the-code" || base64.RawURLEncoding.EncodeToString(sum[:]) != challenge ||
					!strings.HasPrefix(*in.RedirectUri, "http://127.0.0.1:") {
					return &types.InvalidGrantException{}
				}
				return nil
			}}
			done := make(chan struct{})
			open := browser(t, tt.visits, done)
			f := &PKCEFlow{API: api, Client: Client{ID: "cid", Secret: "s"}, AuthorizeEndpoint: "http://idc.invalid/authorize",
				OpenURL: func(u string) error {
					pu, _ := url.Parse(u)
					challenge = pu.Query().Get("code_challenge")
					if m := pu.Query().Get("code_challenge_method"); m != "S256" {
						t.Errorf("method %q", m)
					}
					return open(u)
				}}
			tok, err := f.Run(context.Background())
			<-done
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Run error = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && tok.AccessToken != "at" {
				t.Errorf("token %+v", tok)
			}
			if tt.wantErr != nil && len(api.calls) != 0 {
				t.Errorf("CreateToken called after a failed redirect")
			}
		})
	}
}

func TestPKCEFlowTimeout(t *testing.T) {
	t.Parallel()
	f := &PKCEFlow{API: &scripted{}, Client: Client{ID: "cid", Secret: "s"}, AuthorizeEndpoint: "http://idc.invalid/authorize", Timeout: 50 * time.Millisecond}
	if _, err := f.Run(context.Background()); !errors.Is(err, ErrPendingExpired) {
		t.Fatalf("err = %v, want ErrPendingExpired", err)
	}
}
