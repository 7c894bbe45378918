package readiness

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/audio"
)

func TestMicrophoneVerdictFreshness(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		verdict audio.Verdict
		after   time.Duration
		forget  bool
		working bool
	}{
		{"working, just checked", audio.VerdictWorking, 0, false, true},
		{"working, just under the limit", audio.VerdictWorking, DefaultFresh - time.Second, false, true},
		{"working, too old", audio.VerdictWorking, DefaultFresh, false, false},
		{"silent", audio.VerdictSilent, 0, false, false},
		{"failed check records nothing", audio.VerdictUnknown, 0, false, false},
		{"forgotten after a device change", audio.VerdictWorking, 0, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := t0
			m := &Microphone{Now: func() time.Time { return now }}
			assert.False(t, m.Working(), "no check yet")
			end, err := m.Begin()
			require.NoError(t, err)
			end(tt.verdict)
			now = now.Add(tt.after)
			if tt.forget {
				m.Forget()
			}
			assert.Equal(t, tt.working, m.Working())
		})
	}
}

func TestMicrophoneOneCheckAtATime(t *testing.T) {
	var m Microphone
	end, err := m.Begin()
	require.NoError(t, err)
	_, err = m.Begin()
	require.ErrorIs(t, err, ErrChecking)
	end(audio.VerdictWorking)
	end(audio.VerdictSilent) // a second end changes nothing
	assert.True(t, m.Working())
	end2, err := m.Begin()
	require.NoError(t, err, "the first check ended")
	end2(audio.VerdictUnknown)
}
