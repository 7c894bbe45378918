package controlapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
	"golang.org/x/time/rate"

	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/history"
)

// DefaultListen is where the API listens unless the settings say otherwise: the real Phonebar's
// port. [doc port]
const DefaultListen = "127.0.0.1:9888"

// Desk is what the API needs of the agent's desk of calls (*desk.Desk).
type Desk interface {
	View() desk.View
	DialAsync(target string) (string, <-chan error, error)
	Answer(ctx context.Context, id string) error
	Hangup(ctx context.Context, id string) error
	Hold(ctx context.Context, id string, on bool) error
	Transfer(ctx context.Context, id, target string) error
}

// Options configures a Server. Zero values are documented per field.
type Options struct {
	// Listen is the loopback address and port; empty: DefaultListen. Any other interface is
	// refused (ErrNotLoopback).
	Listen string
	// AllowedOrigins are the web origins ("https://crm.example.com") whose pages may call the
	// API; nil: no web page may (programs that are not browsers still may).
	AllowedOrigins []string
	// Token, when set, must come as "Authorization: Bearer TOKEN" on every request; empty: none
	// is asked.
	Token string
	// Desk returns the agent's desk of calls now, or why there is none (not logged in, no
	// softphone for this account); nil: never one.
	Desk func() (Desk, error)
	// Recents returns the latest ended calls, newest first, for /xcally/svc/recents; nil: none.
	Recents func() []history.Entry
	// Rate and Burst limit requests (all callers together); zero: 10 a second, bursts of 20.
	Rate  rate.Limit
	Burst int
	// Logger receives one line per request (method, path, status, origin, duration; never a
	// header value); nil discards.
	Logger logrus.FieldLogger
}

// Errors of Start.
var (
	// ErrNotLoopback: Options.Listen names an address outside the loopback interface.
	ErrNotLoopback = errors.New("controlapi: the control API listens on the loopback interface only (127.0.0.1:PORT or [::1]:PORT)")
	// ErrInUse is matched by the error of Start when the port is taken by another program.
	ErrInUse = errors.New("controlapi: the port is in use")
)

// Server is the control API. Make it with New, then Start; Close stops it.
type Server struct {
	opts    Options
	log     logrus.FieldLogger
	limiter *rate.Limiter
	origins map[string]bool
	mux     *http.ServeMux

	mu   sync.Mutex
	srv  *http.Server
	addr net.Addr
	done chan struct{}
}

// New makes a server; it does not listen yet.
func New(opts Options) *Server {
	s := &Server{opts: opts, log: opts.Logger, origins: map[string]bool{}}
	if s.log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		s.log = l
	}
	if s.opts.Listen == "" {
		s.opts.Listen = DefaultListen
	}
	lim, burst := opts.Rate, opts.Burst
	if lim == 0 {
		lim = 10
	}
	if burst == 0 {
		burst = 20
	}
	s.limiter = rate.NewLimiter(lim, burst)
	for _, o := range opts.AllowedOrigins {
		s.origins[o] = true
	}
	s.mux = s.routes()
	return s
}

// Handler is the API with its guards, as Start serves it (for tests).
func (s *Server) Handler() http.Handler { return s.guard(s.mux) }

// Start listens on Options.Listen and serves until Close. A port already taken is an error
// matching ErrInUse that names it.
func (s *Server) Start() (net.Addr, error) {
	host, _, err := net.SplitHostPort(s.opts.Listen)
	if err != nil {
		return nil, fmt.Errorf("controlapi: listen address %q: %w", s.opts.Listen, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, ErrNotLoopback
	}
	ln, err := net.Listen("tcp", s.opts.Listen)
	if err != nil {
		if addrInUse(err) {
			return nil, fmt.Errorf("%w: %s is taken by another program: close it, or set controlApi.listen to another port", ErrInUse, s.opts.Listen)
		}
		return nil, fmt.Errorf("controlapi: %w", err)
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 60 * time.Second, MaxHeaderBytes: 16 << 10}
	done := make(chan struct{})
	s.mu.Lock()
	s.srv, s.addr, s.done = srv, ln.Addr(), done
	s.mu.Unlock()
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.WithField("error", err.Error()).Warn("control API stopped")
		}
	}()
	s.log.WithField("addr", ln.Addr().String()).Info("control API listening")
	return ln.Addr(), nil
}

// Addr is the address served, or nil before Start.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Close stops serving and waits for the server's goroutine. Closing again, or before Start, does
// nothing.
func (s *Server) Close() error {
	s.mu.Lock()
	srv, done := s.srv, s.done
	s.srv = nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(ctx)
	if err != nil {
		err = srv.Close()
	}
	<-done
	return err
}
