package sipua

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"

	"github.com/phonebar/phonebar/internal/tlspin"
)

// Options configure a user agent. Zero values are documented per field.
type Options struct {
	// AOR is the address of record, "sip:1001@pbx.example.com". Required.
	AOR string
	// AuthUser is the digest user name; empty means the AOR's user part.
	AuthUser string
	// Password is the digest password. It never appears in a log line or an error.
	Password string
	// URL is the server's ws:// or wss:// URL. Required unless Dial is set.
	URL string
	// Fingerprint pins a self-signed wss certificate (see tlspin); empty trusts the system roots only.
	Fingerprint tlspin.Fingerprint
	// Dial replaces the WebSocket dialer built from URL (tests).
	Dial DialFunc
	// Expires is the registration lifetime asked for; zero means 10 minutes. The user agent renews at
	// half the lifetime the server grants.
	Expires time.Duration
	// UserAgent is the User-Agent header; empty means "Phonebar".
	UserAgent string
	// BackoffMin and BackoffMax bound the wait between reconnection attempts, doubled after each
	// failure; zero means 100 ms and 2 s (so a registration is back within about 2 s of the network).
	BackoffMin, BackoffMax time.Duration
	// RequestTimeout bounds the wait for a final answer to a request other than INVITE; zero means 32 s.
	RequestTimeout time.Duration
	// ReinviteTimeout bounds the wait for the final answer to a re-INVITE of ours (hold, resume):
	// zero means 10 s. A phone answers one in milliseconds; past this the change is given up and the
	// call stays as it was (see Call.Renegotiate).
	ReinviteTimeout time.Duration
	// InstanceID is this device's RFC 5626 instance, a "urn:uuid:..." URN that stays the same
	// across connections (and ideally across restarts of the app); empty means a new random one
	// for this user agent. With it the REGISTER asks for outbound (+sip.instance, reg-id), so that
	// a registrar that supports it replaces this device's old connection by the new one after a
	// reconnection instead of keeping both.
	InstanceID string
	// KeepAlive is the time between keep-alives (WebSocket pings) on an idle connection when the
	// registrar gives no Flow-Timer; zero means 25 s. CallKeepAlive is the time between them while a
	// call is up, so that a dead connection is found in seconds and the call's signalling moved to
	// a new one; zero means 1 s. A keep-alive not answered within PongTimeout (zero: 3 s) means
	// the connection is dead: it is closed and the user agent reconnects at once. So during a call
	// a connection that went silent is given up within 4 s; one that comes back sooner (TCP
	// retransmits what was lost) is kept.
	KeepAlive, CallKeepAlive, PongTimeout time.Duration
	// Logger receives signalling logs; nil discards them.
	Logger *slog.Logger
	// Trace, when set, sees every SIP message sent and received (the SIP trace of the logs).
	Trace TraceFunc
	// Handler receives events; nil members are skipped.
	Handler Handler
}

// Handler receives the user agent's events. All of them run on one goroutine, one at a time, in the
// order things happened, never under a lock of this package. A slow handler delays later events but
// not the signalling. Run does not return before the last event was handled.
type Handler struct {
	// State is called on every registration state change; err says why for Waiting and Failed.
	State func(s State, err error)
	// Incoming is called for a new incoming call; answer it with Call.Answer or refuse it with
	// Call.Reject. Without a handler, calls are refused with 480.
	Incoming func(c *Call)
	// Reoffer is called when the other side changes the session (re-INVITE, e.g. to hold) and returns
	// the SDP answer. An error refuses the change with 488. Without a handler it is refused.
	Reoffer func(c *Call, offer []byte) (answer []byte, err error)
	// DTMF is called for a digit received in a SIP INFO.
	DTMF func(c *Call, digit rune, duration time.Duration)
	// Ended is called once per call when it ends, with the reason (ErrCallEnded for a normal hang-up,
	// ErrCancelled, a *StatusError, or a connection error).
	Ended func(c *Call, reason error)
	// Reconnected is called when the user agent registered again over a new connection after
	// losing the one before, with the calls still up: each should send a target refresh (see
	// Call.Renegotiate) so that the other side sends its requests to the new connection.
	Reconnected func(calls []*Call)
}

// UA is a SIP user agent over one WebSocket: it registers, takes calls and makes them. Build it with
// New, run it with Run; its methods are safe for concurrent use.
type UA struct {
	opts     Options
	log      *slog.Logger
	aor      sip.Uri
	authUser string
	viaHost  string
	viaProto string
	contact  sip.ContactHeader
	regID    string
	regTag   string
	parser   *sip.Parser
	events   *queue
	kick     chan struct{} // Kick: stop waiting, try now

	mu      sync.Mutex
	started bool
	closed  bool
	conn    Conn
	connUp  chan struct{} // closed when conn goes down
	state   State
	regSeq  uint32
	txs     map[string]*clientTx
	calls   map[string]*Call
	// outbound is true while the registrar takes this device's registration as an RFC 5626 flow
	// (Require: outbound in its 2xx); flowTimer is the keep-alive interval it asked for, if any.
	outbound  bool
	flowTimer time.Duration
	// gruu is the public GRUU (RFC 5627) the registrar gave this device, nil while it gave none:
	// the Contact of every dialog, so that the server finds this device by its instance over
	// whichever connection it registered last, for the dialog's whole life.
	gruu *sip.Uri
	// registeredOnce is set at the first registration: a later one follows a reconnection.
	registeredOnce bool
}

// New checks the options and returns a user agent that does nothing until Run.
func New(opts Options) (*UA, error) {
	var aor sip.Uri
	if err := sip.ParseUri(strings.TrimSpace(opts.AOR), &aor); err != nil || aor.User == "" || aor.Host == "" {
		return nil, fmt.Errorf("%w (got %q)", ErrBadAccount, opts.AOR)
	}
	proto := "WS"
	if opts.Dial == nil {
		d, err := WebSocketDialer(opts.URL, opts.Fingerprint)
		if err != nil {
			return nil, err
		}
		opts.Dial = d
	}
	if opts.Trace != nil {
		opts.Dial = tracedDial(opts.Dial, opts.Trace)
	}
	if u, err := url.Parse(opts.URL); err == nil && u.Scheme == "wss" {
		proto = "WSS"
	}
	if opts.Expires <= 0 {
		opts.Expires = 10 * time.Minute
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "Phonebar"
	}
	if opts.BackoffMin <= 0 {
		opts.BackoffMin = 100 * time.Millisecond
	}
	if opts.BackoffMax <= 0 {
		opts.BackoffMax = 2 * time.Second
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 32 * time.Second
	}
	if opts.ReinviteTimeout <= 0 {
		opts.ReinviteTimeout = 10 * time.Second
	}
	if opts.KeepAlive <= 0 {
		opts.KeepAlive = 25 * time.Second
	}
	if opts.CallKeepAlive <= 0 {
		opts.CallKeepAlive = time.Second
	}
	if opts.PongTimeout <= 0 {
		opts.PongTimeout = 3 * time.Second
	}
	if opts.InstanceID == "" {
		opts.InstanceID = newInstanceID()
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	authUser := opts.AuthUser
	if authUser == "" {
		authUser = aor.User
	}
	u := &UA{
		opts:     opts,
		log:      log.With("aor", aor.String()),
		aor:      aor,
		authUser: authUser,
		viaHost:  randomToken(6) + ".invalid",
		viaProto: proto,
		regID:    randomToken(12),
		regTag:   randomToken(8),
		parser:   sip.NewParser(),
		events:   newQueue(),
		kick:     make(chan struct{}, 1),
		txs:      map[string]*clientTx{},
		calls:    map[string]*Call{},
	}
	u.contact = sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: aor.User, Host: u.viaHost, UriParams: sip.NewParams()}}
	u.contact.Address.UriParams.Add("transport", "ws")
	return u, nil
}

// AOR returns the address of record.
func (u *UA) AOR() string { return u.aor.String() }

// ServerIP is the IP address the current connection to the SIP server reached (the server's, or an
// HTTP proxy's); the zero Addr while not connected or when the connection does not say.
func (u *UA) ServerIP() netip.Addr { return u.connIP(RemoteAddr.RemoteAddr) }

// LocalIP is the local IP address the current connection to the SIP server leaves from; the zero
// Addr while not connected or when the connection does not say.
func (u *UA) LocalIP() netip.Addr { return u.connIP(RemoteAddr.LocalAddr) }

func (u *UA) connIP(get func(RemoteAddr) net.Addr) netip.Addr {
	u.mu.Lock()
	c := u.conn
	u.mu.Unlock()
	ra, ok := c.(RemoteAddr)
	if !ok || get(ra) == nil {
		return netip.Addr{}
	}
	ap, err := netip.ParseAddrPort(get(ra).String())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// Reconnect drops the connection to the SIP server at once (the network changed under it: its local
// address went, the machine slept): Run connects and registers again without waiting for a
// keep-alive to fail, and Handler.Reconnected moves the calls. While Run waits to try again, it
// tries at once.
func (u *UA) Reconnect(why string) {
	u.mu.Lock()
	c := u.conn
	u.mu.Unlock()
	if c != nil {
		u.log.Info("reconnecting: the network changed", "why", why)
		c.Close()
	}
	u.Kick()
}

// Kick makes Run try to connect at once if it is waiting to try again (the network changed: it may
// work now); a working connection is kept.
func (u *UA) Kick() {
	select {
	case u.kick <- struct{}{}:
	default:
	}
}

// State returns the registration state.
func (u *UA) State() State {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.state
}

// fire moves the state machine and queues the State event. A move the table refuses is a bug: it is
// logged and ignored.
func (u *UA) fire(in input, cause error) {
	u.mu.Lock()
	next, err := transition(u.state, in)
	if err != nil {
		u.mu.Unlock()
		u.log.Error("registration state", "error", err)
		return
	}
	changed := next != u.state
	u.state = next
	u.mu.Unlock()
	if !changed {
		return
	}
	u.log.Debug("registration", "state", next.String(), "cause", cause)
	if h := u.opts.Handler.State; h != nil {
		u.events.push(func() { h(next, cause) })
	}
}

// Run connects, registers, keeps the registration alive and reconnects until ctx ends; then it
// unregisters and returns nil. It returns an error only when retrying cannot help: credentials refused,
// account unknown, an untrusted certificate. Run may be called once.
func (u *UA) Run(ctx context.Context) error {
	u.mu.Lock()
	if u.started {
		u.mu.Unlock()
		return errors.New("sipua: Run called twice")
	}
	u.started = true
	u.mu.Unlock()

	evCtx, stopEvents := context.WithCancel(context.WithoutCancel(ctx))
	evDone := make(chan struct{})
	go func() { defer close(evDone); u.events.run(evCtx) }()

	err := u.loop(ctx)

	u.mu.Lock()
	u.closed = true
	c := u.conn
	u.conn = nil
	calls := make([]*Call, 0, len(u.calls))
	for _, call := range u.calls {
		calls = append(calls, call)
	}
	u.mu.Unlock()
	if c != nil {
		c.Close()
	}
	for _, call := range calls {
		call.end(ErrClosed)
	}
	stopEvents()
	<-evDone
	return err
}

func (u *UA) loop(ctx context.Context) error {
	u.fire(inputStart, nil)
	backoff := u.opts.BackoffMin
	wait := func(cause error) bool {
		d := backoff + time.Duration(randInt(int64(backoff/4)+1))
		backoff = min(backoff*2, u.opts.BackoffMax)
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			u.fire(inputStop, nil)
			return false
		case <-t.C:
		case <-u.kick:
			backoff = u.opts.BackoffMin
		}
		u.fire(inputRetry, nil)
		return true
	}
	for {
		up, err := u.connect(ctx)
		if err != nil {
			if ctx.Err() != nil {
				u.fire(inputStop, nil)
				return nil
			}
			var untrusted *tlspin.UntrustedError
			var mismatch *tlspin.MismatchError
			if errors.As(err, &untrusted) || errors.As(err, &mismatch) {
				u.fire(inputRefused, err)
				u.fire(inputStop, nil)
				return err
			}
			u.fire(inputConnectFailed, err)
			if !wait(err) {
				return nil
			}
			continue
		}
		u.fire(inputConnected, nil)
		// Registered on this connection until it drops.
		for {
			granted, err := u.register(ctx, u.opts.Expires)
			if err != nil {
				if ctx.Err() != nil {
					u.fire(inputStop, nil)
					u.closeConn(up)
					return nil
				}
				var se *StatusError
				if errors.As(err, &se) && !se.Temporary() {
					u.fire(inputRefused, err)
					u.fire(inputStop, nil)
					u.closeConn(up)
					return err
				}
				if isClosed(up) {
					u.fire(inputConnLost, err)
				} else {
					u.fire(inputRetryable, err)
				}
				if !wait(err) {
					u.closeConn(up)
					return nil
				}
				if isClosed(up) {
					break
				}
				u.fire(inputConnected, nil)
				continue
			}
			u.fire(inputRegistered, nil)
			u.afterRegister()
			backoff = u.opts.BackoffMin
			refresh := time.NewTimer(refreshIn(granted))
			select {
			case <-ctx.Done():
				refresh.Stop()
				u.fire(inputStop, nil)
				uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
				_, uerr := u.register(uctx, 0)
				cancel()
				if uerr != nil {
					u.log.Debug("unregister", "error", uerr)
				}
				u.fire(inputUnregistered, nil)
				u.closeConn(up)
				return nil
			case <-up:
				refresh.Stop()
				u.fire(inputConnLost, ErrNotConnected)
			case <-refresh.C:
				u.fire(inputRefresh, nil)
				continue
			}
			if !wait(ErrNotConnected) {
				return nil
			}
			break
		}
	}
}

// refreshIn is when to renew a registration granted for d: at half of it, and not sooner than 1 s.
func refreshIn(d time.Duration) time.Duration {
	return max(d/2, time.Second)
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// afterRegister tells the handler, after a registration that follows a reconnection, which calls
// need a target refresh.
func (u *UA) afterRegister() {
	u.mu.Lock()
	again := u.registeredOnce
	u.registeredOnce = true
	var calls []*Call
	for _, c := range u.calls {
		if c.DialogState().Established() {
			calls = append(calls, c)
		}
	}
	u.mu.Unlock()
	if !again {
		return
	}
	u.log.Info("registered again over a new connection", "calls", len(calls))
	if h := u.opts.Handler.Reconnected; h != nil {
		u.events.push(func() { h(calls) })
	}
}

// connect opens a connection and starts reading it and keeping it alive; the returned channel
// closes when it drops.
func (u *UA) connect(ctx context.Context) (chan struct{}, error) {
	c, err := u.dialRace(ctx)
	if err != nil {
		return nil, err
	}
	up := make(chan struct{})
	u.mu.Lock()
	u.conn = c
	u.connUp = up
	u.mu.Unlock()
	go u.readLoop(c, up)
	go u.keepAlive(c, up)
	return up, nil
}

// dialTimeout bounds one connection attempt (TCP, TLS, WebSocket upgrade).
const dialTimeout = 10 * time.Second

// maxDials caps the connection attempts under way at once.
const maxDials = 8

// dialRace opens a connection. An attempt that neither succeeds nor fails (its packets dropped:
// a network that went away and may come back) is not waited for: another starts beside it after
// BackoffMin, then after twice that, up to 1 s apart, so that a connection is made within about a
// second of the network coming back whatever the kernel's retransmission timers were doing. The
// first attempt to succeed wins; the others are closed. It fails when every attempt failed.
func (u *UA) dialRace(ctx context.Context) (Conn, error) {
	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		c   Conn
		err error
	}
	results := make(chan result, maxDials)
	pending := 0
	start := func() {
		pending++
		go func() {
			actx, acancel := context.WithTimeout(dctx, dialTimeout)
			defer acancel()
			c, err := u.opts.Dial(actx)
			results <- result{c, err}
		}()
	}
	// The attempts still under way when one won are closed as they finish.
	defer func() {
		n := pending
		go func() {
			for range n {
				if r := <-results; r.c != nil {
					r.c.Close()
				}
			}
		}()
	}()
	start()
	gap := u.opts.BackoffMin
	next := time.NewTimer(gap)
	defer next.Stop()
	var lastErr error
	for {
		select {
		case r := <-results:
			pending--
			if r.err == nil {
				return r.c, nil
			}
			lastErr = r.err
			var untrusted *tlspin.UntrustedError
			var mismatch *tlspin.MismatchError
			if pending == 0 || errors.As(r.err, &untrusted) || errors.As(r.err, &mismatch) {
				return nil, lastErr
			}
		case <-next.C:
			if pending < maxDials {
				start()
			}
			gap = min(gap*2, time.Second)
			next.Reset(gap)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Pinger is what a Conn may implement to send a keep-alive and wait for its answer (a WebSocket
// ping and pong).
type Pinger interface {
	Ping(ctx context.Context) error
}

// keepAlive pings the server on c until it drops (up closes): every Flow-Timer the registrar asked
// for (RFC 5626 section 4.4.1: at 80 to 100 % of it) or KeepAlive, and every CallKeepAlive while a
// call is up. A ping not answered within PongTimeout closes c: the read loop ends and Run
// reconnects.
func (u *UA) keepAlive(c Conn, up chan struct{}) {
	p, ok := c.(Pinger)
	if !ok {
		return
	}
	tick := time.NewTicker(max(min(u.opts.CallKeepAlive/4, time.Second), 10*time.Millisecond))
	defer tick.Stop()
	last, interval := time.Now(), u.keepAliveIn()
	for {
		select {
		case <-up:
			return
		case <-tick.C:
		}
		wait := interval
		if u.callUp() {
			wait = min(wait, u.opts.CallKeepAlive)
		}
		if time.Since(last) < wait {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), u.opts.PongTimeout)
		go func() {
			select {
			case <-up:
				cancel()
			case <-ctx.Done():
			}
		}()
		err := p.Ping(ctx)
		cancel()
		if err != nil {
			if !isClosed(up) {
				u.log.Warn("the SIP server did not answer a keep-alive: reconnecting", "error", err)
				c.Close()
			}
			return
		}
		last, interval = time.Now(), u.keepAliveIn()
	}
}

// callUp reports whether a call is established.
func (u *UA) callUp() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, c := range u.calls {
		if c.DialogState().Established() {
			return true
		}
	}
	return false
}

// keepAliveIn is the time between keep-alives on an idle connection: within the Flow-Timer the
// registrar asked for (RFC 5626 section 4.4.1: at 80 to 100 % of it), else KeepAlive.
func (u *UA) keepAliveIn() time.Duration {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.flowTimer > 0 {
		return u.flowTimer*8/10 + time.Duration(randInt(int64(u.flowTimer/5)))
	}
	return u.opts.KeepAlive
}

func (u *UA) closeConn(up chan struct{}) {
	u.mu.Lock()
	c := u.conn
	if u.connUp == up {
		u.conn = nil
	}
	u.mu.Unlock()
	if c != nil {
		c.Close()
	}
	<-up
}

func (u *UA) readLoop(c Conn, up chan struct{}) {
	defer func() {
		u.mu.Lock()
		if u.conn == c {
			u.conn = nil
		}
		u.mu.Unlock()
		c.Close()
		close(up)
	}()
	for {
		b, err := c.Read(context.Background())
		if err != nil {
			u.log.Debug("connection closed", "error", err)
			return
		}
		if len(strings.Trim(string(b), "\r\n")) == 0 {
			continue // RFC 5626 keep-alive
		}
		msg, err := u.parser.ParseSIP(b)
		if err != nil {
			u.log.Debug("unreadable SIP message dropped", "error", err, "bytes", len(b))
			continue
		}
		switch m := msg.(type) {
		case *sip.Response:
			u.handleResponse(m)
		case *sip.Request:
			u.handleRequest(m)
		}
	}
}

// send writes a message on the current connection.
func (u *UA) send(ctx context.Context, msg sip.Message) error {
	u.mu.Lock()
	c := u.conn
	u.mu.Unlock()
	if c == nil {
		return ErrNotConnected
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.Write(wctx, []byte(msg.String())); err != nil {
		return fmt.Errorf("%w: %w", ErrNotConnected, err)
	}
	return nil
}

// clientTx waits for the answers to one request of ours.
type clientTx struct {
	method string
	resp   chan *sip.Response
}

func (u *UA) handleResponse(res *sip.Response) {
	via := res.Via()
	cseq := res.CSeq()
	if via == nil || cseq == nil {
		return
	}
	branch, _ := via.Params.Get("branch")
	u.mu.Lock()
	tx := u.txs[txKey(branch, string(cseq.MethodName))]
	u.mu.Unlock()
	if tx == nil {
		if cseq.MethodName == sip.INVITE && res.IsSuccess() {
			u.reackStray(res)
		}
		return
	}
	select {
	case tx.resp <- res:
	default:
		if !res.IsProvisional() {
			u.log.Warn("final answer dropped: transaction queue full", "method", tx.method)
		}
	}
}

// reackStray answers a retransmitted 2xx to an INVITE that is already done by repeating the ACK.
func (u *UA) reackStray(res *sip.Response) {
	if res.CallID() == nil {
		return
	}
	u.mu.Lock()
	c := u.calls[string(*res.CallID())]
	u.mu.Unlock()
	if c != nil {
		c.resendAck(res)
	}
}

func txKey(branch, method string) string { return branch + " " + method }

// openTx registers a client transaction for req, keyed by its top Via branch and its method (a
// CANCEL shares its INVITE's branch).
func (u *UA) openTx(req *sip.Request) (*clientTx, chan struct{}, error) {
	branch, _ := req.Via().Params.Get("branch")
	tx := &clientTx{method: string(req.Method), resp: make(chan *sip.Response, 16)}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed {
		return nil, nil, ErrClosed
	}
	if u.conn == nil {
		return nil, nil, ErrNotConnected
	}
	u.txs[txKey(branch, string(req.Method))] = tx
	return tx, u.connUp, nil
}

func (u *UA) closeTx(req *sip.Request) {
	branch, _ := req.Via().Params.Get("branch")
	u.mu.Lock()
	delete(u.txs, txKey(branch, string(req.Method)))
	u.mu.Unlock()
}

// roundTrip sends req and returns its final answer; provisional answers go to onProvisional. The
// request's top Via branch identifies the transaction.
func (u *UA) roundTrip(ctx context.Context, req *sip.Request, onProvisional func(*sip.Response)) (*sip.Response, error) {
	tx, up, err := u.openTx(req)
	if err != nil {
		return nil, err
	}
	defer u.closeTx(req)
	if err := u.send(ctx, req); err != nil {
		return nil, err
	}
	var timeout <-chan time.Time
	if req.Method != sip.INVITE {
		t := time.NewTimer(u.opts.RequestTimeout)
		defer t.Stop()
		timeout = t.C
	}
	for {
		select {
		case res := <-tx.resp:
			if res.IsProvisional() {
				if onProvisional != nil {
					onProvisional(res)
				}
				continue
			}
			return res, nil
		case <-up:
			return nil, ErrNotConnected
		case <-timeout:
			return nil, fmt.Errorf("%w (%s)", ErrTimeout, req.Method)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// authorize adds credentials for the challenge in res (401 or 407) to req. It reports false when res
// carries no challenge this package can answer.
func (u *UA) authorize(req *sip.Request, res *sip.Response) bool {
	chName, credName := "WWW-Authenticate", "Authorization"
	if res.StatusCode == 407 {
		chName, credName = "Proxy-Authenticate", "Proxy-Authorization"
	}
	h := res.GetHeader(chName)
	if h == nil {
		return false
	}
	chal, err := digest.ParseChallenge(h.Value())
	if err != nil {
		return false
	}
	cred, err := digest.Digest(chal, digest.Options{
		Method:   string(req.Method),
		URI:      req.Recipient.String(),
		Username: u.authUser,
		Password: u.opts.Password,
		Count:    1,
	})
	if err != nil {
		return false
	}
	req.RemoveHeader(credName)
	req.AppendHeader(sip.NewHeader(credName, cred.String()))
	return true
}

// register sends a REGISTER for expires (zero removes the binding) and returns the lifetime granted.
func (u *UA) register(ctx context.Context, expires time.Duration) (time.Duration, error) {
	secs := int(expires / time.Second)
	var res *sip.Response
	var err error
	var auth *sip.Response
	for attempt := 0; attempt < 3; attempt++ {
		req := u.newRegister(secs)
		if auth != nil && !u.authorize(req, auth) {
			break
		}
		res, err = u.roundTrip(ctx, req, nil)
		if err != nil {
			return 0, err
		}
		if (res.StatusCode == 401 || res.StatusCode == 407) && (auth == nil || isStale(res)) {
			auth = res
			continue
		}
		break
	}
	if !res.IsSuccess() {
		return 0, &StatusError{Method: "REGISTER", Code: res.StatusCode, Reason: res.Reason}
	}
	if expires > 0 {
		u.noteOutbound(res)
		u.noteGRUU(res)
	}
	return u.granted(res, expires), nil
}

// noteOutbound reads from a 2xx to REGISTER whether the registrar took it as an RFC 5626 flow
// (Require: outbound) and the keep-alive interval it asks for (Flow-Timer, seconds).
func (u *UA) noteOutbound(res *sip.Response) {
	ob := false
	for _, h := range res.GetHeaders("Require") {
		for _, opt := range strings.Split(h.Value(), ",") {
			ob = ob || strings.EqualFold(strings.TrimSpace(opt), "outbound")
		}
	}
	var flow time.Duration
	if h := res.GetHeader("Flow-Timer"); h != nil && ob {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n > 0 && n <= 3600 {
			flow = time.Duration(n) * time.Second
		}
	}
	u.mu.Lock()
	changed := u.outbound != ob || u.flowTimer != flow
	u.outbound, u.flowTimer = ob, flow
	u.mu.Unlock()
	if changed {
		u.log.Debug("registration", "outbound", ob, "flow_timer", flow)
	}
}

// noteGRUU keeps the public GRUU (RFC 5627 section 5.1: the pub-gruu parameter of our Contact in
// a 2xx to REGISTER) once the registrar gives one. It names this device's instance, not a
// connection, and stays the same across registrations: once a dialog used it as Contact, a
// registrar that still knows the instance routes the dialog's requests to wherever the device is
// registered now. A later 2xx without one (the server changed) keeps the one there was: dialogs
// under way already use it.
func (u *UA) noteGRUU(res *sip.Response) {
	for _, h := range res.GetHeaders("Contact") {
		c, ok := h.(*sip.ContactHeader)
		if !ok || c.Address.Host != u.viaHost {
			continue
		}
		// sipgo splits header parameters at every ';', also inside a quoted value such as this one
		// ("sip:...;gr=urn:uuid:..."): read it from the header's text.
		v, ok := headerParam(c.Value(), "pub-gruu")
		if !ok {
			return
		}
		var g sip.Uri
		if err := sip.ParseUri(v, &g); err != nil || g.Host == "" {
			u.log.Warn("the registrar's GRUU is unreadable: dialogs use the connection's Contact", "gruu", v)
			return
		}
		if _, ok := g.UriParams.Get("gr"); !ok {
			u.log.Warn("the registrar's GRUU has no gr parameter: dialogs use the connection's Contact", "gruu", v)
			return
		}
		u.mu.Lock()
		changed := u.gruu == nil || u.gruu.String() != g.String()
		u.gruu = &g
		u.mu.Unlock()
		if changed {
			u.log.Debug("registration", "gruu", g.String())
		}
		return
	}
}

// headerParam returns the value of the parameter name of a name-addr header's text
// ("<uri>;a=1;b=\"x;y\""), unquoted; a ';' inside quotes belongs to the value.
func headerParam(text, name string) (string, bool) {
	if i := strings.IndexByte(text, '>'); i >= 0 {
		text = text[i+1:]
	}
	var params []string
	start, quoted := 0, false
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '"':
			quoted = !quoted
		case '\\':
			i++
		case ';':
			if !quoted {
				params = append(params, text[start:i])
				start = i + 1
			}
		}
	}
	params = append(params, text[start:])
	for _, p := range params {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.Trim(strings.TrimSpace(v), `"`), true
		}
	}
	return "", false
}

// GRUU returns the public GRUU the registrar gave this device (RFC 5627), empty while none.
func (u *UA) GRUU() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.gruu == nil {
		return ""
	}
	return u.gruu.String()
}

// dialogContact is the Contact of dialog-forming requests and answers, and of target refreshes:
// the public GRUU when the registrar gave one, else this connection's Contact (which the server
// ties to the connection it came over, so that a reconnection needs a target refresh).
func (u *UA) dialogContact() *sip.ContactHeader {
	u.mu.Lock()
	g := u.gruu
	u.mu.Unlock()
	if g == nil {
		return u.contact.Clone()
	}
	return &sip.ContactHeader{Address: *g.Clone(), Params: sip.NewParams()}
}

// Outbound reports whether the registrar keeps this device's registration as an RFC 5626 flow, and
// the keep-alive interval it asked for (zero: none).
func (u *UA) Outbound() (bool, time.Duration) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.outbound, u.flowTimer
}

func isStale(res *sip.Response) bool {
	for _, name := range []string{"WWW-Authenticate", "Proxy-Authenticate"} {
		if h := res.GetHeader(name); h != nil {
			if c, err := digest.ParseChallenge(h.Value()); err == nil && c.Stale {
				return true
			}
		}
	}
	return false
}

// granted reads the lifetime of our binding from a 2xx to REGISTER.
func (u *UA) granted(res *sip.Response, asked time.Duration) time.Duration {
	for _, h := range res.GetHeaders("Contact") {
		c, ok := h.(*sip.ContactHeader)
		if !ok || c.Address.Host != u.viaHost {
			continue
		}
		if v, ok := c.Params.Get("expires"); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				return time.Duration(n) * time.Second
			}
		}
	}
	if h := res.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	return asked
}

func (u *UA) newRegister(expires int) *sip.Request {
	ruri := sip.Uri{Scheme: "sip", Host: u.aor.Host, Port: u.aor.Port}
	req := sip.NewRequest(sip.REGISTER, ruri)
	u.mu.Lock()
	u.regSeq++
	seq := u.regSeq
	u.mu.Unlock()
	req.AppendHeader(u.newVia())
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	from := &sip.FromHeader{Address: u.aor, Params: sip.NewParams()}
	from.Params.Add("tag", u.regTag)
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: u.aor, Params: sip.NewParams()})
	cid := sip.CallIDHeader(u.regID)
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: seq, MethodName: sip.REGISTER})
	contact := u.contact.Clone()
	contact.Params = sip.NewParams()
	contact.Params.Add("expires", strconv.Itoa(expires))
	// RFC 5626: this device's instance and its one flow, so that the registrar replaces the
	// binding of an earlier connection of the same device rather than adding one.
	contact.Params.Add("+sip.instance", `"<`+u.opts.InstanceID+`>"`)
	contact.Params.Add("reg-id", "1")
	req.AppendHeader(contact)
	// RFC 5627: ask for a GRUU, the Contact that outlives this connection (see noteGRUU).
	req.AppendHeader(sip.NewHeader("Supported", "path, outbound, gruu"))
	ex := sip.ExpiresHeader(expires)
	req.AppendHeader(&ex)
	req.AppendHeader(sip.NewHeader("User-Agent", u.opts.UserAgent))
	req.AppendHeader(sip.NewHeader("Allow", allowed))
	req.SetBody(nil)
	return req
}

const allowed = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY"

// supported lists the extensions we take part in: an INVITE with Replaces (RFC 3891) replaces one
// of our calls.
const supported = "replaces"

func (u *UA) newVia() *sip.ViaHeader {
	v := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: u.viaProto, Host: u.viaHost, Params: sip.NewParams()}
	v.Params.Add("branch", sip.RFC3261BranchMagicCookie+randomToken(10))
	v.Params.Add("rport", "")
	return v
}

// newInstanceID makes a random RFC 5626 instance URN (a version 4 UUID, RFC 4122).
func newInstanceID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return "urn:uuid:" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func randInt(n int64) int64 {
	if n <= 0 {
		return 0
	}
	v, err := rand.Int(rand.Reader, big.NewInt(n))
	if err != nil {
		return 0
	}
	return v.Int64()
}
