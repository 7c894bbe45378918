package pbx

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/rtc"
	"github.com/phonebar/phonebar/internal/sipua"
)

func TestRegistration(t *testing.T) {
	checkLeaks(t)
	now := atomic.Pointer[time.Time]{}
	start := time.Now()
	now.Store(&start)
	tp := startPBX(t, func(o *Options) { o.Now = func() time.Time { return *now.Load() } })
	tests := []struct {
		name string
		acc  func() phone.Account
		code int // 0: registers
	}{
		{"right password", func() phone.Account { return tp.account("1001") }, 0},
		{"wrong password", func() phone.Account { a := tp.account("1002"); a.Password = "nope"; return a }, 401},
		{"unknown account", func() phone.Account { a := tp.account("1002"); a.AOR = "sip:9999@" + tp.Host; return a }, 401},
		{"another account's credentials", func() phone.Account {
			a := tp.account("1003")
			a.AuthUser, a.Password = "1002", testAccounts["1002"]
			return a
		}, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			a := startAgent(ctx, t, tt.acc(), 440, nil)
			err := a.registered(ctx)
			if tt.code == 0 {
				require.NoError(t, err)
				assert.True(t, tp.Registered("1001"))
				regs := tp.Registrations()
				require.Len(t, regs, 1)
				assert.Equal(t, "1001", regs[0].User)
				assert.WithinDuration(t, start.Add(10*time.Minute), regs[0].Expires, time.Second, "sipua asks for 10 minutes")
				a.stop()
				assert.False(t, tp.Registered("1001"), "stopping the phone unregisters it")
				return
			}
			var se *sipua.StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.code, se.Code)
			assert.NotContains(t, err.Error(), "pw-100")
		})
	}

	t.Run("expiry", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r := tp.dialRaw(ctx, t)
		res := r.register(ctx, "1002", testAccounts["1002"])
		require.NotNil(t, res)
		require.Equal(t, 200, res.StatusCode)
		assert.Contains(t, res.GetHeader("Contact").Value(), "expires=60")
		assert.True(t, tp.Registered("1002"))
		later := start.Add(61 * time.Second)
		now.Store(&later)
		assert.False(t, tp.Registered("1002"), "the registration lapses after its 60 s")
		now.Store(&start)
	})
}

func TestEchoExtension(t *testing.T) {
	checkLeaks(t)
	tp := startPBX(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a := startAgent(ctx, t, tp.account("1001"), 700, nil)
	require.NoError(t, a.registered(ctx))
	c, err := a.p.Dial(ctx, ExtEcho)
	require.NoError(t, err)
	f := heard(ctx, c, 700, 15)
	assert.InDelta(t, 700, f, 15, "the caller hears its own tone back")
	calls := tp.Calls()
	require.NotEmpty(t, calls)
	assert.Equal(t, "echo", calls[0].Kind)
	assert.Equal(t, "active", calls[0].State)
	require.NoError(t, c.Hangup(ctx))
	require.Eventually(t, func() bool { ci, err := tp.Call(calls[0].ID); return err == nil && ci.State == "ended" }, 5*time.Second, 20*time.Millisecond)
	ci, _ := tp.Call(calls[0].ID)
	assert.Equal(t, "the agent hung up", ci.Reason)
	assert.NotZero(t, ci.PacketsIn)
}

func TestToneExtension(t *testing.T) {
	checkLeaks(t)
	tp := startPBX(t, nil)
	for _, mode := range []phone.DTMFMode{phone.DTMFRFC4733, phone.DTMFInfo} {
		t.Run(mode.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			a := startAgent(ctx, t, tp.account("1001"), 440, func(c *phone.Config) { c.DTMF = mode })
			require.NoError(t, a.registered(ctx))
			c, err := a.p.Dial(ctx, ExtTone)
			require.NoError(t, err)
			assert.InDelta(t, 1000, heard(ctx, c, 1000, 15), 15)
			require.NoError(t, c.SendDTMF(ctx, "12#9"))
			require.Eventually(t, func() bool { return c.Digits() == "12#9" }, 5*time.Second, 20*time.Millisecond, "digits back: %q", c.Digits())
			require.NoError(t, c.Hangup(ctx))
			a.stop()
		})
	}
}

// TestToneExtensionInfoBack calls *44 with an offer without telephone-event: the PBX must send the
// digits back as SIP INFO.
func TestToneExtensionInfoBack(t *testing.T) {
	checkLeaks(t)
	tp := startPBX(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var mu sync.Mutex
	var got []rune
	registered := make(chan struct{}, 1)
	acc := tp.account("1001")
	ua, err := sipua.New(sipua.Options{
		AOR: acc.AOR, Password: acc.Password, URL: acc.WSURL, Fingerprint: acc.Fingerprint,
		Handler: sipua.Handler{
			State: func(s sipua.State, _ error) {
				if s == sipua.StateRegistered {
					select {
					case registered <- struct{}{}:
					default:
					}
				}
			},
			DTMF: func(_ *sipua.Call, d rune, _ time.Duration) { mu.Lock(); got = append(got, d); mu.Unlock() },
		},
	})
	require.NoError(t, err)
	rctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- ua.Run(rctx) }()
	defer func() { stop(); <-done }()
	select {
	case <-registered:
	case <-ctx.Done():
		t.Fatal("not registered")
	}
	sink := rtc.NewFrequencySink()
	sess, err := rtc.NewSession(rtc.Options{Sink: sink})
	require.NoError(t, err)
	defer sess.Close()
	offer, err := sess.Offer(ctx)
	require.NoError(t, err)
	var lines []string
	for _, l := range strings.Split(string(offer), "\r\n") {
		if strings.Contains(l, "telephone-event") || (strings.HasPrefix(l, "a=fmtp:") && strings.Contains(l, "0-16")) {
			continue
		}
		lines = append(lines, l)
	}
	offer = []byte(strings.Join(lines, "\r\n"))
	call, err := ua.Invite(ctx, ExtTone, offer, nil)
	require.NoError(t, err)
	require.NoError(t, sess.SetAnswer(call.RemoteSDP()))
	for _, d := range "47*" {
		require.NoError(t, call.SendDTMF(ctx, d, 0))
	}
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return string(got) == "47*" }, 5*time.Second, 20*time.Millisecond)
	f := 0.0
	require.Eventually(t, func() bool { f, _ = sink.Frequency(); return f > 985 && f < 1015 }, 5*time.Second, 50*time.Millisecond, "heard %v Hz", f)
	require.NoError(t, call.Hangup(ctx))
}

func TestCustomerCall(t *testing.T) {
	checkLeaks(t)
	tp := startPBX(t, func(o *Options) { o.RingTimeout = 2 * time.Second })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	_, err := tp.CallAgent(ctx, CustomerCall{Agent: "1002"})
	require.ErrorIs(t, err, ErrNotRegistered)

	a := startAgent(ctx, t, tp.account("1002"), 300, nil)
	require.NoError(t, a.registered(ctx))

	t.Run("agent hangs up", func(t *testing.T) {
		info, err := tp.CallAgent(ctx, CustomerCall{Agent: "1002", CallerName: "Ada Customer"})
		require.NoError(t, err)
		assert.Equal(t, "ringing", info.State)
		ev := a.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventIncoming })
		assert.Contains(t, ev.Call.Remote(), "5550100")
		require.NoError(t, ev.Call.Answer(ctx))
		assert.InDelta(t, 440, heard(ctx, ev.Call, 440, 15), 15, "the agent hears the customer's tone")
		require.Eventually(t, func() bool { ci, _ := tp.Call(info.ID); return ci.State == "active" && ci.PacketsIn > 0 }, 5*time.Second, 20*time.Millisecond)
		require.NoError(t, ev.Call.Hangup(ctx))
		require.Eventually(t, func() bool { ci, _ := tp.Call(info.ID); return ci.State == "ended" }, 5*time.Second, 20*time.Millisecond)
		ci, _ := tp.Call(info.ID)
		assert.Equal(t, "the agent hung up", ci.Reason)
	})
	t.Run("limit", func(t *testing.T) {
		info, err := tp.CallAgent(ctx, CustomerCall{Agent: "1002", Limit: 700 * time.Millisecond})
		require.NoError(t, err)
		ev := a.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventIncoming })
		require.NoError(t, ev.Call.Answer(ctx))
		select {
		case <-ev.Call.Done():
		case <-ctx.Done():
			t.Fatal("the customer never hung up")
		}
		assert.ErrorIs(t, ev.Call.Err(), sipua.ErrCallEnded)
		require.Eventually(t, func() bool { ci, _ := tp.Call(info.ID); return ci.State == "ended" }, 5*time.Second, 20*time.Millisecond)
		ci, _ := tp.Call(info.ID)
		assert.Contains(t, ci.Reason, "the customer hung up")
	})
	t.Run("declined", func(t *testing.T) {
		info, err := tp.CallAgent(ctx, CustomerCall{Agent: "1002"})
		require.NoError(t, err)
		ev := a.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventIncoming })
		require.NoError(t, ev.Call.Reject(ctx, 486))
		require.Eventually(t, func() bool { ci, _ := tp.Call(info.ID); return ci.State == "ended" }, 5*time.Second, 20*time.Millisecond)
		ci, _ := tp.Call(info.ID)
		assert.Contains(t, ci.Reason, "486")
	})
	t.Run("no answer", func(t *testing.T) {
		info, err := tp.CallAgent(ctx, CustomerCall{Agent: "1002"})
		require.NoError(t, err)
		ev := a.wait(ctx, t, func(ev phone.Event) bool { return ev.Kind == phone.EventIncoming })
		select {
		case <-ev.Call.Done():
		case <-ctx.Done():
			t.Fatal("the ringing was never cancelled")
		}
		assert.ErrorIs(t, ev.Call.Err(), sipua.ErrCancelled)
		require.Eventually(t, func() bool { ci, _ := tp.Call(info.ID); return ci.State == "ended" }, 5*time.Second, 20*time.Millisecond)
		ci, _ := tp.Call(info.ID)
		assert.Contains(t, ci.Reason, "did not answer")
	})
}

func TestCallRefusals(t *testing.T) {
	checkLeaks(t)
	tp := startPBX(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a := startAgent(ctx, t, tp.account("1001"), 440, nil)
	require.NoError(t, a.registered(ctx))
	_, err := a.p.Dial(ctx, "*99")
	var se *sipua.StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 404, se.Code)
	_, err = a.p.Dial(ctx, "1002")
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 404, se.Code)
	assert.Empty(t, tp.Calls(), "a refused call leaves nothing behind")
}

// TestHostileInput sends what a broken or hostile client may send over the WebSocket: the PBX
// answers what it can, drops the rest, and keeps serving.
func TestHostileInput(t *testing.T) {
	checkLeaks(t)
	tp := startPBX(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := tp.dialRaw(ctx, t)
	ext := "sip:" + ExtEcho + "@127.0.0.1"

	// Before registering, an INVITE is challenged.
	res := r.send(ctx, request("INVITE", ext, "c-unauth", "", "v=0\r\n"))
	require.NotNil(t, res)
	assert.Equal(t, 401, res.StatusCode)
	res = r.register(ctx, "1001", "wrong")
	require.NotNil(t, res)
	assert.Equal(t, 401, res.StatusCode, "a wrong password is challenged again")
	res = r.register(ctx, "1001", testAccounts["1001"])
	require.NotNil(t, res)
	require.Equal(t, 200, res.StatusCode)

	g729 := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 UDP/TLS/RTP/SAVPF 18\r\na=rtpmap:18 G729/8000\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=fingerprint:sha-256 00:11\r\na=setup:actpass\r\na=mid:0\r\n"
	tests := []struct {
		name    string
		msg     string
		code    int // 0: no answer expected
		warning string
	}{
		{"garbage", "\x00\x01hello there\r\n\r\n", 0, ""},
		{"only a request line", "INVITE sip:x SIP/2.0\r\n\r\n", 0, ""},
		{"no Call-ID", strings.Replace(request("OPTIONS", ext, "x", "", ""), "Call-ID: x\r\n", "", 1), 0, ""},
		{"CSeq of another method", strings.Replace(request("OPTIONS", ext, "c-cseq", "", ""), "CSeq: 1 OPTIONS", "CSeq: 1 INVITE", 1), 400, "CSeq"},
		{"huge header", request("OPTIONS", ext, "c-huge", "X-Big: "+strings.Repeat("a", 60000)+"\r\n", ""), 200, ""},
		{"unknown method", request("SUBSCRIBE", ext, "c-sub", "", ""), 405, ""},
		{"unknown extension", request("INVITE", "sip:*77@127.0.0.1", "c-404", "", g729), 404, "no extension"},
		{"no offer", request("INVITE", ext, "c-nooffer", "", ""), 488, "SDP"},
		{"no common codec", request("INVITE", ext, "c-g729", "", g729), 488, "no common codec"},
		{"unreadable SDP", request("INVITE", ext, "c-badsdp", "", "this is not SDP\r\n"), 488, "unusable"},
		{"SDP without audio", request("INVITE", ext, "c-video", "", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n"), 488, ""},
		{"BYE of no call", request("BYE", ext, "c-bye", "", ""), 481, ""},
		{"INFO of no call", request("INFO", ext, "c-info", "", ""), 481, ""},
		{"CANCEL of no call", request("CANCEL", ext, "c-cancel", "", ""), 481, ""},
		{"bad Expires", strings.Replace(request("REGISTER", "sip:127.0.0.1", "c-exp", "Expires: soon\r\n", ""), "To: <sip:127.0.0.1>", "To: <sip:1001@127.0.0.1>", 1), 401, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.code == 0 {
				r.write(ctx, tt.msg)
				assert.Nil(t, r.next(ctx, 300*time.Millisecond), "nothing to answer")
				return
			}
			res := r.send(ctx, tt.msg)
			require.NotNil(t, res, "no answer")
			assert.Equal(t, tt.code, res.StatusCode, res.String())
			if tt.warning != "" {
				require.NotNil(t, res.GetHeader("Warning"))
				assert.Contains(t, res.GetHeader("Warning").Value(), tt.warning)
			}
			if tt.code == 488 && tt.warning != "" && tt.warning != "SDP" {
				assert.NotNil(t, res.GetHeader("Reason"), "a 488 says why in a Reason header")
			}
		})
	}
	res = r.send(ctx, request("OPTIONS", ext, "c-alive", "", ""))
	require.NotNil(t, res)
	assert.Equal(t, 200, res.StatusCode, "the PBX still serves")
	for _, c := range tp.Calls() {
		assert.Equal(t, "ended", c.State, "no call is left half set up: %+v", c)
	}
}

func TestClosedPBX(t *testing.T) {
	checkLeaks(t)
	tp := startPBX(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a := startAgent(ctx, t, tp.account("1001"), 440, nil)
	require.NoError(t, a.registered(ctx))
	c, err := a.p.Dial(ctx, ExtEcho)
	require.NoError(t, err)
	require.NoError(t, tp.Close())
	select {
	case <-c.Done():
	case <-ctx.Done():
		t.Fatal("the call outlived the PBX")
	}
	_, err = tp.CallAgent(ctx, CustomerCall{Agent: "1001"})
	assert.True(t, errors.Is(err, ErrNotRegistered) || errors.Is(err, ErrClosed), "%v", err)
}

func BenchmarkEchoCallSetup(b *testing.B) {
	tp := startPBX(b, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	a := startAgent(ctx, b, tp.account("1001"), 700, nil)
	require.NoError(b, a.registered(ctx))
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		c, err := a.p.Dial(ctx, ExtEcho)
		require.NoError(b, err)
		for c.Stats().PacketsIn == 0 {
			time.Sleep(time.Millisecond)
		}
		total += time.Since(start)
		b.StopTimer()
		require.NoError(b, c.Hangup(ctx))
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/first-rtp")
}
