package sts

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// sigV4Algorithm is the only signing algorithm this server verifies
// (SigV4a, AWS4-ECDSA-P256-SHA256, is for multi-region services, not STS).
const sigV4Algorithm = "AWS4-HMAC-SHA256"

// amzDateFormat is the ISO 8601 basic format of X-Amz-Date.
const amzDateFormat = "20060102T150405Z"

// authorization is a parsed SigV4 Authorization header:
//
//	AWS4-HMAC-SHA256 Credential=AKID/20230101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=<64 hex>
type authorization struct {
	AccessKeyID   string
	Date          string // yyyymmdd of the credential scope
	Region        string
	Service       string
	SignedHeaders []string // lower case, in the order given
	Signature     string   // 64 lower-case hex digits
}

// errIncomplete marks an Authorization header that cannot be parsed; the
// real service answers it with IncompleteSignature.
var errIncomplete = errors.New("incomplete signature")

// parseAuthorization parses a SigV4 Authorization header value. It accepts
// the parameters in any order, separated by commas with optional spaces, as
// the SigV4 documentation allows, and rejects anything it cannot verify.
func parseAuthorization(header string) (authorization, error) {
	var a authorization
	algo, rest, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok {
		return a, fmt.Errorf("%w: authorization header has no parameters", errIncomplete)
	}
	if algo != sigV4Algorithm {
		return a, fmt.Errorf("%w: unsupported signing algorithm %q", errIncomplete, truncate(algo, 40))
	}
	var cred, signed, sig string
	var haveCred, haveSigned, haveSig bool
	for part := range strings.SplitSeq(rest, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return a, fmt.Errorf("%w: authorization parameter without '=' %q", errIncomplete, truncate(k, 40))
		}
		var dup bool
		switch k {
		case "Credential":
			dup, haveCred, cred = haveCred, true, v
		case "SignedHeaders":
			dup, haveSigned, signed = haveSigned, true, v
		case "Signature":
			dup, haveSig, sig = haveSig, true, v
		default:
			return a, fmt.Errorf("%w: unknown authorization parameter %q", errIncomplete, truncate(k, 40))
		}
		if dup {
			return a, fmt.Errorf("%w: authorization parameter %s given twice", errIncomplete, k)
		}
	}
	var missing []string
	for _, p := range []struct {
		name string
		have bool
	}{{"Credential", haveCred}, {"SignedHeaders", haveSigned}, {"Signature", haveSig}} {
		if !p.have {
			missing = append(missing, p.name)
		}
	}
	if len(missing) > 0 {
		return a, fmt.Errorf("%w: authorization header requires %s", errIncomplete, strings.Join(missing, ", "))
	}

	// Credential = <key id>/<yyyymmdd>/<region>/<service>/aws4_request.
	scope := strings.Split(cred, "/")
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return a, fmt.Errorf("%w: credential must have the form <key id>/<date>/<region>/<service>/aws4_request", errIncomplete)
	}
	a.AccessKeyID, a.Date, a.Region, a.Service = scope[0], scope[1], scope[2], scope[3]
	if a.AccessKeyID == "" || a.Region == "" || a.Service == "" {
		return a, fmt.Errorf("%w: credential scope has an empty part", errIncomplete)
	}
	if _, err := time.Parse("20060102", a.Date); err != nil || len(a.Date) != 8 {
		return a, fmt.Errorf("%w: credential scope date is not yyyymmdd", errIncomplete)
	}

	for h := range strings.SplitSeq(signed, ";") {
		if h == "" || h != strings.ToLower(h) || strings.ContainsAny(h, " \t:") {
			return a, fmt.Errorf("%w: malformed signed header name %q", errIncomplete, truncate(h, 40))
		}
		a.SignedHeaders = append(a.SignedHeaders, h)
	}

	if len(sig) != sha256.Size*2 || strings.ToLower(sig) != sig {
		return a, fmt.Errorf("%w: signature must be 64 lower-case hex digits", errIncomplete)
	}
	if _, err := hex.DecodeString(sig); err != nil {
		return a, fmt.Errorf("%w: signature must be 64 lower-case hex digits", errIncomplete)
	}
	a.Signature = sig
	return a, nil
}

// signedWith reports whether name (lower case) is one of the signed headers.
func (a authorization) signedWith(name string) bool {
	for _, h := range a.SignedHeaders {
		if h == name {
			return true
		}
	}
	return false
}

// expectedSignature re-signs the request with secret, the way the client
// should have, and returns the signature. It rebuilds a request that holds
// only what the client signed (the signed headers and the body), so that
// headers added on the way (User-Agent, proxies' additions) change nothing,
// and lets the SDK's own signer compute the canonical request: the server
// then agrees with the SDK byte for byte, by construction.
func expectedSignature(r *http.Request, body []byte, a authorization, signingTime time.Time, secret, sessionToken string) (string, error) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	rebuilt := &http.Request{
		Method: r.Method,
		URL: &url.URL{
			Scheme:   scheme,
			Host:     r.Host,
			Path:     r.URL.Path,
			RawPath:  r.URL.RawPath,
			RawQuery: r.URL.RawQuery,
		},
		Host:   r.Host,
		Header: http.Header{},
	}
	if !a.signedWith("host") {
		// SigV4 requires Host; the SDK signer always signs it, so a request
		// without it can never match.
		return "", fmt.Errorf("%w: host must be a signed header", errIncomplete)
	}
	for _, h := range a.SignedHeaders {
		switch h {
		case "host":
			continue
		case "content-length":
			// The signer signs Content-Length from the request's
			// ContentLength field, not from the header map.
			rebuilt.ContentLength = int64(len(body))
			continue
		}
		vals := r.Header.Values(h)
		if len(vals) == 0 {
			return "", fmt.Errorf("signed header %q is not in the request", truncate(h, 40))
		}
		rebuilt.Header[http.CanonicalHeaderKey(h)] = vals
	}
	creds := aws.Credentials{AccessKeyID: a.AccessKeyID, SecretAccessKey: secret}
	if a.signedWith("x-amz-security-token") {
		creds.SessionToken = sessionToken
	}
	sum := sha256.Sum256(body)
	signer := v4.NewSigner()
	if err := signer.SignHTTP(context.Background(), creds, rebuilt, hex.EncodeToString(sum[:]), a.Service, a.Region, signingTime); err != nil {
		return "", fmt.Errorf("re-sign request: %w", err)
	}
	got, err := parseAuthorization(rebuilt.Header.Get("Authorization"))
	if err != nil {
		return "", fmt.Errorf("parse own signature: %w", err)
	}
	return got.Signature, nil
}

// equalSecret compares two secrets (signatures, session tokens) in constant time.
func equalSecret(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// truncate shortens s for an error message, so that a hostile header cannot
// blow up the log.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
