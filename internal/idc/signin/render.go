package signin

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"
)

// layoutData is what layout.html needs; Page is the page's own data.
type layoutData struct {
	Title string
	User  string // signed-in user, shown in the header with a sign-out button
	CSRF  string
	Page  any
}

// messageData is a page with a heading and one paragraph: results and errors.
type messageData struct {
	Kind     string // "success" or "error", for the icon and colour
	Heading  string
	Text     string
	LinkHref string // optional link under the text
	LinkText string
}

// scopeDescriptions say in words what the scopes the AWS CLI asks for mean.
var scopeDescriptions = map[string]string{
	"sso:account:access": "Use the AWS accounts and roles assigned to you",
	"openid":             "Know who you are",
	"offline_access":     "Stay signed in until the session ends",
}

var funcs = template.FuncMap{
	"scopeText": func(s string) string { return scopeDescriptions[s] },
	"join":      strings.Join,
}

// render writes page name with status. A GET without a session cookie gets
// one, because the page may carry a form whose CSRF token is bound to it. A
// POST never sets one: a cross-site POST arrives without the SameSite=Lax
// cookie, and answering it with a new cookie would sign the person out.
func (p *Pages) render(w http.ResponseWriter, r *http.Request, status int, name, title string, page any) {
	id := sessionID(r)
	if id == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		id = p.newSessionCookie(w, r)
	}
	data := layoutData{Title: title, User: p.user(r), Page: page}
	if id != "" {
		data.CSRF = p.csrfToken(id)
	}
	var buf bytes.Buffer
	if err := p.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		p.Logger.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error: the page could not be shown", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (p *Pages) message(w http.ResponseWriter, r *http.Request, status int, m messageData) {
	p.render(w, r, status, "message.html", m.Heading, m)
}
