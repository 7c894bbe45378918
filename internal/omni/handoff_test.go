package omni

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/config"
)

func TestHandoffValidate(t *testing.T) {
	ok := Handoff{Origin: "https://motion.example.com:8443", Username: "a", Password: "b"}
	tests := []struct {
		name    string
		edit    func(h *Handoff)
		wantErr bool
	}{
		{"valid", func(*Handoff) {}, false},
		{"http origin", func(h *Handoff) { h.Origin = "http://motion.example.com" }, true},
		{"origin with a path", func(h *Handoff) { h.Origin = "https://motion.example.com/x" }, true},
		{"origin with user info", func(h *Handoff) { h.Origin = "https://u@motion.example.com" }, true},
		{"no password", func(h *Handoff) { h.Password = "" }, true},
		{"a sign-in code instead of the password", func(h *Handoff) { h.Password, h.SignInCode = "", "c0de" }, false},
		{"both a password and a sign-in code", func(h *Handoff) { h.SignInCode = "c0de" }, true},
		{"relative login path", func(h *Handoff) { h.Form.LoginPath = "login" }, true},
		{"login path with a query", func(h *Handoff) { h.Form.LoginPath = "/login?next=x" }, true},
		{"the form fallback", func(h *Handoff) { h.Form.Handoff = config.HandoffForm }, false},
		{"an unknown hand-off", func(h *Handoff) { h.Form.Handoff = "magic" }, true},
		{"an app path to another host", func(h *Handoff) { h.Form.AppPath = "//evil.example.com/" }, true},
		{"a cookie name with a separator", func(h *Handoff) { h.Form.SessionCookie.Name = "tok;en" }, true},
		{"an unknown SameSite", func(h *Handoff) { h.Form.SessionCookie.SameSite = "sometimes" }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := ok
			tt.edit(&h)
			err := h.Validate()
			if tt.wantErr {
				assert.ErrorIs(t, err, ErrBadHandoff)
			} else {
				assert.NoError(t, err)
			}
		})
	}
}

func TestReceiverReadsHandoffThenCommands(t *testing.T) {
	var buf strings.Builder
	h := Handoff{Origin: "https://motion.example.com", Username: "a", Password: "b", Form: Form{LoginPath: "/v3/login"}}
	require.NoError(t, (sender{&buf}).send(h))
	require.NoError(t, (sender{&buf}).send(Command{Op: OpShow}))
	rx := NewReceiver(strings.NewReader(buf.String()))
	got, err := rx.Handoff()
	require.NoError(t, err)
	assert.Equal(t, h, got)
	assert.Equal(t, "https://motion.example.com/v3/login", got.LoginURL())
	c, err := rx.Next()
	require.NoError(t, err)
	assert.Equal(t, OpShow, c.Op)
	_, err = rx.Next()
	assert.Error(t, err)
}

func TestReceiverRefusesUnknownFields(t *testing.T) {
	rx := NewReceiver(strings.NewReader(`{"origin":"https://a","username":"u","password":"p","evil":1}`))
	_, err := rx.Handoff()
	assert.ErrorIs(t, err, ErrBadHandoff)
}
