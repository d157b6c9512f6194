package creds

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ssocli/ssocli/internal/ssocache"
)

// SessionStatus describes one cached session. It holds no secret.
type SessionStatus struct {
	Name                  string // sso-session name, or the start URL of a legacy login
	StartURL              string
	Region                string
	ExpiresAt             time.Time
	CanRefresh            bool      // a refresh token and a live registration are cached
	RegistrationExpiresAt time.Time // zero when unknown
	Valid                 bool      // the access token is unexpired, or it can be refreshed
	Roles                 []RoleStatus
	// Err, when set, says why the session's token file cannot be read (the
	// loader's message every other command gives); the other fields but
	// Name, StartURL and Region are then zero.
	Err error
}

// RoleStatus describes role credentials cached for a session.
type RoleStatus struct {
	Profile    string
	AccountID  string
	RoleName   string
	Expiration time.Time
}

// Status lists the sessions in the token cache. known are the SSO profiles and
// sessions of the configuration: they name the cache files (whose names are
// hashes) and tell which role credentials belong to which session.
func (m *Manager) Status(known []*Target) ([]SessionStatus, error) {
	now := m.now()
	byFile := map[string]*Target{}
	for _, t := range known {
		f := ssocache.TokenFileName(t.SessionName, t.StartURL)
		if _, ok := byFile[f]; !ok || byFile[f].Profile != "" {
			byFile[f] = t
		}
	}
	dir := ssocache.SSODir(m.Home)
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	var out []SessionStatus
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		tok, err := ssocache.ReadToken(filepath.Join(dir, e.Name()))
		if err != nil {
			// A token file of a configured session that cannot be read is
			// reported, not skipped: "not logged in" would send the user to
			// log in without saying what is wrong with the file.
			if t := byFile[e.Name()]; t != nil {
				if _, rerr := m.readToken(t); rerr != nil {
					out = append(out, SessionStatus{Name: t.name(), StartURL: t.StartURL, Region: t.Region, Err: rerr})
				}
			}
			continue
		}
		s := SessionStatus{Name: tok.StartURL, StartURL: tok.StartURL, Region: tok.Region, ExpiresAt: tok.ExpiresAt,
			RegistrationExpiresAt: tok.RegistrationExpiresAt}
		t := byFile[e.Name()]
		if t != nil && t.SessionName != "" {
			s.Name = t.SessionName
		}
		s.CanRefresh = (t == nil || !t.Legacy()) && refreshable(tok, now)
		s.Valid = tok.ExpiresAt.After(now) || s.CanRefresh
		for _, k := range known {
			if k.AccountID == "" || k.RoleName == "" || ssocache.TokenFileName(k.SessionName, k.StartURL) != e.Name() {
				continue
			}
			rc, err := ssocache.ReadRoleCredentials(rolePath(m.Home, k))
			if err != nil {
				continue
			}
			s.Roles = append(s.Roles, RoleStatus{Profile: k.Profile, AccountID: k.AccountID, RoleName: k.RoleName, Expiration: rc.Expiration})
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
