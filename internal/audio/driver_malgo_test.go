//go:build cgo

package audio

import (
	"fmt"
	"testing"

	"github.com/gen2brain/malgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// miniaudio's results become this package's sentinels, keeping miniaudio's words for the log.
func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		in   error
		want error
	}{
		{"access denied (Windows privacy settings)", malgo.ErrAccessDenied, ErrAccessDenied},
		{"format refused", malgo.ErrFormatNotSupported, ErrFormatUnsupported},
		{"share mode refused", malgo.ErrShareModeNotSupported, ErrFormatUnsupported},
		{"no backend", malgo.ErrNoBackend, ErrNoAudioServer},
		{"no device", malgo.ErrNoDevice, ErrNoDevice},
		{"device failed to open", malgo.ErrFailedToOpenBackendDevice, ErrNoDevice},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(fmt.Errorf("opening: %w", tt.in))
			assert.ErrorIs(t, got, tt.want)
			assert.Contains(t, got.Error(), "miniaudio")
		})
	}
	plain := fmt.Errorf("something else")
	assert.Equal(t, plain, classify(plain))
}

func TestDeviceIDText(t *testing.T) {
	tests := []struct {
		name string
		raw  []byte
		text string
	}{
		{"PulseAudio name", []byte("alsa_input.usb-Jabra.mono-fallback"), "alsa_input.usb-Jabra.mono-fallback"},
		{"WASAPI UTF-16", []byte{'{', 0, '0', 0, '.', 0}, "hex:7b0030002e"},
		{"binary", []byte{0x01, 0xff}, "hex:01ff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var id malgo.DeviceID
			copy(id[:], tt.raw)
			text := encodeID(id)
			assert.Equal(t, tt.text, text)
			back, err := decodeID(text)
			require.NoError(t, err)
			assert.Equal(t, id, back)
		})
	}
	_, err := decodeID("hex:zz")
	assert.ErrorIs(t, err, ErrNoDevice)
	_, err = decodeID(string(make([]byte, 1000)))
	assert.ErrorIs(t, err, ErrNoDevice)
}
