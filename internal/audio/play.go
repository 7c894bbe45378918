package audio

import (
	"context"
	"fmt"
	"time"

	"github.com/phonebar/phonebar/internal/audio/dsp"
)

// PlayOptions configure PlayTone. The zero value plays a 1 kHz tone for one second on the default
// speaker at -12 dBFS.
type PlayOptions struct {
	// Device is the output to play on; the zero DeviceRef is the system default, and a device that
	// is missing falls back to the default (PlayResult says so).
	Device DeviceRef
	// Hz is the tone's frequency; 0 means 1000. Ignored for the ringtone.
	Hz float64
	// Duration of the sound; 0 means one second.
	Duration time.Duration
	// Volume is the peak amplitude as a fraction of full scale; 0 means 0.25 (-12 dBFS).
	Volume float64
	// Ringtone plays the Phonebar's ring (dsp.Ringtone) instead of a plain tone.
	Ringtone bool
	// MaxWait bounds the wait for the device to start playing; 0 means DefaultCheckMaxWait.
	MaxWait time.Duration
}

// PlayResult says where a sound was played.
type PlayResult struct {
	Device     Device `json:"device"`
	SampleRate int    `json:"sample_rate"`
	// FellBack is true when the chosen device was missing and the default played instead; Message
	// then says so.
	FellBack bool   `json:"fell_back"`
	Message  string `json:"message,omitempty"`
}

// playTail is silence played after a sound so its end is not cut off by closing the device.
const playTail = 100 * time.Millisecond

// PlayTone plays a test tone or the ringtone on an output and returns once it has been played. It
// fails with ErrNoDevice when there is no output, ErrNoSignal when the output never asks for audio,
// ErrDeviceLost when it disappears while playing, and ctx's error when ctx ends first (the sound
// stops at once).
func (h *Host) PlayTone(ctx context.Context, opts PlayOptions) (PlayResult, error) {
	var res PlayResult
	hz, dur, vol, maxWait := opts.Hz, opts.Duration, opts.Volume, opts.MaxWait
	if hz <= 0 {
		hz = 1000
	}
	if dur <= 0 {
		dur = time.Second
	}
	if vol <= 0 || vol > 1 {
		vol = 0.25
	}
	if maxWait <= 0 {
		maxWait = DefaultCheckMaxWait
	}
	drv, err := h.driver()
	if err != nil {
		return res, err
	}
	devs, err := h.ListDevices(ctx)
	if err != nil {
		return res, err
	}
	r, err := devs.Resolve(KindPlayback, opts.Device)
	if err != nil {
		return res, err
	}
	res.Device, res.FellBack, res.Message = r.Device, r.FellBack, r.Message
	s, err := openStream(drv, KindPlayback, r.Device, 0, nil)
	if err != nil {
		return res, fmt.Errorf("audio: opening the speaker %q: %w", r.Device.Name, err)
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

	var fill func([]int16)
	if opts.Ringtone {
		fill = dsp.NewRingtone(s.rate, vol).Fill
	} else {
		fill = dsp.NewTone(hz, s.rate, vol).Fill
	}
	total := int(int64(dur) * int64(s.rate) / int64(time.Second))
	tail := int(int64(playTail) * int64(s.rate) / int64(time.Second))
	// Keep about 100 ms queued: enough to ride out scheduling, little enough to stop promptly.
	queue := max(tail, s.rate/10)
	buf := make([]int16, 1024)
	written := 0
	wait := time.NewTimer(maxWait)
	defer wait.Stop()
	for {
		for written < total+tail && s.ring.buffered() < queue {
			n := min(len(buf), total+tail-written, queue-s.ring.buffered())
			if written < total {
				n = min(n, total-written)
				fill(buf[:n])
			} else {
				clear(buf[:n])
			}
			written += s.ring.write(buf[:n])
		}
		if written >= total+tail && s.ring.buffered() == 0 {
			return res, nil
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-s.lost:
			lost = true
			return res, fmt.Errorf("%w: the speaker %q disappeared while playing", ErrDeviceLost, r.Device.Name)
		case <-wait.C:
			lost = true // a device that never starts may not stop either
			return res, fmt.Errorf("%w: the speaker %q did not ask for sound within %s", ErrNoSignal, r.Device.Name, maxWait)
		case <-s.wake:
			if !s.flowing() {
				continue
			}
			if !wait.Stop() {
				select {
				case <-wait.C:
				default:
				}
			}
			wait.Reset(stallTimeout)
		}
	}
}
