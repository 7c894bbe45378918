package phone

import (
	"context"
	"sync"
	"time"

	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/audio/dsp"
	"github.com/phonebar/phonebar/internal/rtc"
)

// deviceAudio joins a call's media to the microphone and speaker through an audio Engine: the
// media's Source takes captured frames, its Sink queues decoded audio for the speaker. Both sides
// resample between the Engine's rate and the codec's.
type deviceAudio struct {
	eng  *audio.Engine
	rate int
	stop context.CancelFunc
	done chan struct{}
	once sync.Once

	mu       sync.Mutex
	captured [][]int16 // newest last; a few frames at most
	play     []int16   // queued for the speaker, at the Engine's rate
	toCodec  *dsp.Resampler
	toCodecR int
	toDevice *dsp.Resampler
	toDevR   int
	pending  []int16 // resampled capture not yet handed out
}

const maxCaptured = 5

// The speaker's queue sits between two clocks: the call's playout writes a frame every packet time
// from its jitter buffer (which has already absorbed the network's jitter), and the speaker takes
// frames at the sound card's pace. It needs only to ride out scheduling between the two; when the
// clocks drift apart and it grows past queueMax, it is cut back to queueKeep in one step, rather
// than sit at its limit and carry that delay for the rest of the call.
const (
	queueMax  = 120 * time.Millisecond
	queueKeep = 40 * time.Millisecond
)

func openDeviceAudio(ctx context.Context, host *audio.Host, capture, playback audio.DeviceRef) (*deviceAudio, error) {
	d := &deviceAudio{done: make(chan struct{})}
	eng, err := host.OpenEngine(ctx, audio.EngineOptions{Capture: capture, Playback: playback, Source: audio.SourceFunc(d.nextFrame)})
	if err != nil {
		return nil, err
	}
	d.eng, d.rate = eng, eng.SampleRate()
	rctx, cancel := context.WithCancel(context.Background())
	d.stop = cancel
	go d.capture(rctx)
	return d, nil
}

func (d *deviceAudio) capture(ctx context.Context) {
	defer close(d.done)
	for {
		pcm := make([]int16, d.eng.FrameSamples())
		n, err := d.eng.ReadFrame(ctx, pcm)
		if err != nil {
			return
		}
		d.mu.Lock()
		d.captured = append(d.captured, pcm[:n])
		if len(d.captured) > maxCaptured {
			d.captured = d.captured[len(d.captured)-maxCaptured:]
		}
		d.mu.Unlock()
	}
}

// Fill gives the media the next captured audio at rate, silence when the microphone is behind.
func (d *deviceAudio) Fill(pcm []int16, rate int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.toCodec == nil || d.toCodecR != rate {
		d.toCodec, d.toCodecR, d.pending = dsp.NewResampler(d.rate, rate), rate, d.pending[:0]
	}
	for len(d.pending) < len(pcm) && len(d.captured) > 0 {
		f := d.captured[0]
		d.captured = d.captured[1:]
		if rate == d.rate {
			d.pending = append(d.pending, f...)
		} else {
			d.pending = d.toCodec.Process(d.pending, f)
		}
	}
	n := copy(pcm, d.pending)
	clear(pcm[n:])
	d.pending = append(d.pending[:0], d.pending[n:]...)
}

// Write queues decoded audio for the speaker.
func (d *deviceAudio) Write(pcm []int16, rate int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if rate == d.rate {
		d.play = append(d.play, pcm...)
	} else {
		if d.toDevice == nil || d.toDevR != rate {
			d.toDevice, d.toDevR = dsp.NewResampler(rate, d.rate), rate
		}
		d.play = d.toDevice.Process(d.play, pcm)
	}
	if len(d.play) > samplesIn(queueMax, d.rate) {
		d.play = append(d.play[:0], d.play[len(d.play)-samplesIn(queueKeep, d.rate):]...)
	}
}

// nextFrame is the Engine's Source: the queued audio, silence when none came.
func (d *deviceAudio) nextFrame(pcm []int16) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := copy(pcm, d.play)
	clear(pcm[n:])
	d.play = append(d.play[:0], d.play[n:]...)
}

func samplesIn(dur time.Duration, rate int) int {
	return int(int64(rate) * int64(dur) / int64(time.Second))
}

func (d *deviceAudio) close() {
	d.once.Do(func() {
		d.stop()
		d.eng.Close()
		<-d.done
	})
}

// tee writes to two sinks.
type tee struct{ a, b rtc.Sink }

func (t tee) Write(pcm []int16, rate int) {
	t.a.Write(pcm, rate)
	t.b.Write(pcm, rate)
}
