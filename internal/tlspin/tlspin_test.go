package tlspin

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sample = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Fingerprint
		wantErr bool
	}{
		{"lower hex", sample, sample, false},
		{"upper hex", strings.ToUpper(sample), sample, false},
		{"colons", "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF", sample, false},
		{"spaces and padding", "  00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff\n", sample, false},
		{"dashes", strings.Join(pairs(sample), "-"), sample, false},
		{"empty", "", "", true},
		{"too short", sample[:62], "", true},
		{"too long", sample + "00", "", true},
		{"sha1 length", sample[:40], "", true},
		{"not hex", strings.Repeat("zz", 32), "", true},
		{"odd digits", sample[:63], "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.wantErr {
				assert.ErrorIs(t, err, ErrBadFingerprint)
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func pairs(s string) []string {
	var out []string
	for i := 0; i+2 <= len(s); i += 2 {
		out = append(out, s[i:i+2])
	}
	return out
}

func TestPretty(t *testing.T) {
	tests := []struct {
		name string
		in   Fingerprint
		want string
	}{
		{"full", sample, "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF"},
		{"short", "abcd", "AB:CD"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.in.Pretty())
			if tt.in != "" {
				back, err := Parse(tt.want)
				if len(tt.in) == 64 {
					require.NoError(t, err)
					assert.Equal(t, tt.in, back, "Pretty output parses back")
				}
			}
		})
	}
}

func TestOf(t *testing.T) {
	c := newCerts(t)
	sum := sha256.Sum256(c.self.Raw)
	assert.Equal(t, Fingerprint(hex.EncodeToString(sum[:])), Of(c.self))
	assert.Equal(t, Of(c.self), OfDER(c.self.Raw))
	assert.NotEqual(t, Of(c.self), Of(c.leaf))
}

// certs is a small PKI: a CA that signs leaf for "motion.test", and a self-signed certificate for the
// same name.
type certs struct {
	caPool *x509.CertPool
	ca     *x509.Certificate
	leaf   *x509.Certificate
	self   *x509.Certificate
}

func newCerts(t *testing.T) certs {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)

	leafFor := func(serial int64, parent *x509.Certificate, signer *ecdsa.PrivateKey) *x509.Certificate {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "motion.test"},
			DNSNames: []string{"motion.test"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}
		if parent == nil {
			parent, signer = tmpl, key
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
		require.NoError(t, err)
		c, err := x509.ParseCertificate(der)
		require.NoError(t, err)
		return c
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return certs{caPool: pool, ca: ca, leaf: leafFor(2, ca, caKey), self: leafFor(3, nil, nil)}
}

func TestVerifyFunc(t *testing.T) {
	c := newCerts(t)
	tests := []struct {
		name     string
		host     string
		chain    []*x509.Certificate
		pin      func() Fingerprint
		wantErr  func(t *testing.T, err error)
		wantNone bool
	}{
		{
			name: "system-valid chain, no pin", host: "motion.test",
			chain: []*x509.Certificate{c.leaf}, pin: func() Fingerprint { return "" }, wantNone: true,
		},
		{
			name: "system-valid chain with intermediate bytes", host: "motion.test",
			chain: []*x509.Certificate{c.leaf, c.ca}, pin: func() Fingerprint { return "" }, wantNone: true,
		},
		{
			name: "system-valid chain, stale pin still accepted", host: "motion.test",
			chain: []*x509.Certificate{c.leaf}, pin: func() Fingerprint { return Of(c.self) }, wantNone: true,
		},
		{
			name: "untrusted, no pin", host: "motion.test",
			chain: []*x509.Certificate{c.self}, pin: func() Fingerprint { return "" },
			wantErr: func(t *testing.T, err error) {
				var ue *UntrustedError
				require.ErrorAs(t, err, &ue)
				assert.Equal(t, "motion.test", ue.Host)
				assert.Equal(t, Of(c.self), ue.Fingerprint)
				assert.Contains(t, err.Error(), Of(c.self).Pretty())
				assert.Contains(t, err.Error(), "motion.test")
				var uae x509.UnknownAuthorityError
				assert.ErrorAs(t, err, &uae, "the cause is kept")
			},
		},
		{
			name: "valid CA but wrong host name, no pin", host: "other.test",
			chain: []*x509.Certificate{c.leaf}, pin: func() Fingerprint { return "" },
			wantErr: func(t *testing.T, err error) {
				var ue *UntrustedError
				require.ErrorAs(t, err, &ue)
				assert.Equal(t, Of(c.leaf), ue.Fingerprint)
			},
		},
		{
			name: "self-signed, pinned match", host: "motion.test",
			chain: []*x509.Certificate{c.self}, pin: func() Fingerprint { return Of(c.self) }, wantNone: true,
		},
		{
			name: "self-signed, pinned by IP", host: "127.0.0.1",
			chain: []*x509.Certificate{c.self}, pin: func() Fingerprint { return Of(c.self) }, wantNone: true,
		},
		{
			name: "self-signed, pinned mismatch", host: "motion.test",
			chain: []*x509.Certificate{c.self}, pin: func() Fingerprint { return sample },
			wantErr: func(t *testing.T, err error) {
				var me *MismatchError
				require.ErrorAs(t, err, &me)
				assert.Equal(t, Fingerprint(sample), me.Pinned)
				assert.Equal(t, Of(c.self), me.Got)
				assert.Contains(t, err.Error(), "changed")
				var ue *UntrustedError
				assert.False(t, errors.As(err, &ue), "a mismatch is not an invitation to trust")
			},
		},
		{
			name: "no certificate", host: "motion.test",
			chain: nil, pin: func() Fingerprint { return "" },
			wantErr: func(t *testing.T, err error) { assert.Contains(t, err.Error(), "no certificate") },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var raw [][]byte
			for _, cert := range tt.chain {
				raw = append(raw, cert.Raw)
			}
			err := VerifyFunc(tt.host, c.caPool, tt.pin())(raw, nil)
			if tt.wantNone {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			tt.wantErr(t, err)
		})
	}
}

func TestVerifyFuncUnreadable(t *testing.T) {
	err := VerifyFunc("motion.test", nil, "")([][]byte{[]byte("junk")}, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unreadable certificate")
}

func TestClientConfig(t *testing.T) {
	c := newCerts(t)
	cfg := ClientConfig("motion.test", c.caPool, Of(c.self))
	assert.Equal(t, "motion.test", cfg.ServerName)
	assert.Equal(t, uint16(tls.VersionTLS12), cfg.MinVersion)
	require.NotNil(t, cfg.VerifyPeerCertificate, "verification must not be skipped")
	assert.NoError(t, cfg.VerifyPeerCertificate([][]byte{c.self.Raw}, nil))
	assert.Error(t, ClientConfig("motion.test", c.caPool, "").VerifyPeerCertificate([][]byte{c.self.Raw}, nil))
}
