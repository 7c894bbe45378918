package omni

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim"
)

// TestRESTLoginMakesTheBarsChoice: the Omni Desktop's web session is logged in with the telephone
// (Hot Desk) or the line (external agent) the agent chose at the Phonebar's login, against the real
// demo server, which otherwise asks for the telephone again.
func TestRESTLoginMakesTheBarsChoice(t *testing.T) {
	srv, err := motionsim.New(motionsim.Options{Config: &motionsim.Config{
		Users: []motionsim.UserConfig{
			{Name: "desk", Fullname: "Desk Agent", Role: motion.RoleAgent, Typology: motion.TypologyExternal, HotDesk: true, Internal: "2001", Password: "Desk-Pass-1"},
			{Name: "ext", Fullname: "External Agent", Role: motion.RoleAgent, Typology: motion.TypologyExternal, Internal: "2002", Password: "Ext-Pass-1"},
		},
		Phones: []motionsim.PhoneConfig{{Name: "desk-101", Registered: true}, {Name: "desk-102", Registered: true}},
	}})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	ep, err := srv.Start(ctx, "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { cancel(); _ = srv.Close() })

	tests := []struct {
		name, user, password, phone, line string
		wantErr                           error
		wantPhone, wantLine               string
	}{
		{"hot desk without the telephone: asked again", "desk", "Desk-Pass-1", "", "", motion.ErrPhoneRequired, "", ""},
		{"hot desk with the bar's telephone", "desk", "Desk-Pass-1", "desk-102", "", nil, "desk-102", ""},
		{"external agent with the bar's line", "ext", "Ext-Pass-1", "", motion.LineMobile, nil, "", motion.LineMobile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := Handoff{Origin: ep.URL, Username: tt.user, Password: tt.password, Pin: ep.Fingerprint,
				Form: Form{Handoff: config.HandoffSession}, Phone: tt.phone, Line: tt.line}
			rs := RESTSessions(h, quietLog())
			tok, err := rs.Login(ctx, false)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			var found bool
			for _, s := range srv.Sessions() {
				if s.User == tt.user && s.Client == motion.ClientWeb && s.EndedAt.IsZero() {
					found = true
					assert.Equal(t, tt.wantPhone, s.Phone)
					assert.Equal(t, tt.wantLine, s.Line)
				}
			}
			assert.True(t, found, "a live web session")
			require.NoError(t, rs.Logout(ctx, tok))
		})
	}
}
