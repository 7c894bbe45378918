package rtc_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/audio/codec"
	"github.com/phonebar/phonebar/internal/rtc"
)

// pionView is what pion holds of a session's negotiation.
type pionView struct {
	local, remote string
	directions    []string
}

func pionState(s *rtc.Session) pionView {
	pc := rtc.PeerConnection(s)
	v := pionView{local: withoutCandidates(pc.CurrentLocalDescription().SDP), remote: withoutCandidates(pc.CurrentRemoteDescription().SDP)}
	for _, tr := range pc.GetTransceivers() {
		v.directions = append(v.directions, tr.Direction().String())
	}
	return v
}

// withoutCandidates drops the candidate lines pion adds to its descriptions as ICE goes on.
func withoutCandidates(sdp string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(sdp, "\n") {
		if !strings.HasPrefix(line, "a=candidate") && !strings.HasPrefix(line, "a=end-of-candidates") {
			b.WriteString(line)
		}
	}
	return b.String()
}

// A hold offer the other side refuses or never answers (CancelHold) leaves the media exactly as
// it was: audio sent and played both ways (counted in packets and frames), pion's descriptions
// and transceiver directions untouched, and the next offer's session version the same as the
// dropped one's. An accepted one changes only what is sent and played, never pion's state.
func TestHoldIsTransactional(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sinkA, sinkB := rtc.NewFrequencySink(), rtc.NewFrequencySink()
	a, err := rtc.NewSession(rtc.Options{Codecs: []codec.ID{codec.PCMU}, AllowLoopback: true, Source: rtc.NewToneSource(440), Sink: sinkA})
	require.NoError(t, err)
	defer a.Close()
	b, err := rtc.NewSession(rtc.Options{AllowLoopback: true, Source: rtc.NewToneSource(1000), Sink: sinkB})
	require.NoError(t, err)
	defer b.Close()
	offer, err := a.Offer(ctx)
	require.NoError(t, err)
	answer, err := b.Answer(ctx, offer)
	require.NoError(t, err)
	require.NoError(t, a.SetAnswer(answer))

	flows := func(what string) {
		t.Helper()
		// Stats only once audio plays: pion's ICE start, which SetRemoteDescription runs in the
		// background, races with reading its selected pair.
		eventually(ctx, t, what+" (tones)", func() bool {
			hzA, _ := sinkA.Frequency()
			hzB, _ := sinkB.Frequency()
			return near(hzA, 1000) && near(hzB, 440)
		})
		sa, sb, fa, fb := a.Stats(), b.Stats(), sinkA.Frames(), sinkB.Frames()
		eventually(ctx, t, what, func() bool {
			na, nb := a.Stats(), b.Stats()
			return na.PacketsOut > sa.PacketsOut+10 && na.PacketsIn > sa.PacketsIn+10 && nb.PacketsOut > sb.PacketsOut+10 &&
				nb.PacketsIn > sb.PacketsIn+10 && sinkA.Frames() > fa+10 && sinkB.Frames() > fb+10
		})
		hzA, _ := sinkA.Frequency()
		hzB, _ := sinkB.Frequency()
		assert.True(t, near(hzA, 1000), "A hears B: %v", hzA)
		assert.True(t, near(hzB, 440), "B hears A: %v", hzB)
	}
	flows("audio both ways")
	before := pionState(a)

	for _, dir := range []string{rtc.SendOnly, rtc.Inactive} {
		hold, err := a.Hold(dir)
		require.NoError(t, err)
		send, recv := a.Flowing()
		assert.True(t, send && recv, "an offer alone changes nothing")
		a.CancelHold()
		send, recv = a.Flowing()
		assert.True(t, send && recv)
		assert.Equal(t, before, pionState(a))
		flows("audio both ways after the dropped " + dir + " offer")
		again, err := a.Hold(dir)
		require.NoError(t, err)
		assert.Equal(t, string(hold), string(again), "the dropped offer left no trace: same version, same SDP")
		a.CancelHold()
	}
	assert.ErrorIs(t, a.ApplyAnswerDirection(answer), rtc.ErrState, "no offer waiting")

	hold, err := a.Hold(rtc.SendOnly)
	require.NoError(t, err)
	holdAnswer, err := b.Reoffer(hold)
	require.NoError(t, err)
	require.NoError(t, a.ApplyAnswerDirection(holdAnswer))
	send, recv := a.Flowing()
	assert.True(t, send)
	assert.False(t, recv)
	assert.Equal(t, before, pionState(a), "hold never renegotiates the PeerConnection")
}
