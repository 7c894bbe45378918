//go:build linux

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim"
	"github.com/phonebar/phonebar/internal/motionsim/pbx"
)

// TestWindowDemoPBX is `make demo`'s phone: a WebRTC agent of the demo server registers with the
// demo server's own PBX (wss on the same listener, covered by the pin), calls the echo extension
// *43 from the dial field, and answers a customer call rung from the admin API. Media flows both
// ways on both calls (the PBX counts the RTP packets).
func TestWindowDemoPBX(t *testing.T) {
	d := newDemo(t, motion.TypologyWebRTC)
	home := homeFor(t, d, nil)
	shots := shotsDir(t)
	app := startApp(t, home)
	win := app.waitUI(t)
	typeText(t, win, d.login.Password)
	key(t, win, "Return")
	waitFor(t, "the softphone to register with the demo PBX", 20*time.Second, logHas(app, `msg="phone registration" state=registered`))
	require.NotEmpty(t, d.sim.PBXCalls().Registrations)

	call := func(kind string) (pbx.CallInfo, bool) {
		for _, c := range d.sim.PBXCalls().Rows {
			if c.Kind == kind {
				return c, true
			}
		}
		return pbx.CallInfo{}, false
	}
	flowing := func(kind string) func() bool {
		return func() bool {
			c, ok := call(kind)
			return ok && c.State == "active" && c.PacketsIn > 50 && c.PacketsOut > 50
		}
	}
	ended := func(kind string) func() bool {
		return func() bool { c, ok := call(kind); return ok && c.State == "ended" }
	}

	// *43: what the agent says comes back.
	key(t, win, "ctrl+k")
	typeText(t, win, "*43")
	key(t, win, "Return")
	waitFor(t, "the echo call with media both ways", 20*time.Second, flowing("echo"))
	time.Sleep(300 * time.Millisecond)
	screenshot(t, shots, "demo-01-echo-call")
	key(t, win, "ctrl+e")
	waitFor(t, "the echo call to end", 10*time.Second, ended("echo"))

	// A customer rung from the admin API: the bar rings, the agent answers from the keyboard.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := d.sim.CallAgent(ctx, motionsim.AdminCallRequest{Agent: d.login.Name, CallerName: "Dana Customer", CallerNumber: "+390212345", Seconds: 30})
	require.NoError(t, err)
	waitFor(t, "the customer call to ring", 15*time.Second, logHas(app, `msg="incoming call"`))
	time.Sleep(400 * time.Millisecond)
	screenshot(t, shots, "demo-02-customer-ringing")
	key(t, win, "ctrl+Return")
	waitFor(t, "the customer call with media both ways", 20*time.Second, flowing("customer"))
	time.Sleep(300 * time.Millisecond)
	screenshot(t, shots, "demo-03-customer-call")
	key(t, win, "ctrl+e")
	waitFor(t, "the customer call to end", 10*time.Second, ended("customer"))
	c, _ := call("customer")
	assert.NotEmpty(t, c.Codec)
	assert.Equal(t, 2, strings.Count(app.log.String(), `msg=call call=ended`), "both calls ended in the bar")
}
