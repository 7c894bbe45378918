package desk

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/quality"
	"github.com/phonebar/phonebar/internal/sipua"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestEnumsHaveNames(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"direction zero", DirectionUnknown.String(), "unknown"},
		{"in", DirectionIn.String(), "in"},
		{"out", DirectionOut.String(), "out"},
		{"direction out of range", Direction(9).String(), "Direction(9)"},
		{"outcome zero", OutcomeUnknown.String(), "unknown"},
		{"answered", OutcomeAnswered.String(), "answered"},
		{"transferred", OutcomeTransferred.String(), "transferred"},
		{"missed", OutcomeMissed.String(), "missed"},
		{"rejected", OutcomeRejected.String(), "rejected"},
		{"failed", OutcomeFailed.String(), "failed"},
		{"cancelled", OutcomeCancelled.String(), "cancelled"},
		{"outcome out of range", Outcome(-1).String(), "Outcome(-1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, tt.got) })
	}
}

// TestOutcomes drives one call each way it can end and checks what the history says.
func TestOutcomes(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		run     func(t *testing.T, r *rig)
		outcome string
		seconds int
	}{
		{"incoming answered then hung up", func(t *testing.T, r *rig) {
			c := r.phone.incoming("sip:alice@test")
			require.NoError(t, r.desk.Answer(ctx, c.id))
			r.clock.Advance(42 * time.Second)
			require.NoError(t, r.desk.Hangup(ctx, c.id))
		}, "answered", 42},
		{"incoming missed", func(t *testing.T, r *rig) {
			c := r.phone.incoming("sip:alice@test")
			c.end(sipua.ErrCallEnded) // the caller gave up
		}, "missed", 0},
		{"incoming rejected", func(t *testing.T, r *rig) {
			c := r.phone.incoming("sip:alice@test")
			require.NoError(t, r.desk.Reject(ctx, c.id))
		}, "rejected", 0},
		{"answered then transferred", func(t *testing.T, r *rig) {
			c := r.phone.incoming("sip:alice@test")
			require.NoError(t, r.desk.Answer(ctx, c.id))
			r.clock.Advance(5 * time.Second)
			require.NoError(t, r.desk.Transfer(ctx, c.id, "1002"))
		}, "transferred", 5},
		{"a failed transfer keeps the call answered", func(t *testing.T, r *rig) {
			c := r.phone.incoming("sip:alice@test")
			require.NoError(t, r.desk.Answer(ctx, c.id))
			c.transferErr = &sipua.TransferError{Code: 486, Reason: "Busy Here"}
			require.Error(t, r.desk.Transfer(ctx, c.id, "1002"))
			require.NoError(t, r.desk.Hangup(ctx, c.id))
		}, "answered", 0},
		{"outgoing refused", func(t *testing.T, r *rig) {
			r.phone.dialErr = &sipua.StatusError{Method: "INVITE", Code: 486, Reason: "Busy Here"}
			_, err := r.desk.Dial(ctx, "1002")
			require.Error(t, err)
		}, "failed", 0},
		{"outgoing cancelled while it rings", func(t *testing.T, r *rig) {
			r.phone.dialBlock, r.phone.dialing = true, make(chan struct{})
			errc := make(chan error, 1)
			go func() { _, err := r.desk.Dial(ctx, "1002"); errc <- err }()
			<-r.phone.dialing
			u := r.waitUpdate(t, "the call dialling", func(u Update) bool { return len(u.View.Calls) == 1 })
			require.Equal(t, phone.StateDialing, u.View.Calls[0].State)
			require.Equal(t, DirectionOut, u.View.Calls[0].Direction)
			require.NoError(t, r.desk.Hangup(ctx, u.View.Calls[0].ID))
			require.ErrorIs(t, <-errc, context.Canceled)
		}, "cancelled", 0},
		{"outgoing answered", func(t *testing.T, r *rig) {
			v, err := r.desk.Dial(ctx, "1002")
			require.NoError(t, err)
			require.Equal(t, phone.StateActive, v.State)
			r.clock.Advance(3 * time.Second)
			require.NoError(t, r.desk.Hangup(ctx, v.ID))
		}, "answered", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, Settings{})
			tt.run(t, r)
			requireHistory(t, r.history, tt.outcome)
			e := r.history.list()[0]
			assert.Equal(t, tt.seconds, e.Seconds)
			assert.Empty(t, r.desk.View().Calls, "an ended call leaves the desk")
			r.waitUpdate(t, "the history changed", func(u Update) bool { return u.HistoryChanged })
		})
	}
}

func TestEndedCallIsWrittenOnce(t *testing.T) {
	r := newRig(t, Settings{})
	c := r.phone.incoming("sip:alice@test")
	c.end(sipua.ErrCallEnded)
	// A late report of the same call (an action that raced the hang-up) adds nothing.
	r.desk.Handle(Event{Kind: phone.EventEnded, Call: c})
	r.desk.refresh(c)
	requireHistory(t, r.history, "missed")
	assert.Empty(t, r.desk.View().Calls)
}

func TestCallWaitingHoldsTheCallInProgress(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, Settings{})
	first := r.phone.incoming("sip:alice@test")
	require.NoError(t, r.desk.Answer(ctx, first.id))
	second := r.phone.incoming("sip:bob@test")
	r.waitRinging(t, true)

	require.NoError(t, r.desk.Answer(ctx, second.id))

	v := r.desk.View()
	require.Len(t, v.Calls, 2)
	assert.Equal(t, first.id, v.Calls[0].ID, "calls keep the order they began in")
	assert.Equal(t, phone.StateHeld, callState(v, first.id))
	assert.Equal(t, phone.StateActive, callState(v, second.id))
	r.waitRinging(t, false)
}

func TestRingsWhileACallRings(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		stop func(r *rig, c *fakeCall) error
	}{
		{"answered", func(r *rig, c *fakeCall) error { return r.desk.Answer(ctx, c.id) }},
		{"rejected", func(r *rig, c *fakeCall) error { return r.desk.Reject(ctx, c.id) }},
		{"caller gave up", func(_ *rig, c *fakeCall) error { c.end(sipua.ErrCallEnded); return nil }},
		{"desk closed", func(r *rig, _ *fakeCall) error { return r.desk.Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, Settings{})
			c := r.phone.incoming("sip:alice@test")
			u := r.waitUpdate(t, "the incoming call", func(u Update) bool { return u.Incoming != nil })
			assert.Equal(t, c.id, u.Incoming.ID)
			assert.Equal(t, "sip:alice@test", u.Incoming.Remote)
			r.waitRinging(t, true)
			require.NoError(t, tt.stop(r, c))
			r.waitRinging(t, false)
		})
	}
}

func TestAutoAnswer(t *testing.T) {
	on := Settings{AutoAnswer: true, AutoAnswerDelay: 3 * time.Second}
	tests := []struct {
		name     string
		settings Settings
		// busy puts another call up first.
		busy     bool
		advance  time.Duration
		hangup   bool
		answered bool
	}{
		{"answered after the delay", on, false, 3 * time.Second, false, true},
		{"not before the delay", on, false, 2 * time.Second, false, false},
		{"not when the agent is on a call", on, true, 3 * time.Second, false, false},
		{"not when the caller gave up first", on, false, 3 * time.Second, true, false},
		{"not when it is off", Settings{}, false, time.Hour, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, tt.settings)
			if tt.busy {
				_, err := r.desk.Dial(context.Background(), "1002")
				require.NoError(t, err)
			}
			c := r.phone.incoming("sip:alice@test")
			if tt.settings.AutoAnswer && !tt.busy {
				<-r.clock.added // the desk waits for the delay
			}
			if tt.hangup {
				c.end(sipua.ErrCallEnded)
			}
			r.clock.Advance(tt.advance)
			if tt.answered {
				r.waitUpdate(t, "the call answered", func(u Update) bool { return callState(u.View, c.id) == phone.StateActive })
				return
			}
			// Nothing is answered: close the desk (which waits for the auto-answer wait to end)
			// and look at the call.
			require.NoError(t, r.desk.Close())
			assert.True(t, c.Answered().IsZero(), "the call was not answered")
		})
	}
}

// TestUpdatesAreInOrderAndOffTheLock calls back into the desk from OnUpdate (a deadlock if the
// callback ran under the desk's lock) and checks the views arrive in the order of the changes.
func TestUpdatesAreInOrderAndOffTheLock(t *testing.T) {
	ctx := context.Background()
	var r rig
	r.clock = newFakeClock()
	r.phone = &fakePhone{clock: r.clock}
	got := make(chan []phone.State, 64)
	r.desk = New(r.phone, Options{Clock: r.clock, OnUpdate: func(u Update) {
		_ = r.desk.View() // re-entry
		var states []phone.State
		for _, c := range u.View.Calls {
			states = append(states, c.State)
		}
		got <- states
	}})
	r.phone.desk = r.desk
	c := r.phone.incoming("sip:alice@test")
	require.NoError(t, r.desk.Answer(ctx, c.id))
	require.NoError(t, r.desk.Hold(ctx, c.id, true))
	require.NoError(t, r.desk.Hold(ctx, c.id, false))
	require.NoError(t, r.desk.Hangup(ctx, c.id))
	require.NoError(t, r.desk.Close())
	close(got)
	var seen []phone.State
	for s := range got {
		if len(s) == 1 && (len(seen) == 0 || seen[len(seen)-1] != s[0]) {
			seen = append(seen, s[0])
		}
	}
	assert.Equal(t, []phone.State{phone.StateRinging, phone.StateActive, phone.StateHeld, phone.StateActive}, seen)
}

func TestRemoteHoldAndMuteShowInTheView(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, Settings{})
	c := r.phone.incoming("sip:alice@test")
	require.NoError(t, r.desk.Answer(ctx, c.id))

	r.desk.Handle(Event{Kind: phone.EventHeld, Call: c, Remote: true})
	assert.True(t, r.desk.View().Calls[0].HeldByRemote)
	r.desk.Handle(Event{Kind: phone.EventActive, Call: c, Remote: true})
	assert.False(t, r.desk.View().Calls[0].HeldByRemote)

	require.NoError(t, r.desk.Mute(ctx, c.id, true))
	assert.True(t, r.desk.View().Calls[0].Muted)
	assert.True(t, c.muted)
	require.NoError(t, r.desk.Mute(ctx, c.id, false))
	assert.False(t, r.desk.View().Calls[0].Muted)
}

func TestAttendedTransfer(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// setup returns the IDs to transfer.
		setup    func(t *testing.T, r *rig) (string, string)
		err      error
		outcomes []string
	}{
		{"both calls leave as transferred", func(t *testing.T, r *rig) (string, string) {
			caller := r.phone.incoming("sip:alice@test")
			require.NoError(t, r.desk.Answer(ctx, caller.id))
			require.NoError(t, r.desk.Hold(ctx, caller.id, true))
			consult, err := r.desk.Dial(ctx, "1002")
			require.NoError(t, err)
			return caller.id, consult.ID
		}, nil, []string{"transferred", "transferred"}},
		{"same call", func(t *testing.T, r *rig) (string, string) {
			caller := r.phone.incoming("sip:alice@test")
			return caller.id, caller.id
		}, ErrSameCall, nil},
		{"consultation gone", func(t *testing.T, r *rig) (string, string) {
			caller := r.phone.incoming("sip:alice@test")
			return caller.id, "gone"
		}, ErrConsultEnded, nil},
		{"caller still ringing", func(t *testing.T, r *rig) (string, string) {
			caller := r.phone.incoming("sip:alice@test")
			consult, err := r.desk.Dial(ctx, "1002")
			require.NoError(t, err)
			return caller.id, consult.ID
		}, ErrTransferNotReady, nil},
		{"refused by the transferee", func(t *testing.T, r *rig) (string, string) {
			caller := r.phone.incoming("sip:alice@test")
			require.NoError(t, r.desk.Answer(ctx, caller.id))
			caller.transferErr = sipua.ErrTransferNoReport
			consult, err := r.desk.Dial(ctx, "1002")
			require.NoError(t, err)
			return caller.id, consult.ID
		}, sipua.ErrTransferNoReport, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, Settings{})
			id, consult := tt.setup(t, r)
			err := r.desk.AttendedTransfer(ctx, id, consult)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				// Nothing was marked: hanging up both writes plain outcomes.
				for _, c := range r.desk.View().Calls {
					require.NoError(t, r.desk.Hangup(ctx, c.ID))
				}
				for _, e := range r.history.list() {
					assert.NotEqual(t, "transferred", e.Outcome)
				}
				return
			}
			require.NoError(t, err)
			requireHistory(t, r.history, tt.outcomes...)
		})
	}
}

func TestActionsOnUnknownCalls(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, Settings{})
	for name, act := range map[string]func() error{
		"answer": func() error { return r.desk.Answer(ctx, "nope") },
		"hold":   func() error { return r.desk.Hold(ctx, "nope", true) },
		"hangup": func() error { return r.desk.Hangup(ctx, "nope") },
		"mute":   func() error { return r.desk.Mute(ctx, "nope", true) },
		"dtmf":   func() error { return r.desk.SendDTMF(ctx, "nope", "1") },
	} {
		assert.ErrorIs(t, act(), ErrNoCall, name)
	}
}

func TestRegistrationShowsInTheView(t *testing.T) {
	r := newRig(t, Settings{})
	boom := errors.New("sipua: connect refused")
	r.desk.Handle(Event{Kind: phone.EventRegistration, Registration: sipua.StateFailed, Err: boom})
	u := r.waitUpdate(t, "the registration", func(u Update) bool { return u.View.Registration == sipua.StateFailed })
	assert.Equal(t, boom, u.View.RegistrationErr)
	assert.Equal(t, "sip:1001@pbx.test", u.View.Account)
}

func TestCloseEndsCallsAndIsIdempotent(t *testing.T) {
	r := newRig(t, Settings{})
	c := r.phone.incoming("sip:alice@test")
	r.waitRinging(t, true)
	require.NoError(t, r.desk.Close())
	require.NoError(t, r.desk.Close())
	assert.Equal(t, phone.StateEnded, c.State())
	requireHistory(t, r.history, "missed")
	_, err := r.desk.Dial(context.Background(), "1002")
	assert.ErrorIs(t, err, ErrClosed)
}

func TestHistoryErrorIsNotFatal(t *testing.T) {
	r := newRig(t, Settings{})
	r.history.err = errors.New("disk full")
	c := r.phone.incoming("sip:alice@test")
	c.end(sipua.ErrCallEnded)
	assert.Empty(t, r.desk.View().Calls)
}

func TestDialAsync(t *testing.T) {
	r := newRig(t, Settings{})
	// Answered: the dialling ID is shown at once, then the answered call.
	id, done, err := r.desk.DialAsync("*43")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(id, "dial-"), id)
	require.NoError(t, <-done)
	v := r.desk.View()
	require.Len(t, v.Calls, 1)
	assert.Equal(t, phone.StateActive, v.Calls[0].State)
	require.NoError(t, r.desk.Hangup(context.Background(), v.Calls[0].ID))

	// Nobody answers: Hangup on the dialling ID cancels it.
	r.phone.mu.Lock()
	r.phone.dialBlock = true
	r.phone.mu.Unlock()
	id, done, err = r.desk.DialAsync("1002")
	require.NoError(t, err)
	assert.Equal(t, phone.StateDialing, callState(r.desk.View(), id))
	require.NoError(t, r.desk.Hangup(context.Background(), id))
	assert.ErrorIs(t, <-done, context.Canceled)

	// A dial still ringing at Close ends with the desk.
	_, done, err = r.desk.DialAsync("1003")
	require.NoError(t, err)
	require.NoError(t, r.desk.Close())
	assert.Error(t, <-done)
	_, _, err = r.desk.DialAsync("1004")
	assert.ErrorIs(t, err, ErrClosed)
}

// A call placed here is one call, under one ID and in one place, from the first ring to the end:
// never a placeholder and then the answered call beside it, and never moved behind a call that
// arrived while it rang.
func TestDialledCallIsOneCallThroughout(t *testing.T) {
	r := newRig(t, Settings{})
	gate := make(chan struct{})
	r.phone.mu.Lock()
	r.phone.dialGate = gate
	r.phone.mu.Unlock()

	id, done, err := r.desk.DialAsync("1002")
	require.NoError(t, err)
	r.waitUpdate(t, "the call being dialled", func(u Update) bool { return callState(u.View, id) == phone.StateDialing })
	waiting := r.phone.incoming("sip:bob@test") // arrives while the call rings at the far end
	r.waitUpdate(t, "the second call ringing", func(u Update) bool { return len(u.View.Calls) == 2 })
	close(gate)
	require.NoError(t, <-done)

	// Every view from the answer on: the dialled call once, under its ID, first.
	r.waitUpdate(t, "the call answered", func(u Update) bool {
		require.LessOrEqual(t, len(u.View.Calls), 2, "no call is shown twice: %+v", u.View.Calls)
		return callState(u.View, id) == phone.StateActive
	})
	v := r.desk.View()
	require.Len(t, v.Calls, 2)
	assert.Equal(t, []string{id, waiting.id}, []string{v.Calls[0].ID, v.Calls[1].ID}, "oldest first, the dialled call kept its place")

	// Its ID works for every action, and the phone's later events find it.
	require.NoError(t, r.desk.Hold(context.Background(), id, true))
	assert.Equal(t, phone.StateHeld, callState(r.desk.View(), id))
	require.NoError(t, r.desk.Hangup(context.Background(), id))
	r.waitUpdate(t, "the call gone", func(u Update) bool { return callState(u.View, id) == phone.StateUnknown })
	assert.Len(t, r.desk.View().Calls, 1)
	requireHistory(t, r.history, "answered")
}

// The desk, not a front end, knows which call is a consultation and since when a call is on hold.
func TestConsultationAndHoldTime(t *testing.T) {
	ctx := context.Background()
	find := func(v View, id string) CallView {
		for _, c := range v.Calls {
			if c.ID == id {
				return c
			}
		}
		return CallView{}
	}
	tests := []struct {
		name string
		// run sets the calls up and returns the customer's ID and the call placed last.
		run         func(t *testing.T, r *rig) (customer string, placed CallView)
		wantConsult bool
	}{
		{"a call placed while the one customer is held consults about them", func(t *testing.T, r *rig) (string, CallView) {
			c := r.phone.incoming("sip:dana@test")
			require.NoError(t, r.desk.Answer(ctx, c.id))
			require.NoError(t, r.desk.Hold(ctx, c.id, true))
			placed, err := r.desk.Dial(ctx, "1002")
			require.NoError(t, err)
			return c.id, placed
		}, true},
		{"call waiting makes no consultation", func(t *testing.T, r *rig) (string, CallView) {
			a := r.phone.incoming("sip:dana@test")
			require.NoError(t, r.desk.Answer(ctx, a.id))
			b := r.phone.incoming("sip:eve@test")
			require.NoError(t, r.desk.Answer(ctx, b.id)) // a goes on hold
			return a.id, find(r.desk.View(), b.id)
		}, false},
		{"a call placed while talking to someone is no consultation", func(t *testing.T, r *rig) (string, CallView) {
			a := r.phone.incoming("sip:dana@test")
			require.NoError(t, r.desk.Answer(ctx, a.id))
			b := r.phone.incoming("sip:eve@test")
			require.NoError(t, r.desk.Answer(ctx, b.id))
			placed, err := r.desk.Dial(ctx, "1002") // a held, b active
			require.NoError(t, err)
			return a.id, placed
		}, false},
		{"a caller who holds the agent is no customer to consult about", func(t *testing.T, r *rig) (string, CallView) {
			c := r.phone.incoming("sip:dana@test")
			require.NoError(t, r.desk.Answer(ctx, c.id))
			require.NoError(t, c.move(phone.StateActive, phone.StateHeld, phone.EventHeld))
			r.desk.Handle(Event{Kind: phone.EventHeld, Call: c, Remote: true})
			placed, err := r.desk.Dial(ctx, "1002")
			require.NoError(t, err)
			return c.id, placed
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, Settings{})
			customer, placed := tt.run(t, r)
			if tt.wantConsult {
				assert.Equal(t, customer, placed.ConsultFor)
				assert.Equal(t, customer, find(r.desk.View(), placed.ID).ConsultFor)
			} else {
				for _, c := range r.desk.View().Calls {
					assert.Empty(t, c.ConsultFor, "call %s", c.ID)
				}
			}
		})
	}

	t.Run("the hold time and the end of the consultation", func(t *testing.T) {
		r := newRig(t, Settings{})
		c := r.phone.incoming("sip:dana@test")
		require.NoError(t, r.desk.Answer(ctx, c.id))
		assert.True(t, find(r.desk.View(), c.id).HeldSince.IsZero(), "not held")
		heldAt := r.clock.Now()
		require.NoError(t, r.desk.Hold(ctx, c.id, true))
		r.clock.Advance(90 * time.Second)
		consult, err := r.desk.Dial(ctx, "1002")
		require.NoError(t, err)
		v := r.desk.View()
		assert.Equal(t, heldAt, find(v, c.id).HeldSince, "the time it went on hold, not the call's start")
		assert.Equal(t, []string{c.id, consult.ID}, []string{v.Calls[0].ID, v.Calls[1].ID})

		// Swap: the customer back, the colleague on hold (now, not before).
		require.NoError(t, r.desk.Hold(ctx, consult.ID, true))
		require.NoError(t, r.desk.Hold(ctx, c.id, false))
		v = r.desk.View()
		assert.True(t, find(v, c.id).HeldSince.IsZero())
		assert.Equal(t, r.clock.Now(), find(v, consult.ID).HeldSince)
		assert.Equal(t, c.id, find(v, consult.ID).ConsultFor, "still the consultation about the customer")

		// The customer hangs up: the colleague's call is an ordinary call from then on.
		c.end(sipua.ErrCallEnded)
		assert.Empty(t, find(r.desk.View(), consult.ID).ConsultFor)
	})
}

// The phone's media and reconnection events show on the call; audio rated later clears the first.
func TestMediaAndMovedShowOnTheCall(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, Settings{})
	c := r.phone.incoming("sip:dana@test")
	require.NoError(t, r.desk.Answer(ctx, c.id))

	noAudio := errors.New("rtc: no audio from the other side")
	r.desk.Handle(Event{Kind: phone.EventMedia, Call: c, Err: noAudio})
	got := r.waitUpdate(t, "the media problem", func(u Update) bool { return len(u.View.Calls) == 1 && u.View.Calls[0].MediaErr != nil })
	assert.ErrorIs(t, got.View.Calls[0].MediaErr, noAudio)

	c.setQuality(quality.Report{Level: quality.LevelGood, Last: quality.Second{MOS: 4.3}})
	r.waitUpdate(t, "the media problem gone with rated audio", func(u Update) bool {
		return len(u.View.Calls) == 1 && u.View.Calls[0].MediaErr == nil && u.View.Calls[0].Quality.Level == quality.LevelGood
	})

	r.desk.Handle(Event{Kind: phone.EventMoved, Call: c})
	v := r.desk.View().Calls[0]
	assert.True(t, v.Moved)
	assert.NoError(t, v.MoveErr)
	stuck := errors.New("sipua: target refresh refused")
	r.desk.Handle(Event{Kind: phone.EventMoved, Call: c, Err: stuck})
	v = r.desk.View().Calls[0]
	assert.False(t, v.Moved)
	assert.ErrorIs(t, v.MoveErr, stuck)
}

// The history keeps the caller's name beside the number.
func TestHistoryKeepsTheCallersName(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, Settings{})
	c := r.phone.newCall(DirectionIn, "sip:+390212345678@pbx.test")
	c.name = "Dana Customer"
	c.state = phone.StateRinging
	r.desk.Handle(Event{Kind: phone.EventIncoming, Call: c})
	require.NoError(t, r.desk.Answer(ctx, c.id))
	require.NoError(t, r.desk.Hangup(ctx, c.id))
	r.waitUpdate(t, "the history written", func(u Update) bool { return u.HistoryChanged })
	list := r.history.list()
	require.Len(t, list, 1)
	assert.Equal(t, "Dana Customer", list[0].Name)
	assert.Equal(t, "sip:+390212345678@pbx.test", list[0].Remote)
}
