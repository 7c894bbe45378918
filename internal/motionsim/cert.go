package motionsim

import (
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
	"slices"
	"time"
)

// Files of the certificate in Options.DataDir.
const (
	CertFile = "cert.pem"
	KeyFile  = "key.pem"
)

// certValidity is how long a generated certificate lasts (under the 825 days browsers accept).
const certValidity = 800 * 24 * time.Hour

// certHosts are the names a certificate must cover for a server listening on host.
func certHosts(host string) []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) && !slices.Contains(hosts, host) {
		hosts = append(hosts, host)
	}
	return hosts
}

// loadOrCreateCert returns the certificate kept in dir when it is readable, unexpired and covers
// hosts; otherwise it makes a new one and, when dir is set, keeps it there (0600). regenerated
// says why a kept certificate was replaced ("" when none was or it was reused).
func loadOrCreateCert(dir string, hosts []string, now time.Time) (cert tls.Certificate, regenerated string, err error) {
	if dir != "" {
		c, err := tls.LoadX509KeyPair(filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile))
		switch {
		case err == nil:
			why := certUnfit(c.Leaf, hosts, now)
			if why == "" {
				return c, "", nil
			}
			regenerated = why
			hosts = unionHosts(hosts, c.Leaf) // the new certificate still names the old hosts
		case errors.Is(err, fs.ErrNotExist):
		default:
			regenerated = "unreadable: " + err.Error()
		}
	}
	certPEM, keyPEM, err := newSelfSigned(hosts, now)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return tls.Certificate{}, "", fmt.Errorf("keeping the TLS certificate: %w", err)
		}
		for name, data := range map[string][]byte{CertFile: certPEM, KeyFile: keyPEM} {
			if err := writeFileAtomic(filepath.Join(dir, name), data); err != nil {
				return tls.Certificate{}, "", fmt.Errorf("keeping the TLS certificate: %w", err)
			}
		}
	}
	cert, err = tls.X509KeyPair(certPEM, keyPEM)
	return cert, regenerated, err
}

// unionHosts adds the names of leaf to hosts.
func unionHosts(hosts []string, leaf *x509.Certificate) []string {
	out := slices.Clone(hosts)
	add := func(h string) {
		if !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	for _, d := range leaf.DNSNames {
		add(d)
	}
	for _, ip := range leaf.IPAddresses {
		add(ip.String())
	}
	return out
}

// certUnfit says why a kept certificate cannot be used, or "".
func certUnfit(leaf *x509.Certificate, hosts []string, now time.Time) string {
	if leaf == nil {
		return "no certificate"
	}
	if now.After(leaf.NotAfter.Add(-24 * time.Hour)) {
		return "expired"
	}
	for _, h := range hosts {
		if leaf.VerifyHostname(h) != nil {
			return "does not name " + h
		}
	}
	return ""
}

func newSelfSigned(hosts []string, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "Motion demo server", Organization: []string{"Phonebar demo"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

// writeFileAtomic writes data with mode 0600 through a temporary file, so a crash never leaves half
// a key.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
