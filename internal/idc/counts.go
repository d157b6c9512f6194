package idc

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
)

// counters counts the calls the server answered, by operation, for tests
// and the storm checks (Server.Counts). They are statistics of this
// process, not state: they live here, not in the store.
type counters struct {
	m sync.Map // operation -> *atomic.Int64
}

func (c *counters) add(op string) {
	v, ok := c.m.Load(op)
	if !ok {
		v, _ = c.m.LoadOrStore(op, new(atomic.Int64))
	}
	v.(*atomic.Int64).Add(1)
}

func (c *counters) snapshot() map[string]int {
	out := map[string]int{}
	c.m.Range(func(k, v any) bool {
		out[k.(string)] = int(v.(*atomic.Int64).Load())
		return true
	})
	return out
}

// operations names the API operation of each route, as the AWS SDKs call
// them (spec §9); the pages are not counted.
var operations = map[string]string{
	"POST /client/register":       "RegisterClient",
	"POST /device_authorization":  "StartDeviceAuthorization",
	"POST /token":                 "CreateToken",
	"GET /federation/credentials": "GetRoleCredentials",
	"GET /assignment/accounts":    "ListAccounts",
	"GET /assignment/roles":       "ListAccountRoles",
	"POST /":                      "STS",
	"GET /federation":             "Federation",
	"POST /federation":            "Federation",
}

// peekLimit bounds what count reads of a body to name the operation; the
// handler reads the whole body itself, with its own bound.
const peekLimit = 64 << 10

// operation names the API operation r is for, or reports false for the
// pages (and anything else that is not an API).
func operation(r *http.Request) (string, bool) {
	if r.Method == http.MethodPost && r.URL.Path == "/logout" && r.Header.Get("x-amz-sso_bearer_token") != "" {
		return "Logout", true
	}
	op, ok := operations[r.Method+" "+r.URL.Path]
	return op, ok
}

// count counts each request to an API in c, then serves it with next.
// CreateToken is counted per grant type ("CreateToken/refresh_token") and
// STS by its Action ("GetCallerIdentity"), which are in the body: count
// reads the start of it and hands next the whole body unchanged.
func count(c *counters, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op, ok := operation(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		switch op {
		case "CreateToken":
			var req struct {
				GrantType string `json:"grantType"`
			}
			if body := peek(r); json.Unmarshal(body, &req) == nil {
				switch req.GrantType {
				case "urn:ietf:params:oauth:grant-type:device_code":
					op += "/device_code"
				case "refresh_token", "authorization_code":
					op += "/" + req.GrantType
				}
			}
		case "Federation":
			// "Federation/getSigninToken", "Federation/login".
			action := r.URL.Query().Get("Action")
			if v, err := url.ParseQuery(string(peek(r))); err == nil && v.Get("Action") != "" {
				action = v.Get("Action")
			}
			if action != "getSigninToken" && action != "login" {
				action = "other" // bounded: counters are kept per name
			}
			op += "/" + action
		case "STS":
			if v, err := url.ParseQuery(string(peek(r))); err == nil && v.Get("Action") != "" {
				op = v.Get("Action")
			} else if a := r.URL.Query().Get("Action"); a != "" {
				op = a
			}
		}
		c.add(op)
		next.ServeHTTP(w, r)
	})
}

// peek returns the body of r if it is at most peekLimit bytes (else nil),
// and leaves r.Body reading the whole body from its start.
func peek(r *http.Request) []byte {
	head, err := io.ReadAll(io.LimitReader(r.Body, peekLimit+1))
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), r.Body), r.Body}
	if err != nil || len(head) > peekLimit {
		return nil
	}
	return head
}
