package omni

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/tlspin"
)

// selfSigned returns a fresh self-signed certificate for host and its PEM.
func selfSigned(t *testing.T, host string) (*x509.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: host},
		DNSNames:     []string{host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return cert, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// wantSPKI computes the hash from the public key itself, not from the certificate's raw field.
func wantSPKI(t *testing.T, cert *x509.Certificate) string {
	der, err := x509.MarshalPKIXPublicKey(cert.PublicKey)
	require.NoError(t, err)
	sum := sha256.Sum256(der)
	return base64.StdEncoding.EncodeToString(sum[:])
}

func TestTrustPinnedSetsWebView2Arguments(t *testing.T) {
	t.Setenv(webView2ArgumentsVariable, "")
	a, aPEM := selfSigned(t, "motion.test")
	b, bPEM := selfSigned(t, "other.test")

	require.NoError(t, TrustPinned(Handoff{Origin: "https://motion.test:8443", CertPEM: aPEM, Pin: tlspin.Of(a)}))
	assert.Equal(t, smartScreenSwitch+" "+spkiSwitch+wantSPKI(t, a), os.Getenv(webView2ArgumentsVariable))

	// Again (the window's startup calls it too): nothing doubles.
	require.NoError(t, TrustPinned(Handoff{Origin: "https://motion.test:8443", CertPEM: aPEM, Pin: tlspin.Of(a)}))
	assert.Equal(t, smartScreenSwitch+" "+spkiSwitch+wantSPKI(t, a), os.Getenv(webView2ArgumentsVariable))

	// A second server's key joins the list.
	require.NoError(t, TrustPinned(Handoff{Origin: "https://other.test", CertPEM: bPEM, Pin: tlspin.Of(b)}))
	assert.Equal(t, smartScreenSwitch+" "+spkiSwitch+wantSPKI(t, a)+","+wantSPKI(t, b), os.Getenv(webView2ArgumentsVariable))
}

func TestTrustPinnedRefusesAnotherCertificate(t *testing.T) {
	t.Setenv(webView2ArgumentsVariable, "--lang=it")
	a, _ := selfSigned(t, "motion.test")
	_, bPEM := selfSigned(t, "motion.test")
	err := TrustPinned(Handoff{Origin: "https://motion.test", CertPEM: bPEM, Pin: tlspin.Of(a)})
	var mismatch *tlspin.MismatchError
	require.ErrorAs(t, err, &mismatch)
	assert.Equal(t, "--lang=it", os.Getenv(webView2ArgumentsVariable), "nothing trusted on a mismatch")

	require.NoError(t, TrustPinned(Handoff{Origin: "https://motion.test"}), "no certificate: nothing to do")
	assert.Equal(t, "--lang=it", os.Getenv(webView2ArgumentsVariable))
}

func TestWithSPKI(t *testing.T) {
	tests := []struct {
		name, args, want string
	}{
		{"empty", "", smartScreenSwitch + " " + spkiSwitch + "H"},
		{"other switches kept", "--lang=it --disable-gpu", "--lang=it --disable-gpu " + smartScreenSwitch + " " + spkiSwitch + "H"},
		{"smart screen once", smartScreenSwitch, smartScreenSwitch + " " + spkiSwitch + "H"},
		{"list merged", spkiSwitch + "A,B", smartScreenSwitch + " " + spkiSwitch + "A,B,H"},
		{"hash once", spkiSwitch + "H,A", smartScreenSwitch + " " + spkiSwitch + "A,H"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := withSPKI(tc.args, "H")
			assert.Equal(t, tc.want, got)
			assert.Equal(t, 1, strings.Count(got, spkiSwitch))
		})
	}
}
