// Package signin serves the web pages of the local IAM Identity Center: the
// sign-in form, the device verification page of the device authorization
// grant (RFC 8628 §3.3) and the authorization endpoint with its consent page
// for the authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636) that
// the AWS CLI opens in a browser (spec §2.2, §2.3).
//
// The pages only talk to a person; they hold no tokens, clients or users of
// their own. Everything they decide on comes from a Backend (the server's
// store), so this package is not the place for the OIDC API (/token,
// /device_authorization), for issuing tokens or for the user directory.
//
// Guessing is limited: after 5 wrong passwords in a row for a user, or 20
// from one client address, sign-in for it is locked for a minute, doubling
// with each further lock (the right password is refused meanwhile, with a
// page that says so); after 10 unknown user codes from one address the
// device page refuses codes the same way.
//
// Security: a random session id in an HttpOnly, SameSite=Lax cookie maps to
// the signed-in user in memory (sessions do not survive a restart); every form
// carries a CSRF token that is an HMAC of that id, and every POST is also
// refused when the browser says it is cross-site (Sec-Fetch-Site / Origin).
// The authorization endpoint never redirects to a redirect_uri that the
// Backend has not accepted (RFC 6749 §4.1.2.1). Every response forbids
// framing, referrers and caching. No page needs JavaScript.
package signin

import (
	"crypto/rand"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Backend is what the pages need from the server's store.
type Backend interface {
	// CheckPassword reports whether password is the password of user.
	// Implementations compare in constant time.
	CheckPassword(user, password string) bool
	// PendingDevice finds the device authorization waiting for userCode. The
	// code is matched case-insensitively and with or without its hyphen. It
	// may return an expired request; the pages check ExpiresAt themselves.
	PendingDevice(userCode string) (DeviceRequest, bool)
	// ResolveDevice approves (approve true) or denies the pending device
	// authorization for userCode on behalf of user, so that the next /token
	// poll succeeds or gets AccessDeniedException.
	ResolveDevice(userCode, user string, approve bool) error
	// CheckAuthorize validates an authorization request: the client exists,
	// it was registered with the authorization_code grant, RedirectURI is one
	// of its redirect URIs (a loopback URI matches with any port, RFC 8252
	// §7.3) and the method is S256. It returns the client's name to show on
	// the consent page. The error's text is shown on the error page, so it
	// must hold nothing secret.
	CheckAuthorize(req AuthorizeRequest) (clientName string, err error)
	// IssueCode issues an authorization code for req, granted by user.
	IssueCode(req AuthorizeRequest, user string) (code string, err error)
}

// DeviceRequest is a pending device authorization as the verification page
// shows it.
type DeviceRequest struct {
	UserCode   string
	ClientName string
	Scopes     []string
	ExpiresAt  time.Time
}

// AuthorizeRequest holds the parameters of a request to /authorize, with the
// AWS CLI's parameter names (spec §2.3): scopes is space separated.
type AuthorizeRequest struct {
	ClientID, RedirectURI, State, CodeChallenge, CodeChallengeMethod string
	Scopes                                                           []string
}

// Pages serves the sign-in, device and consent pages. Set the fields
// (Backend, Now and Logger are required), then call Register.
type Pages struct {
	// Backend answers every question about users, clients and codes.
	Backend Backend
	// Now is the clock for session and device-code expiry.
	Now func() time.Time
	// AutoApprove, when not empty, names a user on whose behalf every valid
	// authorization request is granted at once and every device code opened
	// with ?user_code= is approved, without any page: for unattended tests.
	AutoApprove string
	// Logger receives one line per decision. Nothing secret (password,
	// user code, authorization code) is ever logged.
	Logger *slog.Logger
	// SessionTTL is how long a sign-in lasts; zero means 8 hours.
	SessionTTL time.Duration

	once     sync.Once
	secret   []byte // keys the CSRF tokens (HMAC-SHA256): 32 random bytes
	pages    map[string]*template.Template
	cop      *http.CrossOriginProtection
	mu       sync.Mutex
	sessions map[string]session // sha256(session id) -> signed-in user

	// Guessing limits (throttle.go): wrong passwords per user and per
	// client address, unknown user codes per address.
	userFailures, addrFailures, codeFailures *throttle
}

//go:embed templates/*.html static/style.css
var assets embed.FS

// pageNames lists the page templates; each is parsed together with
// layout.html.
var pageNames = []string{"login.html", "device.html", "consent.html", "message.html", "logout.html"}

func (p *Pages) init() {
	p.once.Do(func() {
		p.secret = make([]byte, 32)
		rand.Read(p.secret) // never fails (crypto/rand doc)
		if p.SessionTTL == 0 {
			p.SessionTTL = 8 * time.Hour
		}
		p.sessions = make(map[string]session)
		p.userFailures = newThrottle(maxUserFailures)
		p.addrFailures = newThrottle(maxAddrFailures)
		p.codeFailures = newThrottle(maxCodeFailures)
		p.cop = http.NewCrossOriginProtection()
		p.pages = make(map[string]*template.Template, len(pageNames))
		for _, name := range pageNames {
			p.pages[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/"+name))
		}
	})
}

// Register mounts the pages on mux: /device, /authorize, /consent, /login,
// /logout and /static/style.css.
func (p *Pages) Register(mux *http.ServeMux) {
	p.init()
	mux.Handle("GET /device", p.wrap(p.deviceGet))
	mux.Handle("POST /device", p.wrapPost(p.devicePost))
	mux.Handle("GET /authorize", p.wrap(p.authorizeGet))
	mux.Handle("POST /consent", p.wrapPost(p.consentPost))
	mux.Handle("GET /login", p.wrap(p.loginGet))
	mux.Handle("POST /login", p.wrapPost(p.loginPost))
	mux.Handle("GET /logout", p.wrap(p.logoutGet))
	mux.Handle("POST /logout", p.wrapPost(p.logoutPost))
	mux.Handle("GET /static/style.css", p.wrap(p.styleCSS))
}

// defaultCSP allows only our own style sheet and forms posting back to us.
// form-action also restricts where a form's POST may redirect to in Chromium,
// so the consent page widens it to the validated redirect origin.
const defaultCSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// wrap sets the security headers every response carries.
func (p *Pages) wrap(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", defaultCSP)
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Content-Type-Options", "nosniff")
		h(w, r)
	})
}

// maxForm bounds a posted form; the pages' forms are a few hundred bytes.
const maxForm = 64 << 10

// wrapPost is wrap for form posts: it refuses cross-site requests (by
// Sec-Fetch-Site, else Origin against Host) and requests whose CSRF token is
// missing or not bound to the caller's session cookie, with 403.
func (p *Pages) wrapPost(h http.HandlerFunc) http.Handler {
	return p.wrap(func(w http.ResponseWriter, r *http.Request) {
		if err := p.cop.Check(r); err != nil {
			p.Logger.Warn("refused cross-origin form post", "path", r.URL.Path, "origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
			p.message(w, r, http.StatusForbidden, messageData{Kind: "error", Heading: "Request refused", Text: "This form was sent from another site, so it was not accepted."})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if err := r.ParseForm(); err != nil {
			if tooBig := new(http.MaxBytesError); errors.As(err, &tooBig) {
				p.message(w, r, http.StatusRequestEntityTooLarge, messageData{Kind: "error", Heading: "Request too large",
					Text: "The form sent is larger than these pages accept. Go back, reload the page and try again."})
				return
			}
			p.message(w, r, http.StatusBadRequest, messageData{Kind: "error", Heading: "Bad request", Text: "The form could not be read."})
			return
		}
		if !p.checkCSRF(r) {
			p.Logger.Warn("refused form post with a bad csrf token", "path", r.URL.Path)
			p.message(w, r, http.StatusForbidden, messageData{Kind: "error", Heading: "Your session has expired", Text: "The page was open too long or cookies are blocked. Go back, reload the page and try again."})
			return
		}
		h(w, r)
	})
}

func (p *Pages) styleCSS(w http.ResponseWriter, r *http.Request) {
	css, err := assets.ReadFile("static/style.css")
	if err != nil {
		http.Error(w, "style sheet missing", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Write(css)
}
