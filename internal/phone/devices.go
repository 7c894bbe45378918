package phone

import (
	"context"
	"errors"

	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/audio/processing"
	"github.com/phonebar/phonebar/internal/callaudio"
	"github.com/phonebar/phonebar/internal/rtc"
)

// deviceAudio is a call's microphone and speaker (internal/callaudio joins them to the media).
type deviceAudio struct{ *callaudio.Devices }

func openDeviceAudio(ctx context.Context, host *audio.Host, capture, playback audio.DeviceRef, proc processing.Options) (*deviceAudio, error) {
	d, err := callaudio.Open(ctx, host, capture, playback, proc)
	if err != nil {
		return nil, err
	}
	return &deviceAudio{d}, nil
}

func (d *deviceAudio) switchTo(ctx context.Context, capture, playback audio.DeviceRef) error {
	if err := d.SwitchTo(ctx, capture, playback); err != nil {
		if errors.Is(err, callaudio.ErrClosed) {
			return ErrCallState
		}
		return err
	}
	return nil
}

func (d *deviceAudio) close() { d.Close() }

// tee writes to two sinks. When the first pulls the playout on its own clock (the speaker), the
// second gets what it pulled.
type tee struct{ a, b rtc.Sink }

func (t tee) Write(pcm []int16, rate int) {
	t.a.Write(pcm, rate)
	t.b.Write(pcm, rate)
}

// SetPlayout implements rtc.PullSink when the first sink does.
func (t tee) SetPlayout(p rtc.Playout) bool {
	ps, ok := t.a.(rtc.PullSink)
	return ok && ps.SetPlayout(teePlayout{p: p, also: t.b})
}

type teePlayout struct {
	p    rtc.Playout
	also rtc.Sink
}

func (t teePlayout) Pull(pcm []int16, rate int) bool {
	ok := t.p.Pull(pcm, rate)
	if ok {
		t.also.Write(pcm, rate)
	}
	return ok
}
