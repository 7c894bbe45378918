package app

import "github.com/phonebar/phonebar/internal/phone"

// callAudio connects each call's media to the sound system: the phone opens an audio Engine per call
// on the microphone and speaker.
func (c *core) callAudio(cfg *phone.Config) {
	cfg.Audio = c.audio
}
