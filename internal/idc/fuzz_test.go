package idc_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/ssocli/ssocli/internal/idc"
)

// fuzzDeadline is how long one request may take before the fuzz target calls
// it a hang: every handler works on a body already in memory, so anything
// near this is a loop, not a slow machine.
const fuzzDeadline = 10 * time.Second

// fuzzSession is a local Identity Center with one finished device login, one
// registered PKCE client and one set of role credentials, all issued through
// the handler itself. vars maps the placeholders a fuzz input may use to the
// live values, so the fuzzer reaches the code behind authentication.
type fuzzSession struct {
	h       http.Handler
	log     *syncBuffer
	vars    map[string]string
	secrets map[string]string // name -> value; never printed
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const (
	fuzzAccount  = "111122223333"
	fuzzRole     = "AdministratorAccess"
	fuzzRedirect = "http://127.0.0.1:43210/oauth/callback"
)

func newFuzzSession(tb testing.TB, dataDir string) *fuzzSession {
	tb.Helper()
	log := &syncBuffer{}
	srv, err := idc.New(idc.Config{
		PublicURL:        "http://127.0.0.1:8765",
		AutoApprove:      "alice",
		AutoApproveDelay: -1,
		DataDir:          dataDir,
		Logger:           slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		tb.Fatalf("start server: %v", err)
	}
	s := &fuzzSession{h: srv.Handler(), log: log, vars: map[string]string{}, secrets: map[string]string{}}
	call := func(method, target string, hdr map[string]string, body any, out any) {
		tb.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req := httptest.NewRequest(method, "http://127.0.0.1:8765"+target, rd)
		req.Header.Set("Content-Type", "application/json")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		s.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			tb.Fatalf("seed %s %s: status %d", method, req.URL.Path, rec.Code)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			tb.Fatalf("seed %s %s: %v", method, req.URL.Path, err)
		}
	}
	var reg struct{ ClientID, ClientSecret string }
	call("POST", "/client/register", nil, map[string]any{"clientName": "fuzz", "clientType": "public", "scopes": []string{"sso:account:access"}}, &reg)
	var dev struct{ DeviceCode, UserCode string }
	call("POST", "/device_authorization", nil, map[string]any{"clientId": reg.ClientID, "clientSecret": reg.ClientSecret, "startUrl": "https://d-1234567890.awsapps.com/start"}, &dev)
	var tok struct{ AccessToken, RefreshToken string }
	call("POST", "/token", nil, map[string]any{"clientId": reg.ClientID, "clientSecret": reg.ClientSecret, "grantType": "urn:ietf:params:oauth:grant-type:device_code", "deviceCode": dev.DeviceCode}, &tok)
	var rc struct {
		RoleCredentials struct{ AccessKeyID, SecretAccessKey, SessionToken string } `json:"roleCredentials"`
	}
	call("GET", "/federation/credentials?account_id="+fuzzAccount+"&role_name="+fuzzRole, map[string]string{"x-amz-sso_bearer_token": tok.AccessToken}, nil, &rc)
	var pk struct{ ClientID, ClientSecret string }
	call("POST", "/client/register", nil, map[string]any{
		"clientName": "fuzz-pkce", "clientType": "public", "scopes": []string{"sso:account:access"},
		"grantTypes": []string{"authorization_code", "refresh_token"}, "redirectUris": []string{fuzzRedirect},
		"issuerUrl": "https://d-1234567890.awsapps.com/start",
	}, &pk)
	for name, v := range map[string]string{
		"client secret": reg.ClientSecret, "device code": dev.DeviceCode, "access token": tok.AccessToken,
		"refresh token": tok.RefreshToken, "secret key": rc.RoleCredentials.SecretAccessKey,
		"session token": rc.RoleCredentials.SessionToken, "PKCE client secret": pk.ClientSecret,
	} {
		if v == "" {
			tb.Fatalf("seed: no %s issued", name)
		}
		s.secrets[name] = v
	}
	s.vars = map[string]string{
		"$CID": reg.ClientID, "$CS": reg.ClientSecret, "$DC": dev.DeviceCode, "$UC": dev.UserCode,
		"$AT": tok.AccessToken, "$RT": tok.RefreshToken, "$AKID": rc.RoleCredentials.AccessKeyID,
		"$SK": rc.RoleCredentials.SecretAccessKey, "$ST": rc.RoleCredentials.SessionToken,
		"$PCID": pk.ClientID, "$PCS": pk.ClientSecret, "$ACCT": fuzzAccount, "$ROLE": fuzzRole,
		"$REDIR": url.QueryEscape(fuzzRedirect),
	}
	return s
}

// expand replaces the placeholders in s by the session's live values.
func (s *fuzzSession) expand(in string) string {
	if !strings.Contains(in, "$") {
		return in
	}
	// Longest names first, so "$PCID" is not read as "$PC" + "ID".
	for _, k := range []string{"$REDIR", "$AKID", "$PCID", "$ACCT", "$ROLE", "$PCS", "$CID", "$CS", "$DC", "$UC", "$AT", "$RT", "$SK", "$ST"} {
		in = strings.ReplaceAll(in, k, s.vars[k])
	}
	return in
}

// serve runs one request through the handler with a deadline and returns
// the recorder. It fails the test on a panic or a hang.
func (s *fuzzSession) serve(t *testing.T, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		s.h.ServeHTTP(rec, req)
	}()
	select {
	case p := <-done:
		if p != nil {
			// The panic value may quote the request; print only its type.
			t.Fatalf("%s %s: handler panicked (%T)", req.Method, req.URL.Path, p)
		}
	case <-time.After(fuzzDeadline):
		t.Fatalf("%s %s: no response within %v", req.Method, req.URL.Path, fuzzDeadline)
	}
	return rec
}

// checkNoLeak fails when the response or the server log holds a secret of
// the seeded session that the request itself did not carry. A secret the
// client sent may come back to it (e.g. a refresh token echoed nowhere but
// its own answer); one it did not send must never appear in an error, a
// header or the log.
func (s *fuzzSession) checkNoLeak(t *testing.T, raw []byte, rec *httptest.ResponseRecorder, logBefore int) {
	t.Helper()
	var hdr bytes.Buffer
	rec.Header().Write(&hdr)
	logs := s.log.String()[logBefore:]
	for name, v := range s.secrets {
		if bytes.Contains(raw, []byte(v)) {
			continue
		}
		if rec.Code >= 400 && bytes.Contains(rec.Body.Bytes(), []byte(v)) {
			t.Errorf("the %d error body holds the seeded %s", rec.Code, name)
		}
		if bytes.Contains(hdr.Bytes(), []byte(v)) {
			t.Errorf("a response header holds the seeded %s", name)
		}
		if strings.Contains(logs, v) {
			t.Errorf("the server log holds the seeded %s", name)
		}
	}
}

// FuzzHandler sends arbitrary requests to every API of the local Identity
// Center (OIDC, portal, STS, sign-in pages, CONNECT proxy) through
// Server.Handler: no panic, an answer within fuzzDeadline, a valid HTTP
// status, and no secret of the seeded session in an error, a header or the
// log. Placeholders such as $AT (access token) or $CID (client id) in the
// input are replaced by live values; sign asks for a SigV4 signature with the
// seeded role credentials, so the STS checks behind the signature run too.
func FuzzHandler(f *testing.F) {
	seeds := []struct {
		method, target, headers, body string
		sign                          bool
	}{
		{"POST", "/client/register", "Content-Type: application/json", `{"clientName":"x","clientType":"public","scopes":["sso:account:access"]}`, false},
		{"POST", "/client/register", "Content-Type: application/json", `{"clientName":"x","clientType":"public","grantTypes":["authorization_code"],"redirectUris":["http://[::1]:1/cb"],"issuerUrl":"https://a"}`, false},
		{"POST", "/device_authorization", "Content-Type: application/json", `{"clientId":"$CID","clientSecret":"$CS","startUrl":"https://d-1234567890.awsapps.com/start"}`, false},
		{"POST", "/token", "Content-Type: application/json", `{"clientId":"$CID","clientSecret":"$CS","grantType":"refresh_token","refreshToken":"$RT"}`, false},
		{"POST", "/token", "Content-Type: application/json", `{"clientId":"$CID","clientSecret":"$CS","grantType":"urn:ietf:params:oauth:grant-type:device_code","deviceCode":"$DC"}`, false},
		{"POST", "/token", "Content-Type: application/json", `{"clientId":"$PCID","clientSecret":"$PCS","grantType":"authorization_code","code":"x","redirectUri":"` + fuzzRedirect + `","codeVerifier":"v"}`, false},
		{"POST", "/token", "Content-Type: application/json", `{"clientId":"$CID","clientSecret":"$CS","grantType":"refresh_token","refreshToken":"$AT"}`, false},
		{"POST", "/token", "Content-Type: application/json", `{"clientId":1,"grantType":[]}`, false},
		{"GET", "/federation/credentials?account_id=$ACCT&role_name=$ROLE", "x-amz-sso_bearer_token: $AT", "", false},
		{"GET", "/federation/credentials?account_id=$ACCT&role_name=$ROLE&role_name=x", "x-amz-sso_bearer_token: $RT", "", false},
		{"GET", "/assignment/accounts?max_result=1&next_token=zz", "x-amz-sso_bearer_token: $AT", "", false},
		{"GET", "/assignment/roles?account_id=$ACCT&max_result=-1", "x-amz-sso_bearer_token: $AT", "", false},
		{"POST", "/logout", "x-amz-sso_bearer_token: $AT", "", false},
		{"POST", "/", "Content-Type: application/x-www-form-urlencoded", "Action=GetCallerIdentity&Version=2011-06-15", true},
		{"POST", "/", "Content-Type: application/x-www-form-urlencoded\nX-Amz-Security-Token: $ST", "Action=GetCallerIdentity&Version=2011-06-15", false},
		{"POST", "/", "Authorization: AWS4-HMAC-SHA256 Credential=$AKID/20200101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00", "Action=GetCallerIdentity", false},
		{"GET", "/device?user_code=$UC", "", "", false},
		{"POST", "/device", "Content-Type: application/x-www-form-urlencoded\nOrigin: http://127.0.0.1:8765", "user_code=$UC", false},
		{"POST", "/login", "Content-Type: application/x-www-form-urlencoded\nOrigin: http://127.0.0.1:8765", "username=alice&password=wonderland&next=%2Fdevice", false},
		{"GET", "/authorize?response_type=code&client_id=$PCID&redirect_uri=$REDIR&state=s&code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "", "", false},
		{"POST", "/consent", "Content-Type: application/x-www-form-urlencoded\nCookie: x=y", "decision=allow&client_id=$PCID", false},
		{"GET", "/static/style.css", "", "", false},
		{"CONNECT", "oidc.us-east-1.amazonaws.com:443", "", "", false},
		{"CONNECT", "example.com:443", "", "", false},
		{"GET", "/%2e%2e/%00", "", "", false},
		{"DELETE", "/token", "Transfer-Encoding: chunked", "0\r\n\r\n", false},
	}
	for _, s := range seeds {
		f.Add(s.method, s.target, s.headers, []byte(s.body), s.sign)
	}
	dataDir := f.TempDir() // the proxy CA, made once and loaded by each server
	f.Fuzz(func(t *testing.T, method, target, headers string, body []byte, sign bool) {
		s := newFuzzSession(t, dataDir)
		var raw bytes.Buffer
		target = s.expand(target)
		fmt.Fprintf(&raw, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:8765\r\n", method, target)
		for _, line := range strings.Split(s.expand(headers), "\n") {
			if line != "" {
				raw.WriteString(line + "\r\n")
			}
		}
		b := []byte(s.expand(string(body)))
		if !strings.Contains(strings.ToLower(headers), "transfer-encoding") {
			fmt.Fprintf(&raw, "Content-Length: %d\r\n", len(b))
		}
		raw.WriteString("\r\n")
		raw.Write(b)
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw.Bytes())))
		if err != nil {
			return // net/http would refuse it before any handler ran
		}
		req.RemoteAddr = "127.0.0.1:40000"
		if sign {
			signSTS(req, b, s.vars)
		}
		logBefore := len(s.log.String())
		rec := s.serve(t, req)
		if rec.Code < 100 || rec.Code > 599 {
			t.Errorf("%s %s: status %d", req.Method, req.URL.Path, rec.Code)
		}
		s.checkNoLeak(t, raw.Bytes(), rec, logBefore)
	})
}

// signSTS signs req as an STS call with the seeded role credentials.
func signSTS(req *http.Request, body []byte, vars map[string]string) {
	sum := sha256.Sum256(body)
	cr := aws.Credentials{AccessKeyID: vars["$AKID"], SecretAccessKey: vars["$SK"], SessionToken: vars["$ST"]}
	req.Header.Del("Authorization")
	_ = v4.NewSigner().SignHTTP(context.Background(), cr, req, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now())
}

// FuzzAuthorize sends arbitrary queries to GET /authorize for a registered
// PKCE client, with logins approved automatically: no panic or hang, and the
// browser is only ever sent to the client's registered redirect URI (RFC
// 6749 §4.1.2.1: never to a URI the request alone names) or to our own
// sign-in page, and a Content-Security-Policy header is never split.
func FuzzAuthorize(f *testing.F) {
	for _, q := range []string{
		"response_type=code&client_id=$PCID&redirect_uri=$REDIR&state=s&code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		"response_type=code&client_id=$PCID&redirect_uri=http%3A%2F%2Fevil.example%2Fcb&state=s&code_challenge_method=S256&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		"response_type=code&client_id=$PCID&redirect_uri=$REDIR%3Fx%3D1&state=s&code_challenge_method=S256&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		"response_type=code&client_id=$PCID&redirect_uri=http%3A%2F%2F127.0.0.1%3A43210%2Foauth%2Fcallback%23f&state=s&code_challenge_method=plain&code_challenge=x",
		"response_type=token&client_id=$CID&redirect_uri=$REDIR&state=&scope=openid",
		"client_id=$PCID&client_id=$PCID",
		"%zz", "", ";;;&&&==",
		"response_type=code&client_id=$PCID&redirect_uri=http%3A%2F%2F%5B%3A%3A1%5D%3A43210%2Foauth%2Fcallback&state=%3Cscript%3E&code_challenge_method=S256&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, query string) {
		s := newFuzzSession(t, "")
		query = s.expand(query)
		u := &url.URL{Path: "/authorize", RawQuery: query}
		req, err := http.NewRequest("GET", "http://127.0.0.1:8765"+u.RequestURI(), nil)
		if err != nil {
			return
		}
		req.RemoteAddr = "127.0.0.1:40000"
		logBefore := len(s.log.String())
		rec := s.serve(t, req)
		s.checkNoLeak(t, []byte(query), rec, logBefore)
		if loc := rec.Header().Get("Location"); loc != "" {
			l, err := url.Parse(loc)
			switch {
			case err != nil:
				t.Errorf("unparsable Location after %d", rec.Code)
			case l.Host == "" && strings.HasPrefix(l.Path, "/") && !strings.HasPrefix(l.Path, "//"):
				// our own pages (sign-in)
			case l.Scheme != "http" || l.Hostname() != "127.0.0.1" || l.Path != "/oauth/callback" || l.User != nil:
				// RFC 8252 §7.3: a loopback redirect may change only its port.
				t.Errorf("redirected to %s://%s%s, not the registered redirect URI", l.Scheme, l.Host, l.Path)
			}
		}
		for _, csp := range rec.Header().Values("Content-Security-Policy") {
			if strings.ContainsAny(csp, "\r\n") {
				t.Errorf("Content-Security-Policy holds a line break")
			}
		}
	})
}
