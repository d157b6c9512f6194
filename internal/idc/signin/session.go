package signin

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// cookieName holds a random session id. Every visitor gets one with the first
// page that shows a form, so the login form has a CSRF token too; only after
// a sign-in does the id map to a user.
const cookieName = "idc_session"

// session is a signed-in user.
type session struct {
	user    string
	expires time.Time
}

// sessionID returns the caller's session id, or "" if the cookie is missing or
// not one of ours in shape.
func sessionID(r *http.Request) string {
	c, err := r.Cookie(cookieName)
	if err != nil || len(c.Value) != 43 {
		return ""
	}
	if _, err := base64.RawURLEncoding.DecodeString(c.Value); err != nil {
		return ""
	}
	return c.Value
}

// sessionKey is the map key for id. Keying by a hash keeps lookups from
// comparing the secret id itself byte by byte.
func sessionKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// user returns the signed-in user of r, or "".
func (p *Pages) user(r *http.Request) string {
	id := sessionID(r)
	if id == "" {
		return ""
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.sessions[sessionKey(id)]
	if !ok {
		return ""
	}
	if !p.Now().Before(s.expires) {
		delete(p.sessions, sessionKey(id))
		return ""
	}
	return s.user
}

// newSessionCookie sets a cookie with a new random session id (256 bits) and
// returns the id.
func (p *Pages) newSessionCookie(w http.ResponseWriter, r *http.Request) string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand doc)
	id := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{
		Name:     cookieName,
		Value:    id,
		Path:     "/",
		HttpOnly: true,
		// Lax, not Strict: the AWS CLI opens the pages from outside the
		// site, and a signed-in user should be recognised on that first GET.
		// POSTs are protected by the CSRF token and the cross-site check.
		SameSite: http.SameSiteLaxMode,
		Secure:   r.TLS != nil,
	})
	return id
}

// signIn starts a session for user under a new id, so that an id planted
// before the sign-in (session fixation) is worth nothing.
func (p *Pages) signIn(w http.ResponseWriter, r *http.Request, user string) {
	p.dropSession(r)
	id := p.newSessionCookie(w, r)
	now := p.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, s := range p.sessions {
		if !now.Before(s.expires) {
			delete(p.sessions, k)
		}
	}
	p.sessions[sessionKey(id)] = session{user: user, expires: now.Add(p.SessionTTL)}
}

// dropSession forgets the caller's sign-in, if any.
func (p *Pages) dropSession(r *http.Request) {
	if id := sessionID(r); id != "" {
		p.mu.Lock()
		delete(p.sessions, sessionKey(id))
		p.mu.Unlock()
	}
}

// csrfToken is the CSRF token for session id: HMAC-SHA256(secret, id), so it
// needs no storage and is worthless without the HttpOnly cookie it is bound
// to.
func (p *Pages) csrfToken(id string) string {
	m := hmac.New(sha256.New, p.secret)
	m.Write([]byte("csrf\x00" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkCSRF reports whether the posted csrf field matches the session
// cookie, comparing in constant time.
func (p *Pages) checkCSRF(r *http.Request) bool {
	id := sessionID(r)
	got := r.PostForm.Get("csrf")
	if id == "" || got == "" {
		return false
	}
	return hmac.Equal([]byte(got), []byte(p.csrfToken(id)))
}

// localPath returns next if it is a path on this server, else "/device".
// It refuses absolute URLs, scheme-relative "//host" and "/\host" (which
// browsers read as "//host"), so a sign-in never ends on another site.
func localPath(next string) string {
	const fallback = "/device"
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n\t") {
		return fallback
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return fallback
	}
	return next
}

// loginURL is the sign-in page that returns to next afterwards.
func loginURL(next string) string {
	return "/login?" + url.Values{"next": {next}}.Encode()
}
