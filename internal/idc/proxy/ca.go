package proxy

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/ssocli/ssocli/internal/atomicfile"
	"github.com/ssocli/ssocli/internal/filelock"
)

// File names inside the CA directory.
const (
	caCertName = "ca.pem"
	caKeyName  = "ca-key.pem"
	caLockName = "ca.lock"
)

const (
	// caValidity is long: the CA is made once per machine and trusted through
	// AWS_CA_BUNDLE; a CA that expires under a running setup would be a
	// puzzling failure.
	caValidity = 10 * 365 * 24 * time.Hour
	// leafValidity is short, so that a leaked leaf key is worth little;
	// leaves are minted again on demand.
	leafValidity = 24 * time.Hour
	// leafRenewBefore is how long before its end a cached leaf is replaced,
	// so that no client ever receives one about to expire.
	leafRenewBefore = time.Hour
	// backdate covers clients whose clock is a little behind ours.
	backdate = 5 * time.Minute
	// maxLeaves bounds the leaf cache; the allowed host names are few in
	// practice, but the SNI name comes from the client.
	maxLeaves = 1024
)

// CA is the local certificate authority of the Identity Center: a key and a
// self-signed certificate kept on disk, and the leaf certificates it mints
// for the host names tunnelled through the proxy. Its methods are safe for
// concurrent use.
type CA struct {
	certFile string
	cert     *x509.Certificate
	key      crypto.Signer
	pool     *x509.CertPool
	now      func() time.Time // time.Now; tests replace it

	mu     sync.Mutex
	leaves map[string]*tls.Certificate
}

// LoadOrCreateCA loads the CA kept in dir (ca.pem, mode 0644, and
// ca-key.pem, mode 0600), or creates it on the first start. dir is created
// with mode 0700 when missing. A lock file in dir makes concurrent first
// starts agree on one CA. It refuses a directory holding only one of the two
// files, or a key file others can read, instead of replacing them.
func LoadOrCreateCA(dir string) (*CA, error) {
	return loadOrCreateCA(dir, time.Now)
}

func loadOrCreateCA(dir string, now func() time.Time) (*CA, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create CA directory %s: %w", dir, err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()

	certPath, keyPath := filepath.Join(dir, caCertName), filepath.Join(dir, caKeyName)
	certPEM, certErr := os.ReadFile(certPath)
	keyPEM, keyErr := os.ReadFile(keyPath)
	switch {
	case errors.Is(certErr, fs.ErrNotExist) && errors.Is(keyErr, fs.ErrNotExist):
		certPEM, keyPEM, err = createCA(now())
		if err != nil {
			return nil, err
		}
		// The key first: a crash between the two writes leaves a key without
		// a certificate, which the next start reports instead of trusting.
		if err := writeCAFile(keyPath, keyPEM, 0o600); err != nil {
			return nil, err
		}
		if err := writeCAFile(certPath, certPEM, 0o644); err != nil {
			return nil, err
		}
	case certErr != nil && !errors.Is(certErr, fs.ErrNotExist):
		return nil, fmt.Errorf("read CA certificate: %w", certErr)
	case keyErr != nil && !errors.Is(keyErr, fs.ErrNotExist):
		return nil, fmt.Errorf("read CA key: %w", keyErr)
	case certErr != nil || keyErr != nil:
		return nil, fmt.Errorf("CA directory %s holds only one of %s and %s: remove the other to create a new CA", dir, caCertName, caKeyName)
	default:
		fi, err := os.Stat(keyPath)
		if err != nil {
			return nil, fmt.Errorf("stat CA key: %w", err)
		}
		if keyOpenToOthers(runtime.GOOS, fi.Mode()) {
			return nil, fmt.Errorf("CA key %s has mode %04o, readable by others: run chmod 600 %s", keyPath, fi.Mode().Perm(), keyPath)
		}
	}

	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("load CA from %s: %w", dir, err)
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, fmt.Errorf("parse CA certificate %s: %w", certPath, err)
	}
	if !cert.IsCA {
		return nil, fmt.Errorf("CA certificate %s is not a CA certificate", certPath)
	}
	if !now().Before(cert.NotAfter) {
		return nil, fmt.Errorf("CA certificate %s expired on %s: remove %s and %s to create a new CA", certPath, cert.NotAfter.Format(time.RFC3339), caCertName, caKeyName)
	}
	key, ok := pair.PrivateKey.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("CA key %s cannot sign", keyPath)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &CA{certFile: certPath, cert: cert, key: key, pool: pool, now: now, leaves: map[string]*tls.Certificate{}}, nil
}

// keyOpenToOthers reports whether a CA key file with mode m may be read by
// other users of a goos system. On Unix that is any group or other
// permission bit. Windows has no such test: Go reports every writable file
// there as 0666 (it maps only the read-only attribute), so the check would
// refuse every restart. What keeps the key private on Windows is the access
// control list inherited from the per-user profile directory that holds the
// data directory by default (%USERPROFILE%, open only to the user, SYSTEM and
// administrators), as for the AWS CLI's own files in %USERPROFILE%\.aws.
func keyOpenToOthers(goos string, m fs.FileMode) bool {
	return goos != "windows" && m.Perm()&0o077 != 0
}

// CertFile returns the path of ca.pem, for AWS_CA_BUNDLE.
func (ca *CA) CertFile() string { return ca.certFile }

// Pool returns a certificate pool holding only this CA, for clients.
func (ca *CA) Pool() *x509.CertPool { return ca.pool }

// Leaf returns a certificate for host (a DNS name or an IP address) signed by
// the CA, with the CA certificate as its chain. It is minted on first use,
// valid for a day, cached, and replaced an hour before it ends.
func (ca *CA) Leaf(host string) (*tls.Certificate, error) {
	host = strings.ToLower(host)
	if host == "" {
		return nil, errors.New("mint leaf certificate: empty host name")
	}
	now := ca.now()
	ca.mu.Lock()
	defer ca.mu.Unlock()
	if c, ok := ca.leaves[host]; ok && now.Before(c.Leaf.NotAfter.Add(-leafRenewBefore)) {
		return c, nil
	}
	c, err := ca.mint(host, now)
	if err != nil {
		return nil, err
	}
	if len(ca.leaves) >= maxLeaves {
		clear(ca.leaves)
	}
	ca.leaves[host] = c
	return c, nil
}

func (ca *CA) mint(host string, now time.Time) (*tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("mint leaf for %s: generate key: %w", host, err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: host},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(leafValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{host}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		return nil, fmt.Errorf("mint leaf for %s: %w", host, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("mint leaf for %s: parse: %w", host, err)
	}
	return &tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key, Leaf: leaf}, nil
}

// createCA makes a new CA key and self-signed certificate, PEM-encoded.
// The extensions are those strict verifiers (OpenSSL with X509_V_FLAG_X509_STRICT,
// as Python 3.13 sets) require: critical basic constraints and key usage, and
// a subject key identifier (which x509.CreateCertificate derives for CAs).
func createCA(now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("create CA: generate key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "ssocli local IAM Identity Center CA", Organization: []string{"ssocli"}},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(caValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, nil, fmt.Errorf("create CA certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("encode CA key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

// randomSerial returns a positive 128-bit serial number (RFC 5280 §4.1.2.2
// allows up to 20 octets; randomness keeps serials unique without state).
func randomSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("make serial number: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil
}

// lockDir takes the exclusive lock dir/ca.lock (internal/filelock: released
// by the kernel if the process dies) and returns the function that releases
// it. It waits as long as another first start holds it: that start is
// writing two small files.
func lockDir(dir string) (func(), error) {
	return filelock.Lock(context.Background(), filepath.Join(dir, caLockName), nil)
}

// writeCAFile writes one of the CA's files through internal/atomicfile: whole
// or not at all, with exactly perm, a symlink followed only inside dir (a
// planted link cannot make us write the key elsewhere), nothing but a regular
// file replaced.
func writeCAFile(path string, data []byte, perm os.FileMode) error {
	return atomicfile.WriteFile(context.Background(), path, data, atomicfile.Options{Perm: perm})
}
