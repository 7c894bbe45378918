//go:build linux

package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/credstore"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim"
	"github.com/phonebar/phonebar/internal/testenv"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// The bar's behaviour in the real window at the minimum size, beyond its layout (layout_test.go):
// what the agent sees when the other side hangs up, what the history keeps, the automatic login's
// retries.

// openBar starts the app on home at w×h, logs in with the demo's password and waits for the
// registered phone.
func openBar(t *testing.T, d *demo, home string, w, h int) (*appProc, string) {
	t.Helper()
	app := startApp(t, home)
	win := app.waitUI(t)
	xdo(t, "windowmove", win, "0", "0")
	xdo(t, "windowsize", win, fmt.Sprint(w), fmt.Sprint(h))
	app.waitState(t, "the page at the window's size", 10*time.Second, func(s uiState) bool { return s.Layout.VW == w && s.Layout.VH == h })
	typeText(t, win, d.login.Password)
	key(t, win, "Return")
	app.waitState(t, "the bar with the phone registered", 30*time.Second, func(s uiState) bool {
		return s.Screen == "home" && s.Registration == "registered" && s.Focus == "dial"
	})
	return app, win
}

// closeWindow asks the window to close the way a window manager's close button does: the ICCCM
// WM_DELETE_WINDOW message, which GTK turns into the window's delete event. Xvfb runs no window
// manager and xdotool only destroys windows, so the test sends it over X11 itself (jezek/xgb).
func closeWindow(t *testing.T, win string) {
	t.Helper()
	c, err := xgb.NewConn()
	require.NoError(t, err)
	defer c.Close()
	atom := func(name string) xproto.Atom {
		r, err := xproto.InternAtom(c, false, uint16(len(name)), name).Reply()
		require.NoError(t, err)
		return r.Atom
	}
	id, err := strconv.ParseUint(win, 10, 32)
	require.NoError(t, err)
	ev := xproto.ClientMessageEvent{Format: 32, Window: xproto.Window(id), Type: atom("WM_PROTOCOLS"),
		Data: xproto.ClientMessageDataUnionData32New([]uint32{uint32(atom("WM_DELETE_WINDOW")), 0, 0, 0, 0})}
	require.NoError(t, xproto.SendEventChecked(c, false, xproto.Window(id), 0, string(ev.Bytes())).Check())
}

// TestWindowCallerHangsUpAndCloseAsks: a customer on hold who hangs up does not just vanish: the
// card stays a few seconds saying "NAME hung up", whole at the minimum size, then goes; the recent
// calls then list the caller by name and number, never as a raw SIP address. Then, during another
// call, the window's close button asks first: "Stay on the call" keeps the app and the call, "Quit
// and end the call" closes it.
func TestWindowCallerHangsUpAndCloseAsks(t *testing.T) {
	const w, h = 340, 520
	d := newDemo(t, motion.TypologyWebRTC)
	shots := shotsDir(t)
	app, win := openBar(t, d, homeFor(t, d, nil), w, h)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// The customer hangs up 10 s after the answer: time for the agent to put them on hold.
	_, err := d.sim.CallAgent(ctx, motionsim.AdminCallRequest{Agent: d.login.Name, CallerName: longName, CallerNumber: "+390212345678", Seconds: 10})
	require.NoError(t, err)
	s := app.waitState(t, "the incoming call", 15*time.Second, func(s uiState) bool { return len(s.Calls) == 1 && s.Calls[0].State == "ringing" })
	id := s.Calls[0].ID
	key(t, win, "ctrl+Return")
	app.waitState(t, "the call answered", 15*time.Second, func(s uiState) bool { return s.call(id).State == "active" })
	key(t, win, "ctrl+h")
	app.waitState(t, "the call on hold", 10*time.Second, func(s uiState) bool { return s.call(id).State == "held" })

	s = app.waitState(t, "the notice that the caller hung up", 20*time.Second, func(s uiState) bool { return len(s.Calls) == 0 && len(s.Ended) == 1 })
	assert.Equal(t, longName+" hung up", s.Ended[0])
	requireInView(t, app, "card:"+id)
	requireWhole(t, app) // the long name ends in an ellipsis, "hung up" reads whole
	screenshot(t, shots, "bar-340x520-11-caller-hung-up")
	app.waitState(t, "the notice gone after a few seconds", 10*time.Second, func(s uiState) bool {
		_, shown := s.Layout.Els["card:"+id]
		return len(s.Ended) == 0 && !shown
	})

	// The recent calls: name and number.
	s = app.waitState(t, "the call in the recent calls", 10*time.Second, func(s uiState) bool { return len(s.Recent) > 0 })
	assert.Equal(t, longName+" +390212345678", s.Recent[0])
	for _, r := range s.Recent {
		assert.NotContains(t, r, "sip:")
		assert.NotContains(t, r, "@")
	}
	app.press(t, win, "recent-summary", "Return") // open the list for the picture
	app.waitState(t, "the list opened", 5*time.Second, func(s uiState) bool { return s.Focus == "recent-summary" && s.Layout.Els["dial"].W > 0 })
	screenshot(t, shots, "bar-340x520-12-recent-calls")
	key(t, win, "ctrl+k")
	app.waitState(t, "back in the dial field", 5*time.Second, func(s uiState) bool { return s.Focus == "dial" })

	// Another call; the close button asks first.
	_, err = d.sim.CallAgent(ctx, motionsim.AdminCallRequest{Agent: d.login.Name, CallerName: "Dana Customer", CallerNumber: "+390298765432", Seconds: 300})
	require.NoError(t, err)
	s = app.waitState(t, "the second incoming call", 15*time.Second, func(s uiState) bool { return len(s.Calls) == 1 && s.Calls[0].State == "ringing" })
	second := s.Calls[0].ID
	key(t, win, "ctrl+Return")
	app.waitState(t, "the second call answered", 15*time.Second, func(s uiState) bool { return s.call(second).State == "active" })
	closeWindow(t, win)
	app.waitState(t, "the question before closing", 10*time.Second, func(s uiState) bool { return s.Sheet == "confirm" && s.Focus == "confirm-no" })
	screenshot(t, shots, "bar-340x520-13-close-asks")
	key(t, win, "Return") // "Stay on the call"
	app.waitState(t, "the question gone", 5*time.Second, func(s uiState) bool { return s.Sheet == "" })
	select {
	case <-app.done:
		t.Fatal("the window closed although the agent stayed on the call")
	default:
	}
	assert.Equal(t, "active", app.state().call(second).State, "the call goes on")

	closeWindow(t, win)
	app.waitState(t, "the question again", 10*time.Second, func(s uiState) bool { return s.Sheet == "confirm" && s.Focus == "confirm-no" })
	key(t, win, "shift+Tab", "Return") // "Quit and end the call"
	select {
	case <-app.done:
	case <-time.After(15 * time.Second):
		t.Fatal("the window did not close after the agent confirmed")
	}
	assert.Contains(t, app.log.String(), "to=logged-out", "closing logged the agent out")
}

// door is a TCP door in front of a server: while shut it takes each connection and closes it at
// once (the server looks down: a network failure, which costs no password attempt); once opened it
// passes connections through. knocks counts the connections.
type door struct {
	ln     net.Listener
	to     string
	open   atomic.Bool
	knocks atomic.Int64
	wg     sync.WaitGroup
}

func newDoor(t *testing.T, to string) *door {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	d := &door{ln: ln, to: to}
	d.wg.Add(1)
	go d.serve()
	t.Cleanup(func() { _ = ln.Close(); d.wg.Wait() })
	return d
}

func (d *door) serve() {
	defer d.wg.Done()
	for {
		c, err := d.ln.Accept()
		if err != nil {
			return
		}
		d.knocks.Add(1)
		if !d.open.Load() {
			_ = c.Close()
			continue
		}
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			defer c.Close()
			up, err := net.Dial("tcp", d.to)
			if err != nil {
				return
			}
			defer up.Close()
			go func() { _, _ = io.Copy(up, c); _ = up.Close() }()
			_, _ = io.Copy(c, up)
		}()
	}
}

// TestWindowLoginRetryCountdown: an automatic login (the saved password) that fails on the network
// keeps the saved password, counts down to its next attempt on the error, tries again by itself when
// the count ends, and "Retry now" logs in at once when the server is back.
func TestWindowLoginRetryCountdown(t *testing.T) {
	testenv.NeedSessionBus(t)
	d := newLoginDemo(t, func() *motionsim.Config {
		return &motionsim.Config{Users: []motionsim.UserConfig{user("rita", "Rita-Pass-1", motion.TypologyPhonebar)}}
	})
	door := newDoor(t, strings.TrimPrefix(d.srv.URL, "https://"))
	server := "https://" + door.ln.Addr().String()
	home := t.TempDir()
	st := config.Default()
	st.ServerURL, st.Username, st.RememberMe = server, "rita", true
	st.Pins = map[string]tlspin.Fingerprint{server: d.pin}
	writeSettings(t, home, st)
	account := credstore.Account(server, "rita")
	require.NoError(t, keyring.Set(credstore.Service, account, "Rita-Pass-1"))
	t.Cleanup(func() { _ = keyring.Delete(credstore.Service, account) })
	shots := shotsDir(t)

	app, win := openWindow(t, home)
	s := app.waitState(t, "the network failure with its countdown", 20*time.Second, func(s uiState) bool { return s.Error != "" && !s.Busy && s.RetryIn > 0 })
	first := s.RetryIn
	knocks := door.knocks.Load()
	assert.Positive(t, knocks)
	screenshot(t, shots, "login-retry-countdown")
	saved, err := keyring.Get(credstore.Service, account)
	require.NoError(t, err)
	assert.Equal(t, "Rita-Pass-1", saved, "the saved password is kept")
	assert.Zero(t, d.failures("rita"), "no password attempt was counted")

	// The count ends: the Phonebar tries again by itself, fails again, and waits longer.
	s = app.waitState(t, "the second attempt and a longer wait", time.Duration(first+15)*time.Second, func(s uiState) bool {
		return door.knocks.Load() > knocks && !s.Busy && s.RetryIn > first
	})
	t.Logf("FIGURE login-retry: first wait %d s, second wait %d s", first, s.RetryIn)

	// The server is back: Retry now logs in without waiting for the count.
	door.open.Store(true)
	app.press(t, win, "retry", "Return")
	app.waitState(t, "logged in", 20*time.Second, func(s uiState) bool { return s.Screen == "home" })
	assert.Equal(t, 1, d.live("rita", motion.ClientPhonebar))
	screenshot(t, shots, "login-retry-logged-in")
}
