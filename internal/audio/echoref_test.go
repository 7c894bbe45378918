package audio

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEchoReferenceStaysContinuous: the speaker takes 10 ms every 10 ms and the microphone's 20 ms
// frames come with 0 or 10 ms captured after them, each before or after the speaker's callback,
// at random, as when the two devices' callbacks come close together. The reference handed
// to the canceller stays one continuous stream of what the speaker played; only a real backlog
// (the speaker 60 ms ahead at once) lines it up again, once.
func TestEchoReferenceStaysContinuous(t *testing.T) {
	const rate, period, n = 48000, 480, 960
	var r echoReference
	next := int16(1) // the speaker plays a counter
	play := func(k int) {
		for range k {
			r.acc = append(r.acc, next)
			next++
		}
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	var got []int16
	frames := func(count int) {
		for range count {
			play(period)
			pending := period * rnd.IntN(2)
			if rnd.IntN(2) == 0 {
				got = append(got, r.next(n, pending, rate)...)
				play(period)
			} else {
				play(period)
				got = append(got, r.next(n, pending, rate)...)
			}
		}
	}
	frames(500) // 10 s
	require.Zero(t, r.moves, "the reference was lined up again while the speaker kept pace")
	start := 0
	for start < len(got) && got[start] == 0 {
		start++
	}
	for i := start + 1; i < len(got); i++ {
		if got[i] != got[i-1]+1 {
			t.Fatalf("the reference jumps at sample %d: %d after %d", i, got[i], got[i-1])
		}
	}

	play(3 * n) // the speaker runs 60 ms ahead
	frames(50)
	assert.Equal(t, 1, r.moves, "a real backlog lines the reference up once")
}
