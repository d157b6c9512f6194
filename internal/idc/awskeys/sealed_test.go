package awskeys

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestSealerRoundTrip(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	s, err := NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	c := Claims{AccountID: "111122223333", PermissionSet: "ReadOnly", RoleName: "AWSReservedSSO_ReadOnly_0123456789abcdef",
		RoleID: "AROAEXAMPLE", UserName: "alice", SessionID: "sess-1", Expiration: time.Unix(1700000000, 0).UTC()}
	k, err := s.Issue(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(k.AccessKeyID) != 20 || !strings.HasPrefix(k.AccessKeyID, "ASIA") || len(k.SecretAccessKey) != 40 ||
		!strings.HasPrefix(k.SessionToken, tokenPrefix) {
		t.Fatalf("shape: id %d chars, secret %d chars", len(k.AccessKeyID), len(k.SecretAccessKey))
	}
	got, secret, ok := s.Open(k.AccessKeyID, k.SessionToken)
	if !ok || got != c || secret != k.SecretAccessKey {
		t.Fatalf("Open = %+v, ok %v, secret matches %v", got, ok, secret == k.SecretAccessKey)
	}
	// The same key, later (a restarted server), opens it too.
	s2, _ := NewSealer(key)
	if _, secret, ok := s2.Open(k.AccessKeyID, k.SessionToken); !ok || secret != k.SecretAccessKey {
		t.Fatal("a Sealer of the same key does not open the credentials")
	}
	other, _ := NewSealer(bytes.Repeat([]byte{8}, KeySize))
	k2, _ := s.Issue(c)
	flip := []byte(k.SessionToken)
	flip[len(flip)/2] ^= 1
	for name, tc := range map[string][2]string{
		"another key's":         {k.AccessKeyID, k.SessionToken}, // opened by other
		"another access key id": {k2.AccessKeyID, k.SessionToken},
		"altered token":         {k.AccessKeyID, string(flip)},
		"random token":          {k.AccessKeyID, NewTemporary().SessionToken},
		"no prefix":             {k.AccessKeyID, strings.TrimPrefix(k.SessionToken, tokenPrefix)},
		"empty token":           {k.AccessKeyID, ""},
		"truncated token":       {k.AccessKeyID, k.SessionToken[:30]},
	} {
		opener := s
		if name == "another key's" {
			opener = other
		}
		if _, _, ok := opener.Open(tc[0], tc[1]); ok {
			t.Errorf("%s: opened", name)
		}
	}
	if k2.AccessKeyID == k.AccessKeyID || k2.SessionToken == k.SessionToken {
		t.Error("two issues gave the same credentials")
	}
	if _, err := NewSealer(key[:16]); err == nil {
		t.Error("NewSealer took a 16-byte key")
	}
}

func TestSealToken(t *testing.T) {
	s, _ := NewSealer(bytes.Repeat([]byte{7}, KeySize))
	type v struct {
		S string
		G uint64
	}
	tok, err := s.SealToken("aor", "refresh", v{"sess", 3})
	if err != nil {
		t.Fatal(err)
	}
	var got v
	if !s.OpenToken("aor", "refresh", tok, &got) || got != (v{"sess", 3}) {
		t.Fatalf("OpenToken = %+v", got)
	}
	other, _ := NewSealer(bytes.Repeat([]byte{8}, KeySize))
	flip := []byte(tok)
	flip[len(flip)/2] ^= 1
	for name, open := range map[string]func() bool{
		"another purpose": func() bool { return s.OpenToken("aor", "access", tok, &got) },
		"another prefix":  func() bool { return s.OpenToken("aoa", "refresh", "aoa"+tok[3:], &got) },
		"another key":     func() bool { return other.OpenToken("aor", "refresh", tok, &got) },
		"altered":         func() bool { return s.OpenToken("aor", "refresh", string(flip), &got) },
		"no prefix":       func() bool { return s.OpenToken("aor", "refresh", tok[3:], &got) },
		"short":           func() bool { return s.OpenToken("aor", "refresh", tok[:20], &got) },
	} {
		if open() {
			t.Errorf("%s: opened", name)
		}
	}
}
