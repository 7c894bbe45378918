package app

import (
	"context"
	"errors"
	"time"

	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/audio/processing"
	"github.com/phonebar/phonebar/internal/phone"
)

// callAudio connects each call's media to the sound system: the phone opens an audio Engine per call
// on the microphone and speaker the agent chose (the defaults when none, or when one is missing),
// read from the settings at each call, so that a choice made in the Audio panel applies to the next
// call without logging in again.
func (c *core) callAudio(cfg *phone.Config) {
	cfg.Audio = c.audio
	cfg.Devices = func() (capture, playback audio.DeviceRef) {
		st := c.settingsOrDefault("call audio")
		return audio.DeviceRef{ID: st.Audio.MicrophoneID, Name: st.Audio.MicrophoneName},
			audio.DeviceRef{ID: st.Audio.SpeakerID, Name: st.Audio.SpeakerName}
	}
	cfg.Processing = func() processing.Options {
		on := !c.settingsOrDefault("call audio").Audio.ProcessingOff
		return processing.Options{EchoCancel: on, NoiseSuppress: on, GainControl: on}
	}
}

// switchCallDevices moves the calls in progress to the microphone and speaker now chosen.
func (c *core) switchCallDevices() error {
	sp := c.currentPhone()
	if sp == nil {
		return nil
	}
	sp.mu.Lock()
	calls := make([]*phone.Call, 0, len(sp.calls))
	for _, call := range sp.calls {
		calls = append(calls, call)
	}
	sp.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var errs []error
	for _, call := range calls {
		if err := call.SwitchDevices(ctx); err != nil && !errors.Is(err, phone.ErrCallState) {
			errs = append(errs, err)
		} else if err == nil {
			c.log.WithField("call", call.ID()).Info("call moved to the chosen devices")
		}
	}
	return errors.Join(errs...)
}
