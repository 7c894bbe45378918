package station

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/sipua"
)

func TestPhoneRegistration(t *testing.T) {
	damaged := errors.New("unexpected end of JSON input")
	tests := []struct {
		name    string
		phone   Phone
		state   string
		explain string
	}{
		{"no SIP account", Phone{}, "off", ""},
		{"registered", Phone{Desk: &desk.View{Registration: sipua.StateRegistered}}, "registered", ""},
		{"server down, retrying", Phone{Desk: &desk.View{Registration: sipua.StateRegistering, RegistrationErr: sipua.ErrConnect}},
			"registering", "The phone cannot reach the SIP server. Check the network; the Phonebar keeps trying."},
		{"server down, given up", Phone{Desk: &desk.View{Registration: sipua.StateFailed, RegistrationErr: sipua.ErrConnect}},
			"failed", "The phone cannot reach the SIP server. Check the network, or ask your administrator whether the phone server is up."},
		{"registered again: the old error is gone", Phone{Desk: &desk.View{Registration: sipua.StateRegistered, RegistrationErr: sipua.ErrConnect}},
			"registered", ""},
		{"damaged history", Phone{Desk: &desk.View{Registration: sipua.StateRegistered}, HistoryErr: damaged},
			"registered", "The call history was damaged: unexpected end of JSON input."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state, explain := tt.phone.Registration()
			assert.Equal(t, tt.state, state)
			assert.Equal(t, tt.explain, explain)
		})
	}
	state, explain := Phone{Err: errors.New("settings damaged")}.Registration()
	assert.Equal(t, "failed", state, "an account whose phone did not start")
	assert.NotEmpty(t, explain)
}
