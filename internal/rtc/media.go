package rtc

import (
	"sync"
	"time"

	"github.com/phonebar/phonebar/internal/audio/dsp"
)

// Source gives the audio to send: Fill writes the next len(pcm) samples of mono PCM at rate. It is
// called every 20 ms from the call's sending goroutine and must not block.
type Source interface {
	Fill(pcm []int16, rate int)
}

// Sink takes the audio received: Write gets one frame of mono PCM at rate every packet time (20 ms
// from this phone and from browsers), in order, decoded from its packet or made up for a lost one,
// on the call's playout goroutine. Nothing is written before the first packet arrives, nor while
// the far end sends nothing. It must copy what it keeps and must not block.
type Sink interface {
	Write(pcm []int16, rate int)
}

// ClockedSource is a Source with a clock of its own, a microphone: Ready gets a token each time a
// frame is captured, and the session sends one frame per token instead of on a ticker of its own,
// so that a frame waits for no second clock. A nil Ready means no clock (the ticker is used).
type ClockedSource interface {
	Source
	Ready() <-chan struct{}
}

// FramedSource is a ClockedSource that says how long its frames are. When the packet time
// negotiated differs from it, the session sends a packet for every packet time of audio captured
// rather than one per frame.
type FramedSource interface {
	ClockedSource
	FrameDuration() time.Duration
}

// Playout gives the audio received to a PullSink: Pull fills pcm at rate with what comes next, and
// reports whether it holds the far end's audio (false: silence).
type Playout interface {
	Pull(pcm []int16, rate int) bool
}

// PullSink is a Sink with a clock of its own, a speaker: SetPlayout hands it the session's playout,
// called once when the session is made, and the sink reports whether it will pull from it. If it
// will, the session runs no playout clock of its own and never calls Write.
type PullSink interface {
	Sink
	SetPlayout(p Playout) bool
}

// Silence is a Source of digital silence.
type Silence struct{}

// Fill writes zeros.
func (Silence) Fill(pcm []int16, _ int) { clear(pcm) }

// Discard is a Sink that drops everything.
type Discard struct{}

// Write drops the frame.
func (Discard) Write([]int16, int) {}

// ToneSource is a Source of a steady sine at Hz (amplitude 0.3 of full scale).
type ToneSource struct {
	Hz float64

	mu   sync.Mutex
	tone *dsp.Tone
	rate int
}

// NewToneSource returns a tone of hz.
func NewToneSource(hz float64) *ToneSource { return &ToneSource{Hz: hz} }

// Fill writes the next samples of the tone.
func (t *ToneSource) Fill(pcm []int16, rate int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tone == nil || t.rate != rate {
		t.tone, t.rate = dsp.NewTone(t.Hz, rate, 0.3), rate
	}
	t.tone.Fill(pcm)
}

// FrequencySink keeps the last half second received and tells its dominant frequency and level:
// how tests and the --tone mode check that the far end's audio arrives.
type FrequencySink struct {
	mu     sync.Mutex
	buf    []int16
	rate   int
	frames int
}

// NewFrequencySink returns an empty sink.
func NewFrequencySink() *FrequencySink { return &FrequencySink{} }

// Write keeps the frame.
func (f *FrequencySink) Write(pcm []int16, rate int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if rate != f.rate {
		f.buf, f.rate = f.buf[:0], rate
	}
	f.buf = append(f.buf, pcm...)
	if limit := rate / 2; len(f.buf) > limit {
		f.buf = append(f.buf[:0], f.buf[len(f.buf)-limit:]...)
	}
	f.frames++
}

// Frames returns how many frames were written.
func (f *FrequencySink) Frames() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.frames
}

// Frequency returns the dominant frequency of the last half second in Hz (0 for silence), and its
// level in dBFS.
func (f *FrequencySink) Frequency() (hz, dbfs float64) {
	f.mu.Lock()
	samples := append([]int16(nil), f.buf...)
	rate := f.rate
	f.mu.Unlock()
	if len(samples) == 0 {
		return 0, dsp.DBFS(0)
	}
	return dsp.DominantFrequency(samples, rate), dsp.Measure(samples).RMSDBFS
}
