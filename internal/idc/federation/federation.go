// Package federation serves the AWS sign-in federation endpoint of the local
// IAM Identity Center (signin.aws.amazon.com/federation, as the IAM guide
// "Enable custom identity broker access to the AWS console" describes it) and
// a minimal console page that shows who is signed in, so that console sign-in
// (`ssocli console`) is tested offline, in a real browser.
//
// Two actions, as on AWS:
//   - Action=getSigninToken&Session={"sessionId","sessionKey","sessionToken"}
//     [&SessionDuration=900..43200] answers {"SigninToken": "..."} for role
//     credentials this server issued (checked against sts.Lookup: known, not
//     revoked, the secret and session token match, not expired). A
//     SessionDuration with role-chained credentials is refused, as AWS
//     refuses it.
//   - Action=login&SigninToken=...&Destination=URL[&Issuer=URL] spends the
//     token (once, within 15 minutes), sets a console session cookie and
//     redirects to the destination, which must be a console page of this
//     server: /console/... on the same host, or a console host name
//     (<region>.console.aws.amazon.com and the other partitions') reached
//     through the server's CONNECT proxy.
//
// The console page (Console) answers every path of a console host, and
// /console/... on the server's own address. Sign-in tokens and console
// sessions live in memory only: a restarted server forgets them, as a browser
// forgets a console session on AWS after its duration.
//
// It is a test server: the tokens are random strings, not AWS's, and the page
// is not a console.
package federation

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ssocli/ssocli/internal/idc/sts"
)

// The bounds of SessionDuration (seconds) that the federation endpoint
// accepts with AssumeRole* credentials.
const (
	MinSessionDuration = 900 * time.Second
	MaxSessionDuration = 43200 * time.Second
)

// TokenTTL is how long a sign-in token may be spent: 15 minutes on AWS.
const TokenTTL = 15 * time.Minute

// CookieName is the console session cookie.
const CookieName = "ssocli_console_session"

// Handler serves the federation endpoint and the console page. Set Lookup,
// Now and Logger, then Register it; it is safe for concurrent use.
type Handler struct {
	Lookup sts.Lookup
	Now    func() time.Time
	Logger *slog.Logger
	// Chained, when set, reports whether a credential came from role
	// chaining (AssumeRole with temporary credentials), with which AWS
	// refuses a SessionDuration; nil means none is.
	Chained func(accessKeyID string) bool

	mu       sync.Mutex
	tokens   map[string]pending        // sha256(token) -> what it signs in
	sessions map[string]consoleSession // sha256(cookie) -> the console session
}

// pending is a sign-in token not spent yet.
type pending struct {
	accessKeyID  string
	sessionToken string
	duration     time.Duration // 0: the credentials' own expiration
	expires      time.Time
}

// consoleSession is a browser signed in to the console.
type consoleSession struct {
	cred    sts.Credential
	expires time.Time
}

// Register adds the federation endpoint and the console page on the
// server's own address to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /federation", h.federation)
	mux.HandleFunc("POST /federation", h.federation)
	mux.Handle("GET /console/", h.Console())
}

// ConsoleHost reports whether host (lower case, without a port) is a
// console host name of one of the partitions ssocli knows: the hosts a
// destination names on AWS.
func ConsoleHost(host string) bool {
	for _, suffix := range []string{"console.aws.amazon.com", "console.amazonaws.cn", "console.amazonaws-us-gov.com"} {
		if host == suffix || strings.HasSuffix(host, "."+suffix) {
			return true
		}
	}
	return false
}

// cookieDomain is the domain a console cookie set on host is sent to, so
// that the cookie set by the sign-in host reaches the console host of the
// same partition; "" (a host-only cookie) elsewhere.
func cookieDomain(host string) string {
	for _, d := range []string{"aws.amazon.com", "amazonaws.cn", "amazonaws-us-gov.com"} {
		if host == "signin."+d || strings.HasSuffix(host, ".signin."+d) {
			return d
		}
	}
	return ""
}

// apiError is a refusal of the federation endpoint: a status and a message
// that says what was wrong (AWS answers 400 with less).
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func (h *Handler) federation(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.refuse(w, "", badRequest("the request parameters could not be read"))
		return
	}
	switch action := r.Form.Get("Action"); action {
	case "getSigninToken":
		tok, err := h.getSigninToken(r)
		if err != nil {
			h.refuse(w, action, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(map[string]string{"SigninToken": tok})
	case "login":
		h.login(w, r)
	default:
		h.refuse(w, action, badRequest("unknown Action %q: the federation endpoint answers getSigninToken and login", truncate(action, 40)))
	}
}

func (h *Handler) refuse(w http.ResponseWriter, action string, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = &apiError{http.StatusInternalServerError, "internal error"}
	}
	h.Logger.Info("federation refused", "action", action, "status", e.status, "reason", e.msg)
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, e.msg, e.status)
}

// sessionJSON is the Session parameter of getSigninToken.
type sessionJSON struct {
	SessionID    string `json:"sessionId"`
	SessionKey   string `json:"sessionKey"`
	SessionToken string `json:"sessionToken"`
}

func (h *Handler) getSigninToken(r *http.Request) (string, error) {
	var s sessionJSON
	if err := json.Unmarshal([]byte(r.Form.Get("Session")), &s); err != nil || s.SessionID == "" {
		return "", badRequest("the Session parameter must be the JSON object {\"sessionId\", \"sessionKey\", \"sessionToken\"} of temporary credentials")
	}
	if s.SessionToken == "" {
		return "", badRequest("the credentials have no session token: the federation endpoint takes temporary credentials only")
	}
	cred, ok := h.Lookup.LookupCredential(s.SessionID, s.SessionToken)
	if !ok || !equal(s.SessionKey, cred.SecretAccessKey) || !equal(s.SessionToken, cred.SessionToken) {
		return "", &apiError{http.StatusForbidden, "the credentials are not valid: unknown access key, wrong secret key or session token, or a session that was signed out"}
	}
	now := h.Now()
	if !now.Before(cred.Expiration) {
		return "", &apiError{http.StatusForbidden, "the credentials have expired"}
	}
	var duration time.Duration
	if v := r.Form.Get("SessionDuration"); v != "" {
		secs, err := strconv.Atoi(v)
		if err != nil || secs < int(MinSessionDuration/time.Second) || secs > int(MaxSessionDuration/time.Second) {
			return "", badRequest("SessionDuration %q must be a number of seconds from 900 to 43200", truncate(v, 20))
		}
		if h.Chained != nil && h.Chained(cred.AccessKeyID) {
			return "", badRequest("SessionDuration cannot be used with credentials from role chaining")
		}
		duration = time.Duration(secs) * time.Second
	}
	tok, err := randomToken()
	if err != nil {
		return "", err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.gc(now)
	if h.tokens == nil {
		h.tokens = map[string]pending{}
	}
	h.tokens[hash(tok)] = pending{accessKeyID: cred.AccessKeyID, sessionToken: cred.SessionToken, duration: duration, expires: now.Add(TokenTTL)}
	h.Logger.Info("federation getSigninToken", "access_key_id", cred.AccessKeyID, "session_duration", duration)
	return tok, nil
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	dest, err := h.destination(r)
	if err != nil {
		h.refuse(w, "login", err)
		return
	}
	tok := r.Form.Get("SigninToken")
	now := h.Now()
	h.mu.Lock()
	p, ok := h.tokens[hash(tok)]
	delete(h.tokens, hash(tok))
	h.mu.Unlock()
	if tok == "" || !ok || !now.Before(p.expires) {
		h.page(w, http.StatusForbidden, pageData{Heading: "Sign-in link expired", Text: "This sign-in link is not valid: it was used already, is older than 15 minutes, or was never issued. Run ssocli console again for a new one."})
		h.Logger.Info("federation refused", "action", "login", "reason", "unknown, spent or expired sign-in token")
		return
	}
	cred, ok := h.Lookup.LookupCredential(p.accessKeyID, p.sessionToken)
	if !ok {
		h.page(w, http.StatusForbidden, pageData{Heading: "Session ended", Text: "The IAM Identity Center session behind this sign-in link was signed out."})
		return
	}
	expires := cred.Expiration
	if p.duration > 0 {
		expires = now.Add(p.duration)
	}
	if !now.Before(expires) {
		h.page(w, http.StatusForbidden, pageData{Heading: "Credentials expired", Text: "The credentials behind this sign-in link expired before it was opened. Run ssocli console again."})
		return
	}
	id, err := randomToken()
	if err != nil {
		h.refuse(w, "login", err)
		return
	}
	h.mu.Lock()
	if h.sessions == nil {
		h.sessions = map[string]consoleSession{}
	}
	h.sessions[hash(id)] = consoleSession{cred: cred, expires: expires}
	h.mu.Unlock()
	http.SetCookie(w, &http.Cookie{
		Name:   CookieName,
		Value:  id,
		Path:   "/",
		Domain: cookieDomain(hostOnly(r.Host)),
		// Relative, so that a browser whose clock differs keeps it as long.
		MaxAge:   max(1, int(expires.Sub(now)/time.Second)),
		HttpOnly: true,
		Secure:   r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
	h.Logger.Info("federation login", "access_key_id", cred.AccessKeyID, "account", cred.AccountID, "role", cred.RoleName, "issuer", truncate(r.Form.Get("Issuer"), 100))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, dest, http.StatusFound)
}

// destination checks the Destination of a login: a console page of this
// server, never another site (the endpoint would otherwise be an open
// redirect).
func (h *Handler) destination(r *http.Request) (string, error) {
	raw := r.Form.Get("Destination")
	u, err := url.Parse(raw)
	if err != nil || raw == "" || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", badRequest("Destination must be the absolute URL of a console page")
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case ConsoleHost(host) && u.Scheme == "https":
	case strings.EqualFold(u.Host, r.Host) && strings.HasPrefix(u.Path, "/console/"):
	default:
		return "", badRequest("Destination %q is not a console page of this server: use https://<region>.console.aws.amazon.com/... through the proxy, or /console/... on this server's address", truncate(raw, 100))
	}
	return u.String(), nil
}

// Console returns the console page: who is signed in, or how to sign in.
func (h *Handler) Console() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "the console page answers GET only", http.StatusMethodNotAllowed)
			return
		}
		c, err := r.Cookie(CookieName)
		var s consoleSession
		ok := false
		if err == nil {
			now := h.Now()
			h.mu.Lock()
			s, ok = h.sessions[hash(c.Value)]
			if ok && !now.Before(s.expires) {
				delete(h.sessions, hash(c.Value))
				ok = false
			}
			h.mu.Unlock()
		}
		if !ok {
			h.page(w, http.StatusUnauthorized, pageData{Heading: "Not signed in", Text: "Open the sign-in URL of ssocli console to sign in to this console."})
			return
		}
		region := r.URL.Query().Get("region")
		h.page(w, http.StatusOK, pageData{
			Heading:   "Console Home",
			SignedIn:  true,
			Account:   s.cred.AccountID,
			Role:      s.cred.RoleName,
			Session:   s.cred.UserName,
			Arn:       fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", s.cred.AccountID, s.cred.RoleName, s.cred.UserName),
			Region:    region,
			Path:      r.URL.Path,
			ExpiresAt: s.expires.UTC().Format(time.RFC3339),
		})
	})
}

// pageData is what the page shows.
type pageData struct {
	Heading, Text               string
	SignedIn                    bool
	Account, Role, Session, Arn string
	Region, Path, ExpiresAt     string
}

// pageTemplate is parsed on first use, not at init: every ssocli process links
// this package, and parsing costs ~150 allocations (issue 14).
var pageTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("console").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Heading}} - local AWS console</title></head>
<body>
<h1>{{.Heading}}</h1>
{{if .SignedIn}}<dl id="identity">
<dt>Account</dt><dd id="account">{{.Account}}</dd>
<dt>Role</dt><dd id="role">{{.Role}}</dd>
<dt>Session</dt><dd id="session">{{.Session}}</dd>
<dt>ARN</dt><dd id="arn">{{.Arn}}</dd>
<dt>Region</dt><dd id="region">{{.Region}}</dd>
<dt>Page</dt><dd id="path">{{.Path}}</dd>
<dt>Signed in until</dt><dd id="expires">{{.ExpiresAt}}</dd>
</dl>
<p>This is the console page of the local IAM Identity Center (ssocli serve), not the AWS console.</p>
{{else}}<p id="message">{{.Text}}</p>{{end}}
</body></html>
`))
})

func (h *Handler) page(w http.ResponseWriter, status int, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if err := pageTemplate().Execute(w, d); err != nil {
		h.Logger.Error("render console page", "err", err)
	}
}

// gc drops spent-by-time tokens and ended sessions; h.mu is held.
func (h *Handler) gc(now time.Time) {
	for k, p := range h.tokens {
		if !now.Before(p.expires) {
			delete(h.tokens, k)
		}
	}
	for k, s := range h.sessions {
		if !now.Before(s.expires) {
			delete(h.sessions, k)
		}
	}
}

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make a token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// hash keys the maps by a digest, so that lookups never compare a secret
// byte by byte.
func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func hostOnly(hostport string) string {
	host := hostport
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 && !strings.Contains(hostport[i:], "]") {
		host = hostport[:i]
	}
	return strings.TrimSuffix(strings.ToLower(host), ".")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
