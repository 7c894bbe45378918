//go:build cgo

package audio

func isNoAudioSupport(error) bool { return false }
