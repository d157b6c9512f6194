package idc

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ssocli/ssocli/internal/idc/directory"
)

// VanityURL is a start URL on a host name of the customer's own (not an
// AWS-owned one), such as https://sso.example.com/start: the AWS CLI ≥2.35
// resolves it by one HEAD request (GET when HEAD is refused with 405 or 501)
// and takes the redirect target's host name for the real start URL and its
// region (awscli/customizations/sso/resolve.py). The server answers it inside
// the CONNECT tunnels of its proxy, so a client trusting the server's CA
// reaches it under that host name.
type VanityURL struct {
	// URL is the vanity start URL; its host is what the proxy answers and
	// its path what is redirected (any other path is 404).
	URL string `json:"url"`
	// Location is the redirect target, e.g.
	// "https://ssoins-0000000000000000.portal.us-east-1.app.aws/";
	// empty means the directory's (DefaultVanityLocation).
	Location string `json:"location,omitempty"`
	// Status is the redirect's status code; 0 means 302.
	Status int `json:"status,omitempty"`
	// HEADStatus, when set, answers HEAD with this status and no redirect
	// (405 or 501: "use GET instead").
	HEADStatus int `json:"head_status,omitempty"`
	// Delay holds every answer back this long (a slow or unreachable
	// portal, for the client's timeout).
	Delay time.Duration `json:"delay,omitempty"`
}

// DefaultVanityURL is the vanity start URL `ssocli serve` answers.
const DefaultVanityURL = "https://sso.example.com/start"

// DefaultVanityLocation is where the vanity start URLs of dir redirect to
// unless told otherwise: the instance's AWS access portal under the app.aws
// form AWS gives instances ("https://ssoins-<16 hex>.portal.<region>.app.aws/"),
// whose host name carries the region.
func DefaultVanityLocation(dir *directory.Directory) string {
	id := strings.TrimPrefix(dir.Instance.ID, "d-")
	id = (id + "0000000000000000")[:16]
	return fmt.Sprintf("https://ssoins-%s.portal.%s.app.aws/", id, dir.Instance.Region)
}

// vanityHosts is what the server knows of its vanity URLs, by host name.
type vanityHosts map[string]VanityURL

func newVanityHosts(vs []VanityURL, dir *directory.Directory) (vanityHosts, error) {
	m := vanityHosts{}
	for _, v := range vs {
		u, err := url.Parse(v.URL)
		if err != nil || u.Scheme != "https" || u.Hostname() == "" {
			return nil, fmt.Errorf("vanity URL %q must be an https URL", v.URL)
		}
		if v.Location == "" {
			v.Location = DefaultVanityLocation(dir)
		}
		if v.Status == 0 {
			v.Status = http.StatusFound
		}
		m[strings.ToLower(u.Hostname())] = v
	}
	return m, nil
}

// match returns the vanity URL of a request's host, if it is one.
func (m vanityHosts) match(hostport string) (VanityURL, bool) {
	v, ok := m[strings.ToLower(strings.TrimSuffix(hostport, ":443"))]
	return v, ok
}

// has reports whether host (lower case, no port) is a vanity host: the
// proxy's extra hosts.
func (m vanityHosts) has(host string) bool {
	_, ok := m[host]
	return ok
}

// serveVanity answers a request for a vanity host: its path is redirected
// (HEAD too, unless HEADStatus refuses it), anything else is not found.
func (s *Server) serveVanity(w http.ResponseWriter, r *http.Request, v VanityURL) {
	s.counts.add("StartURL/" + r.Method)
	s.cfg.Logger.Info("vanity start URL", "host", r.Host, "method", r.Method, "path", r.URL.Path)
	if v.Delay > 0 {
		select {
		case <-time.After(v.Delay):
		case <-r.Context().Done():
			return
		}
	}
	u, _ := url.Parse(v.URL)
	want := strings.TrimSuffix(u.Path, "/")
	if strings.TrimSuffix(r.URL.Path, "/") != want {
		http.NotFound(w, r)
		return
	}
	if r.Method == http.MethodHead && v.HEADStatus != 0 {
		w.WriteHeader(v.HEADStatus)
		return
	}
	if r.Method != http.MethodHead && r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET, HEAD")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Location", v.Location)
	w.WriteHeader(v.Status)
}
