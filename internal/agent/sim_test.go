package agent_test

import (
	"context"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/credstore"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim"
)

// These tests run the session with the real Motion client against the project's Motion-compatible
// server.

const bobPassword = "Bob-Secret-4242"

type simRig struct {
	srv   *motionsim.Server
	ep    motionsim.Endpoint
	s     *agent.Session
	creds *credstore.Memory
	cfg   *config.Store
	mu    sync.Mutex
	log   []agent.Change
	fails int
}

func newSimRig(t *testing.T) *simRig {
	t.Helper()
	return newSimRigWith(t, &motionsim.Config{MaxLoginAttempts: 5, Users: []motionsim.UserConfig{
		{Name: "bob", Fullname: "Bob Hart", Typology: motion.TypologyPhonebar, Password: bobPassword},
	}})
}

// newSimRigWith is newSimRig with the demo server's configuration.
func newSimRigWith(t *testing.T, cfg *motionsim.Config) *simRig {
	t.Helper()
	r := &simRig{creds: credstore.NewMemory(), cfg: config.NewStore(filepath.Join(t.TempDir(), "settings.json"))}
	var err error
	r.srv, err = motionsim.New(motionsim.Options{
		BcryptCost: 4, HeartbeatMS: 50,
		Config: cfg,
		Hooks: motionsim.Hooks{OnRecord: func(rec motionsim.Record) {
			if rec.Kind == motionsim.RecordLoginFailed {
				r.mu.Lock()
				r.fails++
				r.mu.Unlock()
			}
		}},
	})
	require.NoError(t, err)
	r.ep, err = r.srv.Start(context.Background(), "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.srv.Close() })
	r.s, err = agent.New(agent.Deps{
		Creds: r.creds, Config: r.cfg,
		Backoff: agent.Backoff{Initial: 20 * time.Millisecond, Max: 100 * time.Millisecond},
		OnChange: func(c agent.Change) {
			r.mu.Lock()
			r.log = append(r.log, c)
			r.mu.Unlock()
		},
	})
	require.NoError(t, err)
	require.NoError(t, r.s.TrustFingerprint(r.ep.URL, r.ep.Fingerprint))
	return r
}

func (r *simRig) run(t *testing.T) {
	errc := make(chan error, 1)
	go func() { errc <- r.s.Run(context.Background()) }()
	t.Cleanup(func() {
		require.NoError(t, r.s.Close())
		require.NoError(t, <-errc)
	})
}

// count returns how many changes had input in.
func (r *simRig) count(in agent.Input) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.log {
		if c.Input == in {
			n++
		}
	}
	return n
}

func (r *simRig) wait(t *testing.T, want agent.State) {
	t.Helper()
	require.Eventually(t, func() bool { return r.s.State() == want }, 10*time.Second, 5*time.Millisecond,
		"state %s, want %s", r.s.State(), want)
}

func TestSimSessionLifecycle(t *testing.T) {
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
	r := newSimRig(t)
	r.run(t)
	ctx := context.Background()

	p, err := r.s.Login(ctx, r.ep.URL, "bob", bobPassword, true)
	require.NoError(t, err)
	assert.Equal(t, "Bob Hart", p.Fullname)
	assert.True(t, p.Remembered)
	r.wait(t, agent.StateLoggedIn)

	// The network goes quiet: reconnecting, then back.
	r.srv.PauseRealtime(true)
	r.wait(t, agent.StateReconnecting)
	r.srv.PauseRealtime(false)
	r.wait(t, agent.StateLoggedIn)

	// The socket drops: reconnected with the same session.
	downs := r.count(agent.InputRealtimeDown)
	require.Equal(t, 1, r.srv.DropRealtime())
	require.Eventually(t, func() bool { return r.count(agent.InputRealtimeDown) > downs }, 10*time.Second, 5*time.Millisecond)
	r.wait(t, agent.StateLoggedIn)

	// Someone logs in with the same credentials elsewhere: logged out with the reason, for good.
	other, err := motion.New(motion.Options{BaseURL: mustURL(t, r.ep.URL), Pin: r.ep.Fingerprint})
	require.NoError(t, err)
	defer other.CloseIdleConnections()
	_, err = other.Login(ctx, motion.LoginRequest{Name: "bob", Password: bobPassword, Force: true})
	require.NoError(t, err)
	r.wait(t, agent.StateLoggedOut)
	r.mu.Lock()
	last := r.log[len(r.log)-1]
	r.mu.Unlock()
	assert.Equal(t, motion.CodeSessionExists, last.Reason)
	time.Sleep(200 * time.Millisecond)
	assert.Equal(t, agent.StateLoggedOut, r.s.State(), "no login by itself")
	assert.Eventually(t, func() bool { return r.srv.RealtimeSockets("bob") == 0 }, 5*time.Second, 5*time.Millisecond,
		"the ended session's socket is closed")
	require.NoError(t, other.Logout(ctx))

	// AutoLogin with the saved password; then the password changes elsewhere and AutoLogin stops
	// after one refused attempt.
	_, err = r.s.AutoLogin(ctx)
	require.NoError(t, err)
	r.wait(t, agent.StateLoggedIn)
	_, err = r.s.ChangePassword(ctx, bobPassword, "Bob-Changed-4243")
	require.NoError(t, err)
	require.NoError(t, r.s.Logout(ctx))
	require.NoError(t, r.creds.Set(ctx, r.ep.URL, "bob", bobPassword)) // a stale saved password
	_, err = r.s.AutoLogin(ctx)
	require.ErrorIs(t, err, agent.ErrSavedPasswordRejected)
	assert.ErrorIs(t, err, agent.ErrSavedPasswordRejected)
	assert.Contains(t, err.Error(), "attempts left")
	_, err = r.s.AutoLogin(ctx)
	require.ErrorIs(t, err, agent.ErrNoSavedLogin)
	r.mu.Lock()
	assert.Equal(t, 1, r.fails, "exactly one refused attempt reached the server")
	r.mu.Unlock()
	assert.Equal(t, agent.StateLoggedOut, r.s.State())
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := motion.ParseServerURL(s)
	require.NoError(t, err)
	return u
}
