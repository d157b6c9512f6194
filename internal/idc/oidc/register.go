package oidc

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sync"
)

type registerRequest struct {
	ClientName             string   `json:"clientName"`
	ClientType             string   `json:"clientType"`
	Scopes                 []string `json:"scopes"`
	RedirectURIs           []string `json:"redirectUris"`
	GrantTypes             []string `json:"grantTypes"`
	IssuerURL              string   `json:"issuerUrl"`
	EntitledApplicationArn string   `json:"entitledApplicationArn"`
}

type registerResponse struct {
	ClientID              string `json:"clientId"`
	ClientSecret          string `json:"clientSecret"`
	ClientIDIssuedAt      int64  `json:"clientIdIssuedAt"`
	ClientSecretExpiresAt int64  `json:"clientSecretExpiresAt"`
	AuthorizationEndpoint string `json:"authorizationEndpoint,omitempty"`
	TokenEndpoint         string `json:"tokenEndpoint,omitempty"`
}

// scopeRe accepts the scope forms Identity Center uses: "openid" and
// "<service>:<name>" such as sso:account:access, sso-portal:* or
// codewhisperer:completions.
var scopeRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(openid|[a-z0-9-]+:[A-Za-z0-9_.:*-]+)$`) })

func (h *Handler) serveRegister(w http.ResponseWriter, r *http.Request) {
	var req registerRequest
	if err := decode(r, &req); err != nil {
		writeError(w, err)
		return
	}
	resp, err := h.register(r, req)
	if err != nil {
		h.Logger.Info("RegisterClient refused", "client_name", req.ClientName, "error", err)
		writeError(w, err)
		return
	}
	h.Logger.Info("RegisterClient", "client_name", req.ClientName, "client_id", resp.ClientID, "grant_types", req.GrantTypes, "issuer_url", req.IssuerURL)
	writeJSON(w, http.StatusOK, resp)
}

func (h *Handler) register(r *http.Request, req registerRequest) (registerResponse, error) {
	switch {
	case req.ClientName == "":
		return registerResponse{}, perr("InvalidRequest", "clientName is required")
	case req.ClientType == "":
		return registerResponse{}, perr("InvalidRequest", "clientType is required")
	case req.ClientType != "public":
		return registerResponse{}, perr("InvalidClientMetadata", "clientType must be public")
	}
	for _, s := range req.Scopes {
		if !scopeRe().MatchString(s) {
			return registerResponse{}, perr("InvalidScope", "invalid scope %q", s)
		}
	}
	for _, g := range req.GrantTypes {
		if g != GrantDeviceCode && g != GrantAuthorizationCode && g != GrantRefreshToken {
			return registerResponse{}, perr("UnsupportedGrantType", "unsupported grant type %q", g)
		}
	}
	authCode := slices.Contains(req.GrantTypes, GrantAuthorizationCode)
	// A client is either a device client or a browser (PKCE) client. The
	// real service's answer to a mix is reported inconsistently (a 500, or
	// InvalidScope); InvalidClientMetadata is the one that names the fault
	// (RFC 7591 §3.2.2), so we send that.
	if authCode && slices.Contains(req.GrantTypes, GrantDeviceCode) {
		return registerResponse{}, perr("InvalidClientMetadata", "a client cannot have both the device_code and the authorization_code grant types")
	}
	if authCode {
		if len(req.RedirectURIs) == 0 {
			return registerResponse{}, perr("InvalidRedirectUri", "redirectUris is required with the authorization_code grant type")
		}
		for _, u := range req.RedirectURIs {
			if !isLoopbackRedirect(u) {
				return registerResponse{}, perr("InvalidRedirectUri", "redirect URI %q must be an http loopback URI such as http://127.0.0.1/oauth/callback", u)
			}
		}
		if req.IssuerURL == "" {
			return registerResponse{}, perr("InvalidClientMetadata", "issuerUrl is required with the authorization_code grant type")
		}
		if u, err := url.Parse(req.IssuerURL); err != nil || u.Scheme != "https" || u.Host == "" {
			return registerResponse{}, perr("InvalidClientMetadata", "issuerUrl must be an https URL")
		}
	}
	now := h.Now()
	c := clientFrom(req, now, DefaultClientSecretTTL)
	if err := h.Store.CreateClient(c); err != nil {
		return registerResponse{}, err
	}
	resp := registerResponse{
		ClientID:              c.ID,
		ClientSecret:          c.Secret,
		ClientIDIssuedAt:      c.IssuedAt.Unix(),
		ClientSecretExpiresAt: c.ExpiresAt.Unix(),
	}
	if authCode {
		base := h.baseURL(r)
		resp.AuthorizationEndpoint, resp.TokenEndpoint = base+"/authorize", base+"/token"
	}
	return resp, nil
}

// isLoopbackRedirect reports whether u is a native-app loopback redirect
// (RFC 8252 §7.3): http, host 127.0.0.1, [::1] or localhost, any port.
func isLoopbackRedirect(u string) bool {
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "http" || p.User != nil || p.Fragment != "" {
		return false
	}
	switch p.Hostname() {
	case "127.0.0.1", "::1", "localhost":
		return true
	}
	return false
}

// redirectMatches reports whether the redirect URI of a request matches a
// registered one. Loopback URIs match whatever their port (RFC 8252 §7.3: the
// client picks a free port at request time); all else must be equal.
func redirectMatches(registered []string, got string) bool {
	g, err := url.Parse(got)
	if err != nil {
		return false
	}
	for _, reg := range registered {
		if reg == got {
			return true
		}
		r, err := url.Parse(reg)
		if err != nil || !isLoopbackRedirect(reg) || !isLoopbackRedirect(got) {
			continue
		}
		if r.Hostname() == g.Hostname() && r.Path == g.Path && r.RawQuery == g.RawQuery {
			return true
		}
	}
	return false
}
