package signin

import (
	"net/url"
	"strings"
)

// Refusal is a bad /authorize request of TestAuthorizeRefused, for the
// same table against the real server (package signin_test).
type Refusal struct {
	Name, Query, WantText string
}

// Refusals returns the table of TestAuthorizeRefused, the fake's client ids
// replaced by pkceID (a client with the authorization_code grant and the
// redirect URIs http://127.0.0.1/oauth/callback and
// http://[::1]/oauth/callback) and deviceID (one without that grant).
func Refusals(pkceID, deviceID string) []Refusal {
	var out []Refusal
	for _, tt := range authorizeRefusals {
		redirect := tt.redirect
		if redirect == "" {
			redirect = callback
		}
		q, err := url.ParseQuery(strings.TrimPrefix(authorizeURL(redirect, tt.mutate), "/authorize?"))
		if err != nil {
			panic(err)
		}
		for i, id := range q["client_id"] {
			switch id {
			case pkceClient:
				q["client_id"][i] = pkceID
			case deviceClient:
				q["client_id"][i] = deviceID
			}
		}
		out = append(out, Refusal{Name: tt.name, Query: q.Encode(), WantText: tt.wantText})
	}
	return out
}
