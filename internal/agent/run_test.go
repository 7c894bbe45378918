package agent

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/motion"
)

func leakCheck(t *testing.T) {
	t.Helper()
	t.Cleanup(func() { goleak.VerifyNone(t) })
}

// startRun runs s.Run in a goroutine owned by the test and returns a function that stops it and
// returns Run's error.
func startRun(t *testing.T, s *Session) func() error {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- s.Run(context.Background()) }()
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.running
	}, 5*time.Second, time.Millisecond, "Run did not start")
	return func() error {
		require.NoError(t, s.Close())
		select {
		case err := <-errc:
			return err
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return after Close")
			return nil
		}
	}
}

// TestRealtimeReconnectsThenServerLogsOut plays: a failed dial, a connection that drops, a
// connection on which the server says someone else logged in. The session must go through
// reconnecting to logged-out with the reason and never log back in.
func TestRealtimeReconnectsThenServerLogsOut(t *testing.T) {
	leakCheck(t)
	var mu sync.Mutex
	var rts []*fakeRealtime
	r := newRig(t, nil)
	calls := 0
	r.client.dial = func(context.Context) (Realtime, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		switch calls {
		case 1:
			return nil, &motion.NetError{Kind: motion.NetUnreachable, Host: "motion.test", Port: "8443", Reason: "connection refused"}
		case 2:
			rt := newFakeRealtime(motion.Event{Type: motion.EventHello, HeartbeatMS: 10}, motion.Event{Type: motion.EventHeartbeat})
			rt.failc <- motion.ErrRealtimeStale
			rts = append(rts, rt)
			return rt, nil
		default:
			rt := newFakeRealtime(motion.Event{Type: motion.EventHello, HeartbeatMS: 10},
				motion.Event{Type: motion.EventLogout, Reason: motion.CodeSessionExists, Message: "someone else"})
			rts = append(rts, rt)
			return rt, nil
		}
	}
	// The callback reads the session: it would deadlock if called under the lock.
	r.s.notify.fn = func(c Change) {
		_ = r.s.State()
		r.mu.Lock()
		r.changes = append(r.changes, c)
		r.mu.Unlock()
	}
	stop := startRun(t, r.s)
	_, err := r.s.Login(ctx, server, "agent", password, false)
	require.NoError(t, err)
	waitState(t, r.s, StateLoggedOut)
	time.Sleep(30 * time.Millisecond) // room for a wrong re-login or re-dial to show
	require.NoError(t, stop())

	assert.Equal(t, []State{StateLoggingIn, StateConnecting, StateReconnecting, StateLoggedIn, StateReconnecting, StateLoggedIn, StateLoggedOut}, r.states())
	last := r.lastChange()
	assert.Equal(t, InputEnded, last.Input)
	assert.Equal(t, motion.CodeSessionExists, last.Reason)
	assert.Contains(t, last.Message, "someone logged in with your username")
	assert.Len(t, r.client.logins, 1, "no login by itself after a forced logout")
	assert.Equal(t, 3, r.client.dialCount(), "no dial after the session ended")
	mu.Lock()
	for _, rt := range rts {
		assert.True(t, rt.isClosed(), "every socket is closed")
	}
	mu.Unlock()
	var downErr error
	for _, c := range r.changes {
		if c.Input == InputRealtimeDown && downErr == nil {
			downErr = c.Err
			assert.Contains(t, c.Message, "trying again")
		}
	}
	assert.ErrorIs(t, downErr, motion.ErrUnreachable)
	_, ok := r.s.SIPAccount()
	assert.False(t, ok)
}

func TestRealtimeTokenRefusedEndsSession(t *testing.T) {
	leakCheck(t)
	r := newRig(t, nil)
	r.client.dial = func(context.Context) (Realtime, error) {
		return nil, &motion.APIError{Op: "the realtime connection", Status: 401, Code: motion.CodeSessionEnded, Message: "timed out"}
	}
	stop := startRun(t, r.s)
	_, err := r.s.Login(ctx, server, "agent", password, false)
	require.NoError(t, err)
	waitState(t, r.s, StateLoggedOut)
	require.NoError(t, stop())
	assert.Equal(t, motion.CodeSessionEnded, r.lastChange().Reason)
	assert.Equal(t, 1, r.client.dialCount())
}

func TestLogoutStopsRealtime(t *testing.T) {
	leakCheck(t)
	r := newRig(t, nil)
	rt := newFakeRealtime(motion.Event{Type: motion.EventHello, HeartbeatMS: 1000})
	r.client.dial = func(context.Context) (Realtime, error) { return rt, nil }
	stop := startRun(t, r.s)
	_, err := r.s.Login(ctx, server, "agent", password, false)
	require.NoError(t, err)
	waitState(t, r.s, StateLoggedIn)
	require.NoError(t, r.s.Logout(ctx))
	require.Eventually(t, rt.isClosed, 5*time.Second, time.Millisecond)
	assert.Equal(t, StateLoggedOut, r.s.State())

	// A new login gets a new realtime connection.
	rt2 := newFakeRealtime(motion.Event{Type: motion.EventHello, HeartbeatMS: 1000})
	r.client.mu.Lock()
	r.client.dial = func(context.Context) (Realtime, error) { return rt2, nil }
	r.client.mu.Unlock()
	_, err = r.s.Login(ctx, server, "agent", password, false)
	require.NoError(t, err)
	waitState(t, r.s, StateLoggedIn)
	require.NoError(t, stop())
	assert.True(t, rt2.isClosed(), "Close closes the live socket")
	assert.Equal(t, StateLoggedIn, r.s.State(), "Close is not a logout")
	_, err = r.s.Login(ctx, server, "agent", password, false)
	assert.ErrorIs(t, err, ErrClosed)
}

func TestCloseDuringBackoff(t *testing.T) {
	leakCheck(t)
	r := newRig(t, func(d *Deps) { d.Backoff = Backoff{Initial: time.Hour, Max: time.Hour} })
	r.client.dial = func(context.Context) (Realtime, error) {
		return nil, &motion.NetError{Kind: motion.NetUnreachable, Reason: "connection refused"}
	}
	stop := startRun(t, r.s)
	_, err := r.s.Login(ctx, server, "agent", password, false)
	require.NoError(t, err)
	waitState(t, r.s, StateReconnecting)
	start := time.Now()
	require.NoError(t, stop())
	assert.Less(t, time.Since(start), time.Second, "the backoff wait is cancellable")
	require.NoError(t, r.s.Close(), "Close again is fine")
	assert.Equal(t, 1, r.client.dialCount())
}

func TestRunOwnership(t *testing.T) {
	leakCheck(t)
	r := newRig(t, nil)
	rctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- r.s.Run(rctx) }()
	require.Eventually(t, func() bool {
		r.s.mu.Lock()
		defer r.s.mu.Unlock()
		return r.s.running
	}, time.Second, time.Millisecond)
	assert.ErrorIs(t, r.s.Run(context.Background()), ErrAlreadyRunning)
	cancel()
	assert.ErrorIs(t, <-errc, context.Canceled, "Run returns its ctx's error")

	// Runs again after the first one returned; Close makes it return nil.
	stop := startRun(t, r.s)
	assert.NoError(t, stop())
	assert.ErrorIs(t, r.s.Run(context.Background()), ErrClosed)
}

// TestCallbacksInOrderAcrossGoroutines drives logins and logouts from one goroutine while Run
// reports realtime changes from another; the callback must see a chain where each From is the
// previous To.
func TestCallbacksInOrderAcrossGoroutines(t *testing.T) {
	leakCheck(t)
	r := newRig(t, nil)
	stop := startRun(t, r.s)
	for range 20 {
		_, err := r.s.Login(ctx, server, "agent", password, false)
		require.NoError(t, err)
		require.NoError(t, r.s.Logout(ctx))
	}
	require.NoError(t, stop())
	r.mu.Lock()
	defer r.mu.Unlock()
	require.NotEmpty(t, r.changes)
	prev := StateLoggedOut
	for i, c := range r.changes {
		require.Equal(t, prev, c.From, "change %d out of order", i)
		prev = c.To
	}
}
