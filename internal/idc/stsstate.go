package idc

import (
	"errors"
	"time"

	"github.com/ssocli/ssocli/internal/idc/awskeys"
	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/idc/store"
	"github.com/ssocli/ssocli/internal/idc/sts"
)

// stsState answers the STS handler from the store and the directory: it
// finds the credentials the server issued (the portal's role credentials,
// the roles assumed through STS) and the IAM users' access keys, and keeps
// what AssumeRole issues.
type stsState struct {
	st     store.Store
	dir    *directory.Directory
	sealer *awskeys.Sealer // the portal's, which opens its role credentials
}

// LookupCredential implements sts.Lookup. Credentials that go back to a
// revoked IAM Identity Center session (Logout, refresh token reuse) are
// unknown: the portal's role credentials of the session, and every role
// assumed from them, however long the chain.
//
// The portal's role credentials are not stored: the session token carries
// what they stand for, sealed (awskeys.Sealer), and the secret is derived
// from the access key id, so finding one reads only its session.
func (s stsState) LookupCredential(accessKeyID, sessionToken string) (sts.Credential, bool) {
	if c, secret, ok := s.sealer.Open(accessKeyID, sessionToken); ok {
		if !s.live(c.SessionID) {
			return sts.Credential{}, false
		}
		return sts.Credential{
			AccessKeyID:     accessKeyID,
			SecretAccessKey: secret,
			SessionToken:    sessionToken,
			Expiration:      c.Expiration,
			AccountID:       c.AccountID,
			RoleName:        c.RoleName,
			RoleID:          c.RoleID,
			UserName:        c.UserName,
			Kind:            sts.KindRoleSession,
			PermissionSet:   c.PermissionSet,
			SSOUser:         c.UserName,
			SessionID:       c.SessionID,
		}, true
	}
	// Role credentials that an earlier version stored, in a state file it
	// left.
	if rc, err := s.st.GetRoleCredential(accessKeyID); err == nil {
		if !s.live(rc.SessionID) {
			return sts.Credential{}, false
		}
		return sts.Credential{
			AccessKeyID:     rc.AccessKeyID,
			SecretAccessKey: rc.SecretAccessKey,
			SessionToken:    rc.SessionToken,
			Expiration:      rc.Expiration,
			AccountID:       rc.AccountID,
			RoleName:        rc.RoleName,
			RoleID:          rc.RoleID,
			UserName:        rc.UserName,
			Kind:            sts.KindRoleSession,
			PermissionSet:   rc.PermissionSet,
			SSOUser:         rc.UserName,
			SessionID:       rc.SessionID,
		}, true
	}
	if ac, err := s.st.GetAssumedRoleCredential(accessKeyID); err == nil {
		if ac.SessionID != "" && !s.live(ac.SessionID) {
			return sts.Credential{}, false
		}
		return sts.Credential{
			AccessKeyID:     ac.AccessKeyID,
			SecretAccessKey: ac.SecretAccessKey,
			SessionToken:    ac.SessionToken,
			Expiration:      ac.Expiration,
			AccountID:       ac.AccountID,
			RoleName:        ac.RoleName,
			RoleID:          ac.RoleID,
			UserName:        ac.SessionName,
			Kind:            sts.KindRoleSession,
			SessionID:       ac.SessionID,
			MFA:             ac.MFA,
		}, true
	}
	if u, secret, ok := s.dir.AccessKey(accessKeyID); ok {
		return sts.Credential{
			AccessKeyID:     accessKeyID,
			SecretAccessKey: secret,
			AccountID:       u.Account,
			UserName:        u.Name,
			UserID:          s.dir.IAMUserID(u.Account, u.Name),
			Kind:            sts.KindIAMUser,
		}, true
	}
	return sts.Credential{}, false
}

// live reports whether the IAM Identity Center session still stands.
func (s stsState) live(sessionID string) bool {
	sess, err := s.st.GetSession(sessionID)
	return err == nil && !sess.Revoked
}

// IssueCredential implements sts.Issuer.
func (s stsState) IssueCredential(c sts.Credential) error {
	return s.st.CreateAssumedRoleCredential(store.AssumedRoleCredential{
		AccessKeyID:     c.AccessKeyID,
		SecretAccessKey: c.SecretAccessKey,
		SessionToken:    c.SessionToken,
		Expiration:      c.Expiration,
		AccountID:       c.AccountID,
		RoleName:        c.RoleName,
		RoleID:          c.RoleID,
		SessionName:     c.UserName,
		SessionID:       c.SessionID,
		MFA:             c.MFA,
	})
}

// UseOnce implements sts.Issuer.
func (s stsState) UseOnce(key string, expires time.Time) (bool, error) {
	err := s.st.UseOnce(key, expires)
	if errors.Is(err, store.ErrExists) {
		return false, nil
	}
	return err == nil, err
}
