package sipua

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDialogTransition(t *testing.T) {
	legal := map[DialogState]map[dialogInput]DialogState{
		DialogUnknown:    {dialogInputInvite: DialogEarly},
		DialogEarly:      {dialogInputAccepted: DialogConfirmed, dialogInputAnswer: DialogAnswered, dialogInputEnd: DialogEnded},
		DialogAnswered:   {dialogInputAck: DialogConfirmed, dialogInputEnd: DialogEnded},
		DialogConfirmed:  {dialogInputAck: DialogConfirmed, dialogInputReinvite: DialogReinviting, dialogInputEnd: DialogEnded},
		DialogReinviting: {dialogInputAck: DialogReinviting, dialogInputReinviteDone: DialogConfirmed, dialogInputEnd: DialogEnded},
		DialogEnded:      {},
	}
	for s := DialogUnknown; s <= DialogEnded; s++ {
		for in := dialogInputUnknown; in <= dialogInputEnd; in++ {
			want, ok := legal[s][in]
			t.Run(s.String()+"/"+in.String(), func(t *testing.T) {
				got, err := dialogTransition(s, in)
				if !ok {
					assert.ErrorIs(t, err, ErrCallState)
					assert.Equal(t, s, got, "an illegal move keeps the state")
					return
				}
				assert.NoError(t, err)
				assert.Equal(t, want, got)
			})
		}
	}
}

func TestDialogStateString(t *testing.T) {
	tests := []struct {
		name        string
		s           DialogState
		want        string
		established bool
	}{
		{"zero", DialogUnknown, "unknown", false},
		{"early", DialogEarly, "early", false},
		{"answered", DialogAnswered, "answered", true},
		{"confirmed", DialogConfirmed, "confirmed", true},
		{"reinviting", DialogReinviting, "reinviting", true},
		{"ended", DialogEnded, "ended", false},
		{"out of range", DialogState(42), "DialogState(42)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.s.String())
			assert.Equal(t, tt.established, tt.s.Established())
		})
	}
}
