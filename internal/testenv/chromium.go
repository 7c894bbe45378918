package testenv

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// ChromiumOptions are the flags every test browser runs with: headless, a fresh profile, kept off
// the network, and shared memory in the temporary folder rather than /dev/shm (a container's
// /dev/shm is often 64 MB, and a browser that runs out of it crashes). The browser's own output is
// kept and logged when the test fails, so that a crash says why. extra adds or overrides flags.
func ChromiumOptions(t testing.TB, extra ...chromedp.ExecAllocatorOption) []chromedp.ExecAllocatorOption {
	t.Helper()
	path := NeedCommand(t, "chromium")
	out := &lockedBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("chromium's output (last 4 KB):\n%s", out.tail(4096))
		}
	})
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("enable-logging", "stderr"),
		chromedp.CombinedOutput(out),
		chromedp.WindowSize(1200, 800),
	}
	return append(opts, extra...)
}

// Chromium starts a private headless Chromium for the test (ChromiumOptions plus extra) and
// returns a browser context that ends with the test.
func Chromium(t testing.TB, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), ChromiumOptions(t, extra...)...)
	ctx, cancelC := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelC()
		cancelA()
	})
	// The first run starts the browser and must not carry a timeout (it would stop the browser).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// lockedBuffer collects the browser's output, written from chromedp's goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	if len(s) > n {
		s = s[len(s)-n:]
	}
	return strings.TrimSpace(s)
}
