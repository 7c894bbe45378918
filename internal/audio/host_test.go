package audio

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// leakOptions ignore the goroutines of the sound system's callbacks that cgo keeps, and releases of
// unplugged devices that miniaudio cannot finish (see closeLost).
var leakOptions = []goleak.Option{
	goleak.IgnoreAnyFunction("github.com/phonebar/phonebar/internal/audio.reapLostStream"),
}

// checkLeaks verifies, after every cleanup of t has run, that t left no goroutine behind. Call it
// first, so that its cleanup runs last.
func checkLeaks(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t, leakOptions...) })
}

// The null backend has one microphone that delivers digital silence in real time, and one speaker.
func TestNullBackend(t *testing.T) {
	checkLeaks(t)
	h := New(Options{Backend: BackendNull})
	t.Cleanup(func() { assert.NoError(t, h.Close()) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	devs, err := h.ListDevices(ctx)
	if err != nil && isNoAudioSupport(err) {
		t.Skip("built without audio support")
	}
	require.NoError(t, err)
	require.Len(t, devs.Microphones, 1)
	require.Len(t, devs.Speakers, 1)
	require.Equal(t, devs.Speakers, devs.Ringers)

	t.Run("check hears digital silence", func(t *testing.T) {
		var levels []Level
		res, err := h.CheckMicrophone(ctx, CheckOptions{Listen: 300 * time.Millisecond, OnLevel: func(l Level) { levels = append(levels, l) }})
		require.NoError(t, err)
		assert.Equal(t, VerdictSilent, res.Verdict, res.Message)
		assert.Equal(t, MinDBFS, res.RMSDBFS)
		assert.Contains(t, res.Message, "digital silence")
		assert.Equal(t, devs.Microphones[0].Name, res.Device.Name)
		assert.Positive(t, res.SampleRate)
		assert.GreaterOrEqual(t, res.ListenedMs, int64(300))
		assert.Len(t, levels, 6, "one level per 50 ms")
	})
	t.Run("unknown device names the ones that exist", func(t *testing.T) {
		res, err := h.CheckMicrophone(ctx, CheckOptions{Device: "Desk Mic"})
		var nf *DeviceNotFoundError
		require.ErrorAs(t, err, &nf)
		assert.Equal(t, []string{devs.Microphones[0].Name}, nf.Available)
		assert.Equal(t, VerdictNoMicrophone, res.Verdict)
		assert.Contains(t, res.Message, devs.Microphones[0].Name)
	})
	t.Run("tone plays", func(t *testing.T) {
		res, err := h.PlayTone(ctx, PlayOptions{Duration: 200 * time.Millisecond, Hz: 440})
		require.NoError(t, err)
		assert.Equal(t, devs.Speakers[0].ID, res.Device.ID)
		assert.False(t, res.FellBack)
	})
	t.Run("ringtone on a missing ringer falls back", func(t *testing.T) {
		res, err := h.PlayTone(ctx, PlayOptions{Duration: 100 * time.Millisecond, Ringtone: true, Device: DeviceRef{Name: "Gone"}})
		require.NoError(t, err)
		assert.True(t, res.FellBack)
		assert.Contains(t, res.Message, `"Gone" is not connected`)
	})
	t.Run("cancelled check", func(t *testing.T) {
		c, cancel := context.WithCancel(ctx)
		cancel()
		_, err := h.CheckMicrophone(c, CheckOptions{})
		assert.ErrorIs(t, err, context.Canceled)
	})
}

func TestClosedHost(t *testing.T) {
	h := New(Options{Backend: BackendNull})
	require.NoError(t, h.Close())
	require.NoError(t, h.Close(), "twice is harmless")
	_, err := h.ListDevices(context.Background())
	assert.ErrorIs(t, err, ErrClosed)
}
