package store

import (
	"bytes"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Memory is a Store kept in memory, lost when the process ends.
type Memory struct {
	mu        sync.Mutex
	clients   map[string]Client
	devices   map[string]DeviceAuth
	userCodes map[string]string // user code -> device code
	codes     map[string]AuthCode
	sessions  map[string]Session
	access    map[string]AccessToken
	refresh   map[string]RefreshToken
	creds     map[string]RoleCredential
	assumed   map[string]AssumedRoleCredential
	once      map[string]time.Time
	key       []byte
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory {
	return &Memory{
		clients:   map[string]Client{},
		devices:   map[string]DeviceAuth{},
		userCodes: map[string]string{},
		codes:     map[string]AuthCode{},
		sessions:  map[string]Session{},
		access:    map[string]AccessToken{},
		refresh:   map[string]RefreshToken{},
		creds:     map[string]RoleCredential{},
		assumed:   map[string]AssumedRoleCredential{},
		once:      map[string]time.Time{},
		key:       newCredentialKey(),
	}
}

// CredentialKey implements Store.
func (m *Memory) CredentialKey() []byte { return bytes.Clone(m.key) }

var _ Store = (*Memory)(nil)

// create puts v under key unless the key is taken.
func create[V any](mu *sync.Mutex, m map[string]V, key string, v V) error {
	mu.Lock()
	defer mu.Unlock()
	if _, ok := m[key]; ok {
		return ErrExists
	}
	m[key] = v
	return nil
}

func get[V any](mu *sync.Mutex, m map[string]V, key string) (V, error) {
	mu.Lock()
	defer mu.Unlock()
	v, ok := m[key]
	if !ok {
		var zero V
		return zero, ErrNotFound
	}
	return v, nil
}

// CreateClient implements Store.
func (s *Memory) CreateClient(c Client) error {
	return create(&s.mu, s.clients, c.ID, cloneClient(c))
}

// GetClient implements Store.
func (s *Memory) GetClient(id string) (Client, error) {
	c, err := get(&s.mu, s.clients, id)
	return cloneClient(c), err
}

// CreateDeviceAuth implements Store.
func (s *Memory) CreateDeviceAuth(d DeviceAuth) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.devices[d.DeviceCode]; ok {
		return ErrExists
	}
	if _, ok := s.userCodes[d.UserCode]; ok {
		return fmt.Errorf("user code: %w", ErrExists)
	}
	d.Scopes = slices.Clone(d.Scopes)
	s.devices[d.DeviceCode] = d
	s.userCodes[d.UserCode] = d.DeviceCode
	return nil
}

// GetDeviceAuth implements Store.
func (s *Memory) GetDeviceAuth(deviceCode string) (DeviceAuth, error) {
	d, err := get(&s.mu, s.devices, deviceCode)
	d.Scopes = slices.Clone(d.Scopes)
	return d, err
}

// GetDeviceAuthByUserCode implements Store.
func (s *Memory) GetDeviceAuthByUserCode(userCode string) (DeviceAuth, error) {
	s.mu.Lock()
	dc, ok := s.userCodes[userCode]
	s.mu.Unlock()
	if !ok {
		return DeviceAuth{}, ErrNotFound
	}
	return s.GetDeviceAuth(dc)
}

// UpdateDeviceAuth implements Store.
func (s *Memory) UpdateDeviceAuth(deviceCode string, fn func(DeviceAuth) (DeviceAuth, error)) (DeviceAuth, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.devices[deviceCode]
	if !ok {
		return DeviceAuth{}, ErrNotFound
	}
	d.Scopes = slices.Clone(d.Scopes)
	n, err := fn(d)
	if err != nil {
		return d, err
	}
	// The keys are fixed: an update cannot move a record.
	n.DeviceCode, n.UserCode = d.DeviceCode, d.UserCode
	n.Scopes = slices.Clone(n.Scopes)
	s.devices[deviceCode] = n
	return n, nil
}

// CreateAuthCode implements Store.
func (s *Memory) CreateAuthCode(c AuthCode) error {
	c.Scopes = slices.Clone(c.Scopes)
	return create(&s.mu, s.codes, c.Code, c)
}

// GetAuthCode implements Store.
func (s *Memory) GetAuthCode(code string) (AuthCode, error) {
	c, err := get(&s.mu, s.codes, code)
	c.Scopes = slices.Clone(c.Scopes)
	return c, err
}

// UpdateAuthCode implements Store.
func (s *Memory) UpdateAuthCode(code string, fn func(AuthCode) (AuthCode, error)) (AuthCode, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.codes[code]
	if !ok {
		return AuthCode{}, ErrNotFound
	}
	c.Scopes = slices.Clone(c.Scopes)
	n, err := fn(c)
	if err != nil {
		return c, err
	}
	n.Code = c.Code
	n.Scopes = slices.Clone(n.Scopes)
	s.codes[code] = n
	return n, nil
}

// CreateSession implements Store.
func (s *Memory) CreateSession(x Session) error {
	x.Scopes = slices.Clone(x.Scopes)
	return create(&s.mu, s.sessions, x.ID, x)
}

// GetSession implements Store.
func (s *Memory) GetSession(id string) (Session, error) {
	x, err := get(&s.mu, s.sessions, id)
	x.Scopes = slices.Clone(x.Scopes)
	return x, err
}

// UpdateSession implements Store.
func (s *Memory) UpdateSession(id string, fn func(Session) (Session, error)) (Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	x, ok := s.sessions[id]
	if !ok {
		return Session{}, ErrNotFound
	}
	x.Scopes = slices.Clone(x.Scopes)
	n, err := fn(x)
	if err != nil {
		return x, err
	}
	n.ID = x.ID
	n.Scopes = slices.Clone(n.Scopes)
	s.sessions[id] = n
	return n, nil
}

// RevokeSession implements Store.
func (s *Memory) RevokeSession(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	x, ok := s.sessions[id]
	if !ok {
		return ErrNotFound
	}
	x.Revoked = true
	s.sessions[id] = x
	return nil
}

// CreateAccessToken implements Store.
func (s *Memory) CreateAccessToken(t AccessToken) error {
	return create(&s.mu, s.access, t.Token, t)
}

// GetAccessToken implements Store.
func (s *Memory) GetAccessToken(token string) (AccessToken, error) {
	return get(&s.mu, s.access, token)
}

// CreateRefreshToken implements Store.
func (s *Memory) CreateRefreshToken(t RefreshToken) error {
	return create(&s.mu, s.refresh, t.Token, t)
}

// GetRefreshToken implements Store.
func (s *Memory) GetRefreshToken(token string) (RefreshToken, error) {
	return get(&s.mu, s.refresh, token)
}

// UpdateRefreshToken implements Store.
func (s *Memory) UpdateRefreshToken(token string, fn func(RefreshToken) (RefreshToken, error)) (RefreshToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.refresh[token]
	if !ok {
		return RefreshToken{}, ErrNotFound
	}
	n, err := fn(t)
	if err != nil {
		return t, err
	}
	n.Token = t.Token
	s.refresh[token] = n
	return n, nil
}

// RotateRefreshToken implements Store.
func (s *Memory) RotateRefreshToken(token string, at AccessToken, next RefreshToken, fn func(RefreshToken) (RefreshToken, error)) (RefreshToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.refresh[token]
	if !ok {
		return RefreshToken{}, ErrNotFound
	}
	if _, ok := s.access[at.Token]; ok {
		return t, fmt.Errorf("access token: %w", ErrExists)
	}
	if _, ok := s.refresh[next.Token]; ok && next.Token != "" {
		return t, fmt.Errorf("refresh token: %w", ErrExists)
	}
	n, err := fn(t)
	if err != nil {
		return t, err
	}
	n.Token = t.Token
	s.access[at.Token] = at
	if next.Token != "" {
		s.refresh[next.Token] = next
	}
	s.refresh[token] = n
	return n, nil
}

// CreateRoleCredential implements Store.
func (s *Memory) CreateRoleCredential(c RoleCredential) error {
	return create(&s.mu, s.creds, c.AccessKeyID, c)
}

// GetRoleCredential implements Store.
func (s *Memory) GetRoleCredential(accessKeyID string) (RoleCredential, error) {
	return get(&s.mu, s.creds, accessKeyID)
}

// GarbageCollect implements Store.
func (s *Memory) GarbageCollect(now time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, d := range s.devices {
		if !now.Before(d.ExpiresAt) {
			delete(s.devices, k)
			delete(s.userCodes, d.UserCode)
			n++
		}
	}
	for k, c := range s.codes {
		if !now.Before(c.ExpiresAt) {
			delete(s.codes, k)
			n++
		}
	}
	for k, t := range s.access {
		if !now.Before(t.ExpiresAt) {
			delete(s.access, k)
			n++
		}
	}
	for k, c := range s.creds {
		if !now.Before(c.Expiration) {
			delete(s.creds, k)
			n++
		}
	}
	ended := map[string]bool{}
	for k, x := range s.sessions {
		if !now.Before(x.ExpiresAt) {
			ended[k] = true
			delete(s.sessions, k)
			n++
		}
	}
	for k, t := range s.refresh {
		if ended[t.SessionID] {
			delete(s.refresh, k)
			n++
		}
	}
	n += s.gcAssumed(now)
	return n, nil
}

// Close implements Store; a memory store holds nothing to release.
func (s *Memory) Close() error { return nil }

func cloneClient(c Client) Client {
	c.Scopes = slices.Clone(c.Scopes)
	c.GrantTypes = slices.Clone(c.GrantTypes)
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	return c
}
