package app

import (
	"context"
	_ "embed"
	"errors"
	"html/template"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/logger"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/omni"
)

//go:embed omniwindow.html
var omniPageText string

// omniPage is the window's own page (the app origin): "opening", a question, or why it failed.
var omniPage = template.Must(template.New("omni").Parse(omniPageText))

// RunOmniWindow is the Omni Desktop window process (the hidden omni-window subcommand). It reads the
// handoff from pipe and opens a window with no Go bindings; an omni.Controller, fed the web view's
// committed loads, hands the login over (see package omni). It ends when the Phonebar closes the
// pipe or asks it to close, or the agent closes the window: the web session is logged out and the
// web view's cookies, storage and caches cleared first.
func RunOmniWindow(pipe io.Reader, log logrus.FieldLogger) error {
	rx := omni.NewReceiver(pipe)
	h, err := rx.Handoff()
	if err != nil {
		return err
	}
	ctl := omni.NewController(h, omni.RESTSessions(h, log), appOrigin, log)
	var (
		mu      sync.Mutex
		leaving bool
		appCtx  = context.Background()
	)
	// leave ends the web session, clears the web view's data, then closes the window.
	leave := func(ctx context.Context) {
		mu.Lock()
		already := leaving
		leaving = true
		mu.Unlock()
		if already {
			return
		}
		runtime.WindowHide(ctx)
		if ctl.Mode() == config.HandoffForm && ctl.OnOrigin(ctl.Current()) {
			// A session the window did not log in itself: the page's cookie ends it.
			runtime.WindowExecJS(ctx, omni.LogoutScript(h))
			time.Sleep(400 * time.Millisecond)
		}
		lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ctl.Logout(lctx)
		cancel()
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
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ctx := appCtx
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_ = omniPage.Execute(w, ctl.Page(ctx, r.URL.Path, r.URL.Query()))
	})
	return wails.Run(&options.App{
		Title:              title,
		Width:              1200,
		Height:             820,
		MinWidth:           640,
		MinHeight:          480,
		AssetServer:        &assetserver.Options{Handler: handler},
		Logger:             wailsLogger{log},
		LogLevel:           logger.WARNING,
		LogLevelProduction: logger.WARNING,
		BackgroundColour:   options.NewRGB(244, 246, 249),
		Windows:            windowsOptions("omni"),
		Linux:              &linux.Options{ProgramName: "phonebar-omni", WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
		OnStartup: func(ctx context.Context) {
			mu.Lock()
			appCtx = ctx
			mu.Unlock()
			if err := omni.TrustPinned(h); err != nil {
				log.WithError(err).Error("omni: the pinned certificate cannot be used by the window")
			}
			go func() {
				v, err := omni.AttachWebView(ctl)
				if err != nil {
					log.WithError(err).Error("omni: no login hand-off in this window")
					ctl.Unsupported(err)
					runtime.WindowReloadApp(ctx)
					return
				}
				ctl.Start(ctx, v)
			}()
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
	})
}
