package sipua

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTransition(t *testing.T) {
	legal := map[State]map[input]State{
		StateUnknown:       {inputStart: StateConnecting},
		StateConnecting:    {inputConnected: StateRegistering, inputConnectFailed: StateWaiting, inputRefused: StateFailed, inputStop: StateClosed},
		StateRegistering:   {inputRegistered: StateRegistered, inputRefused: StateFailed, inputRetryable: StateWaiting, inputConnLost: StateWaiting, inputStop: StateClosed},
		StateRefreshing:    {inputRegistered: StateRegistered, inputRefused: StateFailed, inputRetryable: StateWaiting, inputConnLost: StateWaiting, inputStop: StateUnregistering},
		StateRegistered:    {inputRefresh: StateRefreshing, inputConnLost: StateWaiting, inputStop: StateUnregistering},
		StateWaiting:       {inputRetry: StateConnecting, inputStop: StateClosed},
		StateUnregistering: {inputUnregistered: StateClosed, inputConnLost: StateClosed, inputStop: StateClosed},
		StateFailed:        {inputStop: StateClosed},
		StateClosed:        {},
	}
	for s := StateUnknown; s <= StateClosed; s++ {
		for in := inputUnknown; in <= inputUnregistered; in++ {
			want, ok := legal[s][in]
			t.Run(s.String()+"/"+in.String(), func(t *testing.T) {
				got, err := transition(s, in)
				if !ok {
					assert.Error(t, err)
					assert.Equal(t, s, got, "an illegal move keeps the state")
					return
				}
				assert.NoError(t, err)
				assert.Equal(t, want, got)
			})
		}
	}
}

func TestStateString(t *testing.T) {
	tests := []struct {
		name string
		s    State
		want string
	}{
		{"zero", StateUnknown, "unknown"},
		{"registered", StateRegistered, "registered"},
		{"closed", StateClosed, "closed"},
		{"out of range", State(42), "State(42)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.s.String())
		})
	}
	assert.True(t, StateRefreshing.CanCall())
	assert.False(t, StateWaiting.CanCall())
}
