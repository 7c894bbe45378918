package audio

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/phonebar/phonebar/internal/audio/dsp"
	"github.com/phonebar/phonebar/internal/audio/processing"
)

// Source gives the Engine what to play at the Engine's sample rate, one frame at a time (with
// PlayFromCallback, as many samples as the speaker asks for). NextFrame must fill all of pcm; it
// runs on the Engine's playout goroutine (with PlayFromCallback, on the sound system's thread),
// never twice at once, and must not block for long. A call's Source is internal/callaudio's Devices.
type Source interface {
	NextFrame(pcm []int16)
}

// SourceFunc adapts a function to Source.
type SourceFunc func(pcm []int16)

// NextFrame implements Source.
func (f SourceFunc) NextFrame(pcm []int16) { f(pcm) }

// EngineOptions configure OpenEngine. The zero value opens the default microphone and speaker at
// 48 kHz in 20 ms frames, plays silence, and reports nothing.
type EngineOptions struct {
	// Capture and Playback are the preferred devices; the zero DeviceRef is the system default. A
	// missing device falls back to the default (EventFallback) and comes back when it returns
	// (EventRestored).
	Capture, Playback DeviceRef
	// SampleRate of the frames exchanged with the Engine; 0 means 48000. The devices are opened at
	// this rate, so that the sound system converts where it must, in its mixer, where it converts
	// every stream anyway (PulseAudio, WASAPI, Core Audio); a device that still runs at another rate
	// is resampled here.
	SampleRate int
	// FrameDuration of those frames; 0 means 20 ms.
	FrameDuration time.Duration
	// Source is played; nil plays silence until SetSource.
	Source Source
	// OnFrame, if set, is called each time a captured frame is ready for ReadFrame or TryReadFrame,
	// on the Engine's capture goroutine: a consumer can wait on its own signal instead of a
	// goroutine blocked in ReadFrame. It must not block.
	OnFrame func()
	// OnEvent receives device events in order, on one goroutine of the Engine, never under a lock.
	OnEvent func(Event)
	// CheckInterval is how often the device lists are checked (a device gone without notice, a
	// preferred device back); 0 means DefaultWatchInterval.
	CheckInterval time.Duration
	// PlaybackLead is how much audio is queued ahead of the speaker; 0 means 60 ms. Less lowers the
	// latency and risks gaps on a busy machine. Unused with PlayFromCallback.
	PlaybackLead time.Duration
	// PlayFromCallback calls the Source from the sound system's own callback, as the speaker asks
	// for audio, with as many samples as it needs at a time (any length, often less than a frame),
	// instead of keeping PlaybackLead queued ahead of it from a goroutine: the speaker's clock is
	// then the only playout clock and nothing waits between the Source and the device's buffer.
	// The Source must then take any length and must never block (short locks only: no I/O, no
	// channel waits). While no speaker takes audio the Source is still drained at real-time pace.
	PlayFromCallback bool
	// Processing cleans up the microphone before ReadFrame hands it out: echo cancellation against
	// what the speaker plays (taken as the speaker takes it, on the sound system's clock), noise
	// suppression, gain control. The zero value processes nothing. OpenEngine fails when the
	// processing asked for is not available, rather than run without it.
	Processing processing.Options
}

// EngineStats count an Engine's frames.
type EngineStats struct {
	CaptureFrames   uint64 // frames delivered to ReadFrame's side
	CaptureDropped  uint64 // frames dropped because nobody read them in time
	CaptureFiller   uint64 // frames of silence made while no microphone delivered
	PlaybackFrames  uint64 // frames taken from the Source
	PlaybackGaps    uint64 // samples of silence the speaker played because nothing was queued
	Capture         Device
	Playback        Device
	CaptureRate     int
	PlaybackRate    int
	CaptureLost     int // microphones lost during the Engine's life
	PlaybackLost    int
	CaptureSwitches int
	// CaptureQueued is the microphone audio waiting in the Engine now (device ring, resampler
	// output not yet a whole frame, frames not yet read); PlaybackQueued the audio queued ahead of
	// the speaker in the Engine. Sampled over a call they give the mean delay each adds.
	CaptureQueued, PlaybackQueued time.Duration
}

// Engine runs the audio of one call: it captures from a microphone and plays to a speaker, both
// at the device's own rate, and exchanges frames with the softphone at the codec's rate. A device
// that disappears is replaced by the default without interrupting the frames: ReadFrame keeps
// delivering (silence while there is no microphone) and the Source keeps being played (or drained
// at the same pace while there is no speaker). Build with Host.OpenEngine; Close when the call ends.
type Engine struct {
	host  *Host
	opts  EngineOptions
	rate  int
	frame int // samples per frame at rate

	frames chan []int16 // captured frames, oldest first
	free   chan []int16 // frames read, for the capture loop to fill again
	muted  atomic.Bool
	source atomic.Pointer[Source]
	// srcMu serialises the Source's calls: with PlayFromCallback the speaker's thread calls it,
	// and the playback loop does while no speaker takes audio, and the two can overlap as a
	// device starts or stops.
	srcMu sync.Mutex

	dirs [2]*direction // capture, playback

	switchReq chan switchRequest
	lostCh    chan *stream
	events    chan Event

	cancel    context.CancelFunc
	wg        sync.WaitGroup
	eventDone chan struct{}
	closeOnce sync.Once
	done      chan struct{}

	proc *processing.Processor // nil: no processing

	captureFrames, captureDropped, captureFiller, playbackFrames atomic.Uint64
	fedSamples                                                   atomic.Uint64 // taken from the Source by callbackFeeds, at rate
	captureAcc                                                   atomic.Int64  // samples at rate in the capture loop's partial frame
}

// direction is one side of the Engine: the device in use and the one preferred.
type direction struct {
	kind    DeviceKind
	changed chan struct{} // a token when cur changes

	mu       sync.Mutex
	cur      *stream
	pref     DeviceRef
	fellBack bool
	lost     int
	switches int
	noDevice bool // EventNoDevice already reported
}

func (d *direction) current() *stream {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cur
}

// swap puts s in use and returns the stream it replaces.
func (d *direction) swap(s *stream) *stream {
	d.mu.Lock()
	old := d.cur
	d.cur = s
	d.mu.Unlock()
	select {
	case d.changed <- struct{}{}:
	default:
	}
	return old
}

type switchRequest struct {
	kind  DeviceKind
	ref   DeviceRef
	reply chan error
}

// OpenEngine opens the preferred (or default) microphone and speaker and starts the Engine. It
// fails, without leaving anything open, when either cannot be opened: there is no device, the
// sound system is not running, access is denied, or the device refuses the format.
func (h *Host) OpenEngine(ctx context.Context, opts EngineOptions) (*Engine, error) {
	if opts.SampleRate <= 0 {
		opts.SampleRate = 48000
	}
	if opts.FrameDuration <= 0 {
		opts.FrameDuration = 20 * time.Millisecond
	}
	if opts.CheckInterval <= 0 {
		opts.CheckInterval = DefaultWatchInterval
	}
	if opts.PlaybackLead <= 0 {
		opts.PlaybackLead = 60 * time.Millisecond
	}
	drv, err := h.driver()
	if err != nil {
		return nil, err
	}
	devs, err := h.ListDevices(ctx)
	if err != nil {
		return nil, err
	}
	e := &Engine{
		host:      h,
		opts:      opts,
		rate:      opts.SampleRate,
		frame:     int(int64(opts.SampleRate) * int64(opts.FrameDuration) / int64(time.Second)),
		frames:    make(chan []int16, capturedFrames),
		free:      make(chan []int16, capturedFrames+2),
		switchReq: make(chan switchRequest),
		lostCh:    make(chan *stream, 4),
		events:    make(chan Event, 64),
		eventDone: make(chan struct{}),
		done:      make(chan struct{}),
	}
	if opts.Source != nil {
		src := opts.Source
		e.source.Store(&src)
	}
	if opts.Processing.Any() {
		po := opts.Processing
		po.Rate = e.rate
		if e.proc, err = processing.New(po); err != nil {
			return nil, err
		}
	}
	var pending []Event
	for i, kind := range []DeviceKind{KindCapture, KindPlayback} {
		pref := opts.Capture
		if kind == KindPlayback {
			pref = opts.Playback
		}
		d := &direction{kind: kind, pref: pref, changed: make(chan struct{}, 1)}
		e.dirs[i] = d
		r, err := devs.Resolve(kind, pref)
		if err != nil {
			e.closeStreams()
			e.proc.Close()
			return nil, err
		}
		s, err := e.openStream(drv, kind, r.Device)
		if err != nil {
			e.closeStreams()
			e.proc.Close()
			return nil, fmt.Errorf("audio: opening the %s %q: %w", kind, r.Device.Name, err)
		}
		d.cur, d.fellBack = s, r.FellBack
		if r.FellBack {
			pending = append(pending, Event{Kind: EventFallback, Dir: kind, Device: r.Device, Message: r.Message})
		}
	}
	runCtx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	go e.deliverEvents()
	for _, ev := range pending {
		e.emit(ev)
	}
	e.wg.Add(3)
	go e.captureLoop(runCtx)
	go e.playbackLoop(runCtx)
	go e.control(runCtx)
	return e, nil
}

// openStream opens a device for the Engine, at the Engine's rate: a speaker of an Engine that
// cancels echo keeps the echo reference.
func (e *Engine) openStream(drv driver, kind DeviceKind, dev Device) (*stream, error) {
	var feed *callbackFeed
	if kind == KindPlayback && e.opts.PlayFromCallback {
		feed = &callbackFeed{e: e}
	}
	s, err := openStream(drv, kind, dev, e.rate, feed)
	if err == nil && kind == KindPlayback && e.proc != nil && e.opts.Processing.EchoCancel {
		s.ref.Store(newRing(len(s.ring.buf)))
	}
	return s, err
}

// callbackFeed fills one speaker's buffer from the Engine's Source, on the sound system's thread
// (PlayFromCallback): it takes from the Source what the device asks for, resampled to the device's
// rate, keeping back only the few samples the resampler's ratio leaves over.
type callbackFeed struct {
	e    *Engine
	rate int // the device's, set before the first callback
	rs   *dsp.Resampler
	in   []int16
	out  []int16 // resampled, not yet played
}

func (f *callbackFeed) fill(out []int16) {
	e := f.e
	if f.rs == nil {
		f.rs = dsp.NewResampler(e.rate, f.rate)
	}
	for len(f.out) < len(out) {
		// Enough at the Engine's rate for what is missing, rounded up: the rest waits in out.
		need := ((len(out)-len(f.out))*e.rate + f.rate - 1) / f.rate
		if cap(f.in) < need {
			f.in = make([]int16, need)
		}
		in := f.in[:need]
		e.nextFrame(in)
		e.fedSamples.Add(uint64(need))
		f.out = f.rs.Process(f.out, in)
	}
	n := copy(out, f.out)
	f.out = f.out[:copy(f.out, f.out[n:])]
}

// nextFrame fills pcm from the Source, silence without one.
func (e *Engine) nextFrame(pcm []int16) {
	p := e.source.Load()
	if p == nil {
		clear(pcm)
		return
	}
	e.srcMu.Lock()
	(*p).NextFrame(pcm)
	e.srcMu.Unlock()
}

// Processing returns the processing in effect on the microphone (none without).
func (e *Engine) Processing() []processing.Feature {
	if e.proc == nil {
		return nil
	}
	return e.proc.Features()
}

// FrameSamples is the number of samples in one frame at the Engine's rate (960 at 48 kHz).
func (e *Engine) FrameSamples() int { return e.frame }

// SampleRate is the rate of the Engine's frames.
func (e *Engine) SampleRate() int { return e.rate }

// capturedFrames is how many captured frames wait for ReadFrame at most; past it the oldest is
// dropped (EngineStats.CaptureDropped).
const capturedFrames = 10

// ReadFrame waits for the next captured frame and copies it into pcm, which must hold
// FrameSamples samples. While muted the frames are silence (they keep coming, so the RTP clock
// keeps running). It fails with ErrClosed after Close, or with ctx's error.
func (e *Engine) ReadFrame(ctx context.Context, pcm []int16) (int, error) {
	if len(pcm) < e.frame {
		return 0, fmt.Errorf("audio: ReadFrame needs room for %d samples, got %d", e.frame, len(pcm))
	}
	// A closed engine says so at once, even with frames still queued (select picks among ready
	// cases at random).
	select {
	case <-e.done:
		return 0, ErrClosed
	default:
	}
	select {
	case f := <-e.frames:
		return e.recycle(pcm, f), nil
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-e.done:
		return 0, ErrClosed
	}
}

// TryReadFrame is ReadFrame without the wait: it copies the next captured frame into pcm and
// returns its length, or reports false when none is waiting (or the Engine is closed).
func (e *Engine) TryReadFrame(pcm []int16) (int, bool) {
	if len(pcm) < e.frame {
		return 0, false
	}
	select {
	case <-e.done:
		return 0, false
	case f := <-e.frames:
		return e.recycle(pcm, f), true
	default:
		return 0, false
	}
}

// QueuedFrames is how many captured frames wait to be read.
func (e *Engine) QueuedFrames() int { return len(e.frames) }

// recycle copies frame f into pcm and gives f back to the capture loop.
func (e *Engine) recycle(pcm, f []int16) int {
	n := copy(pcm, f)
	select {
	case e.free <- f:
	default:
	}
	return n
}

// newFrame is a frame to fill: one read already, else a new one.
func (e *Engine) newFrame() []int16 {
	select {
	case f := <-e.free:
		return f
	default:
		return make([]int16, e.frame)
	}
}

// SetSource changes what is played; nil plays silence.
func (e *Engine) SetSource(src Source) {
	if src == nil {
		e.source.Store(nil)
		return
	}
	e.source.Store(&src)
}

// SetMute mutes or unmutes the microphone.
func (e *Engine) SetMute(muted bool) { e.muted.Store(muted) }

// Muted reports whether the microphone is muted.
func (e *Engine) Muted() bool { return e.muted.Load() }

// Devices returns the microphone and speaker in use (zero while there is none).
func (e *Engine) Devices() (capture, playback Device) {
	if s := e.dirs[0].current(); s != nil {
		capture = s.device
	}
	if s := e.dirs[1].current(); s != nil {
		playback = s.device
	}
	return capture, playback
}

// Stats returns the Engine's counters.
func (e *Engine) Stats() EngineStats {
	st := EngineStats{
		CaptureFrames:  e.captureFrames.Load(),
		CaptureDropped: e.captureDropped.Load(),
		CaptureFiller:  e.captureFiller.Load(),
		PlaybackFrames: e.playbackFrames.Load() + e.fedSamples.Load()/uint64(e.frame),
	}
	st.CaptureQueued = e.samplesDur(int(e.captureAcc.Load())+len(e.frames)*e.frame, e.rate)
	for i, d := range e.dirs {
		d.mu.Lock()
		s := d.cur
		if i == 0 {
			st.CaptureLost, st.CaptureSwitches = d.lost, d.switches
		} else {
			st.PlaybackLost = d.lost
		}
		d.mu.Unlock()
		if s == nil {
			continue
		}
		if i == 0 {
			st.Capture, st.CaptureRate = s.device, s.rate
			st.CaptureQueued += e.samplesDur(s.ring.buffered()+s.drv.queued(), s.rate)
		} else {
			st.Playback, st.PlaybackRate = s.device, s.rate
			st.PlaybackGaps = s.dropped.Load() + s.drv.shortfall()
			st.PlaybackQueued = e.samplesDur(s.ring.buffered()+s.drv.queued(), s.rate)
		}
	}
	return st
}

func (e *Engine) samplesDur(n, rate int) time.Duration {
	if rate <= 0 {
		return 0
	}
	return time.Duration(int64(n) * int64(time.Second) / int64(rate))
}

// SwitchDevice moves one direction (KindCapture or KindPlayback) to another device during the
// call, and remembers it as the preferred one. The call does not drop: frames keep flowing while
// the new device opens. A ref that is not connected falls back to the default (EventFallback). On
// error the old device stays in use.
func (e *Engine) SwitchDevice(ctx context.Context, kind DeviceKind, ref DeviceRef) error {
	if kind != KindCapture && kind != KindPlayback {
		return fmt.Errorf("audio: SwitchDevice: %v is not a direction", kind)
	}
	req := switchRequest{kind: kind, ref: ref, reply: make(chan error, 1)}
	select {
	case e.switchReq <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-e.done:
		return ErrClosed
	}
	select {
	case err := <-req.reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops the Engine and releases its devices; every event is delivered before it returns.
// Closing twice is harmless.
func (e *Engine) Close() error {
	e.closeOnce.Do(func() {
		close(e.done)
		e.cancel()
		e.wg.Wait()
		e.closeStreams()
		e.proc.Close()
		close(e.events)
		<-e.eventDone
	})
	return nil
}

func (e *Engine) closeStreams() {
	for _, d := range e.dirs {
		if d == nil {
			continue
		}
		if s := d.swap(nil); s != nil {
			if s.isLost() {
				s.closeLost()
			} else {
				s.close()
			}
		}
	}
}

func (e *Engine) emit(ev Event) {
	select {
	case e.events <- ev:
	default: // a listener this far behind loses events rather than stalling the call
	}
}

func (e *Engine) deliverEvents() {
	defer close(e.eventDone)
	for ev := range e.events {
		if e.opts.OnEvent != nil {
			e.opts.OnEvent(ev)
		}
	}
}

// reportLost tells the control goroutine that s stopped; never blocks.
func (e *Engine) reportLost(s *stream) {
	select {
	case e.lostCh <- s:
	default:
	}
}

// captureWatch is how often the capture and playback loops look at a device that delivers (or
// takes) audio by itself, to notice it stalled (stallTimeout): the device's callbacks wake them
// otherwise, and a silent tick each frame would only cost wake-ups.
const captureWatch = 250 * time.Millisecond

// captureLoop moves captured audio from the device ring through the resampler into frames. It
// wakes once per frame: the device's callback signals only once the ring holds what the next
// frame needs (stream.wakeAt), not at every period of the device.
func (e *Engine) captureLoop(ctx context.Context) {
	defer e.wg.Done()
	d := e.dirs[0]
	period := e.opts.FrameDuration
	tick := time.NewTicker(period)
	defer tick.Stop()
	var (
		s        *stream
		rs       *dsp.Resampler
		acc      []int16
		tmp      = make([]int16, 4096)
		lastData time.Time
		reported bool
		echo     echoReference
	)
	emit := func(f []int16) {
		if e.muted.Load() {
			clear(f)
		}
		select {
		case e.frames <- f:
		default:
			// Nobody is reading fast enough: drop the oldest frame, keep the newest.
			select {
			case old := <-e.frames:
				e.captureDropped.Add(1)
				select {
				case e.free <- old:
				default:
				}
			default:
			}
			select {
			case e.frames <- f:
			default:
			}
		}
		e.captureFrames.Add(1)
		if e.opts.OnFrame != nil {
			e.opts.OnFrame()
		}
	}
	for {
		if cur := d.current(); cur != s {
			s, reported = cur, false
			acc = acc[:0]
			if s != nil {
				rs = dsp.NewResampler(s.rate, e.rate)
				lastData = time.Now()
			}
		}
		if s != nil && s.flowing() {
			for {
				n := s.ring.read(tmp)
				if n == 0 {
					// Wake at the callback that completes the next frame. What it needs is
					// rounded down (the resampler also holds back a few samples): a wake too
					// early finds too little and sleeps again; one too late would hold a
					// whole frame back by a device period. Checked again after the store, so
					// that a callback in between is not missed.
					need := max((e.frame-len(acc))*s.rate/e.rate-2, 1)
					s.wakeAt.Store(int64(need))
					if s.ring.buffered() < need {
						break
					}
					continue
				}
				lastData = time.Now()
				acc = rs.Process(acc, tmp[:n])
				for len(acc) >= e.frame {
					f := e.newFrame()
					copy(f, acc)
					acc = acc[:copy(acc, acc[e.frame:])]
					if e.proc != nil {
						pending := len(acc) + s.ring.buffered()*e.rate/s.rate
						e.proc.Process(f, echo.take(e, len(f), pending))
					}
					emit(f)
				}
				e.captureAcc.Store(int64(len(acc)))
			}
			if !reported && (s.isLost() || time.Since(lastData) > stallTimeout) {
				reported = true
				e.reportLost(s)
			}
		}
		// A microphone that delivers wakes the loop itself; the tick then only watches it.
		want := e.opts.FrameDuration
		if s != nil && s.flowing() && !reported {
			want = captureWatch
		}
		if want != period {
			period = want
			tick.Reset(period)
		}
		var wake, lost <-chan struct{}
		if s != nil {
			wake, lost = s.wake, s.lost
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-lost:
			if !reported {
				reported = true
				e.reportLost(s)
			}
		case <-d.changed:
		case <-tick.C:
			// No microphone delivering (none, not started yet, or lost): keep the frames coming.
			if s == nil || !s.flowing() || reported {
				e.captureFiller.Add(1)
				f := e.newFrame()
				clear(f)
				emit(f)
			}
		}
	}
}

// echoReference lines up what the speaker played with the microphone's frames: it holds the
// speaker's samples (at the Engine's rate) not yet matched with a captured frame.
type echoReference struct {
	from  *stream
	rs    *dsp.Resampler
	tmp   []int16
	acc   []int16
	out   []int16 // the reference handed out for the last frame, reused for the next
	moves int     // times the reference was lined up again (samples dropped or silence put in)
	lined bool
}

// echoSlack is how far the reference may run ahead of the microphone: about a device period.
// echoBand is how much further it may drift before it is lined up again: the speaker's and the
// microphone's callbacks come at their own moments, so what is pending moves by a device period
// from one frame to the next; lining up at each such move would jump the echo against the
// reference every few frames, and the canceller would start over each time.
const (
	echoSlack = 10 * time.Millisecond
	echoBand  = 30 * time.Millisecond
)

// take returns the reference for the next captured frame of n samples, pending more samples being
// already captured after it. The echo of a sample comes back through the sound system's buffers
// after the speaker took it, so the reference must not run ahead of the microphone by more than
// the slack (the canceller's filter covers the rest of the delay): anything older is dropped.
func (r *echoReference) take(e *Engine, n, pending int) []int16 {
	s := e.dirs[1].current()
	if s != r.from {
		r.from, r.acc, r.lined = s, r.acc[:0], false
		if s != nil {
			r.rs = dsp.NewResampler(s.rate, e.rate)
		}
	}
	if s == nil {
		return nil
	}
	q := s.ref.Load()
	if q == nil {
		return nil
	}
	if r.tmp == nil {
		r.tmp = make([]int16, 4096)
	}
	for {
		k := q.read(r.tmp)
		if k == 0 {
			break
		}
		r.acc = r.rs.Process(r.acc, r.tmp[:k])
	}
	return r.next(n, pending, e.rate)
}

// next takes the reference for a frame of n samples out of what the speaker played (acc), oldest
// first, so that the reference stays one continuous stream. It is lined up again, by dropping the
// oldest samples down to the slack, only when the speaker has run ahead of the microphone by more
// than the slack and the band; and by silence in front when the speaker has not played enough.
// The frame returned is reused by the next call: the processor reads it and keeps nothing.
func (r *echoReference) next(n, pending, rate int) []int16 {
	keep := n + pending + int(int64(rate)*int64(echoSlack)/int64(time.Second))
	band := int(int64(rate) * int64(echoBand) / int64(time.Second))
	if len(r.acc) > keep+band || (!r.lined && len(r.acc) > keep) {
		r.acc = r.acc[:copy(r.acc, r.acc[len(r.acc)-keep:])]
		if r.lined {
			r.moves++
		}
	}
	r.lined = r.lined || len(r.acc) >= n
	k := min(n, len(r.acc))
	if k < n && r.lined {
		r.moves++
	}
	if cap(r.out) < n {
		r.out = make([]int16, n)
	}
	out := r.out[:n]
	clear(out[:n-k])
	copy(out[n-k:], r.acc[:k]) // short: the speaker played nothing before it
	r.acc = r.acc[:copy(r.acc, r.acc[k:])]
	return out
}

// playbackLoop keeps the speaker's ring topped up from the Source, resampled to the device rate;
// with PlayFromCallback the speaker takes from the Source itself and this loop only watches it.
// Either way it drains the Source at real-time pace while no speaker takes audio.
func (e *Engine) playbackLoop(ctx context.Context) {
	defer e.wg.Done()
	d := e.dirs[1]
	tick := time.NewTicker(e.opts.FrameDuration)
	defer tick.Stop()
	var (
		s        *stream
		rs       *dsp.Resampler
		out      []int16
		frame    = make([]int16, e.frame)
		lead     int
		lastPull time.Time
		reported bool
		seen     uint64 // callbacks of s seen so far (PlayFromCallback)
		tickSeen uint64 // the same, at the last tick
	)
	pull := func() {
		e.nextFrame(frame)
		e.playbackFrames.Add(1)
		lastPull = time.Now()
	}
	for {
		if cur := d.current(); cur != s {
			s, reported = cur, false
			if s != nil {
				rs = dsp.NewResampler(e.rate, s.rate)
				lead = int(int64(e.opts.PlaybackLead) * int64(s.rate) / int64(time.Second))
				lastPull = time.Now()
				seen, tickSeen = 0, s.callbacks.Load()
			}
		}
		if s != nil && s.flowing() && !reported {
			if e.opts.PlayFromCallback {
				// The device pulls by itself; a callback is what shows it is alive.
				if n := s.callbacks.Load(); n != seen {
					seen, lastPull = n, time.Now()
				}
			} else {
				for s.ring.buffered() < lead {
					pull()
					out = rs.Process(out[:0], frame)
					s.ring.write(out)
				}
			}
			if s.isLost() || time.Since(lastPull) > stallTimeout {
				reported = true
				e.reportLost(s)
			}
		}
		var wake, lost <-chan struct{}
		if s != nil {
			wake, lost = s.wake, s.lost
		}
		if e.opts.PlayFromCallback {
			// The speaker feeds itself: its callbacks are only counted, at the tick.
			wake = nil
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-lost:
			if !reported {
				reported = true
				e.reportLost(s)
			}
		case <-d.changed:
		case <-tick.C:
			// No speaker taking audio: drain the Source at its own pace so that a jitter buffer
			// behind it keeps moving; before the device starts, queue what it will play first.
			fed := false // a speaker fed from its callback took audio since the last tick
			if e.opts.PlayFromCallback && s != nil && !reported {
				n := s.callbacks.Load()
				fed, tickSeen = n != tickSeen, n
			}
			if (s == nil || !s.flowing() || reported) && !fed {
				pull()
				if s != nil && !reported && !e.opts.PlayFromCallback && s.ring.buffered() < lead {
					out = rs.Process(out[:0], frame)
					s.ring.write(out)
				}
			}
		}
	}
}

// control owns device changes: switches asked for, devices lost, preferred devices returning.
func (e *Engine) control(ctx context.Context) {
	defer e.wg.Done()
	tick := time.NewTicker(e.opts.CheckInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case req := <-e.switchReq:
			d := e.dirs[0]
			if req.kind == KindPlayback {
				d = e.dirs[1]
			}
			err := e.open(ctx, d, req.ref, true)
			if err == nil {
				d.mu.Lock()
				d.pref = req.ref
				d.mu.Unlock()
			}
			req.reply <- err
		case s := <-e.lostCh:
			e.handleLost(ctx, s)
		case <-tick.C:
			e.checkDevices(ctx)
		}
	}
}

func (e *Engine) dirOf(kind DeviceKind) *direction {
	if kind == KindPlayback {
		return e.dirs[1]
	}
	return e.dirs[0]
}

func (e *Engine) handleLost(ctx context.Context, s *stream) {
	d := e.dirOf(s.kind)
	d.mu.Lock()
	if d.cur != s {
		d.mu.Unlock()
		return
	}
	d.lost++
	pref := d.pref
	d.mu.Unlock()
	d.swap(nil)
	e.emit(Event{Kind: EventDeviceLost, Dir: s.kind, Device: s.device, Err: ErrDeviceLost,
		Message: fmt.Sprintf("The %s %q was disconnected: switching to the system default.", s.kind, s.device.Name)})
	s.closeLost()
	_ = e.open(ctx, d, pref, false)
}

// checkDevices reopens a missing direction, notices a device gone without a callback, and
// returns to the preferred device when it is back.
func (e *Engine) checkDevices(ctx context.Context) {
	devs, err := e.host.ListDevices(ctx)
	if err != nil {
		return
	}
	for _, d := range e.dirs {
		d.mu.Lock()
		cur, pref, fellBack := d.cur, d.pref, d.fellBack
		d.mu.Unlock()
		switch {
		case cur == nil:
			_ = e.open(ctx, d, pref, false)
		case !present(devs.List(d.kind), cur.device.ID):
			e.handleLost(ctx, cur)
		case fellBack:
			if r, err := devs.Resolve(d.kind, pref); err == nil && !r.FellBack {
				_ = e.open(ctx, d, pref, false)
			}
		}
	}
}

func present(list []Device, id string) bool {
	for _, d := range list {
		if d.ID == id {
			return true
		}
	}
	return false
}

// open resolves ref and puts that device in use for d, closing the one it replaces.
func (e *Engine) open(ctx context.Context, d *direction, ref DeviceRef, asked bool) error {
	fail := func(err error) error {
		d.mu.Lock()
		report := d.cur == nil && !d.noDevice
		if d.cur == nil {
			d.noDevice = true
		}
		d.mu.Unlock()
		if report {
			e.emit(Event{Kind: EventNoDevice, Dir: d.kind, Err: err,
				Message: fmt.Sprintf("No %s can be opened (%v): the call continues without it and the Phonebar keeps trying.", d.kind, err)})
		}
		return err
	}
	drv, err := e.host.driver()
	if err != nil {
		return fail(err)
	}
	devs, err := e.host.ListDevices(ctx)
	if err != nil {
		return fail(err)
	}
	r, err := devs.Resolve(d.kind, ref)
	if err != nil {
		return fail(err)
	}
	s, err := e.openStream(drv, d.kind, r.Device)
	if err != nil {
		return fail(fmt.Errorf("audio: opening the %s %q: %w", d.kind, r.Device.Name, err))
	}
	d.mu.Lock()
	wasFallback := d.fellBack
	d.fellBack, d.noDevice = r.FellBack, false
	d.switches++
	d.mu.Unlock()
	if old := d.swap(s); old != nil {
		if old.isLost() {
			old.closeLost()
		} else {
			old.close()
		}
	}
	ev := Event{Kind: EventSwitched, Dir: d.kind, Device: r.Device,
		Message: fmt.Sprintf("Now using the %s %q.", d.kind, r.Device.Name)}
	switch {
	case r.FellBack:
		ev.Kind, ev.Message = EventFallback, r.Message
	case wasFallback && !asked:
		ev.Kind = EventRestored
		ev.Message = fmt.Sprintf("Your %s %q is back and in use again.", d.kind, r.Device.Name)
	}
	e.emit(ev)
	return nil
}
