package netimpair_test

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
	"github.com/phonebar/phonebar/internal/rtctest/netimpair"
	"github.com/phonebar/phonebar/internal/rtctest/netns"
)

// call runs a relayed call, impaired as imp once audio flows (a nil impair: not at all), for d
// and returns the relayed side's media statistics.
func call(t *testing.T, relay *netimpair.Relay, impair func(), d time.Duration) rtc.Stats {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a, err := rtc.NewSession(rtc.Options{RelayOnly: true, ICEServers: []rtc.ICEServer{relay.ICEServer()}, AllowLoopback: true,
		Codecs: []codec.ID{codec.PCMU}, Source: rtc.NewToneSource(440), Sink: rtc.NewFrequencySink()})
	require.NoError(t, err)
	defer a.Close()
	b, err := rtc.NewSession(rtc.Options{AllowLoopback: true, Codecs: []codec.ID{codec.PCMU}, Source: rtc.NewToneSource(1000)})
	require.NoError(t, err)
	defer b.Close()
	offer, err := a.Offer(ctx)
	require.NoError(t, err)
	answer, err := b.Answer(ctx, offer)
	require.NoError(t, err)
	require.NoError(t, a.SetAnswer(answer))
	for a.Stats().PacketsIn == 0 {
		select {
		case <-ctx.Done():
			t.Fatalf("no media through the relay: %v", a.MediaError())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if impair != nil {
		impair()
	}
	before := a.Stats()
	time.Sleep(d) // the call's length: what is measured over
	st := a.Stats()
	st.ConcealedFrames -= before.ConcealedFrames
	st.DecodedFrames -= before.DecodedFrames
	assert.True(t, strings.HasPrefix(st.ICEPair, "relay/"), "pair %q", st.ICEPair)
	return st
}

// TestRelayImpairs runs a call through the relay under each of the Profiles (impaired once audio
// flows): the relay drops the share of packets it is told to, and the receiving jitter buffer sees
// what it did (frames concealed under loss, a deeper buffer under jitter) against the clean call.
func TestRelayImpairs(t *testing.T) {
	leaks := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leaks) }) // after the relay stopped
	relay := netimpair.StartRelay(t, netimpair.Impairment{})
	var clean rtc.Stats
	for _, p := range netimpair.Profiles {
		t.Run(p.Name, func(t *testing.T) {
			relay.Set(netimpair.Impairment{})
			st := call(t, relay, func() { relay.Set(p.Relay) }, 2*time.Second)
			passed, dropped := relay.Counts()
			share := 100 * float64(dropped) / float64(max(passed+dropped, 1))
			frames := st.ConcealedFrames + st.DecodedFrames
			t.Logf("%s: relay dropped %.1f%% of %d packets; %d of %d frames concealed; jitter buffer %v, %d late",
				p.Name, share, passed+dropped, st.ConcealedFrames, frames, st.JitterDelay, st.LatePackets)
			switch {
			case p.Relay == netimpair.Impairment{}:
				clean = st
				assert.Zero(t, dropped)
			case p.Relay.LossPercent > 0:
				assert.InDelta(t, p.Relay.LossPercent, share, p.Relay.LossPercent/2+3)
				if p.Relay.LossPercent >= 10 { // 5 % of 100 frames may be near a busy machine's noise
					assert.Greater(t, st.ConcealedFrames, clean.ConcealedFrames)
				}
			case p.Relay.Jitter > 0:
				assert.Greater(t, st.JitterDelay, clean.JitterDelay)
			}
		})
	}
}

// TestIptablesFaults: in a namespace of its own, Loss drops about the share asked of every UDP
// packet, and CutTCPPort silences a connection until restored.
func TestIptablesFaults(t *testing.T) {
	if !netns.Isolate(t, time.Minute) {
		return
	}
	leaks := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leaks) })
	t.Run("loss", func(t *testing.T) {
		relay := netimpair.StartRelay(t, netimpair.Impairment{})
		var restore func() time.Time
		st := call(t, relay, func() { restore = netimpair.Loss(t, 20) }, 2*time.Second)
		restore()
		t.Logf("20%% iptables loss: concealed %d of %d frames", st.ConcealedFrames, st.ConcealedFrames+st.DecodedFrames)
		share := float64(st.ConcealedFrames) / float64(st.ConcealedFrames+st.DecodedFrames) * 100
		assert.Greater(t, share, 8.0)
	})
}
