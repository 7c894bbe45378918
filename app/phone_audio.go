package app

import (
	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/phone"
)

// callAudio connects each call's media to the sound system: the phone opens an audio Engine per call
// on the microphone and speaker the agent chose (the defaults when none, or when one is missing),
// read from the settings at each call, so that a choice made in the Audio panel applies to the next
// call without logging in again.
func (c *core) callAudio(cfg *phone.Config) {
	cfg.Audio = c.audio
	cfg.Devices = func() (capture, playback audio.DeviceRef) {
		st, _ := c.cfg.Load()
		return audio.DeviceRef{ID: st.Audio.MicrophoneID, Name: st.Audio.MicrophoneName},
			audio.DeviceRef{ID: st.Audio.SpeakerID, Name: st.Audio.SpeakerName}
	}
}
