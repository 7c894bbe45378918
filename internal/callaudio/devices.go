package callaudio

import (
	"context"
	"sync"
	"time"

	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/audio/dsp"
	"github.com/phonebar/phonebar/internal/audio/processing"
	"github.com/phonebar/phonebar/internal/rtc"
)

// Devices joins a call's media to the microphone and speaker through an audio Engine: the
// media's Source takes captured frames, its Sink queues decoded audio for the speaker. Both sides
// resample between the Engine's rate and the codec's.
type Devices struct {
	host  *audio.Host
	proc  processing.Options
	frame time.Duration // the frames captured, the media's packet time
	once  sync.Once

	// swap serializes switching the devices and closing; closed is set by close.
	swap   sync.Mutex
	closed bool

	mu       sync.Mutex
	run      *engineRun // the Engine in use; nil once closed
	rate     int        // its rate
	capBuf   []int16    // a captured frame being taken from the Engine
	play     []int16    // queued for the speaker, at the Engine's rate
	toCodec  *dsp.Resampler
	toCodecR int
	toDevice *dsp.Resampler
	toDevR   int
	pending  []int16 // resampled capture not yet handed out

	ready   chan struct{} // a token per captured frame: the media's send clock
	playout rtc.Playout   // the media's playout, pulled on the speaker's clock; nil: Write pushes

	features []processing.Feature // the processing of the Engine opened last
}

// engineRun is one Engine of a call.
type engineRun struct {
	eng *audio.Engine
}

// maxCaptured is how many captured frames may wait for the media's send clock at most (its tokens).
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

// Open opens the microphone and speaker (zero refs: the system defaults) for one call, with proc
// done to the microphone (the speaker is the echo reference), in frames of rtc.DefaultPacketTime.
// It fails when proc asks for processing this build does not have.
func Open(ctx context.Context, host *audio.Host, capture, playback audio.DeviceRef, proc processing.Options) (*Devices, error) {
	return OpenWith(ctx, host, Options{Capture: capture, Playback: playback, Processing: proc})
}

// Options choose a call's devices. The zero value: the system's default microphone and speaker,
// no processing, frames of rtc.DefaultPacketTime.
type Options struct {
	// Capture and Playback are the microphone and speaker; zero refs mean the system defaults.
	Capture, Playback audio.DeviceRef
	// Processing is done to the microphone (the speaker is the echo reference).
	Processing processing.Options
	// Frame is the length of the frames captured and handed to the media: the packet time it sends
	// (rtc.Options.PacketTime), as the media sends one packet per frame captured. 0 means
	// rtc.DefaultPacketTime.
	Frame time.Duration
}

// OpenWith opens the devices opts name for one call.
func OpenWith(ctx context.Context, host *audio.Host, opts Options) (*Devices, error) {
	if opts.Frame <= 0 {
		opts.Frame = rtc.DefaultPacketTime
	}
	d := &Devices{host: host, proc: opts.Processing, frame: opts.Frame, ready: make(chan struct{}, maxCaptured)}
	if err := d.SwitchTo(ctx, opts.Capture, opts.Playback); err != nil {
		return nil, err
	}
	return d, nil
}

// SwitchTo puts the call on the devices: at the start, or later to move it to others. The new
// Engine is opened first, so a device that cannot be opened leaves the call as it was; then it
// becomes the current one (audio queued for the old devices, a few frames, is dropped) and the old
// Engine is stopped.
func (d *Devices) SwitchTo(ctx context.Context, capture, playback audio.DeviceRef) error {
	d.swap.Lock()
	defer d.swap.Unlock()
	if d.closed {
		return ErrClosed
	}
	run := &engineRun{}
	eng, err := d.host.OpenEngine(ctx, audio.EngineOptions{Capture: capture, Playback: playback,
		Source: audio.SourceFunc(d.nextFrame), PlayFromCallback: true, Processing: d.proc, FrameDuration: d.frame,
		OnFrame: func() { d.captured(run) }})
	if err != nil {
		return err
	}
	d.mu.Lock()
	old := d.run
	run.eng = eng
	d.run = run
	d.rate, d.play, d.pending, d.toCodec, d.toDevice = eng.SampleRate(), nil, nil, nil, nil
	d.capBuf = make([]int16, eng.FrameSamples())
	d.features = eng.Processing()
	d.mu.Unlock()
	if old != nil {
		old.eng.Close()
	}
	return nil
}

// captured is the Engine's OnFrame: a frame of run's microphone is ready. The media's send clock
// gets a token and takes the frame (Fill) straight from the Engine, with no goroutine between.
func (d *Devices) captured(run *engineRun) {
	d.mu.Lock()
	cur := d.run == run
	d.mu.Unlock()
	if !cur {
		return // the old microphone, while the switch finishes
	}
	select {
	case d.ready <- struct{}{}:
	default:
	}
}

// Ready implements rtc.ClockedSource: a token per frame captured, so that the media sends each
// frame as soon as it is here.
func (d *Devices) Ready() <-chan struct{} { return d.ready }

// FrameDuration implements rtc.FramedSource: the length of the frames captured.
func (d *Devices) FrameDuration() time.Duration { return d.frame }

// SetPlayout implements rtc.PullSink: the speaker pulls the media's playout on its own clock.
func (d *Devices) SetPlayout(p rtc.Playout) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.playout = p
	return p != nil
}

// Fill gives the media the next captured audio at rate, silence when the microphone is behind.
func (d *Devices) Fill(pcm []int16, rate int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.toCodec == nil || d.toCodecR != rate {
		d.toCodec, d.toCodecR, d.pending = dsp.NewResampler(d.rate, rate), rate, d.pending[:0]
	}
	if d.run == nil {
		clear(pcm)
		return
	}
	eng := d.run.eng
	for len(d.pending) < len(pcm) {
		n, ok := eng.TryReadFrame(d.capBuf)
		if !ok {
			break
		}
		d.pending = d.toCodec.Process(d.pending, d.capBuf[:n])
	}
	n := copy(pcm, d.pending)
	clear(pcm[n:])
	d.pending = d.pending[:copy(d.pending, d.pending[n:])]
	// The send clock is the microphone's, so a frame waits in the Engine only until its token is
	// taken. Frames beyond the tokens still pending had theirs lost while the sender was starved
	// (at most maxCaptured wait): drop the oldest of them rather than carry their delay through
	// the call.
	for extra := eng.QueuedFrames() - len(d.ready); extra > 1; extra-- {
		if _, ok := eng.TryReadFrame(d.capBuf); !ok {
			break
		}
	}
}

// Write queues decoded audio for the speaker.
func (d *Devices) Write(pcm []int16, rate int) {
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

// nextFrame is the Engine's Source, called from the speaker's own callback with what it asks for
// (PlayFromCallback): the media's playout, pulled straight from the jitter buffer, so the call has
// one playout clock (the sound card's) and no queue between the two; else the queued audio;
// silence when none came. It takes short locks only.
func (d *Devices) nextFrame(pcm []int16) {
	d.mu.Lock()
	p, rate := d.playout, d.rate
	d.mu.Unlock()
	if p != nil {
		p.Pull(pcm, rate)
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	n := copy(pcm, d.play)
	clear(pcm[n:])
	d.play = append(d.play[:0], d.play[n:]...)
}

// Queued returns the audio waiting in this side's queues now: captured, taken from the Engine and
// not yet sent by the media (the frames still in the Engine are its EngineStats.CaptureQueued),
// decoded and not yet taken by the speaker's Engine.
func (d *Devices) Queued() (capture, playback time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.rate <= 0 {
		return 0, 0
	}
	n := len(d.pending) * d.rate / max(d.toCodecR, 1)
	return durOf(n, d.rate), durOf(len(d.play), d.rate)
}

// Processing returns the processing in effect on the microphone (still after Close, for reports).
func (d *Devices) Processing() []processing.Feature {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.features
}

// Engine returns the audio Engine in use, nil once closed.
func (d *Devices) Engine() *audio.Engine {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.run == nil {
		return nil
	}
	return d.run.eng
}

func durOf(n, rate int) time.Duration {
	return time.Duration(int64(n) * int64(time.Second) / int64(rate))
}

func samplesIn(dur time.Duration, rate int) int {
	return int(int64(rate) * int64(dur) / int64(time.Second))
}

// Close stops the Engine; idempotent.
func (d *Devices) Close() {
	d.once.Do(func() {
		d.swap.Lock()
		defer d.swap.Unlock()
		d.closed = true
		d.mu.Lock()
		run := d.run
		d.run = nil
		d.mu.Unlock()
		if run != nil {
			run.eng.Close()
		}
	})
}
