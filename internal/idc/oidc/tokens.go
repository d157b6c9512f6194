package oidc

import (
	"time"

	"github.com/ssocli/ssocli/internal/idc/awskeys"
)

// The access and refresh tokens are not stored: each carries what the server
// needs to honour it, sealed with the server's key (awskeys.Sealer, the key
// kept in the state), so issuing one writes nothing and the state does not
// grow with the tokens issued. What a token cannot carry, whether its session
// still stands and which refresh token is the newest, is in the session
// record (store.Session), one per sign-in. The prefixes are the real
// service's ("aoa", "aor").
const (
	accessPrefix   = "aoa"
	refreshPrefix  = "aor"
	accessPurpose  = "ssocli oidc access token"
	refreshPurpose = "ssocli oidc refresh token"
)

// AccessClaims is what an access token carries.
type AccessClaims struct {
	SessionID string    `json:"s"`
	ExpiresAt time.Time `json:"e"`
}

// refreshClaims is what a refresh token carries: Gen counts the rotations of
// its session before it (0 for the one issued at sign-in).
type refreshClaims struct {
	SessionID string `json:"s"`
	ClientID  string `json:"c"`
	Gen       uint64 `json:"g"`
}

// OpenAccessToken returns what the access token tok carries, and false when
// sealer did not make it (unknown, altered, or another kind of token). The
// caller checks its expiry and its session.
func OpenAccessToken(sealer *awskeys.Sealer, tok string) (AccessClaims, bool) {
	var c AccessClaims
	ok := sealer.OpenToken(accessPrefix, accessPurpose, tok, &c)
	return c, ok
}

func (h *Handler) openRefresh(tok string) (refreshClaims, bool) {
	var c refreshClaims
	ok := h.Sealer.OpenToken(refreshPrefix, refreshPurpose, tok, &c)
	return c, ok
}
