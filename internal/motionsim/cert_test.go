package motionsim

import (
	"context"
	"crypto/ecdsa"
	"crypto/tls"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/tlspin"
)

func startAt(t *testing.T, dir, addr string) (*Server, Endpoint) {
	t.Helper()
	srv, err := New(Options{DataDir: dir, BcryptCost: bcrypt.MinCost})
	require.NoError(t, err)
	ep, err := srv.Start(context.Background(), addr)
	require.NoError(t, err)
	return srv, ep
}

func TestCertificateKeptAcrossRestarts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	srv1, ep1 := startAt(t, dir, "127.0.0.1:0")
	require.NoError(t, srv1.Close())

	cert := ep1.Certificate
	assert.Equal(t, tlspin.Of(cert), ep1.Fingerprint)
	_, isECDSA := cert.PublicKey.(*ecdsa.PublicKey)
	assert.True(t, isECDSA, "ECDSA key")
	assert.ElementsMatch(t, []string{"localhost"}, cert.DNSNames)
	var ips []string
	for _, ip := range cert.IPAddresses {
		ips = append(ips, ip.String())
	}
	assert.ElementsMatch(t, []string{"127.0.0.1", "::1"}, ips)
	if runtime.GOOS != "windows" {
		for _, f := range []string{CertFile, KeyFile} {
			st, err := os.Stat(filepath.Join(dir, f))
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), f)
		}
	}

	srv2, ep2 := startAt(t, dir, "127.0.0.1:0")
	defer srv2.Close()
	assert.Equal(t, ep1.Fingerprint, ep2.Fingerprint, "same certificate after a restart")

	// The served certificate is the announced one, and a pinned client accepts it.
	c := ep2.Client()
	defer c.CloseIdleConnections()
	resp, err := c.Get(ep2.URL + motion.PathWebLogin)
	require.NoError(t, err)
	resp.Body.Close()
	require.NotNil(t, resp.TLS)
	assert.Equal(t, ep2.Fingerprint, tlspin.Of(resp.TLS.PeerCertificates[0]))
}

func TestCertificateNamesTheListenHost(t *testing.T) {
	dir := t.TempDir()
	srv1, ep1 := startAt(t, dir, "127.0.0.1:0")
	require.NoError(t, srv1.Close())
	// A host the kept certificate does not name makes a new one that names it.
	srv2, ep2 := startAt(t, dir, "localhost:0")
	defer srv2.Close()
	assert.Equal(t, ep1.Fingerprint, ep2.Fingerprint, "localhost is always named: no new certificate")

	// A new host makes a new certificate that names it and still names the old ones. (All of
	// 127/8 is loopback on Linux only.)
	if runtime.GOOS != "linux" {
		return
	}
	srv3, ep3 := startAt(t, dir, "127.0.0.2:0")
	require.NoError(t, srv3.Close())
	assert.NotEqual(t, ep1.Fingerprint, ep3.Fingerprint)
	var ips3 []string
	for _, ip := range ep3.Certificate.IPAddresses {
		ips3 = append(ips3, ip.String())
	}
	assert.ElementsMatch(t, []string{"127.0.0.1", "::1", "127.0.0.2"}, ips3)
	srv4, ep4 := startAt(t, dir, "127.0.0.1:0")
	require.NoError(t, srv4.Close())
	assert.Equal(t, ep3.Fingerprint, ep4.Fingerprint, "and is kept for both")

}

func TestCertificateHosts(t *testing.T) {
	hosts := certHosts("phonebar-demo.lan")
	assert.Equal(t, []string{"localhost", "127.0.0.1", "::1", "phonebar-demo.lan"}, hosts)
	assert.Equal(t, []string{"localhost", "127.0.0.1", "::1"}, certHosts("0.0.0.0"))
	certPEM, keyPEM, err := newSelfSigned(hosts, time.Now())
	require.NoError(t, err)
	c, err := tls.X509KeyPair(certPEM, keyPEM)
	require.NoError(t, err)
	assert.Contains(t, c.Leaf.DNSNames, "phonebar-demo.lan")
	assert.Contains(t, certUnfit(c.Leaf, certHosts("other.lan"), time.Now()), "other.lan")
	assert.Equal(t, "expired", certUnfit(c.Leaf, hosts, time.Now().Add(certValidity)))
	assert.Empty(t, certUnfit(c.Leaf, hosts, time.Now()))
}

func TestCertificateWithoutDataDirIsFresh(t *testing.T) {
	srv1, ep1 := startAt(t, "", "127.0.0.1:0")
	require.NoError(t, srv1.Close())
	srv2, ep2 := startAt(t, "", "127.0.0.1:0")
	defer srv2.Close()
	assert.NotEqual(t, ep1.Fingerprint, ep2.Fingerprint)
}

func TestStartOnABusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	srv, err := New(Options{BcryptCost: bcrypt.MinCost})
	require.NoError(t, err)
	defer srv.Close()
	_, err = srv.Start(context.Background(), ln.Addr().String())
	assert.ErrorIs(t, err, ErrAddrInUse)
	assert.Contains(t, err.Error(), ln.Addr().String())
}

func TestCloseIsIdempotentAndStopsServing(t *testing.T) {
	srv, ep := startAt(t, "", "127.0.0.1:0")
	c := ep.Client()
	defer c.CloseIdleConnections()
	resp, err := c.Get(ep.URL + "/login")
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	done := make(chan struct{})
	go func() {
		assert.NoError(t, srv.Close())
		close(done)
	}()
	require.NoError(t, srv.Close())
	<-done
	c.CloseIdleConnections()
	_, err = c.Get(ep.URL + "/login")
	assert.Error(t, err, "nothing listens after Close")
	_, err = srv.Start(context.Background(), "127.0.0.1:0")
	assert.ErrorIs(t, err, ErrClosed)
}

func TestStartStopsWhenContextEnds(t *testing.T) {
	srv, err := New(Options{BcryptCost: bcrypt.MinCost})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	ep, err := srv.Start(ctx, "127.0.0.1:0")
	require.NoError(t, err)
	cancel()
	require.Eventually(t, func() bool {
		c, err := net.DialTimeout("tcp", ep.Addr.String(), time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	}, 5*time.Second, 20*time.Millisecond)
	require.NoError(t, srv.Close())
}
