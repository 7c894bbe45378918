package app

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/phonebar/phonebar/internal/omni"
)

//go:embed omniwindow.html
var omniPage []byte

// RunOmniWindow is the Omni Desktop window process (the hidden omni-window subcommand). It reads the
// handoff from pipe, opens a window with no Go bindings, goes to the server's login page and fills it
// in once. It ends when the Phonebar closes the pipe or asks it to close.
func RunOmniWindow(pipe io.Reader, log logrus.FieldLogger) error {
	rx := omni.NewReceiver(pipe)
	h, err := rx.Handoff()
	if err != nil {
		return err
	}
	script := omni.Script(h)
	var (
		mu      sync.Mutex
		leaving bool
	)
	// leave ends the web session, gives the request a moment, then closes the window.
	leave := func(ctx context.Context) {
		mu.Lock()
		already := leaving
		leaving = true
		mu.Unlock()
		if already {
			return
		}
		runtime.WindowExecJS(ctx, omni.LogoutScript(h))
		time.Sleep(400 * time.Millisecond)
		runtime.Quit(ctx)
	}
	title := h.Title
	if title == "" {
		title = "Omni Desktop"
	}
	if trustBeforeWindow {
		if err := omni.TrustPinned(h); err != nil {
			log.WithError(err).Error("omni: the pinned certificate cannot be used by the window")
		}
	}
	return wails.Run(&options.App{
		Title:     title,
		Width:     1200,
		Height:    820,
		MinWidth:  640,
		MinHeight: 480,
		AssetServer: &assetserver.Options{
			Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				_, _ = w.Write(omniPage)
			}),
		},
		BackgroundColour: options.NewRGB(244, 246, 249),
		Linux:            &linux.Options{ProgramName: "phonebar-omni", WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
		OnStartup: func(ctx context.Context) {
			if err := omni.TrustPinned(h); err != nil {
				log.WithError(err).Error("omni: the pinned certificate cannot be used by the window")
			}
			go func() {
				for {
					c, err := rx.Next()
					if err != nil {
						if !errors.Is(err, io.EOF) {
							log.WithError(err).Warn("omni: pipe to the Phonebar broken")
						}
						leave(ctx)
						return
					}
					switch c.Op {
					case omni.OpShow:
						runtime.WindowShow(ctx)
						runtime.WindowUnminimise(ctx)
					case omni.OpClose:
						leave(ctx)
						return
					}
				}
			}()
		},
		OnBeforeClose: func(ctx context.Context) bool {
			mu.Lock()
			done := leaving
			mu.Unlock()
			if done {
				return false
			}
			go leave(ctx)
			return true
		},
		// The local placeholder page goes to the server's login page (the script never carries
		// credentials to it); every later load runs the script, which checks origin and path itself
		// before touching the credentials and submits at most once per window.
		OnDomReady: openThenRun(h.LoginURL(), script),
	})
}

// openThenRun is the OnDomReady of a web window whose first page is the app's placeholder: that
// first load sends the window to url, and every later load runs script.
func openThenRun(url, script string) func(context.Context) {
	var started atomic.Bool
	return func(ctx context.Context) {
		if !started.Swap(true) {
			runtime.WindowExecJS(ctx, fmt.Sprintf("window.location.replace(%q)", url))
			return
		}
		runtime.WindowExecJS(ctx, script)
	}
}
