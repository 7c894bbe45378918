package rtc_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/rtc"
	"github.com/phonebar/phonebar/internal/rtctest/netimpair"
)

// startTURN runs a real TURN server (pion/turn) on loopback that impairs nothing.
func startTURN(t *testing.T) rtc.ICEServer {
	t.Helper()
	return netimpair.StartRelay(t, netimpair.Impairment{}).ICEServer()
}

// TestRelayOnlyThroughTURN: with relay-only, the call's media goes through the TURN server (the
// selected pair is a relay) and the audio arrives both ways.
func TestRelayOnlyThroughTURN(t *testing.T) {
	relay := startTURN(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sinkA, sinkB := rtc.NewFrequencySink(), rtc.NewFrequencySink()
	a, err := rtc.NewSession(rtc.Options{RelayOnly: true, ICEServers: []rtc.ICEServer{relay},
		AllowLoopback: true, Source: rtc.NewToneSource(440), Sink: sinkA})
	require.NoError(t, err)
	defer a.Close()
	b, err := rtc.NewSession(rtc.Options{AllowLoopback: true, Source: rtc.NewToneSource(1000), Sink: sinkB})
	require.NoError(t, err)
	defer b.Close()
	offer, err := a.Offer(ctx)
	require.NoError(t, err)
	assert.Contains(t, string(offer), "typ relay")
	assert.NotContains(t, string(offer), "typ host", "relay-only offers no host candidate")
	answer, err := b.Answer(ctx, offer)
	require.NoError(t, err)
	require.NoError(t, a.SetAnswer(answer))
	eventually(ctx, t, "1 kHz at the relayed side", func() bool { hz, _ := sinkA.Frequency(); return near(hz, 1000) })
	eventually(ctx, t, "440 Hz at the far side", func() bool { hz, _ := sinkB.Frequency(); return near(hz, 440) })
	assert.True(t, strings.HasPrefix(a.Stats().ICEPair, "relay/"), "selected pair %q", a.Stats().ICEPair)
}

// TestTURNRefuses: a TURN server that refuses the credentials gives a relay-only call no address at
// all. The offer fails at once with ErrNoRelay and a sentence that names the TURN settings, instead
// of a call that rings into silence.
func TestTURNRefuses(t *testing.T) {
	relay := startTURN(t)
	relay.Credential = "wrong"
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a, err := rtc.NewSession(rtc.Options{RelayOnly: true, ICEServers: []rtc.ICEServer{relay},
		AllowLoopback: true, Source: rtc.NewToneSource(440)})
	require.NoError(t, err)
	defer a.Close()
	_, err = a.Offer(ctx)
	require.Error(t, err)
	assert.True(t, errors.Is(err, rtc.ErrNoRelay), "%v", err)
	assert.Contains(t, err.Error(), "TURN")
	assert.NotContains(t, err.Error(), "wrong", "no credential in the error")
	require.NoError(t, ctx.Err(), "it failed before the test's deadline, not by it")
}
