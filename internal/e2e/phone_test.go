//go:build linux

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/history"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim"
	"github.com/phonebar/phonebar/internal/rtctest"
)

// TestWindowSoftphone is a WebRTC agent's phone in the real window against real peers: the SIP account
// from the Motion login registers on Kamailio, a colleague's browser phone (Chromium + JsSIP) calls in,
// the bar rings and the agent answers, holds, resumes from the keyboard; the far end hangs up; then the
// agent dials the colleague and hangs up. Screenshots of idle, ringing, in call and on hold.
func TestWindowSoftphone(t *testing.T) {
	pbx, d, home, agentExt, colleague := softphoneSetup(t, nil)
	shots := shotsDir(t)
	app := startApp(t, home)
	win := app.waitUI(t)
	typeText(t, win, d.login.Password)
	key(t, win, "Return")
	app.waitState(t, "the softphone registered", 20*time.Second, func(s uiState) bool { return s.Registration == "registered" })
	screenshot(t, shots, "phone-01-idle")
	softphoneCalls(t, pbx, app, win, agentExt, colleague, shots)

	// Both calls are in the local history, newest first, with no secret in the file.
	var calls []history.Entry
	waitFor(t, "the call history", 10*time.Second, func() bool {
		list, err := history.NewStore(filepath.Join(home, "phonebar", "history.json")).List()
		calls = list
		return err == nil && len(list) == 2
	})
	assert.Equal(t, "out", calls[0].Direction)
	assert.Contains(t, calls[0].Remote, colleague)
	assert.Equal(t, "answered", calls[0].Outcome)
	assert.Equal(t, "in", calls[1].Direction)
	assert.Equal(t, "answered", calls[1].Outcome)
	b, err := os.ReadFile(filepath.Join(home, "phonebar", "history.json"))
	require.NoError(t, err)
	assert.NotContains(t, string(b), rtctest.Password)
	assert.NotContains(t, string(b), d.login.Password)
}

// softphoneSetup starts Kamailio and the demo server with the WebRTC agent's SIP account on it, and
// prepares the app's settings (server, pin, and edit's changes).
func softphoneSetup(t *testing.T, edit func(*config.Settings)) (*rtctest.PBX, *demo, string, string, string) {
	t.Helper()
	pbx := rtctest.StartPBX(t)
	// Motion extensions are digits; a fresh one per run keeps stale registrations out of the way.
	agentExt, colleague := fmt.Sprintf("7%07d", time.Now().UnixNano()%10_000_000), pbx.User("colleague")
	d := newDemoWith(t, motion.TypologyWebRTC, func(c *motionsim.Config) {
		c.SIP = motionsim.SIPConfig{WSURI: pbx.WSURL, Domain: pbx.Domain}
		for i := range c.Users {
			if c.Users[i].Typology == motion.TypologyWebRTC {
				c.Users[i].Internal, c.Users[i].SIPPassword = agentExt, rtctest.Password
			}
		}
	})
	// The test's Kamailio listens on plain ws:// on loopback: allowed for this server only, as a user
	// would in the settings (a ws:// address is refused otherwise).
	allow := func(s *config.Settings) {
		s.AllowInsecureSIP = map[string]bool{d.srv.URL: true}
		if edit != nil {
			edit(s)
		}
	}
	return pbx, d, homeFor(t, d, allow), agentExt, colleague
}

func softphoneCalls(t *testing.T, pbx *rtctest.PBX, app *appProc, win, agentExt, colleague, shots string) {
	logHas := func(s string) func() bool { return func() bool { return strings.Contains(app.log.String(), s) } }
	br := rtctest.StartBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	br.Register(pbx, pbx.WSURL, colleague)
	br.WaitFor(ctx, "registered", func(b *rtctest.Browser) bool { return b.State().Registered })

	// The colleague calls the agent: the bar rings.
	br.Call(pbx, agentExt)
	app.waitState(t, "the incoming call's card", 15*time.Second, func(s uiState) bool { return len(s.Calls) == 1 && s.Calls[0].State == "ringing" })
	screenshot(t, shots, "phone-02-ringing")

	key(t, win, "ctrl+Return") // answer
	br.WaitFor(ctx, "the call to be answered", func(b *rtctest.Browser) bool { return b.State().Status == "confirmed" })
	app.waitState(t, "the call's card in call", 10*time.Second, func(s uiState) bool { return len(s.Calls) == 1 && s.Calls[0].State == "active" })
	screenshot(t, shots, "phone-03-in-call")

	key(t, win, "ctrl+h") // hold
	br.WaitFor(ctx, "the hold", func(b *rtctest.Browser) bool { return b.State().RemoteHeld })
	app.waitState(t, "the card on hold", 10*time.Second, func(s uiState) bool { return len(s.Calls) == 1 && s.Calls[0].State == "held" })
	screenshot(t, shots, "phone-04-on-hold")
	key(t, win, "ctrl+h") // resume
	br.WaitFor(ctx, "the resume", func(b *rtctest.Browser) bool { return !b.State().RemoteHeld })

	br.Hangup()
	waitFor(t, "the call to end in the bar", 15*time.Second, logHas(`msg=call call=ended`))

	// The agent calls the colleague, who answers at once, then hangs up from the keyboard.
	br.SetAutoAnswer(true)
	key(t, win, "ctrl+k")
	typeText(t, win, colleague)
	key(t, win, "Return")
	br.WaitFor(ctx, "the agent's call to be answered", func(b *rtctest.Browser) bool {
		s := b.State()
		return s.Incoming && s.Status == "confirmed"
	})
	app.waitState(t, "the outgoing call's card", 10*time.Second, func(s uiState) bool {
		for _, c := range s.Calls {
			if c.State == "active" {
				return true
			}
		}
		return false
	})
	screenshot(t, shots, "phone-05-outgoing")
	key(t, win, "ctrl+e")
	br.WaitFor(ctx, "the agent's hang-up", func(b *rtctest.Browser) bool { return b.State().Status == "ended" })
	require.Equal(t, 2, strings.Count(app.log.String(), `msg=call call=ended`), "two calls ended in the bar")
}

// TestWindowSoftphoneAutoAnswerAndCallWaiting turns auto-answer on (1 s): a call is answered by itself;
// a second caller then rings, the agent answers it and the first call goes on hold (call waiting).
func TestWindowSoftphoneAutoAnswerAndCallWaiting(t *testing.T) {
	pbx, d, home, agentExt, colleague := softphoneSetup(t, func(s *config.Settings) {
		s.Phone.AutoAnswer, s.Phone.AutoAnswerDelaySeconds = true, 1
	})
	app := startApp(t, home)
	win := app.waitUI(t)
	typeText(t, win, d.login.Password)
	key(t, win, "Return")
	logHas := func(s string) func() bool { return func() bool { return strings.Contains(app.log.String(), s) } }
	waitFor(t, "the softphone to register", 20*time.Second, logHas(`msg="phone registration" state=registered`))

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	first := rtctest.StartBrowser(t)
	first.Register(pbx, pbx.WSURL, colleague)
	first.WaitFor(ctx, "registered", func(b *rtctest.Browser) bool { return b.State().Registered })
	first.Call(pbx, agentExt)
	first.WaitFor(ctx, "the auto-answer", func(b *rtctest.Browser) bool { return b.State().Status == "confirmed" })
	require.True(t, logHas(`msg=auto-answered`)())

	second := first.NewTab()
	customer := pbx.User("customer")
	second.Register(pbx, pbx.WSURL, customer)
	second.WaitFor(ctx, "registered", func(b *rtctest.Browser) bool { return b.State().Registered })
	second.Call(pbx, agentExt)
	waitFor(t, "the second call to ring", 15*time.Second, func() bool {
		return strings.Count(app.log.String(), `msg="incoming call"`) == 2
	})
	// Busy: no auto-answer for a waiting call.
	holdsFor(t, "a waiting call not auto-answered", 1500*time.Millisecond, func() bool { return strings.Count(app.log.String(), `msg=auto-answered`) == 1 })
	screenshot(t, shotsDir(t), "phone-06-call-waiting")
	key(t, win, "ctrl+Return")
	second.WaitFor(ctx, "the waiting call answered", func(b *rtctest.Browser) bool { return b.State().Status == "confirmed" })
	first.WaitFor(ctx, "the first call on hold", func(b *rtctest.Browser) bool { return b.State().RemoteHeld })
	app.waitState(t, "two cards: one held, one in call", 10*time.Second, func(s uiState) bool {
		return len(s.Calls) == 2 && s.Calls[0].State == "held" && s.Calls[1].State == "active"
	})
	screenshot(t, shotsDir(t), "phone-07-two-calls")
}
