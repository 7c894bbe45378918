package station

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/credstore"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/omni"
	"github.com/phonebar/phonebar/internal/problem"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// memKeyring is the in-memory keyring of the tests, always usable.
type memKeyring struct{ *credstore.Memory }

func (memKeyring) Probe(context.Context) error { return nil }

// demoStation is a Station on the real demo server (internal/motionsim), with the settings in a
// temp folder and an in-memory keyring; it counts the session hooks.
func demoStation(t *testing.T) (*Station, *atomic.Int32) {
	t.Helper()
	log := logrus.New()
	log.SetLevel(logrus.WarnLevel)
	changes := new(atomic.Int32)
	s, err := New(Options{SettingsPath: filepath.Join(t.TempDir(), "phonebar", "settings.json"), Keyring: memKeyring{credstore.NewMemory()},
		Demo: true, Logger: log, Hooks: Hooks{Session: func() { changes.Add(1) }}})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s, changes
}

// TestStationOnTheDemoServer drives one session through the station as the window does: the demo
// server's certificate is pinned, a login keeps the password for the Omni Desktop only in memory,
// the line choice is remembered, and a logout ends what the session held.
func TestStationOnTheDemoServer(t *testing.T) {
	s, _ := demoStation(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	st := s.Status()
	require.NotNil(t, s.Demo())
	assert.Equal(t, s.Demo().Server, st.Server, "the login form points at the demo server")
	assert.Equal(t, agent.StateLoggedOut, st.State)
	assert.NoError(t, st.SettingsErr)
	assert.NoError(t, st.KeyringErr)
	pins, err := s.Settings().Load()
	require.NoError(t, err)
	assert.Equal(t, s.Demo().Fingerprint, pins.Pins[s.Demo().Server], "the demo server's certificate is pinned")

	assert.ErrorIs(t, s.OpenOmni(ctx), omni.ErrNoSession)
	assert.Equal(t, problem.CodeNotLoggedIn, problem.Of(s.OpenOmni(ctx)).Code)

	err = s.Login(ctx, agent.LoginInput{Server: s.Demo().Server, User: "bruno", Password: "wrong"})
	assert.Equal(t, problem.CodeInvalidCredentials, problem.Of(err).Code)

	require.NoError(t, s.Login(ctx, agent.LoginInput{Server: s.Demo().Server, User: "bruno", Password: "Demo-Bruno-1002", Line: motion.LineMobile}))
	st = s.Status()
	assert.True(t, st.State.HasSession())
	assert.Equal(t, "bruno", st.Username)
	assert.Equal(t, "Bruno Rossi", st.Profile.Fullname)
	assert.False(t, st.NeedCurrentPassword, "the station holds the session's password")
	assert.Equal(t, motion.LineMobile, s.LastLine(s.Demo().Server, " bruno "))
	assert.Empty(t, s.LastLine("not a url", "bruno"))
	assert.Empty(t, s.PhoneOwner(), "an external agent's phone is elsewhere")
	assert.Nil(t, s.Phone().Desk, "no softphone for an agent without a SIP account")

	rules := s.PasswordRules("Demo-Bruno-1002")
	require.NotEmpty(t, rules)

	require.NoError(t, s.Logout(ctx, false))
	st = s.Status()
	assert.Equal(t, agent.StateLoggedOut, st.State)
	assert.True(t, st.NeedCurrentPassword == false && st.Profile.Name == "", "nothing of the session stays")
	s.mu.Lock()
	assert.Empty(t, s.handoff.password, "the password held for the Omni Desktop ends with the session")
	s.mu.Unlock()
	assert.Equal(t, problem.CodeMissing, problem.Of(s.ChangePassword(ctx, "", "Another-Pass-99")).Code)
}

// TestSetReadyOfANonWebRTCAgentChecksNoMicrophone: only a WebRTC agent takes calls on this computer.
func TestSetReadyOfANonWebRTCAgentChecksNoMicrophone(t *testing.T) {
	s, changes := demoStation(t)
	snd := &fakeSound{}
	s.sound = snd
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, s.Login(ctx, agent.LoginInput{Server: s.Demo().Server, User: "bruno", Password: "Demo-Bruno-1002"}))
	before := changes.Load()
	require.NoError(t, s.SetReady(ctx, true))
	assert.True(t, s.Status().Ready)
	assert.Empty(t, snd.checked)
	assert.Greater(t, changes.Load(), before, "the session hook tells the window")
}
