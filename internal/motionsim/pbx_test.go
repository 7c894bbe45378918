package motionsim

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim/pbx"
	softphonepkg "github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/rtc"
	"github.com/phonebar/phonebar/internal/sipua"
)

// sipAccount logs in as a WebRTC agent and returns its SIP account from whoami, pinned as the
// Phonebar pins it: the Motion server's certificate.
func (ts *testServer) sipAccount(t *testing.T, name string) softphonepkg.Account {
	t.Helper()
	lr := ts.login(t, name, demoPassword(t, name))
	status, body := ts.call(t, http.MethodGet, motion.PathWhoami, nil, bearer(lr.Token))
	require.Equal(t, http.StatusOK, status, string(body))
	var u motion.User
	require.NoError(t, json.Unmarshal(body, &u))
	require.NotNil(t, u.SIP)
	return softphonepkg.AccountFromMotion(*u.SIP, ts.ep.Fingerprint)
}

// softphone is a registered softphonepkg.Phone with a tone source and a frequency sink.
type softphone struct {
	p      *softphonepkg.Phone
	events chan softphonepkg.Event
	done   chan error
}

func startSoftphone(ctx context.Context, t *testing.T, acc softphonepkg.Account, hz float64) (*softphone, error) {
	t.Helper()
	sp := &softphone{events: make(chan softphonepkg.Event, 1024), done: make(chan error, 1)}
	p, err := softphonepkg.New(softphonepkg.Config{
		Account:   acc,
		NewSource: func() rtc.Source { return rtc.NewToneSource(hz) },
		NewSink:   func() rtc.Sink { return rtc.NewFrequencySink() },
		OnEvent: func(ev softphonepkg.Event) {
			select {
			case sp.events <- ev:
			default:
			}
		},
	})
	require.NoError(t, err)
	sp.p = p
	rctx, cancel := context.WithCancel(ctx)
	go func() { sp.done <- p.Run(rctx) }()
	t.Cleanup(func() { cancel(); <-sp.done })
	for {
		select {
		case ev := <-sp.events:
			if ev.Kind == softphonepkg.EventRegistration && ev.Registration == sipua.StateRegistered {
				return sp, nil
			}
		case err := <-sp.done:
			sp.done <- err
			return nil, err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func farTone(ctx context.Context, c *softphonepkg.Call, hz float64) float64 {
	sink := c.Sink().(*rtc.FrequencySink)
	for {
		f, _ := sink.Frequency()
		if (f > hz-15 && f < hz+15) || ctx.Err() != nil {
			return f
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestPBXEndToEnd is the demo as an agent lives it: the SIP account from whoami registers over wss
// to the demo server itself with the pinned certificate, *43 echoes, *44 plays 1 kHz and sends the
// digits back, and a customer call started through the admin API rings the agent.
func TestPBXEndToEnd(t *testing.T) {
	ts := startServer(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	acc := ts.sipAccount(t, "alice")
	assert.Equal(t, "wss://"+ts.ep.Addr.String()+PathSIPWebSocket, acc.WSURL)
	sp, err := startSoftphone(ctx, t, acc, 620)
	require.NoError(t, err)

	t.Run("echo", func(t *testing.T) {
		c, err := sp.p.Dial(ctx, pbx.ExtEcho)
		require.NoError(t, err)
		assert.InDelta(t, 620, farTone(ctx, c, 620), 15, "the agent hears its own tone")
		require.NoError(t, c.Hangup(ctx))
	})
	t.Run("tone and DTMF", func(t *testing.T) {
		c, err := sp.p.Dial(ctx, pbx.ExtTone)
		require.NoError(t, err)
		assert.InDelta(t, 1000, farTone(ctx, c, 1000), 15)
		require.NoError(t, c.SendDTMF(ctx, "123"))
		require.Eventually(t, func() bool { return c.Digits() == "123" }, 5*time.Second, 20*time.Millisecond, "digits back: %q", c.Digits())
		require.NoError(t, c.Hangup(ctx))
	})
	t.Run("unknown extension", func(t *testing.T) {
		_, err := sp.p.Dial(ctx, "*12")
		var se *sipua.StatusError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, 404, se.Code)
	})
	t.Run("customer call", func(t *testing.T) {
		admin := basic("admin", demoPassword(t, "admin"))
		status, body := ts.call(t, http.MethodPost, motion.PathAdminCalls, AdminCallRequest{Agent: "alice", Seconds: 30}, admin)
		require.Equal(t, http.StatusAccepted, status, string(body))
		var info pbx.CallInfo
		require.NoError(t, json.Unmarshal(body, &info))
		assert.Equal(t, "ringing", info.State)
		assert.Equal(t, "customer", info.Kind)
		var call *softphonepkg.Call
		for call == nil {
			select {
			case ev := <-sp.events:
				if ev.Kind == softphonepkg.EventIncoming {
					call = ev.Call
				}
			case <-ctx.Done():
				t.Fatal("the agent's phone never rang")
			}
		}
		require.NoError(t, call.Answer(ctx))
		assert.InDelta(t, 440, farTone(ctx, call, 440), 15, "the agent hears the customer")
		require.NoError(t, call.Hangup(ctx))
		require.Eventually(t, func() bool {
			_, body := ts.call(t, http.MethodGet, motion.PathAdminCalls, nil, admin)
			var calls AdminCalls
			require.NoError(t, json.Unmarshal(body, &calls))
			for _, c := range calls.Rows {
				if c.ID == info.ID {
					return c.State == "ended" && c.Reason == "the agent hung up"
				}
			}
			return false
		}, 5*time.Second, 50*time.Millisecond)
	})
}

func TestPBXCredentialsAndErrors(t *testing.T) {
	ts := startServer(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	acc := ts.sipAccount(t, "alice")
	acc.Password = "not-the-sip-password"
	_, err := startSoftphone(ctx, t, acc, 440)
	var se *sipua.StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 401, se.Code, "a wrong SIP password is refused")

	admin := basic("admin", demoPassword(t, "admin"))
	tests := []struct {
		name   string
		body   any
		status int
		code   string
		msg    string
	}{
		{"not registered", AdminCallRequest{Agent: "alice"}, 409, motion.CodeNotRegistered, "log in to the Phonebar as alice"},
		{"by extension", AdminCallRequest{Agent: "1001"}, 409, motion.CodeNotRegistered, "is not registered"},
		{"unknown agent", AdminCallRequest{Agent: "zoe"}, 404, motion.CodeNotFound, `"zoe"`},
		{"not a webrtc agent", AdminCallRequest{Agent: "chloe"}, 409, motion.CodeNotRegistered, "not a webrtc agent"},
		{"no agent", AdminCallRequest{}, 400, motion.CodeBadRequest, "agent is required"},
		{"too long", AdminCallRequest{Agent: "alice", Seconds: 7200}, 400, motion.CodeBadRequest, "seconds must be"},
		{"unknown key", `{"agent":"alice","ring":3}`, 400, motion.CodeBadRequest, "ring"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := ts.call(t, http.MethodPost, motion.PathAdminCalls, tt.body, admin)
			assert.Equal(t, tt.status, status, string(body))
			eb := errBody(t, body)
			assert.Equal(t, tt.code, eb.Code)
			assert.Contains(t, eb.Message, tt.msg)
		})
	}
	status, body := ts.call(t, http.MethodPost, motion.PathAdminCalls, AdminCallRequest{Agent: "alice"}, basic("chloe", demoPassword(t, "chloe")))
	assert.Equal(t, http.StatusForbidden, status, string(body))
}

func TestPBXDisabled(t *testing.T) {
	cfg := DefaultConfig()
	cfg.PBX.Disabled = true
	ts := startServer(t, Options{Config: cfg})
	lr := ts.login(t, "alice", demoPassword(t, "alice"))
	_, body := ts.call(t, http.MethodGet, motion.PathWhoami, nil, bearer(lr.Token))
	var u motion.User
	require.NoError(t, json.Unmarshal(body, &u))
	require.NotNil(t, u.SIP)
	assert.Equal(t, "wss://127.0.0.1:8089/ws", u.SIP.WSURI, "without the PBX, Asterisk's default")
	status, _ := ts.call(t, http.MethodGet, PathSIPWebSocket, nil, http.Header{"Sec-WebSocket-Protocol": {"sip"}})
	assert.Equal(t, http.StatusNotFound, status)
	status, body = ts.call(t, http.MethodPost, motion.PathAdminCalls, AdminCallRequest{Agent: "alice"}, basic("admin", demoPassword(t, "admin")))
	assert.Equal(t, http.StatusConflict, status)
	assert.Contains(t, errBody(t, body).Message, "turned off")
}

// TestPBXAdminPage: the administrator sees which softphones are registered and rings one from the
// page.
func TestPBXAdminPage(t *testing.T) {
	ts := startServer(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a := newBrowser(t, ts).login("admin", demoPassword(t, "admin"))
	a.get(motion.PathWebAdmin)
	require.Equal(t, http.StatusOK, a.status)
	assert.Contains(t, a.body, `data-agent="alice" data-registered="false"`)
	check := a.hidden("check")
	a.do(http.MethodPost, pathWebAdminCalls, url.Values{"check": {check}, "agent": {"alice"}})
	assert.Equal(t, http.StatusConflict, a.status)
	assert.Contains(t, byID(t, a.body, "admin-error"), "log in to the Phonebar as alice")

	sp, err := startSoftphone(ctx, t, ts.sipAccount(t, "alice"), 440)
	require.NoError(t, err)
	a.get(motion.PathWebAdmin)
	assert.Contains(t, a.body, `data-agent="alice" data-registered="true"`)
	a.do(http.MethodPost, pathWebAdminCalls, url.Values{"check": {a.hidden("check")}, "agent": {"alice"}})
	assert.Equal(t, http.StatusSeeOther, a.status)
	assert.Equal(t, motion.PathWebAdmin+"?m=calling#pbx", a.loc)
	for {
		select {
		case ev := <-sp.events:
			if ev.Kind == softphonepkg.EventIncoming {
				require.NoError(t, ev.Call.Reject(ctx, 486))
				a.get(motion.PathWebAdmin)
				assert.Contains(t, a.body, `class="call-row"`)
				return
			}
		case <-ctx.Done():
			t.Fatal("the agent's phone never rang")
		}
	}
}
