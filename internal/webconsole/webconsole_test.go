package webconsole

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestDestinationAndFederationURLPerPartition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		region, endpoint, service string
		dest, federation          string
	}{
		{"us-west-2", "", "", "https://us-west-2.console.aws.amazon.com/console/home?region=us-west-2", "https://signin.aws.amazon.com/federation"},
		{"eu-central-1", "", "ec2", "https://eu-central-1.console.aws.amazon.com/ec2/home?region=eu-central-1", "https://signin.aws.amazon.com/federation"},
		{"", "", "", "https://console.aws.amazon.com/console/home", "https://signin.aws.amazon.com/federation"},
		{"cn-north-1", "", "s3", "https://console.amazonaws.cn/s3/home?region=cn-north-1", "https://signin.amazonaws.cn/federation"},
		{"us-gov-west-1", "", "", "https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1", "https://signin.amazonaws-us-gov.com/federation"},
		{"us-west-2", "http://127.0.0.1:8765/", "", "http://127.0.0.1:8765/console/home?region=us-west-2", "http://127.0.0.1:8765/federation"},
		{"us-west-2", "http://127.0.0.1:8765", "ec2", "http://127.0.0.1:8765/console/ec2/home?region=us-west-2", "http://127.0.0.1:8765/federation"},
	}
	for _, tt := range tests {
		c := &Client{Region: tt.region, Endpoint: tt.endpoint}
		if got := c.Destination(tt.service); got != tt.dest {
			t.Errorf("%s %s %s: Destination = %s, want %s", tt.region, tt.endpoint, tt.service, got, tt.dest)
		}
		if got := c.FederationURL(); got != tt.federation {
			t.Errorf("%s %s: FederationURL = %s, want %s", tt.region, tt.endpoint, got, tt.federation)
		}
	}
}

func TestCheckSessionDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d       time.Duration
		chained bool
		want    error
	}{
		{0, false, nil}, {0, true, nil},
		{15 * time.Minute, false, nil}, {12 * time.Hour, false, nil},
		{15*time.Minute - time.Second, false, ErrDurationRange}, {12*time.Hour + time.Second, false, ErrDurationRange},
		{time.Hour, true, ErrDurationWithChaining},
	}
	for _, tt := range tests {
		if got := CheckSessionDuration(tt.d, tt.chained); !errors.Is(got, tt.want) {
			t.Errorf("CheckSessionDuration(%s, %v) = %v, want %v", tt.d, tt.chained, got, tt.want)
		}
	}
}

func TestValidService(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{"ec2": true, "cloudformation": true, "s3": true, "api-gateway": true, "": false, "EC2": false, "ec2/../x": false, "-x": false, "a?b": false} {
		if got := ValidService(name); got != want {
			t.Errorf("ValidService(%q) = %v, want %v", name, got, want)
		}
	}
}

var testCreds = Credentials{AccessKeyID: "ASIAKEY", SecretAccessKey: "s3cret/+=", SessionToken: "tok&en=="}

func TestSigninTokenSendsTheSessionJSON(t *testing.T) {
	t.Parallel()
	var got url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Query()
		if r.URL.Path != "/federation" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`{"SigninToken":"the-token"}`))
	}))
	defer srv.Close()
	c := &Client{HTTPClient: srv.Client(), Endpoint: srv.URL}
	tok, err := c.SigninToken(context.Background(), testCreds, 2*time.Hour)
	if err != nil || tok != "the-token" {
		t.Fatalf("SigninToken = %q, %v", tok, err)
	}
	var session map[string]string
	if err := json.Unmarshal([]byte(got.Get("Session")), &session); err != nil {
		t.Fatalf("Session %q: %v", got.Get("Session"), err)
	}
	want := map[string]string{"sessionId": "ASIAKEY", "sessionKey": "s3cret/+=", "sessionToken": "tok&en=="}
	for k, v := range want {
		if session[k] != v {
			t.Errorf("Session[%s] = %q, want %q", k, session[k], v)
		}
	}
	if got.Get("Action") != "getSigninToken" || got.Get("SessionDuration") != "7200" {
		t.Errorf("Action=%q SessionDuration=%q, want getSigninToken and 7200", got.Get("Action"), got.Get("SessionDuration"))
	}
	// No duration: no SessionDuration parameter at all.
	if _, err := c.SigninToken(context.Background(), testCreds, 0); err != nil {
		t.Fatal(err)
	}
	if _, ok := got["SessionDuration"]; ok {
		t.Errorf("SessionDuration sent without a duration: %v", got)
	}
	login, _ := url.Parse(c.LoginURL("the-token", "https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1"))
	q := login.Query()
	if q.Get("Action") != "login" || q.Get("SigninToken") != "the-token" || q.Get("Issuer") != Issuer ||
		q.Get("Destination") != "https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1" {
		t.Errorf("login URL %s", login)
	}
}

func TestSigninTokenErrors(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("SessionDuration") {
		case "900":
			http.Error(w, "SessionDuration cannot be used\nsecond line", http.StatusBadRequest)
		case "1800":
			w.Write([]byte(`{"other":1}`))
		default:
			w.WriteHeader(http.StatusForbidden)
		}
	}))
	defer srv.Close()
	c := &Client{HTTPClient: srv.Client(), Endpoint: srv.URL}
	_, err := c.SigninToken(context.Background(), testCreds, 15*time.Minute)
	var re *RefusedError
	if !errors.As(err, &re) || re.Status != 400 || re.Message != "SessionDuration cannot be used" || !errors.Is(err, ErrRefused) {
		t.Errorf("400: %v", err)
	}
	if _, err := c.SigninToken(context.Background(), testCreds, 30*time.Minute); err == nil || !strings.Contains(err.Error(), "without a SigninToken") {
		t.Errorf("no token: %v", err)
	}
	if _, err := c.SigninToken(context.Background(), testCreds, 0); !errors.As(err, &re) || re.Status != 403 || re.Message != "" {
		t.Errorf("403: %v", err)
	}
	// A connection error names the endpoint but never the URL with the credentials.
	srv.Close()
	_, err = c.SigninToken(context.Background(), testCreds, 0)
	if err == nil || strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "Session=") {
		t.Errorf("connection error %q shows the request URL", err)
	}
}
