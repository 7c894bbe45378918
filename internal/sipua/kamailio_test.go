package sipua_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/rtctest"
	"github.com/phonebar/phonebar/internal/sipua"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// stateLog collects registration states from the Handler.
type stateLog struct{ ch chan stateEvent }

type stateEvent struct {
	s   sipua.State
	err error
}

func newStateLog() *stateLog { return &stateLog{ch: make(chan stateEvent, 256)} }

func (l *stateLog) handler(s sipua.State, err error) { l.ch <- stateEvent{s, err} }

// wait returns the next event in state want, failing the test when ctx ends first.
func (l *stateLog) wait(ctx context.Context, t *testing.T, want sipua.State) stateEvent {
	t.Helper()
	for {
		select {
		case ev := <-l.ch:
			if ev.s == want {
				return ev
			}
		case <-ctx.Done():
			t.Fatalf("registration never reached %s", want)
		}
	}
}

func runUA(t *testing.T, ctx context.Context, opts sipua.Options) (*sipua.UA, <-chan error) {
	t.Helper()
	ua, err := sipua.New(opts)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- ua.Run(ctx) }()
	return ua, done
}

func TestRegisterKamailio(t *testing.T) {
	rtctest.CheckLeaks(t)
	own := rtctest.Account{User: "own.password", Password: "Own-Password-42"}
	pbx := rtctest.StartPBX(t, own)
	tests := []struct {
		name    string
		url     string
		pin     tlspin.Fingerprint
		prefix  string
		user    string // instead of a new user made from prefix
		pass    string
		wantErr func(t *testing.T, err error)
	}{
		{name: "ws", url: pbx.WSURL, prefix: "ws", pass: rtctest.Password},
		{name: "wss pinned", url: pbx.WSSURL, pin: pbx.Fingerprint, prefix: "wss", pass: rtctest.Password},
		{name: "wrong password", url: pbx.WSURL, prefix: "bad", pass: "not-the-password", wantErr: func(t *testing.T, err error) {
			var se *sipua.StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, 401, se.Code)
			assert.NotContains(t, err.Error(), "not-the-password")
			assert.Contains(t, se.Message(), "password")
		}},
		{name: "an account's own password", url: pbx.WSURL, user: own.User, pass: own.Password},
		{name: "the shared password for an account with its own", url: pbx.WSURL, user: own.User, pass: rtctest.Password, wantErr: func(t *testing.T, err error) {
			var se *sipua.StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, 401, se.Code)
		}},
		{name: "forbidden account", url: pbx.WSURL, prefix: "forbidden", pass: rtctest.Password, wantErr: func(t *testing.T, err error) {
			var se *sipua.StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, 403, se.Code)
		}},
		{name: "wss without pin", url: pbx.WSSURL, prefix: "nopin", pass: rtctest.Password, wantErr: func(t *testing.T, err error) {
			var ue *tlspin.UntrustedError
			require.ErrorAs(t, err, &ue)
			assert.Equal(t, pbx.Fingerprint, ue.Fingerprint)
		}},
		{name: "wss wrong pin", url: pbx.WSSURL, pin: tlspin.Fingerprint("00" + string(pbx.Fingerprint[2:])), prefix: "badpin", pass: rtctest.Password, wantErr: func(t *testing.T, err error) {
			var me *tlspin.MismatchError
			require.ErrorAs(t, err, &me)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			log := newStateLog()
			user := tt.user
			if user == "" {
				user = pbx.User(tt.prefix)
			}
			_, done := runUA(t, ctx, sipua.Options{
				AOR: pbx.AOR(user), Password: tt.pass, URL: tt.url, Fingerprint: tt.pin,
				Handler: sipua.Handler{State: log.handler},
			})
			if tt.wantErr != nil {
				var err error
				select {
				case err = <-done:
				case <-ctx.Done():
					t.Fatal("Run did not give up")
				}
				tt.wantErr(t, err)
				log.wait(ctx, t, sipua.StateClosed)
				return
			}
			log.wait(ctx, t, sipua.StateRegistered)
			cancel()
			require.NoError(t, <-done)
		})
	}
}

func TestReregisterBeforeExpiry(t *testing.T) {
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	log := newStateLog()
	_, done := runUA(t, ctx, sipua.Options{
		AOR: pbx.AOR(pbx.User("refresh")), Password: rtctest.Password, URL: pbx.WSURL, Expires: 2 * time.Second,
		Handler: sipua.Handler{State: log.handler},
	})
	log.wait(ctx, t, sipua.StateRegistered)
	log.wait(ctx, t, sipua.StateRefreshing)
	log.wait(ctx, t, sipua.StateRegistered)
	cancel()
	require.NoError(t, <-done)
}

func TestRegistrationSurvivesServerRestart(t *testing.T) {
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var logs []*stateLog
	var dones []<-chan error
	for _, url := range []string{pbx.WSURL, pbx.WSSURL} {
		log := newStateLog()
		_, done := runUA(t, ctx, sipua.Options{
			AOR: pbx.AOR(pbx.User("restart")), Password: rtctest.Password, URL: url, Fingerprint: pbx.Fingerprint,
			Handler: sipua.Handler{State: log.handler},
		})
		log.wait(ctx, t, sipua.StateRegistered)
		logs = append(logs, log)
		dones = append(dones, done)
	}
	pbx.Restart()
	back := time.Now()
	for _, log := range logs {
		log.wait(ctx, t, sipua.StateWaiting)
		log.wait(ctx, t, sipua.StateRegistered)
	}
	t.Logf("both registered again %v after the server was back", time.Since(back).Round(time.Millisecond))
	cancel()
	for _, done := range dones {
		require.NoError(t, <-done)
	}
}

func TestUnreachableServer(t *testing.T) {
	rtctest.CheckLeaks(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	log := newStateLog()
	_, done := runUA(t, ctx, sipua.Options{
		AOR: "sip:nobody@127.0.0.1", Password: "x", URL: "ws://127.0.0.1:1/",
		Handler: sipua.Handler{State: log.handler},
	})
	ev := log.wait(ctx, t, sipua.StateWaiting)
	assert.True(t, errors.Is(ev.err, sipua.ErrConnect), "got %v", ev.err)
	log.wait(ctx, t, sipua.StateConnecting)
	log.wait(ctx, t, sipua.StateWaiting)
	cancel()
	require.NoError(t, <-done)
}
