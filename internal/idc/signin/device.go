package signin

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// deviceData is the verification page (RFC 8628 §3.3): either the form to
// enter a code (Request nil) or the request to approve.
type deviceData struct {
	Request   *DeviceRequest
	ExpiresIn string // "9 minutes", for the person deciding
	Error     string // shown above the entry form
}

// maxUserCode bounds what is passed on to the Backend; real codes are 8
// letters and a hyphen.
const maxUserCode = 32

func deviceURL(code string) string {
	if code == "" {
		return "/device"
	}
	return "/device?" + url.Values{"user_code": {code}}.Encode()
}

func (p *Pages) deviceGet(w http.ResponseWriter, r *http.Request) {
	code := strings.TrimSpace(r.URL.Query().Get("user_code"))
	if code != "" && p.AutoApprove != "" {
		if req, ok := p.pendingDevice(w, r, code); ok {
			p.resolveDevice(w, r, req, p.AutoApprove, true)
		}
		return
	}
	user := p.user(r)
	if user == "" {
		http.Redirect(w, r, loginURL(deviceURL(code)), http.StatusSeeOther)
		return
	}
	if code == "" {
		p.render(w, r, http.StatusOK, "device.html", "Authorize request", deviceData{})
		return
	}
	req, ok := p.pendingDevice(w, r, code)
	if !ok {
		return
	}
	p.render(w, r, http.StatusOK, "device.html", "Authorize request", deviceData{
		Request:   &req,
		ExpiresIn: humanDuration(req.ExpiresAt.Sub(p.Now())),
	})
}

func (p *Pages) devicePost(w http.ResponseWriter, r *http.Request) {
	code := strings.TrimSpace(r.PostForm.Get("user_code"))
	user := p.user(r)
	if user == "" {
		http.Redirect(w, r, loginURL(deviceURL(code)), http.StatusSeeOther)
		return
	}
	var approve bool
	switch r.PostForm.Get("action") {
	case "approve":
		approve = true
	case "deny":
	default:
		p.message(w, r, http.StatusBadRequest, messageData{Kind: "error", Heading: "Bad request", Text: "Choose Approve or Deny."})
		return
	}
	req, ok := p.pendingDevice(w, r, code)
	if !ok {
		return
	}
	p.resolveDevice(w, r, req, user, approve)
}

// pendingDevice looks up code, writing the error page and returning false
// when it is unknown or expired.
func (p *Pages) pendingDevice(w http.ResponseWriter, r *http.Request, code string) (DeviceRequest, bool) {
	addr, now := clientAddr(r), p.Now()
	if wait := p.codeFailures.locked(addr, now); wait > 0 {
		p.Logger.Warn("user code refused: too many unknown codes", "remote", addr)
		p.message(w, r, http.StatusTooManyRequests, messageData{Kind: "error", Heading: "Too many codes that were not valid",
			Text: "Codes from this address are paused: try again in " + humanDuration(wait) + ", with the code shown by the application."})
		return DeviceRequest{}, false
	}
	if code == "" || len(code) > maxUserCode {
		p.codeFailures.fail(addr, now)
		p.deviceError(w, r, http.StatusNotFound, "That code is not valid. Check the code shown by the application and enter it again.")
		return DeviceRequest{}, false
	}
	req, ok := p.Backend.PendingDevice(code)
	if !ok {
		p.codeFailures.fail(addr, now)
		p.deviceError(w, r, http.StatusNotFound, "That code is not valid or was already used. Check the code shown by the application and enter it again.")
		return DeviceRequest{}, false
	}
	if !p.Now().Before(req.ExpiresAt) {
		p.message(w, r, http.StatusGone, messageData{Kind: "error", Heading: "This code has expired",
			Text: "Start the sign-in again from the application (for example run aws sso login again) to get a new code."})
		return DeviceRequest{}, false
	}
	return req, true
}

// deviceError shows the entry form again with msg, so the person can retype
// the code; without a sign-in it is a plain error page.
func (p *Pages) deviceError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if p.user(r) == "" {
		p.message(w, r, status, messageData{Kind: "error", Heading: "Code not valid", Text: msg})
		return
	}
	p.render(w, r, status, "device.html", "Authorize request", deviceData{Error: msg})
}

func (p *Pages) resolveDevice(w http.ResponseWriter, r *http.Request, req DeviceRequest, user string, approve bool) {
	if err := p.Backend.ResolveDevice(req.UserCode, user, approve); err != nil {
		p.Logger.Error("resolve device authorization", "client", req.ClientName, "user", user, "approve", approve, "err", err)
		p.message(w, r, http.StatusInternalServerError, messageData{Kind: "error", Heading: "Something went wrong",
			Text: "The request could not be completed. Start the sign-in again from the application."})
		return
	}
	p.Logger.Info("device authorization resolved", "client", req.ClientName, "user", user, "approve", approve)
	if approve {
		p.message(w, r, http.StatusOK, messageData{Kind: "success", Heading: "Access granted",
			Text: "Request approved. You can close this window."})
		return
	}
	p.message(w, r, http.StatusOK, messageData{Kind: "error", Heading: "Access denied",
		Text: "Request denied. The application was not given access. You can close this window."})
}

// humanDuration rounds d up to whole minutes for the page.
func humanDuration(d time.Duration) string {
	m := int((d + time.Minute - 1) / time.Minute)
	if m <= 1 {
		return "1 minute"
	}
	return strconv.Itoa(m) + " minutes"
}
