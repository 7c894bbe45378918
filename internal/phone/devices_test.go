package phone_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/rtctest"
	"github.com/phonebar/phonebar/internal/testenv"
)

// TestCallWithDevices answers a call with the microphone and speaker of a real PulseAudio whose
// default microphone is the monitor of its default speaker (.ci/with-services): the caller's tone
// is played by the answerer's speaker, captured again by its microphone and sent back, so the
// caller hears its own tone only if both directions of the device path work.
func TestCallWithDevices(t *testing.T) {
	testenv.NeedPulseAudio(t)
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	host := audio.New(audio.Options{})
	defer host.Close()
	calleeUser := pbx.User("devices")
	callee := startAgent(ctx, t, pbx, calleeUser, 0, func(c *phone.Config) {
		c.NewSource, c.NewSink, c.Audio = nil, nil, host
	})
	caller := startAgent(ctx, t, pbx, pbx.User("caller"), 440, nil)

	res := make(chan error, 1)
	var out *phone.Call
	go func() {
		c, err := caller.p.Dial(ctx, calleeUser)
		out = c
		res <- err
	}()
	in := callee.wait(ctx, t, kind(phone.EventIncoming)).Call
	require.NoError(t, in.Answer(ctx))
	require.NoError(t, <-res)
	eventually(ctx, t, "the answerer's speaker gets the caller's tone", hears(in, 440))
	eventually(ctx, t, "the caller hears its tone back through the answerer's microphone", hears(out, 440))
	require.NoError(t, out.Hangup(ctx))
	<-in.Done()
}
