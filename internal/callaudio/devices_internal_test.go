package callaudio

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The speaker's queue stays short when the call's playout writes faster than the speaker takes
// (the two clocks drifting apart): past queueMax it is cut back to the newest queueKeep, so the
// delay it adds stays bounded and the speaker plays the latest audio.
func TestSpeakerQueueBounded(t *testing.T) {
	const rate = 48000
	d := &Devices{rate: rate}
	frame := samplesIn(20*time.Millisecond, rate)
	pcm := make([]int16, frame)
	for i := range 50 {
		for j := range pcm {
			pcm[j] = int16(i + 1)
		}
		d.Write(pcm, rate)
		assert.LessOrEqual(t, len(d.play), samplesIn(queueMax, rate), "after frame %d", i)
	}
	require.NotEmpty(t, d.play)
	// What is queued now ends with the newest frame, and holds nothing older than queueMax.
	out := make([]int16, frame)
	var last int16
	for len(d.play) > 0 {
		d.nextFrame(out)
		if out[0] != 0 {
			assert.GreaterOrEqual(t, out[0], int16(50-queueMax/(20*time.Millisecond)), "old audio left in the queue")
			last = out[0]
		}
	}
	assert.Equal(t, int16(50), last)

	// A steady writer that keeps pace with the speaker never loses a sample.
	d = &Devices{rate: rate}
	for i := range 200 {
		for j := range pcm {
			pcm[j] = int16(i%100 + 1)
		}
		d.Write(pcm, rate)
		d.nextFrame(out)
		require.Equal(t, pcm, out, "frame %d", i)
	}
}
