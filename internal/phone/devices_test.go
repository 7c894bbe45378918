package phone_test

import (
	"context"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/audio/processing"
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
		// The microphone hears the speaker: an echo, which echo cancellation would remove.
		c.Processing = func() processing.Options { return processing.Options{} }
	})
	caller := startAgent(ctx, t, pbx, pbx.User("caller"), 440, nil)

	out, in := dialAndAnswer(ctx, t, caller, callee, calleeUser)
	eventually(ctx, t, "the answerer's speaker gets the caller's tone", hears(in, 440))
	eventually(ctx, t, "the caller hears its tone back through the answerer's microphone", hears(out, 440))
	require.NoError(t, out.Hangup(ctx))
	<-in.Done()
}

// dialAndAnswer has caller call callee (registered as calleeUser), callee answer, and returns the
// two sides of the call.
func dialAndAnswer(ctx context.Context, t *testing.T, caller, callee *agent, calleeUser string) (out, in *phone.Call) {
	t.Helper()
	res := make(chan error, 1)
	go func() {
		c, err := caller.p.Dial(ctx, calleeUser)
		out = c
		res <- err
	}()
	in = callee.wait(ctx, t, kind(phone.EventIncoming)).Call
	require.NoError(t, in.Answer(ctx))
	require.NoError(t, <-res)
	return out, in
}

// sinkOfStreams returns the names of the sinks the playback streams of this machine's PulseAudio
// play to now.
func sinkOfStreams(t *testing.T) []string {
	t.Helper()
	sinks, err := exec.Command("pactl", "list", "short", "sinks").Output()
	require.NoError(t, err)
	names := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(sinks)), "\n") {
		if f := strings.Fields(l); len(f) >= 2 {
			names[f[0]] = f[1]
		}
	}
	inputs, err := exec.Command("pactl", "list", "short", "sink-inputs").Output()
	require.NoError(t, err)
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(string(inputs)), "\n") {
		if f := strings.Fields(l); len(f) >= 2 {
			out = append(out, names[f[1]])
		}
	}
	return out
}

// TestDeviceChoiceAppliesToTheNextCall: the devices are asked for at each call (Config.Devices), so
// a speaker chosen during the session is used by the next call, without a new login; and
// SwitchDevices moves a call in progress. Checked on the audio server itself: the call's playback
// stream plays to the chosen sink.
func TestDeviceChoiceAppliesToTheNextCall(t *testing.T) {
	testenv.NeedPulseAudio(t)
	rtctest.CheckLeaks(t)
	idx, err := exec.Command("pactl", "load-module", "module-null-sink", "sink_name=pb_chosen", "sink_properties=device.description=Chosen").Output()
	require.NoError(t, err)
	t.Cleanup(func() { _ = exec.Command("pactl", "unload-module", strings.TrimSpace(string(idx))).Run() })
	pbx := rtctest.StartPBX(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	host := audio.New(audio.Options{})
	defer host.Close()
	var mu sync.Mutex
	speaker := audio.DeviceRef{} // the default
	calleeUser := pbx.User("chooser")
	callee := startAgent(ctx, t, pbx, calleeUser, 0, func(c *phone.Config) {
		c.NewSource, c.NewSink, c.Audio = nil, nil, host
		c.Devices = func() (audio.DeviceRef, audio.DeviceRef) {
			mu.Lock()
			defer mu.Unlock()
			return audio.DeviceRef{}, speaker
		}
	})
	caller := startAgent(ctx, t, pbx, pbx.User("caller"), 440, nil)
	call := func() (*phone.Call, *phone.Call) {
		out, in := dialAndAnswer(ctx, t, caller, callee, calleeUser)
		eventually(ctx, t, "the answerer's speaker gets the caller's tone", hears(in, 440))
		return out, in
	}
	playsTo := func(sink string) func() bool {
		return func() bool {
			for _, s := range sinkOfStreams(t) {
				if s == sink {
					return true
				}
			}
			return false
		}
	}

	out, in := call()
	require.NotContains(t, sinkOfStreams(t), "pb_chosen", "the first call plays on the default speaker")
	require.NoError(t, out.Hangup(ctx))
	<-in.Done()

	mu.Lock()
	speaker = audio.DeviceRef{ID: "pb_chosen", Name: "Chosen"}
	mu.Unlock()
	out, in = call()
	eventually(ctx, t, "the second call plays on the speaker chosen meanwhile", playsTo("pb_chosen"))

	// During the call: back to the default speaker, without interrupting it.
	mu.Lock()
	speaker = audio.DeviceRef{}
	mu.Unlock()
	require.NoError(t, in.SwitchDevices(ctx))
	eventually(ctx, t, "the call's stream to leave the chosen speaker", func() bool { return !playsTo("pb_chosen")() })
	require.NotEmpty(t, sinkOfStreams(t), "the call plays on another speaker")
	before := out.Stats().PacketsIn
	eventually(ctx, t, "the microphone still sends after the switch", func() bool { return out.Stats().PacketsIn > before+25 })
	eventually(ctx, t, "the call still hears the caller", hears(in, 440))
	require.NoError(t, out.Hangup(ctx))
	<-in.Done()
	require.ErrorIs(t, in.SwitchDevices(ctx), phone.ErrCallState, "an ended call has no devices to switch")
}
