package desk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/phonebar/phonebar/internal/history"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/quality"
	"github.com/phonebar/phonebar/internal/sipua"
)

// Options configures a Desk. Zero values are documented per field.
type Options struct {
	// Account is the SIP account shown in the View.
	Account string
	// Settings is read at each incoming call; nil means no auto-answer.
	Settings func() Settings
	// Ringer plays the ringtone while a call rings; nil rings silently.
	Ringer Ringer
	// History receives every ended call; nil keeps none.
	History History
	// Clock is the time; nil is the real clock.
	Clock Clock
	// OnUpdate receives every change, in order, on one goroutine, never under a lock of this
	// package; nil drops them.
	OnUpdate func(Update)
	// Logger receives logs; nil discards them.
	Logger logrus.FieldLogger
	// QualityEvery is how often the calls' quality is read for the view; zero means every second
	// (as the media rates it).
	QualityEvery time.Duration
}

// View is the desk as the agent sees it.
type View struct {
	Account string
	// Registration is the phone's registration state; RegistrationErr its last error.
	Registration    sipua.State
	RegistrationErr error
	// Calls are the calls in progress, in the order they began (a dialled call keeps its place
	// and its ID from the first ring to the end).
	Calls []CallView
}

// CallView is one call of the desk.
type CallView struct {
	// ID names the call on the desk for its whole life: the phone's ID for a call received, "dial-N"
	// for a call placed here (the same while it rings and once answered).
	ID         string
	Direction  Direction
	Remote     string
	RemoteName string
	// State is phone.StateDialing for a call whose INVITE has not been answered yet.
	State        phone.State
	Answered     time.Time
	Muted        bool
	HeldByRemote bool
	// Quality is the call's quality as last read: the indicator's level and the warnings in force.
	Quality quality.Report
	// Err says why an ended call ended (nil for a normal hang-up).
	Err error
	// ConsultFor is the ID of the call this one consults about: the agent placed it while holding
	// that one call (the customer) and no other; "" otherwise. Call waiting never makes one, so the
	// desk never offers to connect two customers. Cleared when the customer's call ends.
	ConsultFor string
	// HeldSince is when the call went on hold (by the agent or the other side); zero when it is not
	// held.
	HeldSince time.Time
	// MediaErr says why no audio has come from the other side of an established call (phone
	// EventMedia, see rtc.Session.MediaError); nil once audio is rated, and before the check.
	MediaErr error
	// Moved: after a reconnection the call's signalling moved to the new connection. MoveErr: it
	// could not be moved (the other side may not reach this phone until the call ends).
	Moved   bool
	MoveErr error
}

// Update is one change of the desk, delivered to Options.OnUpdate.
type Update struct {
	// View is the whole desk after the change.
	View View
	// Incoming is set when a call starts ringing (for a desktop notification).
	Incoming *CallView
	// HistoryChanged says an ended call was written to the history.
	HistoryChanged bool
}

// Timeouts of the desk's actions: one SIP transaction, a whole attended transfer (the REFER, the
// transferee's call to the target and its report), and dialling until the answer.
const (
	actionTimeout   = 15 * time.Second
	transferTimeout = 40 * time.Second
	dialTimeout     = 2 * time.Minute
)

// Desk holds the agent's calls. Make one with Open (or New in tests); Close stops it.
type Desk struct {
	opts    Options
	clock   Clock
	log     logrus.FieldLogger
	phone   Phone
	life    context.Context // cancelled by Close: every goroutine of the desk ends with it
	stop    context.CancelFunc
	workers sync.WaitGroup
	runErr  error // the phone's Run error, set before workers is done
	closing sync.Once

	mu      sync.Mutex
	seq     int
	reg     sipua.State
	regErr  error
	calls   map[string]*record // by the desk's ID (CallView.ID)
	alias   map[string]string  // the phone's ID of a call placed here -> its desk ID ("dial-N")
	ended   map[string]bool    // desk IDs of calls already written to the history
	ringing context.CancelFunc
	queue   []Update
	closed  bool
	// stopping is set by Close before it waits for the workers: no worker starts after it.
	stopping bool
	wake     chan struct{}
	drained  chan struct{}
}

// record is one call of the desk.
type record struct {
	call Call // nil while dialling
	seq  int
	view CallView
	// cancelDial stops a call still being dialled.
	cancelDial context.CancelFunc
	// rejected: the agent refused it; transferred: handed to someone else (marked before the
	// transfer starts, since the call may end before it returns).
	rejected, transferred bool
}

// New makes a desk over ph and starts it: ph runs until Close.
func New(ph Phone, opts Options) *Desk {
	d := newDesk(opts)
	d.start(ph)
	return d
}

// Open makes the softphone from cfg (its OnEvent is the desk's) and a desk over it, and starts both.
func Open(cfg phone.Config, opts Options) (*Desk, error) {
	d := newDesk(opts)
	cfg.OnEvent = func(ev phone.Event) { d.Handle(fromPhoneEvent(ev)) }
	ph, err := phone.New(cfg)
	if err != nil {
		d.Close()
		return nil, err
	}
	d.start(realPhone{ph})
	return d, nil
}

func newDesk(opts Options) *Desk {
	d := &Desk{opts: opts, clock: opts.Clock, log: opts.Logger, calls: map[string]*record{}, alias: map[string]string{}, ended: map[string]bool{},
		wake: make(chan struct{}, 1), drained: make(chan struct{})}
	if d.clock == nil {
		d.clock = realClock{}
	}
	if d.log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		d.log = l
	}
	d.life, d.stop = context.WithCancel(context.Background())
	go d.deliver()
	return d
}

func (d *Desk) start(ph Phone) {
	d.phone = ph
	d.workers.Add(2)
	go func() { defer d.workers.Done(); d.followQuality() }()
	go func() {
		defer d.workers.Done()
		if err := ph.Run(d.life); err != nil && !errors.Is(err, context.Canceled) {
			d.runErr = err
		}
	}()
}

// Close ends the calls, stops the phone, the ringtone and the auto-answer waits, delivers the last
// updates and waits for all of it. It returns the phone's error, if it stopped on one. Closing
// again returns the same.
func (d *Desk) Close() error {
	d.closing.Do(func() {
		d.mu.Lock()
		d.stopping = true
		d.mu.Unlock()
		d.stop()
		d.workers.Wait()
		d.mu.Lock()
		d.closed = true
		d.mu.Unlock()
		d.signal()
		<-d.drained
	})
	return d.runErr
}

// View returns the desk now.
func (d *Desk) View() View {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.viewLocked()
}

func (d *Desk) viewLocked() View {
	v := View{Account: d.opts.Account, Registration: d.reg, RegistrationErr: d.regErr, Calls: make([]CallView, 0, len(d.calls))}
	recs := make([]*record, 0, len(d.calls))
	for _, r := range d.calls {
		recs = append(recs, r)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].seq < recs[j].seq })
	for _, r := range recs {
		v.Calls = append(v.Calls, r.view)
	}
	return v
}

// publishLocked queues the desk's view for OnUpdate; d.mu is held, so updates keep the order of
// the changes.
func (d *Desk) publishLocked(u Update) {
	if d.closed {
		return
	}
	u.View = d.viewLocked()
	d.queue = append(d.queue, u)
	d.signal()
}

func (d *Desk) signal() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// deliver hands the queued updates to OnUpdate, in order, off the lock, until Close.
func (d *Desk) deliver() {
	defer close(d.drained)
	for range d.wake {
		d.mu.Lock()
		q, closed := d.queue, d.closed
		d.queue = nil
		d.mu.Unlock()
		for _, u := range q {
			if d.opts.OnUpdate != nil {
				d.opts.OnUpdate(u)
			}
		}
		if closed {
			return
		}
	}
}

// Handle takes one event of the phone: it follows the registration and the calls, rings for
// incoming calls, answers them automatically when the agent chose so, and writes ended calls to
// the history. Open wires it to the phone; tests call it directly.
func (d *Desk) Handle(ev Event) {
	switch ev.Kind {
	case phone.EventRegistration:
		d.mu.Lock()
		d.reg, d.regErr = ev.Registration, ev.Err
		d.publishLocked(Update{})
		d.mu.Unlock()
		entry := d.log.WithField("state", ev.Registration.String())
		if ev.Err != nil {
			entry = entry.WithField("error", ev.Err.Error())
		}
		entry.Info("phone registration")
	case phone.EventIncoming:
		d.log.WithField("from", ev.Call.Remote()).Info("incoming call")
		d.mu.Lock()
		busy := len(d.calls) > 0
		v, entry := d.trackLocked(ev.Call)
		d.ringLocked()
		d.publishLocked(Update{Incoming: &v})
		d.mu.Unlock()
		d.remember(entry)
		if !busy {
			d.autoAnswer(ev.Call)
		}
	case phone.EventActive, phone.EventHeld, phone.EventEnded, phone.EventDTMF, phone.EventMedia, phone.EventMoved:
		d.mu.Lock()
		if d.dialledLocked(ev.Call) {
			// The answer of a call being dialled here (the phone says so before Dial returns):
			// finishDial gives it its record, so that it is one call, in one place, throughout.
			d.mu.Unlock()
			return
		}
		if r := d.calls[d.idLocked(ev.Call)]; r != nil {
			switch ev.Kind {
			case phone.EventHeld, phone.EventActive:
				if ev.Remote {
					r.view.HeldByRemote = ev.Kind == phone.EventHeld
				}
			case phone.EventMedia:
				r.view.MediaErr = ev.Err
			case phone.EventMoved:
				r.view.Moved, r.view.MoveErr = ev.Err == nil, ev.Err
			}
		}
		v, entry := d.trackLocked(ev.Call)
		d.ringLocked()
		d.publishLocked(Update{})
		d.mu.Unlock()
		d.remember(entry)
		d.log.WithField("call", v.State.String()).WithField("remote", v.Remote).Info("call")
	}
}

// idLocked is the desk's ID of a call of the phone.
func (d *Desk) idLocked(call Call) string {
	if id, ok := d.alias[call.ID()]; ok {
		return id
	}
	return call.ID()
}

// dialledLocked says call is one the desk is dialling and has not tracked yet: a call placed here
// that the phone reports before Dial returned it.
func (d *Desk) dialledLocked(call Call) bool {
	if call.Direction() != DirectionOut {
		return false
	}
	id := d.idLocked(call)
	if d.calls[id] != nil || d.ended[id] {
		return false
	}
	for _, r := range d.calls {
		if r.call == nil {
			return true
		}
	}
	return false
}

// trackLocked records a call's current state and returns its view; an ended call leaves the desk
// and, the first time, gives its history entry.
func (d *Desk) trackLocked(call Call) (CallView, *history.Entry) {
	id := d.idLocked(call)
	r := d.calls[id]
	if r == nil {
		if d.ended[id] {
			return d.callView(id, call, CallView{}), nil
		}
		d.seq++
		r = &record{call: call, seq: d.seq}
		d.calls[id] = r
	}
	r.view = d.callView(id, call, r.view)
	if r.view.State != phone.StateEnded {
		return r.view, nil
	}
	delete(d.calls, id)
	d.ended[id] = true
	// A consultation about this call is an ordinary call from now on.
	for _, o := range d.calls {
		if o.view.ConsultFor == id {
			o.view.ConsultFor = ""
		}
	}
	e := d.entry(call, r)
	return r.view, &e
}

func (d *Desk) callView(id string, call Call, prev CallView) CallView {
	v := CallView{ID: id, Direction: call.Direction(), Remote: call.Remote(), RemoteName: call.RemoteName(),
		State: call.State(), Answered: call.Answered(), Muted: prev.Muted, HeldByRemote: prev.HeldByRemote, Quality: prev.Quality,
		ConsultFor: prev.ConsultFor, MediaErr: prev.MediaErr, Moved: prev.Moved, MoveErr: prev.MoveErr}
	switch {
	case v.State != phone.StateHeld:
	case prev.State == phone.StateHeld && !prev.HeldSince.IsZero():
		v.HeldSince = prev.HeldSince
	default:
		v.HeldSince = d.clock.Now()
	}
	if v.State == phone.StateEnded {
		if err := call.Err(); err != nil && !errors.Is(err, sipua.ErrCallEnded) {
			v.Err = err
		}
	}
	return v
}

// entry describes an ended call for the history.
func (d *Desk) entry(call Call, r *record) history.Entry {
	e := history.Entry{Remote: call.Remote(), Name: call.RemoteName(), Direction: call.Direction().String(), Started: call.Started()}
	var o Outcome
	switch a := call.Answered(); {
	case !a.IsZero():
		o = OutcomeAnswered
		if r.transferred {
			o = OutcomeTransferred
		}
		e.Seconds = int(d.clock.Now().Sub(a).Round(time.Second).Seconds())
		if q := call.Quality().Summary; q.Seconds > 0 {
			e.Quality = &q
		}
	case r.rejected:
		o = OutcomeRejected
	case call.Direction() == DirectionIn:
		o = OutcomeMissed
	default:
		o = OutcomeFailed
	}
	e.Outcome = o.String()
	return e
}

// remember writes an ended call to the history and says so.
func (d *Desk) remember(e *history.Entry) {
	if e == nil || d.opts.History == nil {
		return
	}
	if err := d.opts.History.Add(*e); err != nil {
		d.log.WithError(err).Warn("the call history cannot be written")
		return
	}
	d.mu.Lock()
	d.publishLocked(Update{HistoryChanged: true})
	d.mu.Unlock()
}

// ringLocked keeps the ringtone playing while a call rings, and stops it when none does.
func (d *Desk) ringLocked() {
	ringing := false
	for _, r := range d.calls {
		if r.view.State == phone.StateRinging {
			ringing = true
		}
	}
	switch {
	case !ringing && d.ringing != nil:
		d.ringing()
		d.ringing = nil
	case ringing && d.ringing == nil && d.opts.Ringer != nil && !d.stopping:
		ctx, cancel := context.WithCancel(d.life)
		d.ringing = cancel
		d.workers.Add(1)
		go func() {
			defer d.workers.Done()
			for ctx.Err() == nil {
				if err := d.opts.Ringer.Ring(ctx); err != nil && ctx.Err() == nil {
					d.log.WithError(err).Warn("the ringtone cannot play")
					return
				}
			}
		}()
	}
}

// autoAnswer answers call by itself after the configured delay, when the agent chose auto-answer
// (the caller checked that no other call is up); the call rings meanwhile, so the agent hears it.
func (d *Desk) autoAnswer(call Call) {
	if d.opts.Settings == nil {
		return
	}
	st := d.opts.Settings()
	if !st.AutoAnswer {
		return
	}
	d.mu.Lock()
	if d.stopping {
		d.mu.Unlock()
		return
	}
	d.workers.Add(1)
	d.mu.Unlock()
	after := d.clock.After(st.AutoAnswerDelay)
	go func() {
		defer d.workers.Done()
		select {
		case <-after:
		case <-call.Done():
			return
		case <-d.life.Done():
			return
		}
		if call.State() != phone.StateRinging {
			return
		}
		if err := d.Answer(d.life, call.ID()); err != nil {
			d.log.WithError(err).Warn("auto-answer failed")
			return
		}
		d.log.WithField("delay_s", st.AutoAnswerDelay.Seconds()).Info("auto-answered")
	}()
}

// Dial calls a number or SIP address and returns once the call is answered or refused. While it
// rings the desk shows it as dialling; Hangup on that ID cancels it. A cancelled call returns an
// error that wraps context.Canceled.
func (d *Desk) Dial(ctx context.Context, target string) (CallView, error) {
	ctx, cancel := d.bound(ctx, dialTimeout)
	defer cancel()
	id, err := d.beginDial(target, cancel, false)
	if err != nil {
		return CallView{}, err
	}
	return d.finishDial(ctx, id, target)
}

// DialAsync is Dial without waiting: it returns the ID the call has while it is dialled (the
// call takes the phone's ID once answered) and a channel that receives Dial's result. The dial
// lasts until the answer, a refusal, Hangup on that ID, or Close, whatever ctx does after.
func (d *Desk) DialAsync(target string) (string, <-chan error, error) {
	ctx, cancel := d.bound(context.Background(), dialTimeout)
	id, err := d.beginDial(target, cancel, true)
	if err != nil {
		cancel()
		return "", nil, err
	}
	done := make(chan error, 1)
	go func() {
		defer d.workers.Done()
		defer cancel()
		_, err := d.finishDial(ctx, id, target)
		done <- err
	}()
	return id, done, nil
}

// beginDial shows a call being dialled and returns its ID; with worker it counts a worker that
// Close waits for (before Close can start waiting).
func (d *Desk) beginDial(target string, cancel context.CancelFunc, worker bool) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopping {
		return "", ErrClosed
	}
	if worker {
		d.workers.Add(1)
	}
	d.seq++
	id := fmt.Sprintf("dial-%d", d.seq)
	d.calls[id] = &record{seq: d.seq, cancelDial: cancel,
		view: CallView{ID: id, Direction: DirectionOut, Remote: target, State: phone.StateDialing, ConsultFor: d.consultedLocked()}}
	d.publishLocked(Update{})
	return id, nil
}

// consultedLocked is the call a call placed now consults about: the one call the agent holds, when
// no other call is up; "" otherwise.
func (d *Desk) consultedLocked() string {
	customer := ""
	for id, r := range d.calls {
		if r.view.State != phone.StateHeld || r.view.HeldByRemote || customer != "" {
			return ""
		}
		customer = id
	}
	return customer
}

// finishDial places the call shown as id and tracks it once answered.
func (d *Desk) finishDial(ctx context.Context, id, target string) (CallView, error) {
	started := d.clock.Now()
	call, err := d.phone.Dial(ctx, target)

	d.mu.Lock()
	r := d.calls[id]
	if err != nil || r == nil {
		delete(d.calls, id)
		if err == nil { // not expected: the record went meanwhile; the call gets one of its own
			v, entry := d.trackLocked(call)
			d.publishLocked(Update{})
			d.mu.Unlock()
			d.remember(entry)
			return v, nil
		}
		d.publishLocked(Update{})
		d.mu.Unlock()
		o := OutcomeFailed
		if errors.Is(err, context.Canceled) {
			o = OutcomeCancelled
		}
		d.remember(&history.Entry{Remote: target, Direction: DirectionOut.String(), Started: started, Outcome: o.String()})
		return CallView{}, err
	}
	// The call keeps the record, the place and the ID it had while dialled.
	r.call, r.cancelDial = call, nil
	d.alias[call.ID()] = id
	v, entry := d.trackLocked(call)
	d.publishLocked(Update{})
	d.mu.Unlock()
	d.remember(entry)
	return v, nil
}

// bound gives an action its own time limit and ends it when the desk closes.
func (d *Desk) bound(ctx context.Context, limit time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	stop := context.AfterFunc(d.life, cancel)
	return ctx, func() { stop(); cancel() }
}
