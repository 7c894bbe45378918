package motion_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim"
	"github.com/phonebar/phonebar/internal/problem"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// These tests run the client against the project's Motion-compatible server (internal/motionsim)
// over real HTTPS and WebSocket.

const (
	amyPassword = "Amy-Secret-4242"
	bobPassword = "Bob-Secret-4242"
)

func startSim(t *testing.T, heartbeatMS int) (*motionsim.Server, motionsim.Endpoint) {
	t.Helper()
	srv, err := motionsim.New(motionsim.Options{
		BcryptCost:  4,
		HeartbeatMS: heartbeatMS,
		Config: &motionsim.Config{
			MaxLoginAttempts:   3,
			UnlockAfterMinutes: 15,
			Users: []motionsim.UserConfig{
				{Name: "amy", Fullname: "Amy Pond", Typology: motion.TypologyWebRTC, Internal: "1042", Password: amyPassword, SIPPassword: "sip-amy-1042"},
				{Name: "bob", Fullname: "Bob Hart", Typology: motion.TypologyPhonebar, Password: bobPassword},
			},
		},
	})
	require.NoError(t, err)
	ep, err := srv.Start(context.Background(), "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	return srv, ep
}

func newClient(t *testing.T, ep motionsim.Endpoint, mod func(*motion.Options)) *motion.Client {
	t.Helper()
	u, err := motion.ParseServerURL(ep.URL)
	require.NoError(t, err)
	o := motion.Options{BaseURL: u, Pin: ep.Fingerprint}
	if mod != nil {
		mod(&o)
	}
	c, err := motion.New(o)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func TestSimLoginWhoamiLogout(t *testing.T) {
	_, ep := startSim(t, 0)
	c := newClient(t, ep, nil)
	ctx := context.Background()
	resp, err := c.Login(ctx, motion.LoginRequest{Name: "amy", Password: amyPassword})
	require.NoError(t, err)
	assert.NotEmpty(t, resp.Token)
	u, err := c.Whoami(ctx)
	require.NoError(t, err)
	assert.Equal(t, "Amy Pond", u.Fullname)
	require.NotNil(t, u.SIP, "a WebRTC agent gets SIP settings")
	require.NoError(t, c.Logout(ctx))
	_, err = c.Whoami(ctx)
	assert.ErrorIs(t, err, motion.ErrNotLoggedIn)
}

func TestSimCertificates(t *testing.T) {
	_, ep := startSim(t, 0)
	ctx := context.Background()
	_, err := newClient(t, ep, func(o *motion.Options) { o.Pin = "" }).Login(ctx, motion.LoginRequest{Name: "amy", Password: amyPassword})
	var ue *tlspin.UntrustedError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, ep.Fingerprint, ue.Fingerprint)

	other := tlspin.OfDER([]byte("another certificate"))
	_, err = newClient(t, ep, func(o *motion.Options) { o.Pin = other }).Login(ctx, motion.LoginRequest{Name: "amy", Password: amyPassword})
	var me *tlspin.MismatchError
	require.ErrorAs(t, err, &me)
	assert.Equal(t, ep.Fingerprint, me.Got)
}

func TestSimWrongPasswordThenLocked(t *testing.T) {
	_, ep := startSim(t, 0)
	c := newClient(t, ep, nil)
	ctx := context.Background()
	wantLeft := []string{"2 attempts left", "1 attempt left"}
	for _, want := range wantLeft {
		_, err := c.Login(ctx, motion.LoginRequest{Name: "amy", Password: "Wrong-1234"})
		require.ErrorIs(t, err, motion.ErrInvalidCredentials)
		assert.Contains(t, problem.Of(err).Message, want)
		assert.NotContains(t, err.Error(), "Wrong-1234")
	}
	_, err := c.Login(ctx, motion.LoginRequest{Name: "amy", Password: "Wrong-1234"})
	require.Error(t, err)
	_, err = c.Login(ctx, motion.LoginRequest{Name: "amy", Password: amyPassword})
	require.ErrorIs(t, err, motion.ErrAccountLocked, "locked even with the right password")
	var ae *motion.APIError
	require.ErrorAs(t, err, &ae)
	require.NotNil(t, ae.UnlockAt)
	assert.Contains(t, problem.Of(err).Message, "ask your administrator to unlock it, or wait until "+ae.UnlockAt.Local().Format("15:04"))
}

func TestSimSessionExistsAndForce(t *testing.T) {
	_, ep := startSim(t, 0)
	ctx := context.Background()
	_, err := newClient(t, ep, nil).Login(ctx, motion.LoginRequest{Name: "bob", Password: bobPassword})
	require.NoError(t, err)
	c := newClient(t, ep, nil)
	_, err = c.Login(ctx, motion.LoginRequest{Name: "bob", Password: bobPassword})
	require.ErrorIs(t, err, motion.ErrSessionExists)
	_, err = c.Login(ctx, motion.LoginRequest{Name: "bob", Password: bobPassword, Force: true})
	require.NoError(t, err)
}

// mangleAuth plays a proxy that rewrites the Authorization header.
type mangleAuth struct{ next http.RoundTripper }

func (m mangleAuth) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("Authorization") != "" {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Token mangled")
	}
	return m.next.RoundTrip(r)
}

func TestSimUnknownAuthorizationFormat(t *testing.T) {
	_, ep := startSim(t, 0)
	hc := ep.Client()
	hc.Timeout = 0
	hc.Transport = mangleAuth{hc.Transport}
	c := newClient(t, ep, func(o *motion.Options) { o.HTTPClient = hc })
	ctx := context.Background()
	_, err := c.Login(ctx, motion.LoginRequest{Name: "amy", Password: amyPassword})
	require.NoError(t, err)
	_, err = c.Whoami(ctx)
	require.ErrorIs(t, err, motion.ErrUnknownAuthFormat)
	assert.NotErrorIs(t, err, motion.ErrInvalidCredentials, "not a wrong password")
	assert.Contains(t, problem.Of(err).Message, "https://")
}

func TestSimRealtime(t *testing.T) {
	before := goleak.IgnoreCurrent() // other tests' idle connections are not this test's
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
	srv, ep := startSim(t, 50)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := newClient(t, ep, nil)
	_, err := c.Login(ctx, motion.LoginRequest{Name: "bob", Password: bobPassword})
	require.NoError(t, err)
	rt, err := c.DialRealtime(ctx)
	require.NoError(t, err)
	defer rt.Close()
	ev, err := rt.Next(ctx)
	require.NoError(t, err)
	require.Equal(t, motion.EventHello, ev.Type)
	assert.Equal(t, 50*time.Millisecond, rt.Heartbeat())
	ev, err = rt.Next(ctx)
	require.NoError(t, err)
	assert.Equal(t, motion.EventHeartbeat, ev.Type)

	// The network goes quiet: noticed within three heartbeats.
	srv.PauseRealtime(true)
	start := time.Now()
	for {
		_, err = rt.Next(ctx)
		if err != nil {
			break
		}
	}
	require.ErrorIs(t, err, motion.ErrRealtimeStale)
	assert.Less(t, time.Since(start), 2*time.Second)
	srv.PauseRealtime(false)

	// A new socket; then someone logs in with the same credentials and forces this session out.
	rt2, err := c.DialRealtime(ctx)
	require.NoError(t, err)
	defer rt2.Close()
	ev, err = rt2.Next(ctx)
	require.NoError(t, err)
	require.Equal(t, motion.EventHello, ev.Type)
	other := newClient(t, ep, nil)
	_, err = other.Login(ctx, motion.LoginRequest{Name: "bob", Password: bobPassword, Force: true})
	require.NoError(t, err)
	for {
		ev, err = rt2.Next(ctx)
		require.NoError(t, err)
		if ev.Type != motion.EventHeartbeat {
			break
		}
	}
	assert.Equal(t, motion.EventLogout, ev.Type)
	assert.Equal(t, motion.CodeSessionExists, ev.Reason)

	// The old token no longer opens a socket.
	_, err = c.DialRealtime(ctx)
	require.ErrorIs(t, err, motion.ErrUnauthorized)
}
