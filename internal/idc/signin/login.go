package signin

import (
	"net/http"
	"strings"
)

type loginData struct {
	Next     string
	Username string
	Error    string
}

func (p *Pages) loginGet(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"))
	if p.user(r) != "" && !strings.HasPrefix(next, "/login") {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	p.render(w, r, http.StatusOK, "login.html", "Sign in", loginData{Next: next})
}

func (p *Pages) loginPost(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.PostForm.Get("next"))
	user := strings.TrimSpace(r.PostForm.Get("username"))
	password := r.PostForm.Get("password")
	addr, now := clientAddr(r), p.Now()
	// Checked before the password, so that a right guess during the lock
	// is worth nothing.
	if wait := max(p.userFailures.locked(user, now), p.addrFailures.locked(addr, now)); wait > 0 {
		p.Logger.Warn("sign-in refused: too many failures", "user", user, "remote", addr)
		p.render(w, r, http.StatusTooManyRequests, "login.html", "Sign in", loginData{
			Next: next, Username: user,
			Error: "Too many failed sign-ins for this user or from this address. Sign-in is paused: try again in " + humanDuration(wait) + ".",
		})
		return
	}
	if user == "" || password == "" || !p.Backend.CheckPassword(user, password) {
		p.userFailures.fail(user, now)
		p.addrFailures.fail(addr, now)
		p.Logger.Info("sign-in failed", "user", user, "remote", addr)
		p.render(w, r, http.StatusUnauthorized, "login.html", "Sign in", loginData{
			Next: next, Username: user, Error: "Incorrect user name or password.",
		})
		return
	}
	p.userFailures.succeed(user)
	p.signIn(w, r, user)
	p.Logger.Info("signed in", "user", user)
	if strings.HasPrefix(next, "/login") {
		next = "/device"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (p *Pages) logoutGet(w http.ResponseWriter, r *http.Request) {
	if p.user(r) == "" {
		p.message(w, r, http.StatusOK, messageData{Kind: "success", Heading: "You are signed out", Text: "You can close this window.", LinkHref: "/login", LinkText: "Sign in"})
		return
	}
	p.render(w, r, http.StatusOK, "logout.html", "Sign out", nil)
}

func (p *Pages) logoutPost(w http.ResponseWriter, r *http.Request) {
	if u := p.user(r); u != "" {
		p.Logger.Info("signed out", "user", u)
	}
	// The cookie stays, as an anonymous id: the next sign-in replaces it.
	p.dropSession(r)
	p.message(w, r, http.StatusOK, messageData{Kind: "success", Heading: "You have signed out", Text: "You can close this window.", LinkHref: "/login", LinkText: "Sign in again"})
}
