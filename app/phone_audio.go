package app

import (
	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/phone"
)

// callAudio connects each call's media to the sound system: the phone opens an audio Engine per call
// on the microphone and speaker the agent chose (the defaults when none, or when one is missing).
func (c *core) callAudio(cfg *phone.Config) {
	cfg.Audio = c.audio
	st, _ := c.cfg.Load()
	cfg.Capture = audio.DeviceRef{ID: st.Audio.MicrophoneID, Name: st.Audio.MicrophoneName}
	cfg.Playback = audio.DeviceRef{ID: st.Audio.SpeakerID, Name: st.Audio.SpeakerName}
}
