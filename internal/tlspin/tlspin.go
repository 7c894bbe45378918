// Package tlspin names a server certificate by its SHA-256 fingerprint and trusts a self-signed server
// only when the user pinned that fingerprint (trust on first use). Verification against the system
// roots always comes first; a pin never weakens a certificate that verifies.
package tlspin

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Fingerprint is the SHA-256 of a certificate's DER bytes, as lowercase hex without separators.
type Fingerprint string

// Of returns the fingerprint of a certificate.
func Of(cert *x509.Certificate) Fingerprint {
	return OfDER(cert.Raw)
}

// OfDER returns the fingerprint of DER-encoded certificate bytes.
func OfDER(der []byte) Fingerprint {
	sum := sha256.Sum256(der)
	return Fingerprint(hex.EncodeToString(sum[:]))
}

// ErrBadFingerprint is returned by Parse for text that is not a SHA-256 fingerprint.
var ErrBadFingerprint = errors.New("not a SHA-256 fingerprint: expected 64 hex digits, optionally separated by colons or spaces")

// Parse reads a fingerprint written as 64 hex digits, in either case, with or without ':' or ' '
// separators (the way browsers and openssl print them).
func Parse(s string) (Fingerprint, error) {
	clean := strings.NewReplacer(":", "", " ", "", "-", "").Replace(strings.TrimSpace(s))
	b, err := hex.DecodeString(clean)
	if err != nil || len(b) != sha256.Size {
		return "", ErrBadFingerprint
	}
	return Fingerprint(hex.EncodeToString(b)), nil
}

// Pretty returns the fingerprint as colon-separated uppercase pairs, for people to compare.
func (f Fingerprint) Pretty() string {
	s := strings.ToUpper(string(f))
	var b strings.Builder
	for i := 0; i+2 <= len(s); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(s[i : i+2])
	}
	return b.String()
}

// UntrustedError says the server's certificate does not verify and no pin exists for it: the user may
// choose to trust Fingerprint.
type UntrustedError struct {
	Host        string
	Fingerprint Fingerprint
	Cause       error
}

func (e *UntrustedError) Error() string {
	return fmt.Sprintf("the certificate of %s is not trusted by this computer (SHA-256 %s): check the fingerprint with your administrator and trust it if it matches", e.Host, e.Fingerprint.Pretty())
}

func (e *UntrustedError) Unwrap() error { return e.Cause }

// MismatchError says the server presented a certificate other than the pinned one.
type MismatchError struct {
	Host   string
	Pinned Fingerprint
	Got    Fingerprint
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("the certificate of %s changed (pinned SHA-256 %s, now %s): the connection may be intercepted; do not log in, and ask your administrator whether the server's certificate was replaced", e.Host, e.Pinned.Pretty(), e.Got.Pretty())
}

// VerifyFunc returns a tls.Config.VerifyPeerCertificate-shaped function for a config with
// InsecureSkipVerify set only so that this function does the verification: the chain is verified
// against roots (nil: the system roots) for host; if that fails, the leaf must match pin. With no pin,
// the error is an *UntrustedError carrying the leaf's fingerprint.
func VerifyFunc(host string, roots *x509.CertPool, pin Fingerprint) func(rawCerts [][]byte, _ [][]*x509.Certificate) error {
	return func(rawCerts [][]byte, _ [][]*x509.Certificate) error {
		if len(rawCerts) == 0 {
			return fmt.Errorf("%s presented no certificate", host)
		}
		certs := make([]*x509.Certificate, 0, len(rawCerts))
		for _, raw := range rawCerts {
			c, err := x509.ParseCertificate(raw)
			if err != nil {
				return fmt.Errorf("%s presented an unreadable certificate: %w", host, err)
			}
			certs = append(certs, c)
		}
		inter := x509.NewCertPool()
		for _, c := range certs[1:] {
			inter.AddCert(c)
		}
		_, verr := certs[0].Verify(x509.VerifyOptions{DNSName: host, Roots: roots, Intermediates: inter})
		got := Of(certs[0])
		switch {
		case verr == nil && (pin == "" || pin == got):
			return nil
		case verr == nil:
			// A publicly valid certificate that differs from the pin: the server moved to a real
			// certificate. Trust the public chain; the caller may refresh the pin.
			return nil
		case pin == "":
			return &UntrustedError{Host: host, Fingerprint: got, Cause: verr}
		case pin != got:
			return &MismatchError{Host: host, Pinned: pin, Got: got}
		default:
			return nil
		}
	}
}

// ClientConfig returns a TLS client configuration for host that verifies as VerifyFunc describes.
// Go's own verification is replaced (InsecureSkipVerify) only because VerifyPeerCertificate does all of
// it, system roots first.
func ClientConfig(host string, roots *x509.CertPool, pin Fingerprint) *tls.Config {
	return &tls.Config{
		ServerName:            host,
		MinVersion:            tls.VersionTLS12,
		InsecureSkipVerify:    true, //nolint:gosec // verified by VerifyPeerCertificate below
		VerifyPeerCertificate: VerifyFunc(host, roots, pin),
	}
}
