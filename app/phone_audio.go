package app

import "github.com/phonebar/phonebar/internal/phone"

// callAudio connects a call's media to the sound devices chosen in the settings. The bridge between
// the audio engine and the media session is not wired yet: calls send silence and play nothing.
func (c *core) callAudio(cfg *phone.Config) {
	_ = cfg
}
