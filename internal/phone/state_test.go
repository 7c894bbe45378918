package phone

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTransition(t *testing.T) {
	legal := map[State]map[input]State{
		StateUnknown: {inputDial: StateDialing, inputIncoming: StateRinging},
		StateDialing: {inputAnswered: StateActive, inputEnd: StateEnded},
		StateRinging: {inputAnswered: StateActive, inputEnd: StateEnded},
		StateActive:  {inputHold: StateHeld, inputEnd: StateEnded},
		StateHeld:    {inputResume: StateActive, inputEnd: StateEnded},
		StateEnded:   {},
	}
	for s := StateUnknown; s <= StateEnded; s++ {
		for in := inputUnknown; in <= inputEnd; in++ {
			want, ok := legal[s][in]
			t.Run(s.String()+"/"+in.String(), func(t *testing.T) {
				got, err := transition(s, in)
				if !ok {
					assert.ErrorIs(t, err, ErrCallState)
					assert.Equal(t, s, got)
					return
				}
				assert.NoError(t, err)
				assert.Equal(t, want, got)
			})
		}
	}
	assert.Equal(t, "State(9)", State(9).String())
}
