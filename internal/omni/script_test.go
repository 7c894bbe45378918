package omni

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/omni/omnitest"
	"github.com/phonebar/phonebar/internal/testenv"
)

// gotBy returns, from what the hostile page collected, the kinds ("setter", "call", "field", ...)
// of the values that hold secret.
func gotBy(reps []omnitest.Report, secret string) map[string]bool {
	kinds := map[string]bool{}
	for _, r := range reps {
		for _, g := range r.Got {
			if kind, v, ok := strings.Cut(g, ":"); ok && strings.Contains(v, secret) {
				kinds[kind] = true
			}
		}
	}
	return kinds
}

// TestFillScriptFromAnIsolatedWorld runs the form fallback's fill script in headless Chromium against
// the hostile page, once in the page's own world (as the old hand-off did) and once in an isolated
// world (as the Omni Desktop window runs it). The page's replaced value setter and
// Function.prototype.call/apply/Reflect.apply catch the password in its world and nothing from the
// isolated one. The filled fields are DOM state in both: a script of the page reads them (the
// fallback's known limit, said in the README), which is why the default hand-off puts no password
// in any page.
func TestFillScriptFromAnIsolatedWorld(t *testing.T) {
	rec := &omnitest.Recorder{}
	mux := http.NewServeMux()
	rec.Register(mux)
	srv := httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	// The browser is only a harness for the script here; certificate trust is tested elsewhere.
	browser := testenv.Chromium(t, chromedp.Flag("ignore-certificate-errors", true))
	const secret = `Pw-"secret</script>-1`
	h := Handoff{Origin: srv.URL, Username: "chloe", Password: secret}
	require.NoError(t, h.Validate())

	run := func(t *testing.T, isolated bool) map[string]bool {
		before, doneBefore := len(rec.Reports()), countDone(rec)
		tab, cancel := chromedp.NewContext(browser)
		defer cancel()
		ctx, cancel2 := context.WithTimeout(tab, 30*time.Second)
		defer cancel2()
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+omnitest.PagePath+"?wait=2500")))
		require.Eventually(t, func() bool {
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector("#f input[type=password]")`))
			return err == nil && ok
		}, 10*time.Second, 50*time.Millisecond)
		_, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			var world runtime.ExecutionContextID
			if isolated {
				tree, err := cdp.Call(ctx, tg, page.GetFrameTree, cdp.Empty{})
				if err != nil {
					return chromedp.Void{}, err
				}
				w, err := cdp.Call(ctx, tg, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{FrameID: tree.FrameTree.Frame.ID, WorldName: "phonebar-handoff"})
				if err != nil {
					return chromedp.Void{}, err
				}
				world = w.ExecutionContextID
			}
			_, err := cdp.Call(ctx, tg, runtime.Evaluate, runtime.EvaluateParams{Expression: FillScript(h), ContextID: world})
			return chromedp.Void{}, err
		})
		require.NoError(t, err)
		require.Eventually(t, func() bool { return countDone(rec) > doneBefore }, 20*time.Second, 50*time.Millisecond)
		kinds := gotBy(rec.Reports()[before:], secret)
		t.Logf("isolated=%v: the page saw the password through %v", isolated, kinds)
		return kinds
	}

	pageWorld := run(t, false)
	assert.True(t, pageWorld["setter"], "in the page's world its replaced value setter sees the password: %v", pageWorld)
	assert.True(t, pageWorld["call"] || pageWorld["reflect"] || pageWorld["apply"], "in the page's world its replaced call/apply sees the password: %v", pageWorld)

	isolated := run(t, true)
	for _, trap := range []string{"setter", "getter", "call", "apply", "reflect"} {
		assert.False(t, isolated[trap], "the page's replaced %s saw the password filled from an isolated world", trap)
	}
	assert.True(t, isolated["field"], "the known limit of the fallback: the filled field is readable from the page's DOM")
}

// countDone counts the finished runs of the hostile page.
func countDone(rec *omnitest.Recorder) int {
	n := 0
	for _, r := range rec.Reports() {
		if r.Phase == "done" {
			n++
		}
	}
	return n
}
