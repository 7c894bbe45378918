//go:build linux

package e2e

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/history"
	"github.com/phonebar/phonebar/internal/rtctest"
)

// TestWindowSoftphoneAttendedTransfer: a customer's browser phone calls the agent, the agent holds
// them and calls a colleague (another browser phone), and completes the transfer from the keyboard
// (Ctrl+T, the shortcut of the "Transfer to <colleague>" button on the held call). The customer and
// the colleague end up talking to each other and the bar has no call left. Screenshots of the
// transfer control and of the bar after the transfer.
func TestWindowSoftphoneAttendedTransfer(t *testing.T) {
	pbx, d, home, agentExt, colleague := softphoneSetup(t, nil)
	shots := shotsDir(t)
	app := startApp(t, home)
	win := app.waitUI(t)
	typeText(t, win, d.login.Password)
	key(t, win, "Return")
	logHas := func(s string) func() bool { return func() bool { return strings.Contains(app.log.String(), s) } }
	waitFor(t, "the softphone to register", 20*time.Second, logHas(`msg="phone registration" state=registered`))

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	customer := rtctest.StartBrowser(t)
	mate := customer.NewTab()
	const mateHz = 900
	mate.SetTone(mateHz)
	customer.Register(pbx, pbx.WSURL, pbx.User("customer"))
	mate.Register(pbx, pbx.WSURL, colleague)
	mate.SetAutoAnswer(true)
	customer.SetAcceptRefer(true)

	customer.Call(pbx, agentExt)
	waitFor(t, "the incoming call", 15*time.Second, logHas(`msg="incoming call"`))
	key(t, win, "ctrl+Return") // answer
	customer.WaitFor(ctx, "the call to be answered", func(b *rtctest.Browser) bool { return b.State().Status == "confirmed" })
	key(t, win, "ctrl+h") // hold the customer
	customer.WaitFor(ctx, "the hold", func(b *rtctest.Browser) bool { return b.State().RemoteHeld })

	key(t, win, "ctrl+k")
	typeText(t, win, colleague)
	key(t, win, "Return")
	mate.WaitFor(ctx, "the colleague to answer", func(b *rtctest.Browser) bool {
		s := b.State()
		return s.Incoming && s.Status == "confirmed"
	})
	app.waitState(t, "the caller held and the colleague in call", 10*time.Second, func(s uiState) bool {
		return len(s.Calls) == 2 && s.Calls[0].State == "held" && s.Calls[1].State == "active"
	})
	screenshot(t, shots, "phone-08-transfer-ready")

	key(t, win, "ctrl+t") // complete the transfer
	waitFor(t, "both of the agent's calls to end", 20*time.Second, func() bool {
		return strings.Count(app.log.String(), `msg=call call=ended`) == 2
	})
	require.True(t, logHas(`attended transfer completed`)(), "the bar logs the transfer")
	assert.Equal(t, 1, customer.State().Refers)
	assert.Equal(t, 1, mate.State().Replaced)
	customer.WaitFor(ctx, "the customer hears the colleague", func(b *rtctest.Browser) bool {
		return b.State().Status == "confirmed" && math.Abs(b.PeakHz()-mateHz) < mateHz*0.04
	})
	mate.WaitFor(ctx, "the colleague hears the customer", func(b *rtctest.Browser) bool {
		return b.State().Status == "confirmed" && math.Abs(b.PeakHz()-rtctest.BrowserToneHz) < rtctest.BrowserToneHz*0.04
	})
	app.waitState(t, "both cards gone", 10*time.Second, func(s uiState) bool { return len(s.Calls) == 0 })
	screenshot(t, shots, "phone-09-transferred")
	customer.Hangup()

	// Both calls are in the history as transferred.
	waitFor(t, "the history", 10*time.Second, func() bool {
		list, err := history.NewStore(filepath.Join(home, "phonebar", "history.json")).List()
		if err != nil || len(list) != 2 {
			return false
		}
		return list[0].Outcome == "transferred" && list[1].Outcome == "transferred"
	})
}
