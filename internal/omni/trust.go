package omni

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"

	"github.com/phonebar/phonebar/internal/tlspin"
)

// ErrUnsupported is returned where the platform lacks a feature.
var ErrUnsupported = errors.New("omni: not supported on this platform")

// PinnedCertificate connects to hostport and returns the server's certificate as PEM when it is trusted
// only through pin, or "" when it verifies against the system roots (the web view trusts it already).
// Any other certificate is an error (*tlspin.UntrustedError or *tlspin.MismatchError).
func PinnedCertificate(ctx context.Context, hostport string, pin tlspin.Fingerprint) (string, error) {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	} else {
		hostport = net.JoinHostPort(hostport, "443")
	}
	d := tls.Dialer{Config: tlspin.ClientConfig(host, nil, pin)}
	conn, err := d.DialContext(ctx, "tcp", hostport)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	state := conn.(*tls.Conn).ConnectionState()
	leaf := state.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, c := range state.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: host, Intermediates: inter}); err == nil {
		return "", nil
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw})), nil
}

// TrustPinned makes the window's web view trust the handoff's pinned certificate for its host. It does
// nothing when the handoff carries no certificate. The certificate must be one PEM certificate whose
// fingerprint is the handoff's pin.
func TrustPinned(h Handoff) error {
	if h.CertPEM == "" {
		return nil
	}
	block, _ := pem.Decode([]byte(h.CertPEM))
	if block == nil || block.Type != "CERTIFICATE" {
		return fmt.Errorf("%w: the pinned certificate is not a PEM certificate", ErrBadHandoff)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return fmt.Errorf("%w: the pinned certificate does not parse: %v", ErrBadHandoff, err)
	}
	if got := tlspin.Of(cert); got != h.Pin {
		return &tlspin.MismatchError{Host: h.Host(), Pinned: h.Pin, Got: got}
	}
	return trustInWebView(h.Host(), pem.EncodeToMemory(block))
}
