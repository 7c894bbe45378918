//go:build linux

package e2e

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim/pbx"
	"github.com/phonebar/phonebar/internal/testenv"
)

// crmPage is a CRM-like page: click-to-dial and call controls through the Phonebar's control API.
// Each function returns {status, body} or {error} when the browser refused to hand the answer over.
const crmPage = `<!doctype html><html><head><meta charset="utf-8"><title>Acme CRM</title>
<style>body{font:15px sans-serif;margin:24px}button{margin:4px;padding:6px 12px}#log{white-space:pre-wrap;background:#f4f4f5;padding:8px;font:12px monospace}</style></head>
<body><h1>Acme CRM · Customer: Echo Test Line</h1><p>Phone: <a href="#" id="dial">*43</a></p>
<button id="hold">Hold</button><button id="hangup">Hang up</button><div id="log"></div>
<script>
const API = %q;
async function api(path) {
  try {
    const r = await fetch(API + path, {method: path === "/api/calls" ? "GET" : "POST"});
    const out = {status: r.status, body: await r.json()};
    document.getElementById("log").textContent += path + " → " + r.status + " " + JSON.stringify(out.body) + "\n";
    return out;
  } catch (e) {
    document.getElementById("log").textContent += path + " → refused by the browser: " + e + "\n";
    return {error: String(e)};
  }
}
document.getElementById("dial").onclick = (e) => { e.preventDefault(); api("/api/originate/*43"); };
document.getElementById("hold").onclick = () => api("/api/hold");
document.getElementById("hangup").onclick = () => api("/api/hangup");
</script></body></html>`

// freePort returns a loopback address no one listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

type apiReply struct {
	Status int            `json:"status"`
	Body   map[string]any `json:"body"`
	Error  string         `json:"error"`
}

// TestControlAPIFromACRMPage: a CRM page in a real Chromium drives the real window's softphone
// through the control API: it dials *43, sees the call ACTIVE in /api/calls while the demo PBX
// counts audio both ways, holds it and hangs up. The same page served from an origin that is not
// allow-listed is refused, and so is a page that rebinds its own name to 127.0.0.1.
func TestControlAPIFromACRMPage(t *testing.T) {
	crmSrv := httptest.NewServer(nil) // its handler is set below, once the API's address is known
	t.Cleanup(crmSrv.Close)
	evilSrv := httptest.NewServer(nil)
	t.Cleanup(evilSrv.Close)
	crmOrigin := crmSrv.URL
	evilOrigin := strings.Replace(evilSrv.URL, "127.0.0.1", "localhost", 1) // another origin

	apiAddr := freePort(t)
	d := newDemo(t, motion.TypologyWebRTC)
	home := homeFor(t, d, func(st *config.Settings) {
		st.ControlAPI = config.ControlAPI{Listen: apiAddr, AllowedOrigins: []string{crmOrigin}}
	})
	page := []byte(fmt.Sprintf(crmPage, "http://"+apiAddr))
	serve := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	}
	crmSrv.Config.Handler = http.HandlerFunc(serve)
	evilSrv.Config.Handler = http.HandlerFunc(serve)

	shots := shotsDir(t)
	app, _ := d.loginRegistered(t, home)
	waitFor(t, "the control API to listen", 10*time.Second, logHas(app, `msg="control API listening"`))

	// Chromium resolves rebind.test to 127.0.0.1, as a rebinding attacker's DNS would.
	ctx := testenv.Chromium(t, chromedp.Flag("host-resolver-rules", "MAP rebind.test 127.0.0.1"))
	call := func(fn string) apiReply {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[apiReply](fmt.Sprintf("api(%q)", fn), chromedp.EvalAwaitPromise))
		require.NoError(t, err)
		return v
	}
	rows := func() []pbx.CallInfo { return d.sim.PBXCalls().Rows }

	err := chromedp.Do(ctx, chromedp.Navigate(crmOrigin+"/"), chromedp.WaitVisible(chromedp.CSS("#dial")))
	require.NoError(t, err)
	_, err = chromedp.Run(ctx, chromedp.Click(chromedp.CSS("#dial")))
	require.NoError(t, err)
	waitFor(t, "the echo call with media both ways", 20*time.Second, pbxHas(rows, "echo", mediaBothWays))

	var active map[string]any
	waitFor(t, "the call ACTIVE in /api/calls", 10*time.Second, func() bool {
		time.Sleep(200 * time.Millisecond) // a CRM's pace, under the API's rate limit
		r := call("/api/calls")
		if r.Status != 200 {
			return false
		}
		calls, _ := r.Body["calls"].([]any)
		for _, c := range calls {
			m := c.(map[string]any)
			if int(m["state"].(float64))&8 != 0 && strings.Contains(m["number"].(string), "*43") {
				active = m
				return true
			}
		}
		return false
	})
	assert.Equal(t, true, call("/api/calls").Body["registered"])
	assert.Equal(t, []any{"ACTIVE"}, active["stateNames"])
	time.Sleep(500 * time.Millisecond)
	screenshot(t, shots, "controlapi-01-window-in-call")
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(shots, "controlapi-02-crm-page.png"), png, 0o644))

	r := call("/api/hold")
	require.Equal(t, 200, r.Status, "%v", r)
	held := r.Body["call"].(map[string]any)
	assert.Equal(t, float64(8|64), held["state"], "ACTIVE|HOLDING")
	r = call("/api/hangup/" + active["id"].(string))
	require.Equal(t, 200, r.Status, "%v", r)
	waitFor(t, "the echo call to end at the PBX", 10*time.Second, pbxHas(rows, "echo", func(c pbx.CallInfo) bool { return c.State == "ended" }))
	waitFor(t, "no call left in /api/calls", 10*time.Second, func() bool {
		time.Sleep(200 * time.Millisecond)
		calls, _ := call("/api/calls").Body["calls"].([]any)
		return len(calls) == 0
	})
	r = call("/api/hangup/" + active["id"].(string))
	assert.Equal(t, 404, r.Status, "the call is gone: %v", r)
	assert.Equal(t, "NO_CALL", r.Body["code"])

	// The same page from an origin that is not allow-listed: the browser gets no answer, and
	// nothing is dialled.
	err = chromedp.Do(ctx, chromedp.Navigate(evilOrigin+"/"), chromedp.WaitVisible(chromedp.CSS("#dial")))
	require.NoError(t, err)
	r = call("/api/originate/*43")
	assert.NotEmpty(t, r.Error, "the browser refuses to hand the answer to that page: %v", r)
	refused := regexp.MustCompile(`msg="control API request" method=POST ms=\d+ origin="` + regexp.QuoteMeta(evilOrigin) + `" path="/api/originate/\*43" proc=controlapi status=403`)
	waitFor(t, "the refusal in the app's log", 5*time.Second, func() bool { return refused.MatchString(app.log.String()) })

	// A page that rebound its own name to 127.0.0.1 talks to the API "same-origin": its Host
	// header gives it away.
	port := apiAddr[strings.LastIndex(apiAddr, ":")+1:]
	_, err = chromedp.Run(ctx, chromedp.Navigate("http://rebind.test:"+port+"/api/originate/*43"))
	require.NoError(t, err)
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.body.innerText"))
	require.NoError(t, err)
	assert.Contains(t, text, "FORBIDDEN_HOST")
	png, err = chromedp.Run(ctx, chromedp.FullScreenshot(90))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(shots, "controlapi-03-rebinding-refused.png"), png, 0o644))

	time.Sleep(time.Second)
	n := 0
	for _, c := range rows() {
		if c.Kind == "echo" {
			n++
		}
	}
	assert.Equal(t, 1, n, "only the allowed page's call reached the PBX")
}
