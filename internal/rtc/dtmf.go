package rtc

import (
	"context"
	"encoding/binary"
	"time"
)

type dtmfRequest struct {
	digit    rune
	duration time.Duration
	done     chan error
}

// dtmfSend is one telephone event (RFC 4733) being sent: packets every 20 ms with a growing
// duration, then three end packets.
type dtmfSend struct {
	req     dtmfRequest
	started bool
	start   uint32
	elapsed uint32
	ended   bool
}

type eventPacket struct {
	marker  bool
	payload []byte
}

func (d *dtmfSend) next(ts, step, rate uint32) []eventPacket {
	if !d.started {
		d.started, d.start = true, ts
	}
	d.elapsed += step
	total := uint32(d.req.duration.Seconds() * float64(rate))
	code, _ := digitEvent(d.req.digit)
	body := func(end bool, dur uint32) []byte {
		b := make([]byte, 4)
		b[0] = code
		b[1] = 10 // volume -10 dBm0
		if end {
			b[1] |= 0x80
		}
		binary.BigEndian.PutUint16(b[2:], uint16(min(dur, 0xffff)))
		return b
	}
	if d.elapsed < total {
		return []eventPacket{{marker: d.elapsed == step, payload: body(false, d.elapsed)}}
	}
	d.ended = true
	end := body(true, total)
	return []eventPacket{{payload: end}, {payload: end}, {payload: end}}
}

func (d *dtmfSend) finished() bool { return d.ended }

func digitEvent(d rune) (uint8, bool) {
	switch {
	case d >= '0' && d <= '9':
		return uint8(d - '0'), true
	case d == '*':
		return 10, true
	case d == '#':
		return 11, true
	case d >= 'A' && d <= 'D':
		return uint8(12 + d - 'A'), true
	}
	return 0, false
}

func eventDigit(e uint8) (rune, bool) {
	switch {
	case e <= 9:
		return rune('0' + e), true
	case e == 10:
		return '*', true
	case e == 11:
		return '#', true
	case e <= 15:
		return rune('A' + e - 12), true
	}
	return 0, false
}

// SendDTMF sends digit as a telephone event (RFC 4733) lasting duration (zero: 160 ms) and
// returns when its last packet is out.
func (s *Session) SendDTMF(ctx context.Context, digit rune, duration time.Duration) error {
	if _, ok := digitEvent(digit); !ok {
		return ErrBadDTMF
	}
	if duration <= 0 {
		duration = 160 * time.Millisecond
	}
	req := dtmfRequest{digit: digit, duration: duration, done: make(chan error, 1)}
	select {
	case s.dtmf <- req:
	case <-s.stop:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
