package authflow

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
)

// PKCEFlow is the authorization code grant with PKCE (RFC 7636) and a loopback
// redirect (RFC 8252 §7.3), as the AWS CLI runs it since 2.22 (spec §2.3).
type PKCEFlow struct {
	API    OIDC
	Client Client
	// AuthorizeEndpoint is the OIDC endpoint's /authorize URL.
	AuthorizeEndpoint string
	Scopes            []string // DefaultScope when empty

	// OpenURL is called with the authorize URL once the loopback listener is
	// accepting connections.
	OpenURL func(url string) error
	// Waiting, if set, is called every few seconds with the time left.
	Waiting func(left time.Duration)
	// Timeout bounds the wait for the browser; the AWS CLI gives up after 600 s.
	Timeout time.Duration
	// Rand defaults to crypto/rand.
	Rand io.Reader
	// Listen defaults to net.Listen; tests use it to see the bound address.
	Listen func(network, addr string) (net.Listener, error)
}

// ErrAuthorizationFailed is returned when the redirect of this login carries an
// error (the user declined, the server refused) or no code.
var ErrAuthorizationFailed = errors.New("the authorization redirect carried no code")

// ListenError is returned when the loopback listener for the redirect
// cannot be started.
type ListenError struct{ Err error }

func (e *ListenError) Error() string {
	return "listen for the authorization redirect: " + e.Err.Error()
}

// Unwrap returns the listener's error.
func (e *ListenError) Unwrap() error { return e.Err }

// verifierAlphabet is RFC 7636 §4.1's unreserved characters.
const verifierAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"

// NewVerifier returns a 64-character code verifier (RFC 7636 §4.1), as the AWS CLI makes.
func NewVerifier(r io.Reader) (string, error) {
	b := make([]byte, 64)
	out := make([]byte, 64)
	for i := 0; i < len(out); {
		if _, err := io.ReadFull(r, b); err != nil {
			return "", fmt.Errorf("make code verifier: %w", err)
		}
		for _, c := range b {
			// 66 symbols: reject bytes that would bias the choice.
			if c >= 3*66 || i == len(out) {
				continue
			}
			out[i] = verifierAlphabet[int(c)%66]
			i++
		}
	}
	return string(out), nil
}

// Challenge returns the S256 code challenge of a verifier (RFC 7636 §4.2).
func Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// newState returns a random UUID version 4, the AWS CLI's state value.
func newState(r io.Reader) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("make state: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := fmt.Sprintf("%x", b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

// escape percent-encodes everything but ALPHA / DIGIT / "-._~", as Python's
// urllib.parse.quote(safe="") does for the AWS CLI's authorize URL.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// AuthorizeURL builds the authorize URL with the AWS CLI's parameters, order and encoding.
func AuthorizeURL(endpoint, clientID, redirectURI, state, challenge string, scopes []string) string {
	return endpoint + "?response_type=code" +
		"&client_id=" + escape(clientID) +
		"&redirect_uri=" + escape(redirectURI) +
		"&state=" + escape(state) +
		"&code_challenge_method=S256" +
		"&scopes=" + escape(strings.Join(scopes, " ")) +
		"&code_challenge=" + escape(challenge)
}

type callback struct {
	code, state, err, desc string
}

// Run listens on 127.0.0.1, opens the authorize URL, waits for the redirect and
// exchanges the code.
func (f *PKCEFlow) Run(ctx context.Context) (*Token, error) {
	rnd := f.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	listen := f.Listen
	if listen == nil {
		listen = net.Listen
	}
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = 600 * time.Second
	}
	scopes := f.Scopes
	if len(scopes) == 0 {
		scopes = []string{DefaultScope}
	}
	verifier, err := NewVerifier(rnd)
	if err != nil {
		return nil, err
	}
	state, err := newState(rnd)
	if err != nil {
		return nil, err
	}
	// Bind loopback only, unlike the AWS CLI (which listens on every interface),
	// and before the browser is opened, so the redirect cannot race the listener.
	ln, err := listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, &ListenError{Err: err}
	}
	port := ln.Addr().(*net.TCPAddr).Port
	redirectURI := "http://127.0.0.1:" + strconv.Itoa(port) + "/oauth/callback"

	got := make(chan callback, 1)
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		Handler:           callbackHandler(state, got),
	}
	// One request per connection: the server then half-closes and lingers
	// after the result page, so that closing the listener right after it
	// cannot reset a connection with a pipelined request (a favicon) unread,
	// which would make the browser drop the page it had not read yet.
	srv.SetKeepAlivesEnabled(false)
	go srv.Serve(ln)
	// Shut down gracefully, so the browser gets the whole result page.
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()

	u := AuthorizeURL(f.AuthorizeEndpoint, f.Client.ID, redirectURI, state, Challenge(verifier), scopes)
	if f.OpenURL != nil {
		if err := f.OpenURL(u); err != nil {
			return nil, err
		}
	}

	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	end := time.Now().Add(timeout)
	var cb callback
wait:
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-deadline.C:
			return nil, ErrPendingExpired
		case <-tick.C:
			if f.Waiting != nil {
				f.Waiting(time.Until(end))
			}
		case cb = <-got:
			break wait
		}
	}
	if cb.err != "" || cb.code == "" {
		return nil, ErrAuthorizationFailed
	}
	out, err := f.API.CreateToken(ctx, &ssooidc.CreateTokenInput{
		GrantType:    ptr(GrantAuthorizationCode),
		ClientId:     &f.Client.ID,
		ClientSecret: &f.Client.Secret,
		RedirectUri:  &redirectURI,
		CodeVerifier: &verifier,
		Code:         &cb.code,
	})
	if err != nil {
		if errorCode(err) == "ExpiredTokenException" {
			return nil, ErrPendingExpired
		}
		return nil, err
	}
	return tokenFrom(out)
}

// callbackHandler answers the redirect. Only a request to /oauth/callback whose
// state is this login's ends the wait, with its code or its error. Unlike the
// AWS CLI, which ends the login on any ?error= and on a wrong state, every
// other request is answered and ignored (RFC 8252 §8.9): the port is open to
// every local process and every page in the user's browser, and none of them
// may abort the login.
func callbackHandler(state string, got chan<- callback) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		cb := callback{code: q.Get("code"), state: q.Get("state"), err: q.Get("error"), desc: q.Get("error_description")}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		switch {
		case r.URL.Path != "/oauth/callback":
			http.NotFound(w, r)
			return
		case subtle.ConstantTimeCompare([]byte(cb.state), []byte(state)) != 1:
			w.WriteHeader(http.StatusBadRequest)
			writePage(w, "Sign-in failed", "The sign-in response did not match this login request, so it was ignored. If a login is waiting, finish it in the tab it opened.")
			return
		case cb.err != "":
			writePage(w, "Sign-in failed", "The authentication redirect failed with the following error: "+cb.err+describe(cb.desc)+". You can close this tab and run the login command again.")
		case cb.code == "":
			writePage(w, "Sign-in failed", "The authentication redirect carried no authorization code. You can close this tab and run the login command again.")
		default:
			writePage(w, "Signed in", "Your credentials have been shared successfully and can be used until your session expires. You can now close this tab.")
		}
		select {
		case got <- cb:
		default:
		}
	})
}

func describe(d string) string {
	if d == "" {
		return ""
	}
	return " (" + d + ")"
}

func writePage(w http.ResponseWriter, title, msg string) {
	fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>%s</title>`+
		`<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#16191f}h1{font-size:1.4rem}</style></head>`+
		`<body><h1>%s</h1><p>%s</p></body></html>`, html.EscapeString(title), html.EscapeString(title), html.EscapeString(msg))
}
