package proxy

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLoadOrCreateCAReusesFiles(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "state", "ca")
	first, err := LoadOrCreateCA(dir)
	if err != nil {
		t.Fatalf("first LoadOrCreateCA: %v", err)
	}

	modes := map[string]os.FileMode{}
	for _, p := range []string{dir, filepath.Join(dir, "ca.pem"), filepath.Join(dir, "ca-key.pem")} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		modes[filepath.Base(p)] = fi.Mode().Perm()
	}
	wantModes := map[string]os.FileMode{"ca": 0o700, "ca.pem": 0o644, "ca-key.pem": 0o600}
	if diff := cmp.Diff(wantModes, modes); diff != "" {
		t.Errorf("modes (-want +got):\n%s", diff)
	}
	if got, want := first.CertFile(), filepath.Join(dir, "ca.pem"); got != want {
		t.Errorf("CertFile = %q, want %q", got, want)
	}
	keyBefore, err := os.ReadFile(filepath.Join(dir, "ca-key.pem"))
	if err != nil {
		t.Fatal(err)
	}

	second, err := LoadOrCreateCA(dir)
	if err != nil {
		t.Fatalf("second LoadOrCreateCA: %v", err)
	}
	if !bytes.Equal(first.cert.Raw, second.cert.Raw) {
		t.Error("second LoadOrCreateCA made a new CA certificate instead of reusing ca.pem")
	}
	keyAfter, err := os.ReadFile(filepath.Join(dir, "ca-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(keyBefore, keyAfter) {
		t.Error("second LoadOrCreateCA rewrote ca-key.pem")
	}
	// A leaf from the first instance is trusted by a client of the second.
	leaf, err := first.Leaf("sts.us-east-1.amazonaws.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Leaf.Verify(x509.VerifyOptions{DNSName: "sts.us-east-1.amazonaws.com", Roots: second.Pool()}); err != nil {
		t.Errorf("leaf of the first CA does not verify with the reloaded CA: %v", err)
	}
}

func TestLoadOrCreateCARefusesDamage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		damage  func(dir string) error
		wantErr string
	}{
		{name: "key missing", damage: func(dir string) error { return os.Remove(filepath.Join(dir, "ca-key.pem")) }, wantErr: "only one of"},
		{name: "certificate missing", damage: func(dir string) error { return os.Remove(filepath.Join(dir, "ca.pem")) }, wantErr: "only one of"},
		{name: "key of another CA", damage: func(dir string) error {
			_, key, err := createCA(time.Now())
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, "ca-key.pem"), key, 0o600)
		}, wantErr: "private key does not match public key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if _, err := LoadOrCreateCA(dir); err != nil {
				t.Fatal(err)
			}
			if err := tt.damage(dir); err != nil {
				t.Fatal(err)
			}
			_, err := LoadOrCreateCA(dir)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("LoadOrCreateCA error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestCAKeyModeCheck: on Unix a CA key that others can read is refused; on
// Windows, where every writable file reads as 0666, the mode is not tested,
// so the CA loads again after a chmod and serve can restart.
func TestCAKeyModeCheck(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		goos string
		mode os.FileMode
		want bool
	}{
		{"linux", 0o600, false}, {"linux", 0o640, true}, {"darwin", 0o604, true}, {"freebsd", 0o400, false},
		{"windows", 0o666, false}, {"windows", 0o444, false},
	} {
		if got := keyOpenToOthers(tt.goos, tt.mode); got != tt.want {
			t.Errorf("keyOpenToOthers(%s, %04o) = %v, want %v", tt.goos, tt.mode, got, tt.want)
		}
	}

	dir := t.TempDir()
	if _, err := LoadOrCreateCA(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "ca-key.pem"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadOrCreateCA(dir)
	if runtime.GOOS == "windows" {
		if err != nil {
			t.Errorf("LoadOrCreateCA after a restart on Windows: %v", err)
		}
		return
	}
	if err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("LoadOrCreateCA error = %v, want one containing %q", err, "chmod 600")
	}
}

func TestLeafCacheAndRenewal(t *testing.T) {
	t.Parallel()
	start := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	now := start
	ca, err := loadOrCreateCA(t.TempDir(), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	const host = "oidc.us-east-1.amazonaws.com"
	first, err := ca.Leaf(host)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.Leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: ca.Pool(), CurrentTime: start}); err != nil {
		t.Errorf("leaf does not verify for %s: %v", host, err)
	}
	if _, err := first.Leaf.Verify(x509.VerifyOptions{DNSName: "portal.sso.us-east-1.amazonaws.com", Roots: ca.Pool(), CurrentTime: start}); err == nil {
		t.Error("leaf for oidc verifies for another host name")
	}
	if got, want := first.Leaf.NotAfter.Sub(first.Leaf.NotBefore), leafValidity+backdate; got != want {
		t.Errorf("leaf validity = %v, want %v", got, want)
	}

	tests := []struct {
		name     string
		host     string
		at       time.Duration // after start
		wantSame bool
	}{
		{name: "cached", host: host, at: 0, wantSame: true},
		{name: "upper case is the same name", host: strings.ToUpper(host), at: 0, wantSame: true},
		{name: "still cached after 22h", host: host, at: 22 * time.Hour, wantSame: true},
		{name: "renewed within the last hour", host: host, at: 23*time.Hour + time.Minute, wantSame: false},
		{name: "other host", host: "sts.us-east-1.amazonaws.com", at: 0, wantSame: false},
	}
	for _, tt := range tests { // sequential: they move the shared clock
		t.Run(tt.name, func(t *testing.T) {
			now = start.Add(tt.at)
			got, err := ca.Leaf(tt.host)
			if err != nil {
				t.Fatal(err)
			}
			if same := got == first; same != tt.wantSame {
				t.Errorf("Leaf(%q) at +%v returned the cached leaf: %v, want %v", tt.host, tt.at, same, tt.wantSame)
			}
			if _, err := got.Leaf.Verify(x509.VerifyOptions{DNSName: strings.ToLower(tt.host), Roots: ca.Pool(), CurrentTime: now}); err != nil {
				t.Errorf("leaf does not verify: %v", err)
			}
		})
	}
}
