package phone_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/rtc"
	"github.com/phonebar/phonebar/internal/rtctest"
	"github.com/phonebar/phonebar/internal/rtctest/farend"
)

const farHz = 1000

// counts is what the media of both ends did so far: RTP packets each way and frames played.
type counts struct {
	agentIn, agentOut, agentPlayed uint64
	farIn, farOut, farPlayed       uint64
}

func measure(c *phone.Call, far *farend.Call) counts {
	a, f := c.Stats(), far.Media.Stats()
	return counts{
		agentIn: a.PacketsIn, agentOut: a.PacketsOut, agentPlayed: uint64(c.Sink().(*rtc.FrequencySink).Frames()),
		farIn: f.PacketsIn, farOut: f.PacketsOut, farPlayed: uint64(far.Sink.Frames()),
	}
}

// flowsBothWays waits until, from now on, both ends send, receive and play at least half a second
// of audio (25 frames of 20 ms) and each hears the other's tone.
func flowsBothWays(ctx context.Context, t *testing.T, c *phone.Call, far *farend.Call, what string) counts {
	t.Helper()
	// Stats only once audio plays at both ends: pion's ICE start, which SetRemoteDescription runs
	// in the background, races with reading its selected pair.
	eventually(ctx, t, what+" (tones)", func() bool { return hears(c, farHz)() && far.Hears(agentHz) })
	start := measure(c, far)
	var now counts
	eventually(ctx, t, what, func() bool {
		now = measure(c, far)
		return now.agentIn > start.agentIn+25 && now.agentOut > start.agentOut+25 && now.agentPlayed > start.agentPlayed+25 &&
			now.farIn > start.farIn+25 && now.farOut > start.farOut+25 && now.farPlayed > start.farPlayed+25 &&
			hears(c, farHz)() && far.Hears(agentHz)
	})
	return now
}

// A far end that refuses the hold (488, 500), answers 491 once, or never answers: a refused or
// unanswered hold leaves the call active with audio both ways, measured in packets, frames played
// and tones heard; the 491 is retried once within RFC 3261 section 14.1's window (2.1-4 s when the
// agent placed the call and owns the Call-ID, 0-2 s when the far end did), and the hold then
// applies. A refused resume leaves the call held: silence sent, nothing played.
func TestHoldRefusedByFarEnd(t *testing.T) {
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	tests := []struct {
		name     string
		farCalls bool // the far end placed the call
		answers  []int
		held     bool          // the hold goes through
		resume   bool          // then a resume is tried
		minGap   time.Duration // between the 491 and the retry
		maxGap   time.Duration
	}{
		{name: "488", answers: []int{488}},
		{name: "500", answers: []int{500}},
		{name: "never answers", answers: []int{farend.Silent}},
		{name: "488 on a call the far end placed", farCalls: true, answers: []int{488}},
		{name: "491 once then accepted, agent's Call-ID", answers: []int{491, 200}, held: true, minGap: 2100 * time.Millisecond, maxGap: 4 * time.Second},
		{name: "491 once then accepted, far end's Call-ID", farCalls: true, answers: []int{491, 200}, held: true, maxGap: 2 * time.Second},
		{name: "resume refused with 488", answers: []int{200, 488}, held: true, resume: true},
		{name: "resume never answered", answers: []int{200, farend.Silent}, held: true, resume: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
			defer cancel()
			farUser, agentUser := pbx.User("far"), pbx.User("agent")
			far := farend.Start(ctx, t, pbx, farUser, farHz)
			ag := startAgent(ctx, t, pbx, agentUser, agentHz, func(c *phone.Config) { c.ReinviteTimeout = 1500 * time.Millisecond })
			var call *phone.Call
			if tt.farCalls {
				placed := make(chan farend.Result, 1)
				go func() { placed <- far.Call(ctx, agentUser) }()
				call = ag.wait(ctx, t, kind(phone.EventIncoming)).Call
				require.NoError(t, call.Answer(ctx))
				r := <-placed
				require.NoError(t, r.Err)
				require.Equal(t, 200, r.Code)
			} else {
				var err error
				call, err = ag.p.Dial(ctx, farUser)
				require.NoError(t, err)
			}
			fc := far.Current()
			require.NotNil(t, fc)
			flowsBothWays(ctx, t, call, fc, "audio both ways before the hold")

			far.AnswerReinvites(tt.answers...)
			start := time.Now()
			err := call.Hold(ctx, false)
			took := time.Since(start)
			arrived := far.Reinvites()
			if !tt.held {
				require.ErrorIs(t, err, phone.ErrChangeRefused)
				t.Logf("hold refused after %v: %v", took.Round(time.Millisecond), err)
				assert.Equal(t, phone.StateActive, call.State())
				assert.Len(t, arrived, 1, "a refusal other than 491 is not retried")
				now := flowsBothWays(ctx, t, call, fc, "audio both ways after the refused hold")
				t.Logf("after the refusal: %+v", now)
				// The call can still be held once the far end accepts.
				far.AnswerReinvites()
				require.NoError(t, call.Hold(ctx, false))
				assert.Equal(t, phone.StateHeld, call.State())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, phone.StateHeld, call.State())
			if tt.maxGap > 0 {
				require.Len(t, arrived, 2, "one retry after the 491")
				gap := arrived[1].Sub(arrived[0])
				t.Logf("491 retried after %v (RFC 3261 section 14.1: %v-%v); hold took %v", gap.Round(time.Millisecond), tt.minGap, tt.maxGap, took.Round(time.Millisecond))
				assert.GreaterOrEqual(t, gap, tt.minGap)
				assert.Less(t, gap, tt.maxGap+time.Second, "the window and the signalling's own time")
			}
			heldNow := func(what string) {
				t.Helper()
				// Held: the agent plays nothing and sends silence (never the microphone), in packets.
				held := measure(call, fc)
				eventually(ctx, t, what, func() bool {
					_, db := fc.Sink.Frequency()
					return measure(call, fc).farIn > held.farIn+30 && db < -60
				})
				assert.Equal(t, held.agentPlayed, measure(call, fc).agentPlayed, "the held call plays nothing")
			}
			heldNow("the far end receives silence on hold")
			if tt.resume {
				start = time.Now()
				err := call.Resume(ctx)
				require.ErrorIs(t, err, phone.ErrChangeRefused)
				t.Logf("resume refused after %v: %v", time.Since(start).Round(time.Millisecond), err)
				assert.Equal(t, phone.StateHeld, call.State())
				heldNow("still silence and nothing played after the refused resume")
				far.AnswerReinvites()
			}
			require.NoError(t, call.Resume(ctx))
			assert.Equal(t, phone.StateActive, call.State())
			flowsBothWays(ctx, t, call, fc, "audio both ways after the resume")
		})
	}
}

// The time from the hold request to the media change, with a far end that accepts at once.
func TestHoldTiming(t *testing.T) {
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	farUser := pbx.User("far")
	far := farend.Start(ctx, t, pbx, farUser, farHz)
	ag := startAgent(ctx, t, pbx, pbx.User("agent"), agentHz, nil)
	call, err := ag.p.Dial(ctx, farUser)
	require.NoError(t, err)
	fc := far.Current()
	flowsBothWays(ctx, t, call, fc, "audio both ways")
	for i := range 5 {
		start := time.Now()
		require.NoError(t, call.Hold(ctx, false))
		hold := time.Since(start)
		_, recv := callFlowing(call)
		assert.False(t, recv)
		start = time.Now()
		require.NoError(t, call.Resume(ctx))
		resume := time.Since(start)
		t.Logf("round %d: hold applied %v after the request, resume %v", i, hold.Round(100*time.Microsecond), resume.Round(100*time.Microsecond))
	}
	flowsBothWays(ctx, t, call, fc, "audio both ways at the end")
}

func callFlowing(c *phone.Call) (sending, receiving bool) { return phone.Flowing(c) }
