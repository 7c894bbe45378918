package app

import (
	"context"
	"io/fs"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/options/mac"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/phonebar/phonebar/internal/desktop"
	"github.com/phonebar/phonebar/internal/logging"
	"github.com/phonebar/phonebar/internal/omni"
	"github.com/phonebar/phonebar/internal/station"
)

// Options configures the window.
type Options struct {
	// Assets is the built frontend (frontend/dist).
	Assets fs.FS
	// Icon is the window icon (PNG); nil means none.
	Icon []byte
	// Demo starts the embedded Motion-compatible demo server and points the login form at it.
	Demo bool
	// DemoListen is the demo server's address; empty means 127.0.0.1:0 (a free port).
	DemoListen string
	// Logger receives the app's logs; nil means logrus.StandardLogger(). Logs are its files.
	Logger *logrus.Logger
	// Launch is the instance this start claimed and the link it was given (station.Launch).
	Launch station.Launch
	Logs   *logging.Logs
}

// started is when the process began, for the cold-start figure logged at UIReady.
var started = time.Now()

// Run opens the Phonebar window and returns when it closes.
func Run(opts Options) error {
	if opts.Logger == nil {
		opts.Logger = logrus.StandardLogger()
	}
	log := opts.Logger

	var wctx atomic.Pointer[context.Context]
	var dt atomic.Pointer[desktop.Desktop] // the desktop, once the window exists
	windowCtx := func() context.Context {
		if c := wctx.Load(); c != nil {
			return *c
		}
		return nil
	}
	emit := wailsEmitter{ctx: windowCtx}

	core, err := newCore(opts, emit)
	if err != nil {
		return err
	}
	core.quit = func() {
		if ctx := windowCtx(); ctx != nil {
			runtime.Quit(ctx)
		}
	}
	core.show = func() {
		if ctx := windowCtx(); ctx != nil {
			runtime.WindowUnminimise(ctx)
			runtime.Show(ctx)
		}
	}
	core.place = func() (omni.Place, bool) { return barPlace(windowCtx()) }
	defer core.st.Close()

	return wails.Run(&options.App{
		Title:     "Phonebar",
		Width:     400,
		Height:    660,
		MinWidth:  desktop.MinWidth,
		MinHeight: desktop.MinHeight,
		AssetServer: &assetserver.Options{
			Assets: opts.Assets,
		},
		BackgroundColour: options.NewRGB(244, 246, 249),
		// Only the app's own origin may call bound methods (the Wails default when this is
		// empty); the Omni Desktop runs in another process with nothing bound.
		BindingsAllowedOrigins: "",
		ErrorFormatter:         FormatError,
		Bind:                   core.bindings(),
		// A fallback behind internal/instance (main.go), which hands later starts over first.
		SingleInstanceLock: &options.SingleInstanceLock{UniqueId: "dev.phonebar.app",
			OnSecondInstanceLaunch: func(d options.SecondInstanceData) { core.show(); core.st.HandoffArgs(d.Args) }},
		Mac:     &mac.Options{OnUrlOpen: core.st.OpenLink}, // macOS hands a clicked link to the running app
		Windows: windowsOptions("main"),
		Linux:   &linux.Options{ProgramName: "phonebar", Icon: opts.Icon, WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
		OnStartup: func(ctx context.Context) {
			wctx.Store(&ctx)
			dt.Store(desktop.Start(desktop.Options{Station: core.st, Window: wailsWindow{ctx}, Notify: emit.Notify, Logger: log, NativeWindow: true}))
			if err := runtime.InitializeNotifications(ctx); err != nil {
				log.WithError(err).Info("desktop notifications are not available")
			}
			log.WithField("ms", time.Since(started).Milliseconds()).Debug("window started")
		},
		// Closing the window during a call asks the agent first (the window answers with Session.Quit).
		OnBeforeClose: func(context.Context) bool {
			if !core.st.AskBeforeClose() {
				return false
			}
			if d := dt.Load(); d != nil {
				go d.AskAtFullSize() // a compact window would hide the question (this is GTK's thread)
			}
			emit.Emit(EventCloseRequested, nil)
			return true
		},
		OnShutdown: func(context.Context) {
			core.st.Shutdown() // the bound methods still running give up
			wctx.Store(nil)
		},
	})
}
