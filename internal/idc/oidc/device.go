package oidc

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ssocli/ssocli/internal/idc/store"
)

func clientFrom(req registerRequest, now time.Time, ttl time.Duration) store.Client {
	return store.Client{
		ID:           newID(24),
		Secret:       newID(48),
		Name:         req.ClientName,
		Type:         req.ClientType,
		Scopes:       slices.Clone(req.Scopes),
		GrantTypes:   slices.Clone(req.GrantTypes),
		RedirectURIs: slices.Clone(req.RedirectURIs),
		IssuerURL:    req.IssuerURL,
		IssuedAt:     now.Truncate(time.Second),
		ExpiresAt:    now.Add(ttl).Truncate(time.Second),
	}
}

type deviceRequest struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	StartURL     string `json:"startUrl"`
}

type deviceResponse struct {
	DeviceCode              string `json:"deviceCode"`
	UserCode                string `json:"userCode"`
	VerificationURI         string `json:"verificationUri"`
	VerificationURIComplete string `json:"verificationUriComplete"`
	ExpiresIn               int    `json:"expiresIn"`
	Interval                int    `json:"interval"`
}

func (h *Handler) serveDeviceAuthorization(w http.ResponseWriter, r *http.Request) {
	var req deviceRequest
	if err := decode(r, &req); err != nil {
		writeError(w, err)
		return
	}
	resp, err := h.startDevice(r, req)
	if err != nil {
		h.Logger.Info("StartDeviceAuthorization refused", "client_id", req.ClientID, "error", err)
		writeError(w, err)
		return
	}
	h.Logger.Info("StartDeviceAuthorization", "client_id", req.ClientID, "start_url", req.StartURL)
	writeJSON(w, http.StatusOK, resp)
}

func (h *Handler) startDevice(r *http.Request, req deviceRequest) (deviceResponse, error) {
	c, err := h.authClient(req.ClientID, req.ClientSecret)
	if err != nil {
		return deviceResponse{}, err
	}
	if !allows(c, GrantDeviceCode) {
		return deviceResponse{}, perr("UnauthorizedClient", "the client was not registered for the device_code grant")
	}
	// Any https start URL is accepted: tests and users configure their own,
	// and the real service's check (that it names this instance) would only
	// make a local server harder to point at.
	if u, err := url.Parse(req.StartURL); req.StartURL == "" || err != nil || u.Host == "" {
		return deviceResponse{}, perr("InvalidRequest", "startUrl is required and must be a URL")
	}
	now := h.Now()
	ttl := or(h.DeviceCodeTTL, DefaultDeviceCodeTTL)
	interval := DefaultInterval
	d := store.DeviceAuth{
		DeviceCode: newID(48),
		ClientID:   c.ID,
		StartURL:   req.StartURL,
		Scopes:     c.Scopes,
		CreatedAt:  now,
		ExpiresAt:  now.Add(ttl),
		Interval:   interval,
	}
	for range 10 { // a user code collision is rare; retry a few times
		d.UserCode = newUserCode()
		if err = h.Store.CreateDeviceAuth(d); !errors.Is(err, store.ErrExists) {
			break
		}
	}
	if err != nil {
		return deviceResponse{}, fmt.Errorf("create device authorization: %w", err)
	}
	verify := h.baseURL(r) + "/device"
	return deviceResponse{
		DeviceCode:              d.DeviceCode,
		UserCode:                d.UserCode,
		VerificationURI:         verify,
		VerificationURIComplete: verify + "?user_code=" + url.QueryEscape(d.UserCode),
		ExpiresIn:               int(ttl / time.Second),
		Interval:                int(interval / time.Second),
	}, nil
}

// userCodeAlphabet holds consonants only, so codes are easy to read out and
// spell no words (RFC 8628 §6.1).
const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

// newUserCode returns a code like "BDFG-HJKL": 8 characters, about 34 bits.
func newUserCode() string {
	var b strings.Builder
	buf := make([]byte, 1)
	for b.Len() < 9 {
		if b.Len() == 4 {
			b.WriteByte('-')
			continue
		}
		_, _ = rand.Read(buf)
		if buf[0] >= 240 { // 240 = 12*20: reject to avoid modulo bias
			continue
		}
		b.WriteByte(userCodeAlphabet[int(buf[0])%len(userCodeAlphabet)])
	}
	return b.String()
}

// NormalizeUserCode puts a user code as typed into its stored form: upper
// case, hyphen after the fourth character, spaces and hyphens ignored.
func NormalizeUserCode(s string) string {
	s = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(s))
	if len(s) == 8 {
		return s[:4] + "-" + s[4:]
	}
	return s
}

// DeviceRequest is a device authorization as the verification page shows it.
type DeviceRequest struct {
	UserCode   string
	ClientName string
	Scopes     []string
	ExpiresAt  time.Time
}

// PendingDevice finds the device authorization waiting for approval under
// userCode (case-insensitive, hyphen optional). It is false for unknown codes
// and for authorizations already approved, denied or redeemed; it may return an
// expired one, so the page can say so.
func (h *Handler) PendingDevice(userCode string) (DeviceRequest, bool) {
	d, err := h.Store.GetDeviceAuthByUserCode(NormalizeUserCode(userCode))
	if err != nil || d.Status != store.DevicePending || d.Exchanged {
		return DeviceRequest{}, false
	}
	name := ""
	if c, err := h.Store.GetClient(d.ClientID); err == nil {
		name = c.Name
	}
	return DeviceRequest{UserCode: d.UserCode, ClientName: name, Scopes: d.Scopes, ExpiresAt: d.ExpiresAt}, true
}

// ErrNoPendingDevice is returned by ResolveDevice for a code that is unknown,
// expired or already resolved.
var ErrNoPendingDevice = errors.New("no pending device authorization with this code; it may have expired: start the login again")

// ResolveDevice approves or denies the pending device authorization of
// userCode as user; the client's next poll gets its token or AccessDenied.
func (h *Handler) ResolveDevice(userCode, user string, approve bool) error {
	d, err := h.Store.GetDeviceAuthByUserCode(NormalizeUserCode(userCode))
	if err != nil {
		return ErrNoPendingDevice
	}
	now := h.Now()
	_, err = h.Store.UpdateDeviceAuth(d.DeviceCode, func(d store.DeviceAuth) (store.DeviceAuth, error) {
		if d.Status != store.DevicePending || d.Exchanged || !now.Before(d.ExpiresAt) {
			return d, ErrNoPendingDevice
		}
		d.Status, d.User = store.DeviceDenied, user
		if approve {
			d.Status = store.DeviceApproved
		}
		return d, nil
	})
	if err == nil {
		h.Logger.Info("device authorization resolved", "user", user, "approved", approve)
	}
	return err
}
