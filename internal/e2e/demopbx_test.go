//go:build linux

package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim"
	"github.com/phonebar/phonebar/internal/motionsim/pbx"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// TestWindowDemoPBX is `make demo`'s phone: a WebRTC agent of the demo server registers with the
// demo server's own PBX (wss on the same listener, covered by the pin), calls the echo extension
// *43 from the dial field, and answers a customer call rung from the admin API. Media flows both
// ways on both calls (the PBX counts the RTP packets).
func TestWindowDemoPBX(t *testing.T) {
	d := newDemo(t, motion.TypologyWebRTC)
	home := homeFor(t, d, nil)
	shots := shotsDir(t)
	app, win := d.loginRegistered(t, home)
	require.NotEmpty(t, d.sim.PBXCalls().Registrations)

	rows := func() []pbx.CallInfo { return d.sim.PBXCalls().Rows }
	call := func(kind string) (pbx.CallInfo, bool) { return pbxCall(rows, kind, nil) }
	flowing := func(kind string) func() bool { return pbxHas(rows, kind, mediaBothWays) }
	ended := func(kind string) func() bool {
		return pbxHas(rows, kind, func(c pbx.CallInfo) bool { return c.State == "ended" })
	}

	// *43: what the agent says comes back.
	key(t, win, "ctrl+k")
	typeText(t, win, "*43")
	key(t, win, "Return")
	waitFor(t, "the echo call with media both ways", 20*time.Second, flowing("echo"))
	app.waitState(t, "the echo call's card in call", 10*time.Second, inCall(1))
	screenshot(t, shots, "demo-01-echo-call")
	key(t, win, "ctrl+e")
	waitFor(t, "the echo call to end", 10*time.Second, ended("echo"))

	// A customer rung from the admin API: the bar rings, the agent answers from the keyboard.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := d.sim.CallAgent(ctx, motionsim.AdminCallRequest{Agent: d.login.Name, CallerName: "Dana Customer", CallerNumber: "+390212345", Seconds: 30})
	require.NoError(t, err)
	waitFor(t, "the customer call to ring", 15*time.Second, logHas(app, `msg="incoming call"`))
	app.waitState(t, "the ringing card", 10*time.Second, func(s uiState) bool { return len(s.Calls) == 1 && s.Calls[0].State == "ringing" })
	screenshot(t, shots, "demo-02-customer-ringing")
	key(t, win, "ctrl+Return")
	waitFor(t, "the customer call with media both ways", 20*time.Second, flowing("customer"))
	app.waitState(t, "the customer call's card in call", 10*time.Second, inCall(1))
	screenshot(t, shots, "demo-03-customer-call")
	key(t, win, "ctrl+e")
	waitFor(t, "the customer call to end", 10*time.Second, ended("customer"))
	c, _ := call("customer")
	assert.NotEmpty(t, c.Codec)
	// The PBX may see the BYE before the bar logs the call's end: wait for the bar's word.
	waitFor(t, "both calls ended in the bar", 10*time.Second, func() bool { return strings.Count(app.log.String(), `msg=call call=ended`) == 2 })
}

// TestDemoModeCalls is `make demo` itself: the app with --demo runs its embedded demo server, the
// agent logs in with the demo login shown on the screen, calls *44 (the 1 kHz tone) and answers a
// customer call an administrator starts through the demo server's admin API, which also reports
// the media of both calls and the DTMF digits the agent typed on the keyboard during the first.
func TestDemoModeCalls(t *testing.T) {
	var login motionsim.DemoLogin
	for _, l := range motionsim.DefaultConfig().DemoLogins() {
		if l.Typology == motion.TypologyWebRTC {
			login = l
		}
	}
	app := startApp(t, t.TempDir(), "--demo")
	win := app.waitUI(t)
	m := regexp.MustCompile(`msg="demo server started" fingerprint="?([0-9A-Fa-f:]+)"? url="?(https://[^" ]+)`).FindStringSubmatch(app.log.String())
	require.Len(t, m, 3, "the demo server's address in the log:\n%s", app.log.String())
	admin := newAdminClient(t, m[2], m[1])

	typeText(t, win, login.Name)
	app.tabTo(t, win, "password")
	typeText(t, win, login.Password)
	key(t, win, "Return")
	waitFor(t, "the softphone to register with the embedded PBX", 20*time.Second, logHas(app, `msg="phone registration" state=registered`))

	rows := func() []pbx.CallInfo { return admin.calls(t).Rows }
	flowing := func(kind string) func() bool { return pbxHas(rows, kind, mediaBothWays) }
	key(t, win, "ctrl+k")
	typeText(t, win, "*44")
	key(t, win, "Return")
	waitFor(t, "the tone call with media both ways", 20*time.Second, flowing("tone"))
	// Answered: the keys now send DTMF, which *44 receives.
	app.waitState(t, "the tone call's card in call", 10*time.Second, inCall(1))
	typeText(t, win, "123#")
	waitFor(t, "the digits at the PBX", 10*time.Second, pbxHas(rows, "tone", func(c pbx.CallInfo) bool { return c.Digits == "123#" }))
	screenshot(t, shotsDir(t), "demo-mode-01-tone-call")
	key(t, win, "ctrl+e")
	waitFor(t, "the tone call to end", 10*time.Second, logHas(app, `msg=call call=ended`))

	admin.ring(t, login.Name)
	waitFor(t, "the customer call to ring", 15*time.Second, logHas(app, `msg="incoming call"`))
	key(t, win, "ctrl+Return")
	waitFor(t, "the customer call with media both ways", 20*time.Second, flowing("customer"))
	screenshot(t, shotsDir(t), "demo-mode-02-customer-call")
	key(t, win, "ctrl+e")
	waitFor(t, "both calls ended", 10*time.Second, func() bool { return strings.Count(app.log.String(), `msg=call call=ended`) == 2 })
}

// pbxCall returns the first of the PBX's calls (rows) of kind that meets cond (nil: any).
func pbxCall(rows func() []pbx.CallInfo, kind string, cond func(pbx.CallInfo) bool) (pbx.CallInfo, bool) {
	for _, c := range rows() {
		if c.Kind == kind && (cond == nil || cond(c)) {
			return c, true
		}
	}
	return pbx.CallInfo{}, false
}

// pbxHas is pbxCall as a waitFor condition.
func pbxHas(rows func() []pbx.CallInfo, kind string, cond func(pbx.CallInfo) bool) func() bool {
	return func() bool { _, ok := pbxCall(rows, kind, cond); return ok }
}

// mediaBothWays: the call is up and its RTP flows both ways.
func mediaBothWays(c pbx.CallInfo) bool {
	return c.State == "active" && c.PacketsIn > 50 && c.PacketsOut > 50
}

// adminClient is the demo server's admin API, reached over its pinned certificate.
type adminClient struct {
	base string
	hc   *http.Client
}

func newAdminClient(t *testing.T, base, fingerprint string) *adminClient {
	t.Helper()
	fp, err := tlspin.Parse(fingerprint)
	require.NoError(t, err)
	u, err := url.Parse(base)
	require.NoError(t, err)
	tr := &http.Transport{TLSClientConfig: tlspin.ClientConfig(u.Hostname(), nil, fp)}
	t.Cleanup(tr.CloseIdleConnections)
	return &adminClient{base: base, hc: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

func (a *adminClient) do(t *testing.T, method, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, a.base+motion.PathAdminCalls, rd)
	require.NoError(t, err)
	req.SetBasicAuth("admin", "Demo-Admin-0000")
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

func (a *adminClient) calls(t *testing.T) motionsim.AdminCalls {
	status, b := a.do(t, http.MethodGet, "")
	require.Equal(t, http.StatusOK, status, string(b))
	var c motionsim.AdminCalls
	require.NoError(t, json.Unmarshal(b, &c))
	return c
}

func (a *adminClient) ring(t *testing.T, agent string) {
	status, b := a.do(t, http.MethodPost, `{"agent":"`+agent+`","seconds":20}`)
	require.Equal(t, http.StatusAccepted, status, string(b))
}
