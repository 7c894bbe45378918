//go:build !cgo

package audio

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

func isNoAudioSupport(err error) bool { return err == ErrNoAudioSupport }

func TestWithoutCgoEverythingSaysSo(t *testing.T) {
	h := New(Options{})
	_, err := h.ListDevices(context.Background())
	assert.ErrorIs(t, err, ErrNoAudioSupport)
	res, err := h.CheckMicrophone(context.Background(), CheckOptions{})
	assert.ErrorIs(t, err, ErrNoAudioSupport)
	assert.Contains(t, res.Message, "without audio support")
	_, err = h.PlayTone(context.Background(), PlayOptions{})
	assert.ErrorIs(t, err, ErrNoAudioSupport)
}
