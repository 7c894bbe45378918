package rtc_test

import (
	"context"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/audio/codec"
	"github.com/phonebar/phonebar/internal/rtc"
)

// callPair is two sessions in a call over loopback, A the offerer, each sending a tone.
type callPair struct {
	a, b         *rtc.Session
	sinkA, sinkB *rtc.FrequencySink
}

func newPair(ctx context.Context, t *testing.T) *callPair {
	t.Helper()
	p := &callPair{sinkA: rtc.NewFrequencySink(), sinkB: rtc.NewFrequencySink()}
	var err error
	p.a, err = rtc.NewSession(rtc.Options{Codecs: []codec.ID{codec.PCMU}, AllowLoopback: true, Source: rtc.NewToneSource(440), Sink: p.sinkA})
	require.NoError(t, err)
	t.Cleanup(func() { p.a.Close() })
	p.b, err = rtc.NewSession(rtc.Options{AllowLoopback: true, Source: rtc.NewToneSource(1000), Sink: p.sinkB})
	require.NoError(t, err)
	t.Cleanup(func() { p.b.Close() })
	offer, err := p.a.Offer(ctx)
	require.NoError(t, err)
	answer, err := p.b.Answer(ctx, offer)
	require.NoError(t, err)
	require.NoError(t, p.a.SetAnswer(answer))
	return p
}

// flows waits until both sides receive and play more audio than they had: the test's deadline
// bounds it, no speed is asserted.
func (p *callPair) flows(ctx context.Context, t *testing.T, what string) {
	t.Helper()
	sa, sb, fa, fb := p.a.Stats(), p.b.Stats(), p.sinkA.Frames(), p.sinkB.Frames()
	eventually(ctx, t, what, func() bool {
		na, nb := p.a.Stats(), p.b.Stats()
		return na.PacketsIn > sa.PacketsIn+25 && nb.PacketsIn > sb.PacketsIn+25 && p.sinkA.Frames() > fa+25 && p.sinkB.Frames() > fb+25
	})
	hzA, _ := p.sinkA.Frequency()
	hzB, _ := p.sinkB.Frequency()
	assert.True(t, near(hzA, 1000), "A hears B: %v", hzA)
	assert.True(t, near(hzB, 440), "B hears A: %v", hzB)
}

var ufragLine = regexp.MustCompile(`a=ice-ufrag:(\S+)`)

func ufrag(t *testing.T, sdp []byte) string {
	t.Helper()
	m := ufragLine.FindSubmatch(sdp)
	require.NotNil(t, m, "no ice-ufrag in\n%s", sdp)
	return string(m[1])
}

func fingerprint(sdp []byte) string {
	for _, l := range strings.Split(string(sdp), "\n") {
		if strings.HasPrefix(l, "a=fingerprint:") {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// An ICE restart made by either side of a call (the offerer of the call or its answerer) moves the
// media to new ICE credentials and candidates; the audio goes on both ways after it, over the same
// DTLS association (same fingerprints), and a restart made while the call is held keeps the hold.
func TestICERestart(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) }) // after the sessions closed (cleanups run last first)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	p := newPair(ctx, t)
	eventually(ctx, t, "tones both ways", func() bool {
		hzA, _ := p.sinkA.Frequency()
		hzB, _ := p.sinkB.Frequency()
		return near(hzA, 1000) && near(hzB, 440)
	})
	p.flows(ctx, t, "audio both ways")

	for _, tc := range []struct {
		name                string
		restarter, answerer *rtc.Session
	}{
		{"restarted by the offerer of the call", p.a, p.b},
		{"restarted by the answerer of the call", p.b, p.a},
		{"restarted again by the offerer", p.a, p.b},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, err := tc.restarter.Hold(rtc.SendRecv) // our SDP as it stands
			require.NoError(t, err)
			tc.restarter.CancelHold()
			offer, err := tc.restarter.RestartOffer(ctx)
			require.NoError(t, err)
			assert.NotEqual(t, ufrag(t, before), ufrag(t, offer), "new ICE credentials")
			assert.Equal(t, fingerprint(before), fingerprint(offer), "same DTLS association")
			assert.Contains(t, string(offer), "a=candidate:", "candidates gathered anew")
			_, err = tc.restarter.Hold(rtc.SendOnly)
			assert.ErrorIs(t, err, rtc.ErrState, "no hold while a restart waits for its answer")
			answer, err := tc.answerer.Reoffer(offer)
			require.NoError(t, err)
			dir, err := rtc.Direction(answer)
			require.NoError(t, err)
			assert.Equal(t, rtc.SendRecv, dir)
			require.NoError(t, tc.restarter.ApplyRestartAnswer(answer))
			p.flows(ctx, t, "audio both ways after the restart")
			assert.Equal(t, "connected", tc.restarter.Stats().DTLSState)
			// The restarter's answers to the other side's later offers say its DTLS role, never
			// actpass (only an offer may: browsers refuse such an answer).
			reoffer, err := tc.answerer.Hold(rtc.SendRecv)
			require.NoError(t, err)
			reanswer, err := tc.restarter.Reoffer(reoffer)
			require.NoError(t, err)
			assert.NotContains(t, string(reanswer), "a=setup:actpass")
			assert.Regexp(t, `a=setup:(active|passive)`, string(reanswer))
			require.NoError(t, tc.answerer.ApplyAnswerDirection(reanswer))
		})
	}

	t.Run("restart while held keeps the hold", func(t *testing.T) {
		hold, err := p.a.Hold(rtc.SendOnly)
		require.NoError(t, err)
		holdAnswer, err := p.b.Reoffer(hold)
		require.NoError(t, err)
		require.NoError(t, p.a.ApplyAnswerDirection(holdAnswer))
		offer, err := p.a.RestartOffer(ctx)
		require.NoError(t, err)
		dir, err := rtc.Direction(offer)
		require.NoError(t, err)
		assert.Equal(t, rtc.SendOnly, dir)
		answer, err := p.b.Reoffer(offer)
		require.NoError(t, err)
		require.NoError(t, p.a.ApplyRestartAnswer(answer))
		send, recv := p.a.Flowing()
		assert.True(t, send)
		assert.False(t, recv, "still held")
		send, recv = p.b.Flowing()
		assert.False(t, send)
		assert.True(t, recv)
		in := p.b.Stats().PacketsIn
		eventually(ctx, t, "B still receives A (sendonly) after the restart", func() bool { return p.b.Stats().PacketsIn > in+25 })
	})
}

// A restart offer the other side refuses (CancelHold) leaves the session as it was: pion back in
// the stable state, the next offer built on the SDP of before, and a later restart possible. An
// answer that is not an answer to a restart, or that changes the DTLS fingerprint, is refused.
func TestICERestartRefused(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) }) // after the sessions closed (cleanups run last first)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p := newPair(ctx, t)
	p.flows(ctx, t, "audio both ways")
	before, err := p.a.Hold(rtc.SendRecv)
	require.NoError(t, err)
	p.a.CancelHold()

	offer, err := p.a.RestartOffer(ctx)
	require.NoError(t, err)
	assert.Equal(t, webrtc.SignalingStateHaveLocalOffer, rtc.PeerConnection(p.a).SignalingState())
	p.a.CancelHold()
	assert.Equal(t, webrtc.SignalingStateStable, rtc.PeerConnection(p.a).SignalingState(), "rolled back")
	again, err := p.a.Hold(rtc.SendRecv)
	require.NoError(t, err)
	assert.Equal(t, string(before), string(again), "the refused restart left no trace in our SDP")
	p.a.CancelHold()
	assert.ErrorIs(t, p.a.ApplyRestartAnswer(offer), rtc.ErrState, "no restart waiting")

	offer, err = p.a.RestartOffer(ctx)
	require.NoError(t, err)
	answer, err := p.b.Reoffer(offer)
	require.NoError(t, err)
	forged := strings.Replace(string(answer), fingerprint(answer), "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF", 1)
	assert.ErrorIs(t, p.a.ApplyRestartAnswer([]byte(forged)), rtc.ErrRenegotiation)
	require.NoError(t, p.a.ApplyRestartAnswer(answer), "the offer still waits after an answer refused")
	p.flows(ctx, t, "audio both ways after the restart")

	// The other side's offer with a new DTLS fingerprint is refused and changes nothing.
	offer, err = p.b.RestartOffer(ctx)
	require.NoError(t, err)
	_, err = p.a.Reoffer([]byte(strings.Replace(string(offer), fingerprint(offer), "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF", 1)))
	assert.ErrorIs(t, err, rtc.ErrRenegotiation)
	assert.Equal(t, webrtc.SignalingStateStable, rtc.PeerConnection(p.a).SignalingState())
	p.b.CancelHold()
}

// PathGone tells whether the local address under the media's path is still this computer's.
func TestPathGone(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) }) // after the sessions closed (cleanups run last first)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	p := newPair(ctx, t)
	p.flows(ctx, t, "audio both ways")
	all := func(netip.Addr) bool { return true }
	none := func(netip.Addr) bool { return false }
	var used netip.Addr
	assert.False(t, p.a.PathGone(all))
	assert.True(t, p.a.PathGone(func(a netip.Addr) bool { used = a; return false }))
	assert.True(t, used.IsValid(), "asked about the address under the pair")
	assert.True(t, p.a.PathGone(none))
	assert.True(t, p.a.PathGone(func(a netip.Addr) bool { return a != used }), "the address under the pair went")
	assert.False(t, p.a.PathGone(func(a netip.Addr) bool { return a == used }), "another address went")

	fresh, err := rtc.NewSession(rtc.Options{})
	require.NoError(t, err)
	defer fresh.Close()
	assert.False(t, fresh.PathGone(none), "nothing negotiated, nothing lost")
}
