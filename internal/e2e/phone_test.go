//go:build linux

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim"
	"github.com/phonebar/phonebar/internal/rtctest"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// TestWindowSoftphone is a WebRTC agent's phone in the real window against real peers: the SIP account
// from the Motion login registers on Kamailio, a colleague's browser phone (Chromium + JsSIP) calls in,
// the bar rings and the agent answers, holds, resumes from the keyboard; the far end hangs up; then the
// agent dials the colleague and hangs up. Screenshots of idle, ringing, in call and on hold.
func TestWindowSoftphone(t *testing.T) {
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
	home := t.TempDir()
	st := config.Default()
	st.ServerURL, st.Username = d.srv.URL, d.login.Name
	st.Pins = map[string]tlspin.Fingerprint{d.srv.URL: d.pin}
	writeSettings(t, home, st)
	shots := shotsDir(t)

	app := startApp(t, home)
	win := waitWindow(t, "^Phonebar$", 20*time.Second)
	time.Sleep(500 * time.Millisecond)
	typeText(t, win, d.login.Password)
	key(t, win, "Return")
	logHas := func(s string) func() bool { return func() bool { return strings.Contains(app.log.String(), s) } }
	waitFor(t, "the softphone to register", 20*time.Second, logHas(`msg="phone registration" state=registered`))
	time.Sleep(300 * time.Millisecond)
	screenshot(t, shots, "phone-01-idle")

	br := rtctest.StartBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	br.Register(pbx, pbx.WSURL, colleague)
	br.WaitFor(ctx, "registered", func(b *rtctest.Browser) bool { return b.State().Registered })

	// The colleague calls the agent: the bar rings.
	br.Call(pbx, agentExt)
	waitFor(t, "the incoming call", 15*time.Second, logHas(`msg="incoming call"`))
	time.Sleep(300 * time.Millisecond)
	screenshot(t, shots, "phone-02-ringing")

	key(t, win, "ctrl+Return") // answer
	br.WaitFor(ctx, "the call to be answered", func(b *rtctest.Browser) bool { return b.State().Status == "confirmed" })
	time.Sleep(1200 * time.Millisecond) // the call timer shows a second
	screenshot(t, shots, "phone-03-in-call")

	key(t, win, "ctrl+h") // hold
	br.WaitFor(ctx, "the hold", func(b *rtctest.Browser) bool { return b.State().RemoteHeld })
	time.Sleep(300 * time.Millisecond)
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
	time.Sleep(500 * time.Millisecond)
	screenshot(t, shots, "phone-05-outgoing")
	key(t, win, "ctrl+e")
	br.WaitFor(ctx, "the agent's hang-up", func(b *rtctest.Browser) bool { return b.State().Status == "ended" })
	require.Equal(t, 2, strings.Count(app.log.String(), `msg=call call=ended`), "two calls ended in the bar")
}
