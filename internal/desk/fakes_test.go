package desk

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/history"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/quality"
	"github.com/phonebar/phonebar/internal/sipua"
)

// fakePhone is a hand-written Phone: calls arrive when the test says so, and every change of a
// call is reported to the desk the way phone.Phone reports it.
type fakePhone struct {
	clock *fakeClock
	desk  *Desk // set right after New, before any event

	mu      sync.Mutex
	n       int
	calls   []*fakeCall
	dialErr error
	// dialBlock makes Dial wait for its context, like an INVITE nobody answers.
	dialBlock bool
	dialing   chan struct{}
	// dialGate, when set, holds an answer back until it is closed (the far end rings meanwhile).
	dialGate chan struct{}
}

func (p *fakePhone) Run(ctx context.Context) error {
	<-ctx.Done()
	p.mu.Lock()
	calls := append([]*fakeCall(nil), p.calls...)
	p.mu.Unlock()
	for _, c := range calls {
		c.end(errors.New("phone stopped"))
	}
	return ctx.Err()
}

func (p *fakePhone) newCall(dir Direction, remote string) *fakeCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	c := &fakeCall{phone: p, id: fmt.Sprintf("call-%d", p.n), dir: dir, remote: remote, started: p.clock.Now(), done: make(chan struct{})}
	p.calls = append(p.calls, c)
	return c
}

// incoming makes a call ring, as the phone's EventIncoming does.
func (p *fakePhone) incoming(remote string) *fakeCall {
	c := p.newCall(DirectionIn, remote)
	c.state = phone.StateRinging
	p.desk.Handle(Event{Kind: phone.EventIncoming, Call: c})
	return c
}

func (p *fakePhone) Dial(ctx context.Context, target string) (Call, error) {
	p.mu.Lock()
	err, block, dialing, gate := p.dialErr, p.dialBlock, p.dialing, p.dialGate
	p.mu.Unlock()
	if dialing != nil {
		close(dialing)
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	c := p.newCall(DirectionOut, target)
	c.mu.Lock()
	c.state, c.answered = phone.StateActive, p.clock.Now()
	c.mu.Unlock()
	p.desk.Handle(Event{Kind: phone.EventActive, Call: c})
	return c, nil
}

// fakeCall is a hand-written Call.
type fakeCall struct {
	phone   *fakePhone
	id      string
	dir     Direction
	remote  string
	name    string
	started time.Time
	done    chan struct{}

	mu          sync.Mutex
	state       phone.State
	answered    time.Time
	err         error
	muted       bool
	answerErr   error
	transferErr error
	holds       int
	transferTo  Call
	quality     quality.Report
}

func (c *fakeCall) ID() string            { return c.id }
func (c *fakeCall) Direction() Direction  { return c.dir }
func (c *fakeCall) Remote() string        { return c.remote }
func (c *fakeCall) RemoteName() string    { return c.name }
func (c *fakeCall) Done() <-chan struct{} { return c.done }
func (c *fakeCall) Started() time.Time    { return c.started }

func (c *fakeCall) State() phone.State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

func (c *fakeCall) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *fakeCall) Answered() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.answered
}

func (c *fakeCall) move(from, to phone.State, kind phone.EventKind) error {
	c.mu.Lock()
	if c.state != from {
		c.mu.Unlock()
		return phone.ErrCallState
	}
	c.state = to
	c.mu.Unlock()
	c.phone.desk.Handle(Event{Kind: kind, Call: c})
	return nil
}

// end ends the call (once) and reports it.
func (c *fakeCall) end(reason error) {
	c.mu.Lock()
	if c.state == phone.StateEnded {
		c.mu.Unlock()
		return
	}
	c.state, c.err = phone.StateEnded, reason
	close(c.done)
	c.mu.Unlock()
	c.phone.desk.Handle(Event{Kind: phone.EventEnded, Call: c, Err: reason})
}

func (c *fakeCall) Answer(context.Context) error {
	c.mu.Lock()
	if c.answerErr != nil {
		c.mu.Unlock()
		return c.answerErr
	}
	if c.state == phone.StateRinging {
		c.answered = c.phone.clock.Now()
	}
	c.mu.Unlock()
	return c.move(phone.StateRinging, phone.StateActive, phone.EventActive)
}

func (c *fakeCall) Reject(context.Context, int) error {
	if c.State() != phone.StateRinging {
		return phone.ErrCallState
	}
	c.end(&sipua.StatusError{Method: "INVITE", Code: 486, Reason: "Busy Here"})
	return nil
}

func (c *fakeCall) Hangup(context.Context) error {
	if c.State() == phone.StateEnded {
		return phone.ErrCallState
	}
	c.end(sipua.ErrCallEnded)
	return nil
}

func (c *fakeCall) Hold(context.Context) error {
	c.mu.Lock()
	c.holds++
	c.mu.Unlock()
	return c.move(phone.StateActive, phone.StateHeld, phone.EventHeld)
}

func (c *fakeCall) Resume(context.Context) error {
	return c.move(phone.StateHeld, phone.StateActive, phone.EventActive)
}

func (c *fakeCall) Mute(on bool) {
	c.mu.Lock()
	c.muted = on
	c.mu.Unlock()
}

func (c *fakeCall) SendDTMF(context.Context, string) error { return nil }

func (c *fakeCall) Transfer(context.Context, string) error {
	c.mu.Lock()
	err := c.transferErr
	c.mu.Unlock()
	if err != nil {
		return err
	}
	c.end(sipua.ErrCallEnded) // the transferee leaves once it took the REFER
	return nil
}

func (c *fakeCall) TransferTo(_ context.Context, consult Call) error {
	c.mu.Lock()
	err := c.transferErr
	c.transferTo = consult
	c.mu.Unlock()
	if err != nil {
		return err
	}
	for _, x := range []Call{c, consult} {
		if st := x.State(); st != phone.StateActive && st != phone.StateHeld {
			return phone.ErrCallState
		}
	}
	c.end(sipua.ErrCallEnded)
	consult.(*fakeCall).end(sipua.ErrCallEnded)
	return nil
}

func (c *fakeCall) SwitchDevices(context.Context) error { return nil }

func (c *fakeCall) Quality() quality.Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.quality
}

func (c *fakeCall) setQuality(q quality.Report) {
	c.mu.Lock()
	c.quality = q
	c.mu.Unlock()
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
	added   chan struct{}
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), added: make(chan struct{}, 16)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.waiters = append(c.waiters, waiter{at: c.now.Add(d), ch: ch})
	c.added <- struct{}{}
	return ch
}

// Advance moves the clock and fires the timers due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(c.now) {
			w.ch <- c.now
		} else {
			kept = append(kept, w)
		}
	}
	c.waiters = kept
}

// fakeRinger rings until told to stop, and counts the rings.
type fakeRinger struct {
	mu      sync.Mutex
	rings   int
	playing bool
	changed chan bool
}

func (r *fakeRinger) Ring(ctx context.Context) error {
	r.set(true)
	<-ctx.Done()
	r.set(false)
	return ctx.Err()
}

func (r *fakeRinger) set(on bool) {
	r.mu.Lock()
	if on {
		r.rings++
	}
	r.playing = on
	r.mu.Unlock()
	r.changed <- on
}

// fakeHistory keeps the entries in memory.
type fakeHistory struct {
	mu      sync.Mutex
	entries []history.Entry
	err     error
}

func (h *fakeHistory) Add(e history.Entry) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err != nil {
		return h.err
	}
	h.entries = append(h.entries, e)
	return nil
}

func (h *fakeHistory) list() []history.Entry {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]history.Entry(nil), h.entries...)
}

// rig is a desk over the fakes, with every update it published.
type rig struct {
	desk    *Desk
	phone   *fakePhone
	clock   *fakeClock
	ringer  *fakeRinger
	history *fakeHistory
	updates chan Update
}

func newRig(t *testing.T, settings Settings) *rig {
	t.Helper()
	r := &rig{clock: newFakeClock(), ringer: &fakeRinger{changed: make(chan bool, 64)}, history: &fakeHistory{}, updates: make(chan Update, 256)}
	r.phone = &fakePhone{clock: r.clock}
	r.desk = New(r.phone, Options{
		Account:      "sip:1001@pbx.test",
		Settings:     func() Settings { return settings },
		Ringer:       r.ringer,
		History:      r.history,
		Clock:        r.clock,
		OnUpdate:     func(u Update) { r.updates <- u },
		QualityEvery: 5 * time.Millisecond,
	})
	r.phone.desk = r.desk
	t.Cleanup(func() { _ = r.desk.Close() })
	return r
}

// waitUpdate reads updates until one satisfies ok, and returns it.
func (r *rig) waitUpdate(t *testing.T, what string, ok func(Update) bool) Update {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case u := <-r.updates:
			if ok(u) {
				return u
			}
		case <-timeout:
			t.Fatalf("no update with %s", what)
		}
	}
}

// waitRinging waits until the ringtone starts (true) or stops (false).
func (r *rig) waitRinging(t *testing.T, on bool) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case got := <-r.ringer.changed:
			if got == on {
				return
			}
		case <-timeout:
			t.Fatalf("the ringtone did not turn %v", on)
		}
	}
}

func callState(v View, id string) phone.State {
	for _, c := range v.Calls {
		if c.ID == id {
			return c.State
		}
	}
	return phone.StateUnknown
}

func requireHistory(t *testing.T, h *fakeHistory, outcomes ...string) {
	t.Helper()
	var got []string
	for _, e := range h.list() {
		got = append(got, e.Outcome)
	}
	require.Equal(t, outcomes, got)
}
