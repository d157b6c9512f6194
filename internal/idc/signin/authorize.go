package signin

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// authorizeParams are the query parameters of /authorize, in the order the
// AWS CLI sends them (spec §2.3). "scope" (RFC 6749 §3.3) is read when
// "scopes" is absent, for other clients.
var authorizeParams = []string{"response_type", "client_id", "redirect_uri", "state", "code_challenge_method", "scopes", "code_challenge", "scope"}

// codeChallengeRE is BASE64URL(SHA256(verifier)) without padding: 43
// characters (RFC 7636 §4.2).
var codeChallengeRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`) })

// hostRE bounds the redirect host to characters that are safe to place in the
// Content-Security-Policy header.
var hostRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9.\-\[\]:]+$`) })

// parseAuthorize checks the request parameters that need no Backend. Its
// errors are shown to the person in the browser.
func parseAuthorize(v url.Values) (AuthorizeRequest, error) {
	for _, name := range authorizeParams {
		if len(v[name]) > 1 {
			// RFC 6749 §3.1: parameters must not be repeated.
			return AuthorizeRequest{}, fmt.Errorf("the parameter %s is repeated", name)
		}
	}
	scopes := v.Get("scopes")
	if _, ok := v["scopes"]; !ok {
		scopes = v.Get("scope")
	}
	req := AuthorizeRequest{
		ClientID:            v.Get("client_id"),
		RedirectURI:         v.Get("redirect_uri"),
		State:               v.Get("state"),
		CodeChallenge:       v.Get("code_challenge"),
		CodeChallengeMethod: v.Get("code_challenge_method"),
		Scopes:              strings.Fields(scopes),
	}
	switch {
	case req.ClientID == "":
		return req, fmt.Errorf("the parameter client_id is missing")
	case req.RedirectURI == "":
		return req, fmt.Errorf("the parameter redirect_uri is missing")
	}
	u, err := url.Parse(req.RedirectURI)
	switch {
	case err != nil, u.Scheme != "http" && u.Scheme != "https", u.Host == "", u.Opaque != "", u.User != nil:
		return req, fmt.Errorf("redirect_uri is not an absolute http or https URL")
	case u.Fragment != "" || strings.Contains(req.RedirectURI, "#"):
		// RFC 6749 §3.1.2: the redirection endpoint URI must not include a
		// fragment component.
		return req, fmt.Errorf("redirect_uri must not have a fragment")
	case !hostRE().MatchString(u.Host):
		return req, fmt.Errorf("redirect_uri has an unexpected host")
	}
	switch {
	case v.Get("response_type") != "code":
		return req, fmt.Errorf("response_type must be code")
	case req.CodeChallengeMethod == "plain":
		return req, fmt.Errorf("code_challenge_method plain is not accepted; use S256")
	case req.CodeChallengeMethod != "S256":
		return req, fmt.Errorf("code_challenge_method must be S256")
	case !codeChallengeRE().MatchString(req.CodeChallenge):
		return req, fmt.Errorf("code_challenge must be 43 base64url characters (RFC 7636 §4.2)")
	case req.State == "":
		// The AWS CLI always sends a state and checks it on return; a request
		// without one cannot be tied to the login that started it.
		return req, fmt.Errorf("the parameter state is missing")
	}
	return req, nil
}

// authorizeQuery rebuilds the /authorize query for req, to come back to it
// after a sign-in.
func authorizeQuery(req AuthorizeRequest) string {
	return url.Values{
		"response_type":         {"code"},
		"client_id":             {req.ClientID},
		"redirect_uri":          {req.RedirectURI},
		"state":                 {req.State},
		"code_challenge_method": {req.CodeChallengeMethod},
		"scopes":                {strings.Join(req.Scopes, " ")},
		"code_challenge":        {req.CodeChallenge},
	}.Encode()
}

// validate checks an authorization request fully, from the query (GET
// /authorize) or the consent form. On failure it writes the error page and
// never redirects: the redirect URI is not trusted until the Backend has
// accepted it (RFC 6749 §4.1.2.1).
func (p *Pages) validate(w http.ResponseWriter, r *http.Request, v url.Values) (req AuthorizeRequest, clientName string, ok bool) {
	req, err := parseAuthorize(v)
	if err == nil {
		clientName, err = p.Backend.CheckAuthorize(req)
	}
	if err != nil {
		p.Logger.Info("refused authorization request", "client_id", req.ClientID, "err", err)
		p.message(w, r, http.StatusBadRequest, messageData{Kind: "error", Heading: "This sign-in request is not valid",
			Text: "The application sent a request that cannot be accepted: " + err.Error() + ". Start the sign-in again from the application."})
		return req, "", false
	}
	return req, clientName, true
}

type consentData struct {
	ClientName     string
	Request        AuthorizeRequest
	RedirectOrigin string
}

func (p *Pages) authorizeGet(w http.ResponseWriter, r *http.Request) {
	req, clientName, ok := p.validate(w, r, r.URL.Query())
	if !ok {
		return
	}
	if p.AutoApprove != "" {
		p.grant(w, r, req, clientName, p.AutoApprove)
		return
	}
	user := p.user(r)
	if user == "" {
		http.Redirect(w, r, loginURL("/authorize?"+authorizeQuery(req)), http.StatusSeeOther)
		return
	}
	origin := redirectOrigin(req.RedirectURI)
	w.Header().Set("Content-Security-Policy", strings.Replace(defaultCSP, "form-action 'self'", "form-action 'self' "+cspSource(req.RedirectURI), 1))
	p.render(w, r, http.StatusOK, "consent.html", "Allow access", consentData{
		ClientName: clientName, Request: req, RedirectOrigin: origin,
	})
}

func (p *Pages) consentPost(w http.ResponseWriter, r *http.Request) {
	req, clientName, ok := p.validate(w, r, r.PostForm)
	if !ok {
		return
	}
	user := p.user(r)
	if user == "" {
		http.Redirect(w, r, loginURL("/authorize?"+authorizeQuery(req)), http.StatusSeeOther)
		return
	}
	switch r.PostForm.Get("decision") {
	case "allow":
		p.grant(w, r, req, clientName, user)
	case "deny":
		p.Logger.Info("authorization denied", "client", clientName, "user", user)
		// RFC 6749 §4.1.2.1: error response to a validated redirect URI.
		redirectWith(w, r, req.RedirectURI, url.Values{
			"error":             {"access_denied"},
			"error_description": {"The user denied the request."},
			"state":             {req.State},
		})
	default:
		p.message(w, r, http.StatusBadRequest, messageData{Kind: "error", Heading: "Bad request", Text: "Choose Allow or Deny."})
	}
}

// grant issues a code for req on behalf of user and sends the browser back
// to the client (RFC 6749 §4.1.2).
func (p *Pages) grant(w http.ResponseWriter, r *http.Request, req AuthorizeRequest, clientName, user string) {
	code, err := p.Backend.IssueCode(req, user)
	if err != nil {
		p.Logger.Error("issue authorization code", "client", clientName, "user", user, "err", err)
		p.message(w, r, http.StatusInternalServerError, messageData{Kind: "error", Heading: "Something went wrong",
			Text: "The request could not be completed. Start the sign-in again from the application."})
		return
	}
	p.Logger.Info("authorization granted", "client", clientName, "user", user)
	redirectWith(w, r, req.RedirectURI, url.Values{"code": {code}, "state": {req.State}})
}

// redirectWith sends a 303 to redirectURI with params added to its query;
// the query it already has is kept (RFC 6749 §3.1.2).
func redirectWith(w http.ResponseWriter, r *http.Request, redirectURI string, params url.Values) {
	u, err := url.Parse(redirectURI)
	if err != nil { // validated before; cannot happen
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

// cspSource is the form-action source that lets the consent form's POST end
// at a validated redirect URI. Chromium applies form-action to the redirects
// that follow a form submission too, so without it the browser stops at our
// 303. CSP host sources cannot hold an IPv6 literal, and Chromium refuses
// http://[::1]:port, so an IPv6 redirect gets the scheme alone ("http:"): the
// page's only form is ours and html/template leaves no room to inject another.
func cspSource(redirectURI string) string {
	u, err := url.Parse(redirectURI)
	if err != nil {
		return ""
	}
	if strings.HasPrefix(u.Host, "[") {
		return u.Scheme + ":"
	}
	return u.Scheme + "://" + u.Host
}

// redirectOrigin is scheme://host[:port] of a validated redirect URI.
func redirectOrigin(redirectURI string) string {
	u, err := url.Parse(redirectURI)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
