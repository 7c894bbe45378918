package phone

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/audio/codec"
	"github.com/phonebar/phonebar/internal/audio/processing"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/netwatch"
	"github.com/phonebar/phonebar/internal/rtc"
	"github.com/phonebar/phonebar/internal/sipua"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// Account is a SIP account over WebSocket.
type Account struct {
	// AOR is the address of record, "sip:1001@pbx.example.com".
	AOR string
	// AuthUser is the digest user; empty means the AOR's user.
	AuthUser string
	// Password is the SIP password; it never appears in logs or errors.
	Password string
	// WSURL is the ws:// or wss:// URL of the SIP server.
	WSURL string
	// Fingerprint pins a self-signed wss certificate; empty trusts the system roots only.
	Fingerprint tlspin.Fingerprint
	// ICEServers are the STUN/TURN servers for the media.
	ICEServers []rtc.ICEServer
}

// AccountFromMotion turns the SIP account Motion hands out at login into an Account, with the
// certificate pin the user accepted for the SIP server (empty if none).
func AccountFromMotion(a motion.SIPAccount, pin tlspin.Fingerprint) Account {
	acc := Account{AOR: a.Username, AuthUser: a.AuthUser, Password: a.Password, WSURL: a.WSURI, Fingerprint: pin}
	if len(acc.AOR) < 4 || (acc.AOR[:4] != "sip:" && acc.AOR[:4] != "sips") {
		acc.AOR = "sip:" + a.Username + "@" + a.Domain
	}
	for _, s := range a.ICEServers {
		acc.ICEServers = append(acc.ICEServers, rtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	return acc
}

// DTMFMode says how digits are sent.
type DTMFMode int

const (
	// DTMFUnknown is the zero value: RFC 4733.
	DTMFUnknown DTMFMode = iota
	// DTMFRFC4733 sends telephone events in the RTP stream.
	DTMFRFC4733
	// DTMFInfo sends SIP INFO requests.
	DTMFInfo
)

// String names the mode as the command line spells it.
func (m DTMFMode) String() string {
	switch m {
	case DTMFRFC4733:
		return "rfc4733"
	case DTMFInfo:
		return "info"
	}
	return "unknown"
}

// Config configures a Phone. Zero values are documented per field.
type Config struct {
	Account Account
	// Codecs to offer and accept, most wanted first; one forces it; empty: Opus, PCMU, PCMA.
	Codecs []codec.ID
	// RelayOnly uses TURN relays only.
	RelayOnly bool
	// AllowLoopback gathers loopback candidates in every call. Without it they are gathered only when
	// the SIP server or the other side is on this computer (the server's connection reaches a
	// loopback address, or the other side's offer has one): the demo server on a machine with no
	// network.
	AllowLoopback bool
	// DTMF is how SendDTMF sends digits; zero means RFC 4733.
	DTMF DTMFMode
	// NewSource and NewSink make each call's audio ends. Without them a call uses the microphone
	// and speaker of Audio; with neither, it sends silence and drops what it receives.
	NewSource func() rtc.Source
	NewSink   func() rtc.Sink
	// Audio opens each call's microphone and speaker (an audio Engine per call) when NewSource is
	// nil. A call whose devices cannot be opened fails with the audio error.
	Audio *audio.Host
	// Capture and Playback are the agent's chosen microphone and speaker for Audio; the zero
	// DeviceRef is the system default, and a missing device falls back to it.
	Capture, Playback audio.DeviceRef
	// Devices, when set, is asked for the microphone and speaker at the start of each call instead
	// of Capture and Playback, so that a choice made during the session applies to the next call.
	Devices func() (capture, playback audio.DeviceRef)
	// Processing is what is done to the microphone of calls on Audio (echo cancellation, noise
	// suppression, gain control); nil means all three, the default. Asked for when each call
	// starts, so that a change applies to the next call.
	Processing func() processing.Options
	// OnEvent receives every event, in order, on one goroutine, never under a lock of this package.
	OnEvent func(Event)
	// Expires is the registration lifetime asked for; zero means sipua's default (10 minutes).
	Expires time.Duration
	// MaxRinging caps the incoming calls ringing at once; zero means 3. One more is refused with
	// 486 Busy Here (busy at this phone only: the PBX may still offer the call to another agent or
	// voicemail, where 600 Busy Everywhere would stop it) and never reaches OnEvent.
	MaxRinging int
	// RingTimeout is how long an incoming call may ring unanswered before this phone refuses it
	// with 480 Temporarily Unavailable (nobody is there to take it; 408 would blame the network)
	// and it ends with ErrRingTimeout; zero means 60 s.
	RingTimeout time.Duration
	// ReinviteTimeout bounds the wait for the other side's answer to a hold or resume; zero means
	// sipua's default (10 s). Past it the change is given up and the call stays as it was.
	ReinviteTimeout time.Duration
	// MediaTimeout is how long an established call may go without audio from the other side before
	// EventMedia says why; zero means 8 s (ICE, DTLS and the first packet take well under a second
	// on a working path).
	MediaTimeout time.Duration
	// NoNetworkWatch turns off the watch of the network (see Run).
	NoNetworkWatch bool
	// Logger receives logs; nil discards them.
	Logger *slog.Logger
	// SIPTrace, when set, sees every SIP message sent and received (sipua.Options.Trace).
	SIPTrace sipua.TraceFunc
	// InstanceID is the installation's RFC 5626 instance (sipua.Options.InstanceID); empty: a new
	// one for this phone.
	InstanceID string
}

// EventKind says what happened.
type EventKind int

const (
	// EventUnknown is the zero value.
	EventUnknown EventKind = iota
	// EventRegistration: the registration state changed (Registration, Err).
	EventRegistration
	// EventIncoming: a call rings (Call).
	EventIncoming
	// EventActive: a call is established or resumed (Call).
	EventActive
	// EventHeld: a call was put on hold by us (Call) or by the other side (Call, Remote).
	EventHeld
	// EventDTMF: a digit arrived (Call, Digit).
	EventDTMF
	// EventEnded: a call ended (Call, Err says why; sipua.ErrCallEnded for a normal hang-up).
	EventEnded
	// EventMedia: an established call still has no audio from the other side after
	// Config.MediaTimeout (Call, Err says which step failed: see rtc.Session.MediaError). The call
	// stays up.
	EventMedia
	// EventMoved: after a reconnection, the call's signalling moved to the new connection (a target
	// refresh the other side accepted), and after a change of this computer's address, its audio
	// moved to the new one (an ICE restart); or the call could not be moved (Err: the other side
	// may not reach this phone until it calls back or the call ends; wrapping ErrMediaNotMoved, the
	// audio's path is gone and the call is otherwise as it was).
	EventMoved
)

var eventNames = [...]string{"unknown", "registration", "incoming", "active", "held", "dtmf", "ended", "media", "moved"}

// String names the kind in lower case.
func (k EventKind) String() string {
	if k < 0 || int(k) >= len(eventNames) {
		return fmt.Sprintf("EventKind(%d)", int(k))
	}
	return eventNames[k]
}

// Event is one thing that happened to the phone or a call.
type Event struct {
	Kind         EventKind
	Call         *Call
	Registration sipua.State
	Digit        rune
	// Remote is true for a hold made by the other side.
	Remote bool
	Err    error
}

// Phone is a registered softphone. Build it with New and run it with Run.
type Phone struct {
	cfg Config
	log *slog.Logger
	ua  *sipua.UA

	mu    sync.Mutex
	calls map[string]*Call // by Call-ID
}

// New checks the configuration.
func New(cfg Config) (*Phone, error) {
	if cfg.MaxRinging <= 0 {
		cfg.MaxRinging = 3
	}
	if cfg.RingTimeout <= 0 {
		cfg.RingTimeout = 60 * time.Second
	}
	if cfg.MediaTimeout <= 0 {
		cfg.MediaTimeout = 8 * time.Second
	}
	p := &Phone{cfg: cfg, calls: map[string]*Call{}, log: cfg.Logger}
	if p.log == nil {
		p.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ua, err := sipua.New(sipua.Options{
		AOR: cfg.Account.AOR, AuthUser: cfg.Account.AuthUser, Password: cfg.Account.Password,
		URL: cfg.Account.WSURL, Fingerprint: cfg.Account.Fingerprint, Expires: cfg.Expires, ReinviteTimeout: cfg.ReinviteTimeout,
		Logger: p.log, Trace: cfg.SIPTrace, InstanceID: cfg.InstanceID,
		Handler: sipua.Handler{
			State:    func(s sipua.State, err error) { p.emit(Event{Kind: EventRegistration, Registration: s, Err: err}) },
			Incoming: p.incoming,
			Reoffer:  p.reoffer,
			DTMF:     func(sc *sipua.Call, d rune, _ time.Duration) { p.dtmf(sc.ID(), d) },
			Ended:    p.ended,
			Reconnected: func(calls []*sipua.Call) {
				for _, sc := range calls {
					if c := p.lookup(sc.ID()); c != nil {
						go c.refreshTarget(true)
					}
				}
			},
		},
	})
	if err != nil {
		return nil, err
	}
	p.ua = ua
	return p, nil
}

// Run registers and keeps the phone signed in until ctx ends (see sipua.UA.Run); calls still up
// then end. Unless Config.NoNetworkWatch, it also watches the network (internal/netwatch): when the
// machine wakes from sleep or the connection's local address goes, the phone reconnects at once
// and moves its calls to the new connection; when an interface or address appears, a phone
// waiting to reconnect tries at once.
func (p *Phone) Run(ctx context.Context) error {
	if p.cfg.NoNetworkWatch {
		return p.ua.Run(ctx)
	}
	w, err := netwatch.New(netwatch.Options{OnChange: p.networkChanged})
	if err != nil {
		return err
	}
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := w.Run(wctx); err != nil {
			p.log.Warn("network watch", "error", err)
		}
	}()
	defer func() { stop(); <-done }()
	return p.ua.Run(ctx)
}

// Reconnect drops the connection to the SIP server and makes a new one at once, moving the calls
// to it (a target refresh each): for a change the caller knows of and the watch may not see (the
// system said it resumed, a VPN came up).
func (p *Phone) Reconnect(why string) { p.ua.Reconnect(why) }

// networkChanged reconnects when the signalling's connection cannot have survived the change
// (the calls then move with the reconnection: Handler.Reconnected), else moves the media of each
// call whose local address went (an ICE restart: see Call.refreshTarget).
func (p *Phone) networkChanged(c netwatch.Change) {
	p.log.Info("network changed", "kind", c.Kind.String(), "detail", c.Detail)
	if c.Kind == netwatch.KindResume || !localAddressPresent(p.ua.LocalIP()) {
		p.ua.Reconnect(c.Kind.String() + ": " + c.Detail)
		return
	}
	p.ua.Kick()
	p.mu.Lock()
	calls := make([]*Call, 0, len(p.calls))
	for _, call := range p.calls {
		calls = append(calls, call)
	}
	p.mu.Unlock()
	for _, call := range calls {
		go call.refreshTarget(false)
	}
}

// localAddressPresent reports whether ip is still one of this machine's addresses (a zero or
// unspecified ip, not connected or not known, counts as present: there is nothing to drop).
func localAddressPresent(ip netip.Addr) bool {
	if !ip.IsValid() || ip.IsLoopback() || ip.IsUnspecified() {
		return true
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return true
	}
	for _, a := range addrs {
		if pfx, err := netip.ParsePrefix(a.String()); err == nil && pfx.Addr().Unmap() == ip {
			return true
		}
	}
	return false
}

// Registration returns the registration state.
func (p *Phone) Registration() sipua.State { return p.ua.State() }

func (p *Phone) emit(ev Event) {
	if p.cfg.OnEvent != nil {
		p.cfg.OnEvent(ev)
	}
}

// loopback reports whether a call whose other side offered offer (nil: we offer) gathers loopback
// candidates: always with Config.AllowLoopback, else when the SIP server or the other side is on
// this computer.
func (p *Phone) loopback(offer []byte) bool {
	return p.cfg.AllowLoopback || p.ua.ServerIP().IsLoopback() || (offer != nil && rtc.OnLoopback(offer))
}

// mediaOptions makes a call's media options, opening its devices when it uses them; offer is the
// other side's offer of an incoming call, nil for a call we place.
func (p *Phone) mediaOptions(ctx context.Context, c *Call, offer []byte) (rtc.Options, error) {
	o := rtc.Options{
		ICEServers: p.cfg.Account.ICEServers, RelayOnly: p.cfg.RelayOnly, Codecs: p.cfg.Codecs,
		AllowLoopback: p.loopback(offer), Logger: p.log,
		OnDTMF: func(d rune) { p.dtmf(c.id, d) },
	}
	var src rtc.Source = rtc.Silence{}
	var sink rtc.Sink = rtc.Discard{}
	switch {
	case p.cfg.NewSource != nil:
		src = p.cfg.NewSource()
		if p.cfg.NewSink != nil {
			sink = p.cfg.NewSink()
		}
	case p.cfg.Audio != nil:
		capture, playback := p.cfg.Capture, p.cfg.Playback
		if p.cfg.Devices != nil {
			capture, playback = p.cfg.Devices()
		}
		proc := processing.Options{EchoCancel: true, NoiseSuppress: true, GainControl: true}
		if p.cfg.Processing != nil {
			proc = p.cfg.Processing()
		}
		dev, err := openDeviceAudio(ctx, p.cfg.Audio, capture, playback, proc)
		if err != nil {
			return o, err
		}
		c.devices = dev
		src = dev
		// What is heard is also measured, for reports (the far end's tone, its level).
		c.heard = rtc.NewFrequencySink()
		sink = tee{dev, c.heard}
	}
	c.mute = &muteSource{src: src}
	o.Source = c.mute
	o.Sink = sink
	c.sink = sink
	if c.heard != nil {
		c.sink = c.heard
	}
	return o, nil
}

// Dial calls target (a number or a SIP URI) and returns the established call, or why it failed: a
// *sipua.StatusError for a refusal, ctx's error if ctx ended first (the attempt is cancelled).
func (p *Phone) Dial(ctx context.Context, target string) (*Call, error) {
	if !p.ua.State().CanCall() {
		return nil, ErrNotRegistered
	}
	c := &Call{phone: p, dir: sipua.DirectionOutgoing, started: time.Now(), done: make(chan struct{})}
	c.state, _ = transition(StateUnknown, inputDial)
	opts, err := p.mediaOptions(ctx, c, nil)
	if err != nil {
		return nil, err
	}
	media, err := rtc.NewSession(opts)
	if err != nil {
		c.closeDevices()
		return nil, err
	}
	c.media = media
	offer, err := media.Offer(ctx)
	if err != nil {
		media.Close()
		c.closeDevices()
		return nil, err
	}
	sc, err := p.ua.Invite(ctx, target, offer, nil)
	if err != nil {
		media.Close()
		c.closeDevices()
		return nil, err
	}
	c.sip, c.id, c.remote = sc, sc.ID(), sc.Remote()
	p.mu.Lock()
	p.calls[c.id] = c
	p.mu.Unlock()
	if err := media.SetAnswer(sc.RemoteSDP()); err != nil {
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_ = sc.Hangup(hctx)
		cancel()
		c.finish(err)
		return nil, err
	}
	c.answered = time.Now()
	c.move(inputAnswered)
	p.emit(Event{Kind: EventActive, Call: c})
	go c.watchMedia()
	return c, nil
}

func (p *Phone) lookup(id string) *Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[id]
}

func (p *Phone) incoming(sc *sipua.Call) {
	c := &Call{phone: p, dir: sipua.DirectionIncoming, sip: sc, id: sc.ID(), remote: sc.Remote(), started: time.Now(), done: make(chan struct{})}
	c.state, _ = transition(StateUnknown, inputIncoming)
	var replaced *Call
	if old := sc.Replaces(); old != nil {
		replaced = p.lookup(old.ID())
	}
	if replaced != nil && replaced.replaceable() {
		// The end of an attended transfer somewhere else: the far end of a call we are talking on
		// hands it over to the party now calling. It does not ring: it is answered at once and the
		// old call hung up.
		p.mu.Lock()
		p.calls[c.id] = c
		p.mu.Unlock()
		go p.replace(c, replaced)
		return
	}
	p.mu.Lock()
	ringing := 0
	for _, other := range p.calls {
		if other.State() == StateRinging {
			ringing++
		}
	}
	if ringing >= p.cfg.MaxRinging {
		p.mu.Unlock()
		p.log.Info("incoming call refused: too many calls ringing", "call", c.id, "ringing", ringing)
		_ = sc.Reject(context.Background(), 486)
		return
	}
	// A call that would replace one the agent holds (or is putting on hold) rings like any other:
	// answering it is the agent's choice, and Replaces says what it would take the place of.
	c.mu.Lock()
	c.replaces = replaced
	c.ringTimer = time.AfterFunc(p.cfg.RingTimeout, c.ringTimedOut)
	c.mu.Unlock()
	p.calls[c.id] = c
	p.mu.Unlock()
	_ = sc.Ring(context.Background())
	p.emit(Event{Kind: EventIncoming, Call: c})
}

// ringTimedOut refuses a call still ringing after Config.RingTimeout.
func (c *Call) ringTimedOut() {
	if c.State() != StateRinging {
		return
	}
	c.mu.Lock()
	c.endReason = ErrRingTimeout
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.sip.Reject(ctx, 480); err != nil && !errors.Is(err, sipua.ErrCallState) {
		c.phone.log.Debug("refusing a call nobody answered", "call", c.id, "error", err)
	}
}

// replaceable reports whether an INVITE with Replaces for c may be answered without asking: c is
// active, and not being put on hold. A call the agent holds is never replaced unasked: its far end
// (or someone who learnt its dialog) would otherwise hear the agent's microphone at once.
func (c *Call) replaceable() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state == StateActive && !c.renegotiating
}

// replace answers c, which takes the place of old (INVITE with Replaces), then hangs old up. If c
// cannot be answered it is refused and old stays as it was.
func (p *Phone) replace(c, old *Call) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := c.Answer(ctx); err != nil {
		p.log.Warn("the call replacing another could not be answered", "call", c.id, "replaces", old.id, "error", err)
		return
	}
	p.log.Info("call replaced", "call", c.id, "replaces", old.id)
	if err := old.Hangup(ctx); err != nil && !errors.Is(err, ErrCallState) {
		p.log.Debug("hanging up the replaced call", "call", old.id, "error", err)
	}
}

func (p *Phone) reoffer(sc *sipua.Call, offer []byte) ([]byte, error) {
	c := p.lookup(sc.ID())
	if c == nil || c.media == nil {
		return nil, ErrCallState
	}
	answer, err := c.media.Reoffer(offer)
	if err != nil {
		return nil, err
	}
	dir, _ := rtc.Direction(offer)
	held := dir == rtc.SendOnly || dir == rtc.Inactive
	c.mu.Lock()
	was := c.remoteHeld
	c.remoteHeld = held
	c.mu.Unlock()
	if held != was {
		if held {
			p.emit(Event{Kind: EventHeld, Call: c, Remote: true})
		} else {
			p.emit(Event{Kind: EventActive, Call: c, Remote: true})
		}
	}
	return answer, nil
}

func (p *Phone) dtmf(id string, d rune) {
	c := p.lookup(id)
	if c == nil {
		return
	}
	c.mu.Lock()
	c.digits = append(c.digits, d)
	c.mu.Unlock()
	p.emit(Event{Kind: EventDTMF, Call: c, Digit: d})
}

func (p *Phone) ended(sc *sipua.Call, reason error) {
	c := p.lookup(sc.ID())
	if c == nil {
		return
	}
	c.mu.Lock()
	if c.endReason != nil {
		reason = c.endReason
	}
	c.mu.Unlock()
	c.finish(reason)
}

// Call is one call of the phone.
type Call struct {
	phone    *Phone
	dir      sipua.Direction
	sip      *sipua.Call
	id       string
	remote   string
	started  time.Time
	done     chan struct{}
	mute     *muteSource
	sink     rtc.Sink
	heard    *rtc.FrequencySink
	devices  *deviceAudio
	answered time.Time

	mu         sync.Mutex
	media      *rtc.Session
	state      State
	remoteHeld bool
	digits     []rune
	err        error
	// replaces is the call this ringing call would take the place of if answered (an INVITE with
	// Replaces for a call the agent holds).
	replaces *Call
	// renegotiating is true while a hold or resume of ours is under way.
	renegotiating bool
	ringTimer     *time.Timer
	// endReason, when set, is why the call ends, in place of the signalling's reason.
	endReason error
	// moving is closed when the move under way (a target refresh after a reconnection, an ICE
	// restart after a change of address) is done; nil when none is. The agent's changes wait for
	// it, so that the other side's answers to them (the NOTIFY of a transfer) already find the new
	// connection.
	moving chan struct{}
	// moveAgain asks the move under way to run once more when done (a new Contact if moveContact).
	moveAgain, moveContact bool
}

// settle waits until a target refresh under way is done, or ctx ends.
func (c *Call) settle(ctx context.Context) error {
	c.mu.Lock()
	ch := c.moving
	c.mu.Unlock()
	if ch == nil {
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Replaces returns the call this incoming call would take the place of if answered, or nil: an
// INVITE with Replaces (RFC 3891) naming a call the agent holds rings instead of being answered
// at once, and answering it hangs that call up. (One that names an active call is answered at
// once: the end of an attended transfer to this agent.)
func (c *Call) Replaces() *Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.replaces
}

// ID returns the call's SIP Call-ID.
func (c *Call) ID() string { return c.id }

// Direction says who placed the call.
func (c *Call) Direction() sipua.Direction { return c.dir }

// Remote returns the other side's SIP URI.
func (c *Call) Remote() string { return c.remote }

// RemoteName returns the other side's display name, "" when it sent none. Like Remote, it is
// known once the call is published.
func (c *Call) RemoteName() string {
	if c.sip == nil {
		return ""
	}
	return c.sip.RemoteName()
}

// State returns where the call stands.
func (c *Call) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Done is closed when the call has ended.
func (c *Call) Done() <-chan struct{} { return c.done }

// Err returns why the call ended (nil while it lasts).
func (c *Call) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Digits returns the DTMF digits received so far.
func (c *Call) Digits() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.digits)
}

// SwitchDevices moves a call that uses the sound system to the microphone and speaker chosen now
// (Config.Devices, else Capture and Playback), without interrupting it. A device that cannot be
// opened leaves the call on the old ones and gives the audio error. Calls with their own Source
// and Sink (tests, the command line's tone) are left alone.
func (c *Call) SwitchDevices(ctx context.Context) error {
	if c.devices == nil {
		return nil
	}
	capture, playback := c.phone.cfg.Capture, c.phone.cfg.Playback
	if c.phone.cfg.Devices != nil {
		capture, playback = c.phone.cfg.Devices()
	}
	return c.devices.switchTo(ctx, capture, playback)
}

func (c *Call) closeDevices() {
	if c.devices != nil {
		c.devices.close()
	}
}

// Sink returns the call's audio sink: what NewSink made, or with the devices a FrequencySink
// measuring what the speaker gets.
func (c *Call) Sink() rtc.Sink { return c.sink }

// Processing returns the processing in effect on the call's microphone ("aec", "ns", "agc"); empty
// for a call with its own Source (tests, the command line's tone) or with processing off.
func (c *Call) Processing() []string {
	if c.devices == nil {
		return []string{}
	}
	return processing.Names(c.devices.Processing())
}

// Started is when the call was dialled or arrived; Answered when it was established.
func (c *Call) Started() time.Time  { return c.started }
func (c *Call) Answered() time.Time { return c.answered }

// watchMedia waits Config.MediaTimeout after the call was established and, if no audio came from
// the other side by then, says why with EventMedia. It returns when the call ends.
func (c *Call) watchMedia() {
	t := time.NewTimer(c.phone.cfg.MediaTimeout)
	defer t.Stop()
	select {
	case <-c.done:
		return
	case <-t.C:
	}
	if err := c.MediaError(); err != nil && c.State() != StateEnded {
		c.phone.log.Warn("no audio in the call", "call", c.id, "error", err)
		c.phone.emit(Event{Kind: EventMedia, Call: c, Err: err})
	}
}

// MediaError says why no audio has arrived in the call so far (see rtc.Session.MediaError): nil
// once audio came, or before the media exists.
func (c *Call) MediaError() error {
	c.mu.Lock()
	m := c.media
	c.mu.Unlock()
	if m == nil {
		return nil
	}
	return m.MediaError()
}

// Stats returns the media statistics (zero before the media exists).
func (c *Call) Stats() rtc.Stats {
	c.mu.Lock()
	m := c.media
	c.mu.Unlock()
	if m == nil {
		return rtc.Stats{}
	}
	return m.Stats()
}

func (c *Call) move(in input) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	next, err := transition(c.state, in)
	if err != nil {
		return err
	}
	c.state = next
	return nil
}

func (c *Call) finish(reason error) {
	c.mu.Lock()
	if c.state == StateEnded {
		c.mu.Unlock()
		return
	}
	c.state = StateEnded
	c.err = reason
	m := c.media
	if c.ringTimer != nil {
		c.ringTimer.Stop()
	}
	c.mu.Unlock()
	var st rtc.Stats
	if m != nil {
		st = m.Stats()
		m.Close()
	}
	c.logEnd(st, reason)
	c.closeDevices()
	p := c.phone
	p.mu.Lock()
	delete(p.calls, c.id)
	p.mu.Unlock()
	close(c.done)
	p.emit(Event{Kind: EventEnded, Call: c, Err: reason})
}

// Answer accepts an incoming call. An offer with no codec in common is refused with 488 and
// ErrNoCommonCodec returned.
func (c *Call) Answer(ctx context.Context) error {
	if c.dir != sipua.DirectionIncoming || c.State() != StateRinging {
		return ErrCallState
	}
	opts, err := c.phone.mediaOptions(ctx, c, c.sip.RemoteSDP())
	if err != nil {
		_ = c.sip.Reject(ctx, 480)
		return err
	}
	media, err := rtc.NewSession(opts)
	if err != nil {
		c.closeDevices()
		return err
	}
	c.mu.Lock()
	c.media = media
	c.mu.Unlock()
	answer, err := media.Answer(ctx, c.sip.RemoteSDP())
	if err != nil {
		code := 488
		if !errors.Is(err, rtc.ErrNoCommonCodec) && !errors.Is(err, rtc.ErrBadSDP) && !errors.Is(err, rtc.ErrNoAudio) {
			code = 500
		}
		_ = c.sip.Reject(ctx, code)
		if errors.Is(err, rtc.ErrNoCommonCodec) {
			return fmt.Errorf("%w: %w", ErrNoCommonCodec, err)
		}
		return err
	}
	if err := c.sip.Answer(ctx, answer); err != nil {
		return err
	}
	c.answered = time.Now()
	if err := c.move(inputAnswered); err != nil {
		return err
	}
	c.mu.Lock()
	if c.ringTimer != nil {
		c.ringTimer.Stop()
	}
	old := c.replaces
	c.mu.Unlock()
	c.phone.emit(Event{Kind: EventActive, Call: c})
	go c.watchMedia()
	if old != nil {
		// The agent chose to take the call that replaces old (RFC 3891): old ends.
		c.phone.log.Info("call replaced", "call", c.id, "replaces", old.id)
		if err := old.Hangup(ctx); err != nil && !errors.Is(err, ErrCallState) {
			c.phone.log.Debug("hanging up the replaced call", "call", old.id, "error", err)
		}
	}
	return nil
}

// Reject refuses an incoming call: 486 (busy) or 603 (decline); other codes become 603.
func (c *Call) Reject(ctx context.Context, code int) error {
	if c.dir != sipua.DirectionIncoming || c.State() != StateRinging {
		return ErrCallState
	}
	if code != 486 {
		code = 603
	}
	return c.sip.Reject(ctx, code)
}

// Hangup ends the call (BYE, or 603 for an incoming call still ringing).
func (c *Call) Hangup(ctx context.Context) error {
	if c.State() == StateEnded {
		return ErrCallState
	}
	err := c.sip.Hangup(ctx)
	if errors.Is(err, sipua.ErrCallState) {
		return ErrCallState
	}
	return err
}

// Hold puts the call on hold (re-INVITE a=sendonly: we keep sending, e.g. music on hold; inactive
// when inactive is true). It changes the call only once the other side accepts: when it refuses,
// does not answer in time or ctx ends first, the call and its audio stay exactly as they were and
// the error wraps ErrChangeRefused. A 491 (the other side changing the call at the same moment) is
// retried once after the wait RFC 3261 section 14.1 gives (see sipua.Call.Renegotiate).
func (c *Call) Hold(ctx context.Context, inactive bool) error {
	dir := rtc.SendOnly
	if inactive {
		dir = rtc.Inactive
	}
	return c.redirect(ctx, StateActive, dir, inputHold, EventHeld)
}

// Resume takes the call off hold (re-INVITE a=sendrecv), as transactionally as Hold.
func (c *Call) Resume(ctx context.Context) error {
	return c.redirect(ctx, StateHeld, rtc.SendRecv, inputResume, EventActive)
}

func (c *Call) redirect(ctx context.Context, from State, dir string, in input, kind EventKind) error {
	if err := c.settle(ctx); err != nil {
		return err
	}
	c.mu.Lock()
	if c.state != from || c.renegotiating || c.media == nil {
		c.mu.Unlock()
		return ErrCallState
	}
	c.renegotiating = true
	m := c.media
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.renegotiating = false
		c.mu.Unlock()
	}()
	answer, err := c.sip.Renegotiate(ctx, func() ([]byte, error) { return m.Hold(dir) }, m.CancelHold)
	if errors.Is(err, sipua.ErrCallState) {
		return ErrCallState
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrChangeRefused, err)
	}
	if err := m.ApplyAnswerDirection(answer); err != nil {
		m.CancelHold()
		return fmt.Errorf("%w: %w", ErrChangeRefused, err)
	}
	if err := c.move(in); err != nil {
		return err
	}
	// On hold the call may keep sending (sendonly), but never the agent's microphone: silence.
	if c.mute != nil {
		c.mute.setHeld(in == inputHold)
	}
	c.phone.emit(Event{Kind: kind, Call: c})
	return nil
}

// refreshAttempts and refreshPause bound the target refreshes of a call after a reconnection: the
// other side's connection may be down too, so a refused or unanswered one is tried again.
const refreshAttempts = 4

var refreshPause = time.Second

// refreshTarget moves the call after the network changed, with a re-INVITE in its dialog:
//   - after a reconnection (contact true), a target refresh: our new Contact, so that the other
//     side's requests (hold, transfer, hang-up) reach this phone again;
//   - when the local address under the call's media went (rtc.Session.PathGone), an ICE restart:
//     new ICE credentials and the candidates of the addresses there are now, so that the audio
//     flows again. One re-INVITE does both when both are due.
//
// A hold or resume under way is waited for; a failure is tried again, up to refreshAttempts times,
// 1, 2, 4 s apart. A refresh asked for while one runs is done after it. EventMoved says how it
// went; a restart that failed says why (ErrMediaNotMoved) and leaves the call as it was: its
// state, its hold, the session description the other side has; only the audio, whose path had
// gone already, does not come back.
func (c *Call) refreshTarget(contact bool) {
	c.mu.Lock()
	if c.moving != nil {
		// One is under way: it runs once more when done.
		c.moveAgain = true
		c.moveContact = c.moveContact || contact
		c.mu.Unlock()
		return
	}
	moving := make(chan struct{})
	c.moving = moving
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.moving = nil
		c.mu.Unlock()
		close(moving)
	}()
	for {
		c.refreshAttempts(contact)
		c.mu.Lock()
		again := c.moveAgain && c.state != StateEnded
		contact = c.moveContact
		c.moveAgain, c.moveContact = false, false
		c.mu.Unlock()
		if !again {
			return
		}
	}
}

func (c *Call) refreshAttempts(contact bool) {
	pause := refreshPause
	for attempt := 1; ; attempt++ {
		restarted, err := c.refreshOnce(contact)
		switch {
		case errors.Is(err, errNothingToMove):
			return
		case err == nil:
			c.phone.log.Info("call moved", "call", c.id, "attempt", attempt, "ice_restart", restarted, "new_contact", contact)
			c.phone.emit(Event{Kind: EventMoved, Call: c})
			return
		case errors.Is(err, ErrCallState) || errors.Is(err, sipua.ErrCallState) || c.State() == StateEnded:
			return
		case attempt >= refreshAttempts:
			if restarted {
				err = fmt.Errorf("%w: %w", ErrMediaNotMoved, err)
			}
			c.phone.log.Warn("the call could not be moved: the other side may not reach this phone, or the audio may not flow", "call", c.id, "ice_restart", restarted, "error", err)
			c.phone.emit(Event{Kind: EventMoved, Call: c, Err: err})
			return
		}
		c.phone.log.Debug("moving the call failed, trying again", "call", c.id, "ice_restart", restarted, "error", err, "after", pause)
		t := time.NewTimer(pause)
		select {
		case <-c.done:
			t.Stop()
			return
		case <-t.C:
		}
		pause *= 2
	}
}

// errNothingToMove: the network changed, and neither the call's Contact nor its media path did.
var errNothingToMove = errors.New("phone: nothing to move")

// refreshOnce sends one re-INVITE that moves the call (see refreshTarget) and reports whether it
// restarted ICE.
func (c *Call) refreshOnce(contact bool) (restarted bool, err error) {
	for {
		c.mu.Lock()
		if c.state != StateActive && c.state != StateHeld || c.media == nil {
			c.mu.Unlock()
			return false, ErrCallState
		}
		if !c.renegotiating {
			break
		}
		c.mu.Unlock()
		select {
		case <-c.done:
			return false, ErrCallState
		case <-time.After(50 * time.Millisecond):
		}
	}
	m := c.media
	restart := m.PathGone(localAddressPresent)
	if !restart && !contact {
		c.mu.Unlock()
		return false, errNothingToMove
	}
	c.renegotiating = true
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.renegotiating = false
		c.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	offer, apply := m.RefreshOffer, m.ApplyAnswerDirection
	if restart {
		c.phone.log.Info("the call's local address went: restarting ICE", "call", c.id)
		offer = func() ([]byte, error) { return m.RestartOffer(ctx) }
		apply = m.ApplyRestartAnswer
	}
	answer, err := c.sip.Renegotiate(ctx, offer, m.CancelHold)
	if err != nil {
		return restart, err
	}
	if err := apply(answer); err != nil {
		m.CancelHold()
		return restart, err
	}
	return restart, nil
}

// Mute stops (true) or restarts (false) sending our audio; the call stays up and the other side
// hears silence.
func (c *Call) Mute(on bool) {
	if c.mute != nil {
		c.mute.set(on)
	}
}

// SendDTMF sends digits one after the other, each 160 ms, the way the phone is configured.
func (c *Call) SendDTMF(ctx context.Context, digits string) error {
	for _, d := range digits {
		var err error
		if c.phone.cfg.DTMF == DTMFInfo {
			err = c.sip.SendDTMF(ctx, d, 160*time.Millisecond)
		} else {
			err = c.media.SendDTMF(ctx, d, 160*time.Millisecond)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// SendDTMFInfo sends digits as SIP INFO whatever the configured mode (for far ends that ignore
// telephone events).
func (c *Call) SendDTMFInfo(ctx context.Context, digits string) error {
	for _, d := range digits {
		if err := c.sip.SendDTMF(ctx, d, 160*time.Millisecond); err != nil {
			return err
		}
	}
	return nil
}

// Transfer hands the call to target (blind transfer); hang up afterwards.
func (c *Call) Transfer(ctx context.Context, target string) error {
	if err := c.settle(ctx); err != nil {
		return err
	}
	return c.sip.Transfer(ctx, target)
}

// replacedGrace is how long TransferTo leaves the transfer target to end the consultation call
// itself (it does, with BYE, once the transferee's call replaced it) before hanging it up.
const replacedGrace = 3 * time.Second

// TransferTo completes an attended transfer: the other side of c (usually a caller on hold) is
// connected with the other side of consult (the consultation call), and we leave both calls. It
// returns once the transferee reported success and both calls have ended; on failure both calls
// are kept as they were, so the agent can resume the caller, and the error says why (a
// *sipua.TransferError, sipua.ErrTransferNoReport, sipua.ErrTransferAbandoned). See
// sipua.Call.TransferTo.
func (c *Call) TransferTo(ctx context.Context, consult *Call) error {
	if consult == nil || consult == c || consult.phone != c.phone {
		return ErrCallState
	}
	for _, x := range []*Call{c, consult} {
		if st := x.State(); st != StateActive && st != StateHeld {
			return ErrCallState
		}
	}
	for _, x := range []*Call{c, consult} {
		if err := x.settle(ctx); err != nil {
			return err
		}
	}
	err := c.sip.TransferTo(ctx, consult.sip)
	if errors.Is(err, sipua.ErrCallState) {
		return ErrCallState
	}
	if err != nil {
		return err
	}
	c.phone.log.Info("attended transfer completed", "call", c.id, "consultation", consult.id)
	// Success: we leave the transferee's call (RFC 5589 section 7), and the target ends the
	// consultation call as it replaces it; if it does not, we end it.
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := c.Hangup(hctx); err != nil && !errors.Is(err, ErrCallState) {
		c.phone.log.Debug("leaving the transferred call", "call", c.id, "error", err)
	}
	select {
	case <-consult.Done():
	case <-time.After(replacedGrace):
		if err := consult.Hangup(hctx); err != nil && !errors.Is(err, ErrCallState) {
			c.phone.log.Debug("ending the consultation call", "call", consult.id, "error", err)
		}
	}
	return nil
}

// muteSource sends silence while muted, and while we hold the call.
type muteSource struct {
	mu    sync.Mutex
	src   rtc.Source
	muted bool
	held  bool
}

func (m *muteSource) set(on bool) {
	m.mu.Lock()
	m.muted = on
	m.mu.Unlock()
}

func (m *muteSource) setHeld(on bool) {
	m.mu.Lock()
	m.held = on
	m.mu.Unlock()
}

func (m *muteSource) Fill(pcm []int16, rate int) {
	m.mu.Lock()
	muted := m.muted || m.held
	m.mu.Unlock()
	m.src.Fill(pcm, rate) // taken even while muted, so that the microphone's queue stays short
	if muted {
		clear(pcm)
	}
}

// Ready forwards the source's send clock (rtc.ClockedSource); nil when it has none.
func (m *muteSource) Ready() <-chan struct{} {
	if c, ok := m.src.(rtc.ClockedSource); ok {
		return c.Ready()
	}
	return nil
}
