package agent

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/credstore"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/tlspin"
)

var ctx = context.Background()

// assertNoSecretOnDisk checks that the settings folder holds no password.
func assertNoSecretOnDisk(t *testing.T, r *rig) {
	t.Helper()
	_ = filepath.Walk(filepath.Dir(r.cfg.Path()), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			b, _ := os.ReadFile(p)
			assert.NotContains(t, string(b), password, "%s holds the password", p)
		}
		return nil
	})
}

func TestLoginRemember(t *testing.T) {
	r := newRig(t, nil)
	p, err := r.s.Login(ctx, "motion.test:8443", " agent ", password, true)
	require.NoError(t, err)
	assert.Equal(t, Profile{Server: server, ID: 3, Name: "agent", Fullname: "Agent Three", Role: motion.RoleAgent,
		Typology: motion.TypologyWebRTC, HasSIP: true, Remembered: true}, p)
	assert.Equal(t, StateConnecting, r.s.State())

	saved, err := r.creds.Get(ctx, server, "agent")
	require.NoError(t, err)
	assert.Equal(t, password, saved)
	st, err := r.cfg.Load()
	require.NoError(t, err)
	assert.Equal(t, server, st.ServerURL)
	assert.Equal(t, "agent", st.Username)
	assert.True(t, st.RememberMe)
	assertNoSecretOnDisk(t, r)

	sip, ok := r.s.SIPAccount()
	require.True(t, ok)
	assert.Equal(t, "1003", sip.Username)
	assert.Equal(t, []motion.LoginRequest{{Name: "agent", Password: password, Client: motion.ClientPhonebar}}, r.client.logins)
	assert.Equal(t, []State{StateLoggingIn, StateConnecting}, r.states())
	assert.Equal(t, p, r.s.Profile())
}

func TestLoginWrongPasswordIsNotSaved(t *testing.T) {
	r := newRig(t, nil)
	_, err := r.s.Login(ctx, server, "agent", "wrong-password", true)
	require.ErrorIs(t, err, motion.ErrInvalidCredentials)
	assert.ErrorIs(t, err, motion.ErrInvalidCredentials)
	assert.Equal(t, 0, r.creds.Sets, "a wrong password is never saved")
	assert.Equal(t, 0, r.creds.Len())
	_, statErr := os.Stat(r.cfg.Path())
	assert.True(t, os.IsNotExist(statErr), "a failed login writes no settings")
	assert.Equal(t, StateLoggedOut, r.s.State())
	assert.Equal(t, []State{StateLoggingIn, StateLoggedOut}, r.states())
	assert.Equal(t, InputLoginFailed, r.lastChange().Input)
	assert.Equal(t, Profile{}, r.s.Profile())
}

func TestLoginKeyringUnavailable(t *testing.T) {
	r := newRig(t, nil)
	r.creds.Err = &credstore.UnavailableError{Op: "save", Hint: "no Secret Service", Cause: errors.New("no session bus")}
	p, err := r.s.Login(ctx, server, "agent", password, true)
	require.NoError(t, err, "login works without a keyring")
	assert.True(t, p.RememberUnavailable)
	assert.False(t, p.Remembered)
	require.Len(t, p.Warnings, 1)
	assert.Contains(t, p.Warnings[0], "cannot be remembered")
	assert.Contains(t, p.Warnings[0], "no Secret Service")
	assert.NotContains(t, p.Warnings[0], password)
	assert.Equal(t, 0, r.creds.Sets)
	st, err := r.cfg.Load()
	require.NoError(t, err)
	assert.False(t, st.RememberMe, "nothing remembered, so the flag stays off")
	assert.Equal(t, "agent", st.Username)
	assertNoSecretOnDisk(t, r)
}

func TestLoginWithoutRememberForgets(t *testing.T) {
	r := newRig(t, nil)
	require.NoError(t, r.creds.Set(ctx, server, "agent", "old"))
	p, err := r.s.Login(ctx, server, "agent", password, false)
	require.NoError(t, err)
	assert.False(t, p.Remembered)
	_, err = r.creds.Get(ctx, server, "agent")
	assert.ErrorIs(t, err, credstore.ErrNotFound)
}

func TestLoginInputErrors(t *testing.T) {
	tests := []struct {
		name         string
		server, user string
		pass         string
		want         error
	}{
		{"not a url", "not a url", "agent", password, motion.ErrBadURL},
		{"http", "http://motion.test", "agent", password, motion.ErrNotHTTPS},
		{"no user", server, " ", password, ErrMissingCredentials},
		{"no password", server, "agent", "", ErrMissingCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			_, err := r.s.Login(ctx, tt.server, tt.user, tt.pass, true)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
			assert.Equal(t, 0, r.clients, "no client for bad input")
			assert.Equal(t, StateLoggedOut, r.s.State())
			assert.Empty(t, r.states())
		})
	}
}

func TestLoginBusy(t *testing.T) {
	r := newRig(t, nil)
	_, err := r.s.Login(ctx, server, "agent", password, false)
	require.NoError(t, err)
	_, err = r.s.Login(ctx, server, "agent", password, false)
	require.ErrorIs(t, err, ErrBusy)
}

func TestLoginWhoamiFailsEndsTheSession(t *testing.T) {
	r := newRig(t, nil)
	r.client.whoamiErr = &motion.APIError{Op: "whoami", Status: 500}
	_, err := r.s.Login(ctx, server, "agent", password, true)
	require.ErrorIs(t, err, motion.ErrServer)
	assert.Equal(t, 1, r.client.logouts, "the half-made session is ended on the server")
	assert.Equal(t, 0, r.creds.Sets)
	assert.Equal(t, StateLoggedOut, r.s.State())
}

func TestLoginForceAndPin(t *testing.T) {
	r := newRig(t, nil)
	fp := tlspin.Fingerprint(strings.Repeat("0a", 32))
	require.NoError(t, r.s.TrustFingerprint("motion.test:8443", tlspin.Fingerprint(fp.Pretty())))
	st, err := r.cfg.Load()
	require.NoError(t, err)
	assert.Equal(t, map[string]tlspin.Fingerprint{server: fp}, st.Pins)

	_, err = r.s.LoginWith(ctx, LoginInput{Server: server, User: "agent", Password: password, Force: true})
	require.NoError(t, err)
	require.Len(t, r.opts, 1)
	assert.Equal(t, fp, r.opts[0].Pin, "the pinned fingerprint reaches the client")
	assert.True(t, r.client.logins[0].Force)

	assert.ErrorIs(t, r.s.TrustFingerprint(server, "abc"), tlspin.ErrBadFingerprint)
	assert.ErrorIs(t, r.s.TrustFingerprint("http://x", fp), motion.ErrNotHTTPS)
}

// TestLoginSettingsDamagedRefuses: a damaged settings file stops the login (going on with defaults
// would drop the server's certificate pin) with a message naming the file, and is never
// overwritten. The calls that need no login refuse too.
func TestLoginSettingsDamagedRefuses(t *testing.T) {
	r := newRig(t, nil)
	require.NoError(t, os.MkdirAll(filepath.Dir(r.cfg.Path()), 0o700))
	require.NoError(t, os.WriteFile(r.cfg.Path(), []byte("{broken"), 0o600))
	_, err := r.s.Login(ctx, server, "agent", password, false)
	require.ErrorIs(t, err, config.ErrCorrupt)
	assert.Contains(t, err.Error(), r.cfg.Path())
	assert.Empty(t, r.client.logins, "nothing was sent to the server")
	assert.Equal(t, StateLoggedOut, r.s.State())
	require.ErrorIs(t, r.s.ForgotPassword(ctx, server, "agent@example.com"), config.ErrCorrupt)
	_, err = r.s.Providers(ctx, server)
	require.ErrorIs(t, err, config.ErrCorrupt)
	b, err := os.ReadFile(r.cfg.Path())
	require.NoError(t, err)
	assert.Equal(t, "{broken", string(b), "the damaged file is not overwritten")
}

func TestAutoLogin(t *testing.T) {
	t.Run("logs in with the saved password", func(t *testing.T) {
		r := newRig(t, nil)
		_, err := r.s.Login(ctx, server, "agent", password, true)
		require.NoError(t, err)
		require.NoError(t, r.s.Logout(ctx))
		sets := r.creds.Sets
		p, err := r.s.AutoLogin(ctx)
		require.NoError(t, err)
		assert.True(t, p.Remembered)
		assert.Equal(t, sets, r.creds.Sets, "the keyring is not rewritten")
	})
	t.Run("nothing remembered", func(t *testing.T) {
		r := newRig(t, nil)
		_, err := r.s.AutoLogin(ctx)
		require.ErrorIs(t, err, ErrNoSavedLogin)
		assert.ErrorIs(t, err, ErrNoSavedLogin)
	})
	t.Run("no saved password", func(t *testing.T) {
		r := newRig(t, nil)
		require.NoError(t, r.cfg.Update(func(s *config.Settings) error {
			s.ServerURL, s.Username, s.RememberMe = server, "agent", true
			return nil
		}))
		_, err := r.s.AutoLogin(ctx)
		require.ErrorIs(t, err, ErrNoSavedPassword)
		assert.ErrorIs(t, err, ErrNoSavedPassword)
		assert.Contains(t, err.Error(), "type your password")
		assert.Equal(t, 0, r.clients)
	})
	t.Run("keyring refuses", func(t *testing.T) {
		r := newRig(t, nil)
		require.NoError(t, r.cfg.Update(func(s *config.Settings) error {
			s.ServerURL, s.Username, s.RememberMe = server, "agent", true
			return nil
		}))
		r.creds.Err = &credstore.UnavailableError{Op: "read", Cause: errors.New("locked")}
		_, err := r.s.AutoLogin(ctx)
		require.ErrorIs(t, err, credstore.ErrUnavailable)
		assert.ErrorIs(t, err, credstore.ErrUnavailable)
		assert.Contains(t, err.Error(), "type it")
	})
	t.Run("saved password refused: one attempt, then asks", func(t *testing.T) {
		r := newRig(t, nil)
		_, err := r.s.Login(ctx, server, "agent", password, true)
		require.NoError(t, err)
		require.NoError(t, r.s.Logout(ctx))
		// The password was changed elsewhere.
		r.client.loginErr = &motion.APIError{Op: "login", Status: 401, Code: motion.CodeInvalidCredentials, AttemptsLeft: intp(2)}
		before := len(r.client.logins)
		_, err = r.s.AutoLogin(ctx)
		require.ErrorIs(t, err, ErrSavedPasswordRejected)
		require.ErrorIs(t, err, motion.ErrInvalidCredentials)
		assert.ErrorIs(t, err, ErrSavedPasswordRejected)
		var ae *motion.APIError
		require.ErrorAs(t, err, &ae, "the server's answer is kept")
		assert.Equal(t, 2, *ae.AttemptsLeft)
		assert.Equal(t, before+1, len(r.client.logins), "exactly one attempt")
		_, gerr := r.creds.Get(ctx, server, "agent")
		assert.ErrorIs(t, gerr, credstore.ErrNotFound, "the refused password is not kept")
		_, err = r.s.AutoLogin(ctx)
		assert.ErrorIs(t, err, ErrNoSavedLogin, "and never tried again")
		assert.Equal(t, before+1, len(r.client.logins))
		assert.Equal(t, StateLoggedOut, r.s.State())
	})
	t.Run("locked account: one attempt, password kept", func(t *testing.T) {
		r := newRig(t, nil)
		_, err := r.s.Login(ctx, server, "agent", password, true)
		require.NoError(t, err)
		require.NoError(t, r.s.Logout(ctx))
		r.client.loginErr = &motion.APIError{Op: "login", Status: 423, Code: motion.CodeAccountLocked}
		before := len(r.client.logins)
		_, err = r.s.AutoLogin(ctx)
		require.ErrorIs(t, err, motion.ErrAccountLocked)
		assert.Equal(t, before+1, len(r.client.logins))
	})
}

func intp(i int) *int { return &i }

func TestLogoutAndForget(t *testing.T) {
	r := newRig(t, nil)
	_, err := r.s.Login(ctx, server, "agent", password, true)
	require.NoError(t, err)
	require.NoError(t, r.s.LogoutAndForget(ctx))
	assert.Equal(t, 1, r.client.logouts)
	assert.Equal(t, 0, r.creds.Len())
	st, err := r.cfg.Load()
	require.NoError(t, err)
	assert.False(t, st.RememberMe)
	assert.Equal(t, "agent", st.Username, "the user name stays to prefill the form")
	assert.Equal(t, StateLoggedOut, r.s.State())
	_, ok := r.s.SIPAccount()
	assert.False(t, ok, "no SIP secret after logout")

	// Logged out already: forgets the remembered login from the settings.
	require.NoError(t, r.creds.Set(ctx, server, "agent", password))
	require.NoError(t, r.cfg.Update(func(s *config.Settings) error { s.RememberMe = true; return nil }))
	require.NoError(t, r.s.LogoutAndForget(ctx))
	assert.Equal(t, 0, r.creds.Len())
}

func TestLogoutServerFailsStillLogsOut(t *testing.T) {
	r := newRig(t, nil)
	_, err := r.s.Login(ctx, server, "agent", password, false)
	require.NoError(t, err)
	r.client.logoutErr = &motion.NetError{Kind: motion.NetUnreachable, Host: "motion.test", Port: "8443", Reason: "connection refused"}
	err = r.s.Logout(ctx)
	require.ErrorIs(t, err, motion.ErrUnreachable)
	assert.Contains(t, err.Error(), "Logged out here")
	assert.Equal(t, StateLoggedOut, r.s.State())
	require.NoError(t, r.s.Logout(ctx), "logging out twice is fine")
}

func TestMustChangePassword(t *testing.T) {
	r := newRig(t, nil)
	r.client.loginResp = motion.LoginResponse{MustChangePassword: true, User: motion.User{ID: 3, Name: "agent"}}
	p, err := r.s.Login(ctx, server, "agent", password, true)
	require.NoError(t, err)
	assert.True(t, p.MustChangePassword)
	assert.Equal(t, StatePasswordChange, r.s.State())
	assert.Equal(t, 0, r.creds.Sets, "the old password is not saved when it must change")

	p, err = r.s.ChangePassword(ctx, password, "N3w-password!")
	require.NoError(t, err)
	assert.False(t, p.MustChangePassword)
	assert.True(t, p.Remembered)
	assert.Equal(t, "Agent Three", p.Fullname, "whoami after the change")
	saved, err := r.creds.Get(ctx, server, "agent")
	require.NoError(t, err)
	assert.Equal(t, "N3w-password!", saved)
	assert.Equal(t, StateConnecting, r.s.State())

	r.client.changeErr = &motion.APIError{Op: "the password change", Status: 422, Code: motion.CodePasswordRules, Rules: []string{"a digit"}}
	_, err = r.s.ChangePassword(ctx, "N3w-password!", "weak")
	require.ErrorIs(t, err, motion.ErrPasswordRules)

	require.NoError(t, r.s.Logout(ctx))
	_, err = r.s.ChangePassword(ctx, "a", "b")
	require.ErrorIs(t, err, ErrNotLoggedIn)
}

func TestNewNeedsDeps(t *testing.T) {
	_, err := New(Deps{})
	require.Error(t, err)
}

func TestForgotPassword(t *testing.T) {
	r := newRig(t, nil)
	fp := tlspin.Fingerprint(strings.Repeat("0b", 32))
	require.NoError(t, r.s.TrustFingerprint(server, fp))
	require.NoError(t, r.s.ForgotPassword(ctx, server, " agent@example.com "))
	assert.Equal(t, []string{"agent@example.com"}, r.client.forgot)
	assert.Equal(t, fp, r.opts[0].Pin)
	assert.ErrorIs(t, r.s.ForgotPassword(ctx, server, "nope"), ErrBadEmail)
	assert.ErrorIs(t, r.s.ForgotPassword(ctx, server, ""), ErrBadEmail)
	assert.ErrorIs(t, r.s.ForgotPassword(ctx, "http://h", "a@b"), motion.ErrNotHTTPS)
}

func TestLoginPassesHotDeskPhone(t *testing.T) {
	r := newRig(t, nil)
	_, err := r.s.LoginWith(ctx, LoginInput{Server: server, User: "agent", Password: password, Phone: "desk-2"})
	require.NoError(t, err)
	assert.Equal(t, "desk-2", r.client.logins[0].Phone)
}
