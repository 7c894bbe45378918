package audio

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/phonebar/phonebar/internal/audio/dsp"
	"github.com/phonebar/phonebar/internal/audio/processing"
)

// Level is a loudness reading in dBFS (peak and RMS).
type Level = dsp.Level

// MinDBFS is the level reported for digital silence.
const MinDBFS = dsp.MinDBFS

// SilenceThresholdDBFS is the RMS level under which a microphone counts as silent (see the package
// documentation for typical levels).
const SilenceThresholdDBFS = -60.0

// Check defaults.
const (
	// DefaultCheckMaxWait bounds the wait for the first audio: PulseAudio takes about a second to
	// deliver it, Bluetooth headsets switching profile several.
	DefaultCheckMaxWait = 5 * time.Second
	// DefaultCheckListen is how much audio is measured once it flows.
	DefaultCheckListen = 2 * time.Second
	// levelInterval is how much audio each OnLevel report covers.
	levelInterval = 50 * time.Millisecond
	// stallTimeout: a device that delivered audio and then nothing for this long is gone.
	stallTimeout = 1500 * time.Millisecond
)

// CheckOptions configure CheckMicrophone. The zero value checks the system default microphone.
type CheckOptions struct {
	// Device is the ID or name of the microphone to check; empty means the system default.
	Device string
	// MaxWait bounds the wait for the first audio after opening; 0 means DefaultCheckMaxWait.
	MaxWait time.Duration
	// Listen is how much audio to measure, counted in samples received, not wall time; 0 means
	// DefaultCheckListen.
	Listen time.Duration
	// OnLevel, if set, receives the level of every 50 ms of audio while the check listens, for a live
	// meter. It runs on the checking goroutine, in order; a slow OnLevel slows only the check.
	OnLevel func(Level)
	// SilenceThresholdDBFS overrides SilenceThresholdDBFS when non-zero.
	SilenceThresholdDBFS float64
}

// CheckResult is what a microphone check found. Message is written for the agent.
type CheckResult struct {
	Verdict    Verdict `json:"verdict"`
	Message    string  `json:"message"`
	Device     Device  `json:"device"`
	SampleRate int     `json:"sample_rate"`
	PeakDBFS   float64 `json:"peak_dbfs"`
	RMSDBFS    float64 `json:"rms_dbfs"`
	// DominantHz is the frequency with the most energy, 0 in silence.
	DominantHz float64 `json:"dominant_hz"`
	// ListenedMs is how much audio was measured; FirstAudioMs how long the first audio took.
	ListenedMs   int64 `json:"listened_ms"`
	FirstAudioMs int64 `json:"first_audio_ms"`
	// GainedRMSDBFS is the level the far end would get once the call's gain control has settled on
	// this microphone (the audio heard is played through it until it has); absent in a build
	// without processing.
	GainedRMSDBFS *float64 `json:"gained_rms_dbfs,omitempty"`
	// Clipping says the microphone is so loud that samples hit full scale (ClippedPercent of them):
	// the voice is distorted before any processing can help.
	Clipping       bool    `json:"clipping"`
	ClippedPercent float64 `json:"clipped_percent"`
	// Detail is the underlying error, for the log; empty when there was none.
	Detail string `json:"detail,omitempty"`
}

// Works reports whether the verdict is VerdictWorking.
func (r CheckResult) Works() bool { return r.Verdict == VerdictWorking }

// CheckMicrophone opens a microphone, waits for its first audio, listens, and says whether it
// works. Every state of the machine (no sound system, no microphone, access denied, silence, a
// device unplugged mid-check) is a Verdict with a Message, with a nil error. The error is non-nil
// only when the check could not run as asked: ctx ended, a device name that does not exist
// (*DeviceNotFoundError, listing the ones that do; the verdict is then VerdictNoMicrophone), or a
// build without audio support.
func (h *Host) CheckMicrophone(ctx context.Context, opts CheckOptions) (CheckResult, error) {
	res := CheckResult{Verdict: VerdictNoMicrophone, PeakDBFS: MinDBFS, RMSDBFS: MinDBFS}
	maxWait, listen := opts.MaxWait, opts.Listen
	if maxWait <= 0 {
		maxWait = DefaultCheckMaxWait
	}
	if listen <= 0 {
		listen = DefaultCheckListen
	}
	threshold := opts.SilenceThresholdDBFS
	if threshold == 0 {
		threshold = SilenceThresholdDBFS
	}

	if microphonePermission() == PermissionDenied {
		res.Verdict, res.Message = VerdictAccessDenied, AccessDeniedHelp()
		return res, nil
	}
	drv, err := h.driver()
	if err != nil {
		return h.failed(res, err)
	}
	dev, err := h.resolveNamed(ctx, KindCapture, opts.Device)
	if err != nil {
		var nf *DeviceNotFoundError
		if errors.As(err, &nf) {
			res.Message = "There is " + nf.Error() + "."
			if len(nf.Available) == 0 {
				res.Message = fmt.Sprintf("There is no microphone named %q, and no microphone at all.", nf.Wanted)
			} else {
				res.Message = fmt.Sprintf("There is no microphone named %q. Available: %s.", nf.Wanted, quoteList(nf.Available))
			}
			res.Detail = err.Error()
			return res, err
		}
		return h.failed(res, err)
	}
	res.Device = dev
	s, err := openStream(drv, KindCapture, dev, 0, nil)
	if err != nil {
		return h.failed(res, err)
	}
	res.SampleRate = s.rate
	lost := false
	defer func() {
		if lost {
			s.closeLost()
		} else {
			s.close()
		}
	}()

	opened := time.Now()
	wait := time.NewTimer(maxWait)
	defer wait.Stop()
	for !s.flowing() {
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-s.lost:
			lost = true
			res.Message = fmt.Sprintf("The microphone %q disappeared before it delivered any sound: it was probably unplugged.", dev.Name)
			res.Detail = ErrDeviceLost.Error()
			return res, nil
		case <-wait.C:
			res.Message = fmt.Sprintf("The microphone %q opened but delivered no sound within %s: it may be in use by another program or not working. Try another microphone.", dev.Name, maxWait)
			res.Detail = ErrNoSignal.Error()
			return res, nil
		case <-s.wake:
		}
	}
	res.FirstAudioMs = time.Since(opened).Milliseconds()

	rate := s.rate
	want := int(int64(listen) * int64(rate) / int64(time.Second))
	chunk := max(1, int(int64(levelInterval)*int64(rate)/int64(time.Second)))
	all := make([]int16, 0, want)
	buf := make([]int16, 4096)
	var meter, live dsp.Meter
	stall := time.NewTimer(stallTimeout)
	defer stall.Stop()
	for len(all) < want {
		n := s.ring.read(buf[:min(len(buf), want-len(all))])
		if n > 0 {
			if !stall.Stop() {
				select {
				case <-stall.C:
				default:
				}
			}
			stall.Reset(stallTimeout)
			block := buf[:n]
			meter.Add(block)
			all = append(all, block...)
			for len(block) > 0 {
				take := min(len(block), chunk-live.Samples())
				live.Add(block[:take])
				block = block[take:]
				if live.Samples() == chunk {
					if opts.OnLevel != nil {
						opts.OnLevel(live.Level())
					}
					live.Reset()
				}
			}
			continue
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-s.lost:
			lost = true
		case <-stall.C:
			lost = true
		case <-s.wake:
		}
		if lost {
			res.ListenedMs = int64(len(all)) * 1000 / int64(rate)
			res.Message = fmt.Sprintf("The microphone %q stopped delivering sound after %.1f s: it was probably unplugged. Reconnect it or choose another microphone.",
				dev.Name, float64(len(all))/float64(rate))
			res.Detail = ErrDeviceLost.Error()
			return res, nil
		}
	}

	lvl := meter.Level()
	res.PeakDBFS, res.RMSDBFS = round2(lvl.PeakDBFS), round2(lvl.RMSDBFS)
	res.ListenedMs = int64(len(all)) * 1000 / int64(rate)
	res.ClippedPercent = round2(100 * float64(clipped(all)) / float64(max(len(all), 1)))
	res.Clipping = res.ClippedPercent >= clipPercent
	if g, ok := gainedLevel(all, rate); ok {
		g = round2(g)
		res.GainedRMSDBFS = &g
	}
	switch {
	case lvl.RMSDBFS >= threshold:
		res.Verdict = VerdictWorking
		res.DominantHz = round2(dsp.DominantFrequency(all, rate))
		res.Message = fmt.Sprintf("The microphone %q works (level %.0f dBFS).", dev.Name, lvl.RMSDBFS)
		if res.GainedRMSDBFS != nil {
			res.Message = fmt.Sprintf("The microphone %q works (level %.0f dBFS, %.0f dBFS after gain control).", dev.Name, lvl.RMSDBFS, *res.GainedRMSDBFS)
		}
		if res.Clipping {
			res.Message += fmt.Sprintf(" It clips (%.1f%% of the sound at full scale), which distorts your voice: turn its input volume down.", res.ClippedPercent)
		}
	case lvl.PeakDBFS <= MinDBFS:
		res.Verdict = VerdictSilent
		res.Message = fmt.Sprintf("The microphone %q delivers only digital silence: it is muted (in the system settings or on the headset), or it is not the microphone you speak into. Unmute it or choose another microphone.", dev.Name)
	default:
		res.Verdict = VerdictSilent
		res.DominantHz = round2(dsp.DominantFrequency(all, rate))
		res.Message = fmt.Sprintf("The microphone %q is silent (%.0f dBFS, below %.0f): it may be muted, turned down, or not the microphone you speak into. Speak, check its volume, or choose another microphone.", dev.Name, lvl.RMSDBFS, threshold)
	}
	return res, nil
}

// clipPercent is the share of full-scale samples from which a microphone counts as clipping.
const clipPercent = 0.1

// clipped counts the samples at (or one step from) full scale.
func clipped(pcm []int16) int {
	n := 0
	for _, v := range pcm {
		if v >= 32766 || v <= -32767 {
			n++
		}
	}
	return n
}

// gainedLevel runs pcm through the call's gain control and returns the RMS level the far end would
// hear once the gain has settled; false in a build without processing. (Without the noise
// suppressor: on the replays below it would learn a steady test tone as noise and hide it.)
// The gain rises 12 dB a second at most, so a check of a second or two is too short for a quiet
// microphone: the audio is played through again until gainSettle has gone by, as if the talker
// went on, and the last half of the last pass is measured.
func gainedLevel(pcm []int16, rate int) (float64, bool) {
	p, err := processing.New(processing.Options{Rate: rate, GainControl: true})
	if err != nil {
		return 0, false
	}
	defer p.Close()
	frame := rate / 50
	if len(pcm) < frame {
		return dsp.Measure(pcm).RMSDBFS, true
	}
	out := make([]int16, len(pcm))
	for done := 0; done == 0 || done < int(gainSettle.Seconds()*float64(rate)); done += len(pcm) {
		copy(out, pcm)
		for i := 0; i+frame <= len(out); i += frame {
			p.Process(out[i:i+frame], nil)
		}
	}
	return dsp.Measure(out[len(out)/2:]).RMSDBFS, true
}

// gainSettle is how much audio gainedLevel processes: enough for the gain to rise 30 dB, its most.
const gainSettle = 6 * time.Second

// failed turns an error from reaching the sound system or opening the device into a verdict.
func (h *Host) failed(res CheckResult, err error) (CheckResult, error) {
	res.Detail = err.Error()
	name := "the default microphone"
	if res.Device.Name != "" {
		name = fmt.Sprintf("the microphone %q", res.Device.Name)
	}
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return res, err
	case errors.Is(err, ErrNoAudioSupport):
		res.Message = "This Phonebar was built without audio support: install the full build to take calls."
		return res, err
	case errors.Is(err, ErrAccessDenied):
		res.Verdict, res.Message = VerdictAccessDenied, AccessDeniedHelp()
	case errors.Is(err, ErrNoAudioServer):
		res.Message = "No sound system is running, so there is no microphone: start the sound service (PulseAudio or PipeWire) or sign in to a desktop session, then try again."
	case errors.Is(err, ErrFormatUnsupported):
		res.Message = fmt.Sprintf("Could not open %s: it refuses the sample format the Phonebar records in. Choose another microphone.", name)
	case errors.Is(err, ErrNoDevice) && res.Device.Name == "":
		res.Message = "No microphone is connected: plug one in or choose one in the sound settings."
	default:
		res.Message = fmt.Sprintf("Could not open %s: it may be in use by another program or disconnected. Choose another microphone or reconnect it.", name)
	}
	return res, nil
}

func round2(v float64) float64 {
	return float64(int64(v*100+copysignHalf(v))) / 100
}

func copysignHalf(v float64) float64 {
	if v < 0 {
		return -0.5
	}
	return 0.5
}
