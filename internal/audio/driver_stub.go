//go:build !cgo

package audio

func newDriver(Backend) (driver, error) { return nil, ErrNoAudioSupport }
