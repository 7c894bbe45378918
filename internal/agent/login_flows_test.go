package agent

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/motion"
)

func TestCheckNewPassword(t *testing.T) {
	tests := []struct {
		name, pw, current string
		broken            []string
	}{
		{"empty", "", "Old-Pass-1", []string{"length", "lower", "upper", "digit", "special", "different"}},
		{"short", "aB1-", "", []string{"length"}},
		{"no special", "abcDEF123", "", []string{"special"}},
		{"no digit", "abcDEF-+x", "", []string{"digit"}},
		{"no upper", "abcdef-1x", "", []string{"upper"}},
		{"no lower", "ABCDEF-1X", "", []string{"lower"}},
		{"same as current", "Good-Pass-1", "Good-Pass-1", []string{"different"}},
		{"good", "Good-Pass-2", "Good-Pass-1", nil},
		{"every special counts", "Abcdefg1{", "", nil},
		{"a space is not special", "Abcdefg1 ", "", []string{"special"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checks := CheckNewPassword(tt.pw, tt.current)
			var broken []string
			for _, c := range checks {
				if !c.OK {
					broken = append(broken, c.ID)
				}
			}
			assert.Equal(t, tt.broken, broken)
			assert.Equal(t, len(tt.broken) == 0, PasswordRulesOK(checks))
		})
	}
}

// TestLoginPhoneRequired: a hot-desk login without a phone comes back with the server's list, read
// with the same login; the second login with the phone picked goes through and the profile says it.
func TestLoginPhoneRequired(t *testing.T) {
	r := newRig(t, nil)
	r.client.loginErr = &motion.APIError{Op: "login", Status: 428, Code: motion.CodePhoneRequired}
	r.client.phones = []motion.Phone{{Name: "desk-1", Registered: true}, {Name: "desk-3", Registered: true}}
	_, err := r.s.LoginWith(ctx, LoginInput{Server: server, User: "agent", Password: password})
	var pe *PhoneRequiredError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, r.client.phones, pe.Phones)
	assert.ErrorIs(t, err, motion.ErrPhoneRequired)
	assert.Contains(t, err.Error(), "desk-1, desk-3")
	assert.NotContains(t, err.Error(), password)
	assert.Equal(t, StateLoggedOut, r.s.State())

	r.client.loginErr = nil
	p, err := r.s.LoginWith(ctx, LoginInput{Server: server, User: "agent", Password: password, Phone: "desk-3"})
	require.NoError(t, err)
	assert.Equal(t, "desk-3", p.Phone)
	assert.Equal(t, "desk-3", r.client.logins[1].Phone)

	// Taken meanwhile: PHONE_UNAVAILABLE, with a fresh list.
	require.NoError(t, r.s.Logout(ctx))
	r.client.loginErr = &motion.APIError{Op: "login", Status: 409, Code: motion.CodePhoneUnavailable}
	_, err = r.s.LoginWith(ctx, LoginInput{Server: server, User: "agent", Password: password, Phone: "desk-3"})
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, motion.ErrPhoneUnavailable)
}

// TestReloginOnceAfterServerForgot: the server restarts and no longer knows the token: a session
// whose password is saved logs back in once (never with Force); a second loss ends it.
func TestReloginOnceAfterServerForgot(t *testing.T) {
	tests := []struct {
		name       string
		remember   bool
		wantLogins int
		wantState  State
	}{
		{"saved password: logged back in once", true, 2, StateLoggedIn},
		{"no saved password: asked to log in", false, 1, StateLoggedOut},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			leakCheck(t)
			r := newRig(t, nil)
			unknown := &motion.APIError{Op: "the realtime connection", Status: 401, Code: motion.CodeUnauthorized}
			var dials int
			r.client.dial = func(context.Context) (Realtime, error) {
				dials++
				if dials == 1 {
					return nil, unknown // the first dial meets a restarted server
				}
				return newFakeRealtime(motion.Event{Type: motion.EventHello, HeartbeatMS: 1000}), nil
			}
			stop := startRun(t, r.s)
			_, err := r.s.Login(ctx, server, "agent", password, tt.remember)
			require.NoError(t, err)
			waitState(t, r.s, tt.wantState)
			require.NoError(t, stop())
			r.client.mu.Lock()
			defer r.client.mu.Unlock()
			assert.Len(t, r.client.logins, tt.wantLogins)
			for _, l := range r.client.logins {
				assert.False(t, l.Force, "never forces another session out by itself")
			}
			if !tt.remember {
				assert.Contains(t, r.lastChange().Message, "may have restarted")
			}
		})
	}
}

// TestReloginNeverTwice: a session that loses the server twice is logged back in only the first time.
func TestReloginNeverTwice(t *testing.T) {
	leakCheck(t)
	r := newRig(t, nil)
	r.client.dial = func(context.Context) (Realtime, error) {
		return nil, &motion.APIError{Op: "the realtime connection", Status: 401, Code: motion.CodeUnauthorized}
	}
	stop := startRun(t, r.s)
	_, err := r.s.Login(ctx, server, "agent", password, true)
	require.NoError(t, err)
	waitState(t, r.s, StateLoggedOut)
	require.NoError(t, stop())
	r.client.mu.Lock()
	defer r.client.mu.Unlock()
	assert.Len(t, r.client.logins, 2, "the typed login and one automatic one")
}

func TestProviders(t *testing.T) {
	r := newRig(t, nil)
	r.client.providers = []string{motion.ProviderGoogle}
	got, err := r.s.Providers(ctx, server)
	require.NoError(t, err)
	assert.Equal(t, []string{motion.ProviderGoogle}, got)
	_, err = r.s.Providers(ctx, "http://motion.test")
	assert.ErrorIs(t, err, motion.ErrNotHTTPS, "nothing is asked over http")
}

func TestReadyGate(t *testing.T) {
	tests := []struct {
		name, typology, verdict string
		blocked                 bool
		says                    string
	}{
		{"webrtc, working", motion.TypologyWebRTC, "working", false, ""},
		{"webrtc, never checked", motion.TypologyWebRTC, "", true, "Check your microphone first"},
		{"webrtc, silent", motion.TypologyWebRTC, "silent", true, "hears nothing"},
		{"webrtc, none", motion.TypologyWebRTC, "no microphone", true, "No microphone was found"},
		{"webrtc, denied", motion.TypologyWebRTC, "access denied", true, "privacy settings"},
		{"webrtc, unknown", motion.TypologyWebRTC, "unknown", true, "could not be checked"},
		{"external rings elsewhere", motion.TypologyExternal, "no microphone", false, ""},
		{"phonebar", motion.TypologyPhonebar, "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ReadyGate(tt.typology, tt.verdict)
			if !tt.blocked {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrMicrophoneNeeded)
			assert.Contains(t, err.Error(), tt.says)
		})
	}
}

// TestLoginRemembersExternalLine: an external agent's line is kept in the settings for the next
// login's form; a login of another typology removes it.
func TestLoginRemembersExternalLine(t *testing.T) {
	r := newRig(t, nil)
	r.client.loginResp = motion.LoginResponse{User: motion.User{Name: "agent", Typology: motion.TypologyExternal}}
	r.client.whoami = motion.User{Name: "agent", Typology: motion.TypologyExternal}
	p, err := r.s.LoginWith(ctx, LoginInput{Server: server, User: "agent", Password: password, Line: motion.LineMobile})
	require.NoError(t, err)
	key := config.LineKey(p.Server, "agent")
	st, err := r.cfg.Load()
	require.NoError(t, err)
	assert.Equal(t, map[string]string{key: motion.LineMobile}, st.Lines)
	require.NoError(t, r.s.Logout(ctx))

	r.client.loginResp.User.Typology, r.client.whoami.Typology = motion.TypologyPhonebar, motion.TypologyPhonebar
	_, err = r.s.LoginWith(ctx, LoginInput{Server: server, User: "agent", Password: password})
	require.NoError(t, err)
	st, err = r.cfg.Load()
	require.NoError(t, err)
	assert.Empty(t, st.Lines)
}

func TestLoginPassesLine(t *testing.T) {
	r := newRig(t, nil)
	p, err := r.s.LoginWith(ctx, LoginInput{Server: server, User: "agent", Password: password, Line: motion.LineMobile})
	require.NoError(t, err)
	assert.Equal(t, motion.LineMobile, r.client.logins[0].Line)
	assert.Equal(t, motion.LineMobile, p.Line)
}

// TestSetLine: an external agent's first login here without a line asks for one (ChooseLine) and
// shows the numbers that ring; SetLine answers it on the server, in the profile and in the
// settings, and the next login does not ask again. Others cannot choose a line.
func TestSetLine(t *testing.T) {
	r := newRig(t, nil)
	ext := motion.User{Name: "agent", Typology: motion.TypologyExternal, Internal: "1002", PhoneNumber: "+39 06 1", MobileNumber: "+39 333 1"}
	r.client.loginResp, r.client.whoami = motion.LoginResponse{User: ext}, ext
	p, err := r.s.LoginWith(ctx, LoginInput{Server: server, User: "agent", Password: password})
	require.NoError(t, err)
	assert.True(t, p.ChooseLine, "a first login asks")
	assert.Equal(t, [2]string{"+39 06 1", "+39 333 1"}, [2]string{p.PhoneNumber, p.MobileNumber})

	for _, bad := range []string{"", "desk", "Mobile"} {
		assert.ErrorIs(t, r.s.SetLine(ctx, bad), ErrNoLineChoice, "line %q", bad)
	}
	require.NoError(t, r.s.SetLine(ctx, motion.LineMobile))
	assert.Equal(t, motion.LineMobile, r.client.line)
	got := r.s.Profile()
	assert.False(t, got.ChooseLine)
	assert.Equal(t, motion.LineMobile, got.Line)
	st, err := r.cfg.Load()
	require.NoError(t, err)
	assert.Equal(t, motion.LineMobile, st.Lines[config.LineKey(p.Server, "agent")])
	require.NoError(t, r.s.Logout(ctx))
	assert.ErrorIs(t, r.s.SetLine(ctx, motion.LinePhone), ErrNotLoggedIn)

	p, err = r.s.LoginWith(ctx, LoginInput{Server: server, User: "agent", Password: password})
	require.NoError(t, err)
	assert.False(t, p.ChooseLine, "asked once: the line is known here")
	require.NoError(t, r.s.Logout(ctx))

	r.client.loginResp.User.Typology, r.client.whoami.Typology = motion.TypologyWebRTC, motion.TypologyWebRTC
	p, err = r.s.LoginWith(ctx, LoginInput{Server: server, User: "agent", Password: password})
	require.NoError(t, err)
	assert.False(t, p.ChooseLine)
	assert.ErrorIs(t, r.s.SetLine(ctx, motion.LinePhone), ErrNoLineChoice)
}
