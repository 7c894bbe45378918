package app

import (
	"context"
	"io"
	"net/http"

	"github.com/sirupsen/logrus"
	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/logger"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/phonebar/phonebar/internal/logging"
	"github.com/phonebar/phonebar/internal/omni"
	"github.com/phonebar/phonebar/internal/problem"
)

// RunSignInWindow is the single sign-on window process (the hidden sso-window subcommand): an
// omni.SignInWindow (which decides everything) in a Wails window. It reads the request from in and
// writes the code to out.
func RunSignInWindow(in io.Reader, out io.Writer, log logrus.FieldLogger) error {
	w, err := omni.NewSignInWindow(in, out, log)
	if err != nil {
		return err
	}
	return runWebWindow(log, webWindow{title: w.Title(), program: "phonebar-signin", data: "signin", width: 520, height: 680, minWidth: 420,
		handler: w, trust: w.Trust, started: func(_ context.Context, win omni.Window) { w.Started(win) }, domReady: w.DOMReady})
}

// RunOmniWindow is the Omni Desktop window process (the hidden omni-window subcommand): an
// omni.OmniWindow (which decides everything) in a Wails window with no Go bindings. It reads the
// handoff from pipe.
func RunOmniWindow(pipe io.Reader, log logrus.FieldLogger) error {
	w, err := omni.NewOmniWindow(pipe, log, func(err error) string { return problem.Of(err).Message })
	if err != nil {
		return err
	}
	at, _ := w.Geometry()
	return runWebWindow(log, webWindow{title: w.Title(), program: "phonebar-omni", data: "omni", width: at.W, height: at.H, minWidth: omni.WindowMinWidth,
		handler: w, trust: w.Trust, beforeClose: w.BeforeClose,
		started: func(ctx context.Context, win omni.Window) { w.Started(ctx, win, omni.AttachWebView) }})
}

// barPlace is where the bar's window is on its screen (false before the window exists), in the
// logical pixels Wails gives and takes positions in.
func barPlace(ctx context.Context) (p omni.Place, ok bool) {
	if ctx != nil {
		screens, _ := runtime.ScreenGetAll(ctx)
		for _, s := range screens {
			if s.IsCurrent || !ok {
				p.Screen, ok = omni.Rect{W: s.Size.Width, H: s.Size.Height}, true
			}
		}
		p.Bar.X, p.Bar.Y = runtime.WindowGetPosition(ctx)
		p.Bar.W, p.Bar.H = runtime.WindowGetSize(ctx)
	}
	return p, ok
}

// webWindow is a helper process's web window: its own pages from handler, no Go bindings.
type webWindow struct {
	title, program, data    string // data names its WebView2 data folder
	width, height, minWidth int
	handler                 http.Handler
	trust                   func() error
	started                 func(context.Context, omni.Window)
	domReady                func(omni.Window)
	beforeClose             func(context.Context, omni.Window) bool
}

func runWebWindow(log logrus.FieldLogger, w webWindow) error {
	trust := func() {
		if err := w.trust(); err != nil {
			log.WithError(err).Error(w.program + ": the pinned certificate cannot be used by the window")
		}
	}
	if omni.TrustBeforeWindow {
		trust()
	}
	return wails.Run(&options.App{
		Title: w.title, Width: w.width, Height: w.height, MinWidth: w.minWidth, MinHeight: 480,
		AssetServer:        &assetserver.Options{Handler: w.handler},
		Logger:             logging.Lines{Log: log, Proc: "wails"}, // standard output is the answer's
		LogLevel:           logger.WARNING,
		LogLevelProduction: logger.WARNING,
		BackgroundColour:   options.NewRGB(244, 246, 249),
		Windows:            windowsOptions(w.data),
		Linux:              &linux.Options{ProgramName: w.program, WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
		OnStartup: func(ctx context.Context) {
			trust()
			w.started(ctx, wailsWindow{ctx})
		},
		OnDomReady: func(ctx context.Context) {
			if w.domReady != nil {
				w.domReady(wailsWindow{ctx})
			}
		},
		OnBeforeClose: func(ctx context.Context) bool {
			return w.beforeClose != nil && w.beforeClose(ctx, wailsWindow{ctx})
		},
	})
}

// wailsWindow is omni.Window and desktop.Window over the Wails runtime.
type wailsWindow struct{ ctx context.Context }

func (w wailsWindow) ExecJS(script string) { runtime.WindowExecJS(w.ctx, script) }
func (w wailsWindow) Hide()                { runtime.WindowHide(w.ctx) }
func (w wailsWindow) Reload()              { runtime.WindowReloadApp(w.ctx) }
func (w wailsWindow) Quit()                { runtime.Quit(w.ctx) }
func (w wailsWindow) Show() {
	runtime.WindowShow(w.ctx)
	runtime.WindowUnminimise(w.ctx)
}
func (w wailsWindow) Size() (int, int)             { return runtime.WindowGetSize(w.ctx) }
func (w wailsWindow) Position() (int, int)         { return runtime.WindowGetPosition(w.ctx) }
func (w wailsWindow) SetSize(width, height int)    { runtime.WindowSetSize(w.ctx, width, height) }
func (w wailsWindow) SetMinSize(width, height int) { runtime.WindowSetMinSize(w.ctx, width, height) }
func (w wailsWindow) SetPosition(x, y int)         { runtime.WindowSetPosition(w.ctx, x, y) }
func (w wailsWindow) SetAlwaysOnTop(on bool)       { runtime.WindowSetAlwaysOnTop(w.ctx, on) }
