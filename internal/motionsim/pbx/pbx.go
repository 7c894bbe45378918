package pbx

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/phonebar/phonebar/internal/sipua"
)

// The extensions the PBX answers itself.
const (
	// ExtEcho sends back what the caller sends.
	ExtEcho = "*43"
	// ExtTone plays ToneHz and sends back the DTMF digits it receives.
	ExtTone = "*44"
)

// Options configure a PBX. Zero values are documented per field.
type Options struct {
	// Lookup returns the SIP password of an account by its SIP user name, false for an account that
	// may not register. Required. It is called without any lock of this package held.
	Lookup func(user string) (password string, ok bool)
	// Realm is the digest realm; empty means "phonebar-demo".
	Realm string
	// ToneHz is the tone of ExtTone; 0 means 1000.
	ToneHz float64
	// CustomerToneHz is what a customer call plays to the agent; 0 means 440.
	CustomerToneHz float64
	// RingTimeout is how long a customer call rings before it gives up; 0 means 30 s.
	RingTimeout time.Duration
	// CustomerCallLimit is how long an answered customer call lasts at most when CallAgent is not
	// told; 0 means 60 s.
	CustomerCallLimit time.Duration
	// MaxCallDuration bounds every call of the PBX, extension calls too; 0 means one hour.
	MaxCallDuration time.Duration
	// MaxExpires is the longest registration granted; 0 means one hour.
	MaxExpires time.Duration
	// NonceLifetime is how long a digest challenge stays good; 0 means 5 minutes. An older one is
	// answered with stale=true, so the phone retries without asking the user.
	NonceLifetime time.Duration
	// MaxConnections bounds the WebSocket connections served at once; 0 means 256.
	MaxConnections int
	// MaxConnectionsPerAddress bounds the connections served at once from one IP address, so that
	// one client cannot take them all; 0 means 16.
	MaxConnectionsPerAddress int
	// RegisterTimeout is how long a new connection may go without authenticating (a REGISTER, or
	// a call, with the digest credentials of an account) before it is closed; 0 means 5 s.
	RegisterTimeout time.Duration
	// ReconnectGrace is how long an answered call whose agent's connection closed waits for the
	// agent's phone to come back on a new connection and move the call there (any request in the
	// call, usually a re-INVITE with the new Contact); zero means 30 s. Past it the call ends.
	ReconnectGrace time.Duration
	// FlowTimer is the keep-alive interval asked of a phone that registers as an RFC 5626 flow
	// (+sip.instance and reg-id): the 2xx says Require: outbound and Flow-Timer; zero means 25 s.
	FlowTimer time.Duration
	// MaxCallsPerUser bounds the live calls of one SIP user (its own and customer calls to it):
	// beyond it an INVITE is answered 486 Busy Here and CallAgent returns ErrBusy; 0 means 4.
	MaxCallsPerUser int
	// NoLoopback leaves loopback addresses out of the PBX's ICE candidates. The zero value gathers
	// them, so that a phone on the same machine reaches the PBX without a network.
	NoLoopback bool
	// Now is the clock of registrations and nonces; nil means time.Now.
	Now func() time.Time
	// Logger receives signalling logs (never a password or a digest response); nil discards them.
	Logger *slog.Logger
	// OnCall, if set, is called when a call changes state, in order for each call, on the PBX's
	// goroutines and never under its lock (tests and the demo server's records).
	OnCall func(CallInfo)
}

// PBX is the registrar and its extensions. It is an http.Handler for the SIP WebSocket; Close ends
// its connections and calls and waits for its goroutines.
type PBX struct {
	opts     Options
	log      *slog.Logger
	realm    string
	nonceKey []byte
	host     string // our own Via and Contact host

	mu       sync.Mutex
	closed   bool
	conns    map[*conn]struct{}
	open     int                   // connections served or being accepted
	perAddr  map[string]int        // open by IP address
	bindings map[string][]*binding // by SIP user, newest last
	calls    map[string]*Call      // by Call-ID
	history  []*Call               // ended calls, newest last, at most maxHistory
	wg       sync.WaitGroup
	stop     chan struct{}
	events   chan func() // OnCall deliveries, in order
}

const maxHistory = 50

// New checks opts and returns a PBX that serves nothing until it is mounted.
func New(opts Options) (*PBX, error) {
	if opts.Lookup == nil {
		return nil, errors.New("pbx: Options.Lookup is required")
	}
	opts.Realm = cmp.Or(opts.Realm, "phonebar-demo")
	opts.ToneHz = cmp.Or(opts.ToneHz, 1000)
	opts.CustomerToneHz = cmp.Or(opts.CustomerToneHz, 440)
	opts.RingTimeout = cmp.Or(opts.RingTimeout, 30*time.Second)
	opts.CustomerCallLimit = cmp.Or(opts.CustomerCallLimit, 60*time.Second)
	opts.MaxCallDuration = cmp.Or(opts.MaxCallDuration, time.Hour)
	opts.MaxExpires = cmp.Or(opts.MaxExpires, time.Hour)
	opts.NonceLifetime = cmp.Or(opts.NonceLifetime, 5*time.Minute)
	opts.MaxConnections = cmp.Or(opts.MaxConnections, 256)
	opts.MaxConnectionsPerAddress = cmp.Or(opts.MaxConnectionsPerAddress, 16)
	opts.RegisterTimeout = cmp.Or(opts.RegisterTimeout, 5*time.Second)
	opts.MaxCallsPerUser = cmp.Or(opts.MaxCallsPerUser, 4)
	opts.ReconnectGrace = cmp.Or(opts.ReconnectGrace, 30*time.Second)
	opts.FlowTimer = cmp.Or(opts.FlowTimer, 25*time.Second)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	p := &PBX{
		opts: opts, log: log, realm: opts.Realm, nonceKey: key, host: randomToken(6) + ".invalid",
		conns: map[*conn]struct{}{}, perAddr: map[string]int{}, bindings: map[string][]*binding{}, calls: map[string]*Call{},
		stop: make(chan struct{}), events: make(chan func(), 256),
	}
	p.wg.Add(1)
	go func() { defer p.wg.Done(); p.deliver() }()
	return p, nil
}

// deliver runs the OnCall callbacks one at a time, in order.
func (p *PBX) deliver() {
	for {
		select {
		case f := <-p.events:
			f()
		case <-p.stop:
			for {
				select {
				case f := <-p.events:
					f()
				default:
					return
				}
			}
		}
	}
}

// notify queues the OnCall callback for c's current state.
func (p *PBX) notify(c *Call) {
	if p.opts.OnCall == nil {
		return
	}
	info := c.Info()
	select {
	case p.events <- func() { p.opts.OnCall(info) }:
	case <-p.stop:
	}
}

// ServeHTTP accepts a SIP WebSocket (subprotocol "sip") and serves it until it closes. A request
// that does not ask for the "sip" subprotocol is refused with 400; one beyond MaxConnections or
// MaxConnectionsPerAddress with 503. A connection that has not authenticated within RegisterTimeout
// is closed.
func (p *PBX) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !slices.ContainsFunc(strings.Split(r.Header.Get("Sec-WebSocket-Protocol"), ","), func(s string) bool {
		return strings.TrimSpace(s) == "sip"
	}) {
		http.Error(w, "this is a SIP WebSocket (RFC 7118): connect with the \"sip\" subprotocol", http.StatusBadRequest)
		return
	}
	addr := addressOf(r.RemoteAddr)
	if err := p.reserve(addr); err != nil {
		p.log.Info("sip websocket refused", "remote", r.RemoteAddr, "reason", err)
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	// The connection lives on: lift the deadlines a server's ReadTimeout and WriteTimeout set.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"sip"}, InsecureSkipVerify: true})
	if err != nil {
		p.release(addr)
		p.log.Debug("websocket refused", "remote", r.RemoteAddr, "error", err)
		return
	}
	ws.SetReadLimit(maxMessage)
	_ = p.serve(newConn(p, sipua.NewWSConn(ws), r.RemoteAddr, addr))
}

// Serve runs the PBX over any Transport (tests, other framings) until the transport fails. The
// limits of ServeHTTP apply, with remote's host as the address; over them it returns
// ErrTooManyConnections.
func (p *PBX) Serve(t Transport, remote string) error {
	addr := addressOf(remote)
	if err := p.reserve(addr); err != nil {
		t.Close()
		return err
	}
	return p.serve(newConn(p, t, remote, addr))
}

// serve serves a connection whose place reserve took, until it closes.
func (p *PBX) serve(c *conn) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		c.t.Close()
		p.release(c.addr)
		return ErrClosed
	}
	p.conns[c] = struct{}{}
	p.wg.Add(2)
	p.mu.Unlock()
	go func() { defer p.wg.Done(); c.closeUnlessAuthenticated(p.opts.RegisterTimeout) }()
	defer p.wg.Done()
	p.log.Debug("sip connection open", "remote", c.remote)
	c.serve()
	return nil
}

// reserve takes a place for a new connection from addr, or says why there is none.
func (p *PBX) reserve(addr string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.closed:
		return ErrClosed
	case p.open >= p.opts.MaxConnections:
		return fmt.Errorf("%w: the PBX serves %d connections, its limit: try again later", ErrTooManyConnections, p.opts.MaxConnections)
	case p.perAddr[addr] >= p.opts.MaxConnectionsPerAddress:
		return fmt.Errorf("%w: %d connections from your address already, the limit per address: close one first", ErrTooManyConnections, p.opts.MaxConnectionsPerAddress)
	}
	p.open++
	p.perAddr[addr]++
	return nil
}

// release gives back the place of a connection from addr.
func (p *PBX) release(addr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.releaseLocked(addr)
}

func (p *PBX) releaseLocked(addr string) {
	p.open--
	if p.perAddr[addr]--; p.perAddr[addr] <= 0 {
		delete(p.perAddr, addr)
	}
}

// addressOf is the IP address of a remote host:port (the whole string when it has no port).
func addressOf(remote string) string {
	if h, _, err := net.SplitHostPort(remote); err == nil {
		return h
	}
	return remote
}

// Close ends every call and connection and waits for the PBX's goroutines. It is idempotent.
func (p *PBX) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.wg.Wait()
		return nil
	}
	p.closed = true
	conns := make([]*conn, 0, len(p.conns))
	for c := range p.conns {
		conns = append(conns, c)
	}
	calls := make([]*Call, 0, len(p.calls))
	for _, c := range p.calls {
		calls = append(calls, c)
	}
	p.mu.Unlock()
	for _, c := range calls {
		c.hangup("the demo server stopped")
	}
	for _, c := range conns {
		c.t.Close()
	}
	close(p.stop)
	p.wg.Wait()
	return nil
}

// go runs f as one of the PBX's goroutines, unless the PBX is closed.
func (p *PBX) spawn(f func()) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.wg.Add(1)
	go func() { defer p.wg.Done(); f() }()
	return true
}

// dropConn forgets a connection that closed: its bindings go, its calls end.
func (p *PBX) dropConn(c *conn) {
	p.mu.Lock()
	if _, ok := p.conns[c]; ok {
		delete(p.conns, c)
		p.releaseLocked(c.addr)
	}
	for user, bs := range p.bindings {
		kept := slices.DeleteFunc(bs, func(b *binding) bool { return b.conn == c })
		if len(kept) == 0 {
			delete(p.bindings, user)
		} else {
			p.bindings[user] = kept
		}
	}
	var calls []*Call
	for _, call := range p.calls {
		if call.link() == c {
			calls = append(calls, call)
		}
	}
	p.mu.Unlock()
	for _, call := range calls {
		call.mu.Lock()
		answered := call.state == StateActive
		call.mu.Unlock()
		if !answered {
			call.finish("the agent's connection closed")
			continue
		}
		// The media flows peer to peer without the signalling: the call waits for the agent's
		// phone to come back on a new connection and move it there (callOn).
		p.spawn(func() {
			t := time.NewTimer(p.opts.ReconnectGrace)
			defer t.Stop()
			select {
			case <-call.done:
				return
			case <-p.stop:
				return
			case <-t.C:
			}
			if call.link() == c {
				call.finish("the agent's connection closed and did not come back")
			}
		})
	}
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// sleep waits d or until ctx ends, and reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
