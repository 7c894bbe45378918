package app

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/phonebar/phonebar/internal/sipua"
)

func TestRegistrationProblemIsOneSentence(t *testing.T) {
	raw := fmt.Errorf("%w at wss://pbx:8089/ws: failed to WebSocket dial: dial tcp 127.0.0.1:8089: connect: connection refused", sipua.ErrConnect)
	tests := []struct {
		name     string
		err      error
		retrying bool
		want     string
	}{
		{"unreachable while retrying", raw, true, "The phone cannot reach the SIP server. Check the network; the Phonebar keeps trying."},
		{"unreachable, given up", raw, false, "The phone cannot reach the SIP server. Check the network, or ask your administrator whether the phone server is up."},
		{"timeout", sipua.ErrTimeout, true, "The phone cannot reach the SIP server. Check the network; the Phonebar keeps trying."},
		{"other errors keep their words", errors.New("the SIP account is incomplete"), false, "the SIP account is incomplete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := registrationProblem(tt.err, tt.retrying)
			assert.Equal(t, tt.want, got)
			assert.NotContains(t, got, "dial tcp")
		})
	}
}
