package motionsim

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/phonebar/phonebar/internal/tlspin"
)

// Endpoint is where a started server listens.
type Endpoint struct {
	// URL is the server's base URL, e.g. https://127.0.0.1:8443.
	URL string
	// Addr is the bound address (the real port when 0 was asked).
	Addr net.Addr
	// Fingerprint is the SHA-256 of Certificate, for pinning.
	Fingerprint tlspin.Fingerprint
	// Certificate is the server's self-signed certificate.
	Certificate *x509.Certificate
	// HTTPURL is the plain-http base URL when Options.HTTPListen is set, e.g. http://127.0.0.1:8080.
	HTTPURL string
}

// Client returns an HTTP client that trusts this endpoint's certificate only by its fingerprint.
// It keeps no cookies; set Jar for the web pages.
func (e Endpoint) Client() *http.Client {
	u, _ := url.Parse(e.URL)
	return &http.Client{
		Transport: &http.Transport{TLSClientConfig: tlspin.ClientConfig(u.Hostname(), nil, e.Fingerprint)},
		Timeout:   30 * time.Second,
	}
}

// Start listens on addr (host:port; port 0 picks one) with HTTPS and serves in the background until
// ctx ends or Close is called. The certificate comes from Options.DataDir (made there on first
// start). A taken port fails with an error that wraps ErrAddrInUse.
func (s *Server) Start(ctx context.Context, addr string) (Endpoint, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return Endpoint{}, fmt.Errorf("listen address %q: %w", addr, err)
	}
	cert, why, err := loadOrCreateCert(s.dataDir, certHosts(host), s.now())
	if err != nil {
		return Endpoint{}, fmt.Errorf("TLS certificate: %w", err)
	}
	if why != "" {
		s.log.WithField("reason", why).Warn("the kept TLS certificate was replaced: its fingerprint changed")
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		if isAddrInUse(err) {
			return Endpoint{}, fmt.Errorf("%s is taken by another program: %w", addr, ErrAddrInUse)
		}
		return Endpoint{}, err
	}
	var plainLn net.Listener
	if s.httpAddr != "" {
		plainLn, err = lc.Listen(ctx, "tcp", s.httpAddr)
		if err != nil {
			ln.Close()
			if isAddrInUse(err) {
				return Endpoint{}, fmt.Errorf("%s is taken by another program: %w", s.httpAddr, ErrAddrInUse)
			}
			return Endpoint{}, err
		}
	}
	closeAll := func() {
		ln.Close()
		if plainLn != nil {
			plainLn.Close()
		}
	}
	srv := s.httpServer()
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	var plain *http.Server
	if plainLn != nil {
		plain = s.httpServer()
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		closeAll()
		return Endpoint{}, ErrClosed
	}
	if s.httpSrv != nil {
		s.mu.Unlock()
		closeAll()
		return Endpoint{}, errors.New("motionsim: server already started")
	}
	s.httpSrv = srv
	s.plainSrv = plain
	s.cert = &cert
	s.wg.Add(3) // under mu, so that it happens before Close's Wait
	if plain != nil {
		s.wg.Add(1)
	}
	s.mu.Unlock()

	if plain != nil {
		go func() {
			defer s.wg.Done()
			if err := plain.Serve(plainLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.log.WithError(err).Error("demo server stopped serving plain http")
			}
		}()
	}

	go func() {
		defer s.wg.Done()
		if err := srv.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.WithError(err).Error("demo server stopped serving")
		}
	}()
	go func() {
		defer s.wg.Done()
		select {
		case <-ctx.Done():
			s.shutdown() // not Close: Close waits for this goroutine
		case <-s.stopping:
		}
	}()
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(s.sweep)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				s.Sweep()
			case <-s.stopping:
				return
			}
		}
	}()
	ep := Endpoint{
		URL:         "https://" + ln.Addr().String(),
		Addr:        ln.Addr(),
		Fingerprint: tlspin.Of(cert.Leaf),
		Certificate: cert.Leaf,
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		ep.URL = fmt.Sprintf("https://localhost:%d", tcp.Port)
	}
	if plainLn != nil {
		ep.HTTPURL = "http://" + plainLn.Addr().String()
		if tcp, ok := plainLn.Addr().(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
			ep.HTTPURL = fmt.Sprintf("http://localhost:%d", tcp.Port)
		}
		s.log.WithField("url", ep.HTTPURL).Warn("demo server also serving plain http: web pages opened there lose their Secure cookie (Unknown authorization format)")
	}
	s.mu.Lock()
	s.httpsURL = ep.URL
	s.mu.Unlock()
	s.log.WithFields(map[string]any{"url": ep.URL, "fingerprint": ep.Fingerprint.Pretty()}).Info("demo server listening")
	return ep, nil
}

// The limits of the server's HTTP listeners. A client that sends more, or more slowly, is cut off
// by net/http (431 for headers too large), whatever the handler. WebSockets (realtime, SIP) lift
// the read and write deadlines once upgraded: they live on and have their own liveness checks.
const (
	// maxHeaderBytes bounds the request line and headers of one request (net/http allows 4 KiB
	// of slack over it).
	maxHeaderBytes = 32 << 10
	// readHeaderTimeout bounds the time to send the headers, readTimeout the whole request (bodies
	// are at most Options.MaxBodyBytes), writeTimeout the answer.
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	// idleTimeout closes a kept-alive connection that sends no new request.
	idleTimeout = 2 * time.Minute
)

// httpServer is an http.Server of s with the limits above.
func (s *Server) httpServer() *http.Server {
	return &http.Server{
		Handler:           s,
		MaxHeaderBytes:    maxHeaderBytes,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          log.New(debugWriter{s.log}, "", 0),
	}
}

// debugWriter turns the http.Server's own messages (TLS handshake errors of clients that do not
// trust the certificate, mostly) into debug lines.
type debugWriter struct{ log logrus.FieldLogger }

func (w debugWriter) Write(p []byte) (int, error) {
	w.log.Debug(strings.TrimSpace(string(p)))
	return len(p), nil
}

// Close stops serving, closes every realtime socket and waits for the server's goroutines. It is
// safe to call more than once and from several goroutines; later calls wait too.
func (s *Server) Close() error {
	s.shutdown()
	s.wg.Wait()
	return nil
}

// shutdown stops serving and tells every goroutine of the server to end, without waiting for them.
func (s *Server) shutdown() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		srvs := []*http.Server{s.httpSrv, s.plainSrv}
		close(s.stopping)
		s.mu.Unlock()
		for _, srv := range srvs {
			if srv == nil {
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := srv.Shutdown(ctx); err != nil {
				srv.Close()
			}
			cancel()
		}
		if s.pbx != nil {
			s.pbx.Close() // its WebSockets were hijacked: Shutdown does not end them
		}
	})
}
