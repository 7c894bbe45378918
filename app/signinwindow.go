package app

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/logger"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/phonebar/phonebar/internal/omni"
)

// signInPage is the window's own page: the placeholder before the provider's page loads, and the
// last page once the code is back.
var signInPage = template.Must(template.New("signin").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
  html, body { height: 100%; margin: 0; font-family: "Segoe UI", system-ui, "DejaVu Sans", sans-serif; background: #f4f6f9; color: #18202b; }
  body { display: grid; place-items: center; }
  p { font-size: 15px; color: #5b6675; }
</style></head>
<body><p>{{.Text}}</p></body></html>`))

// RunSignInWindow is the single sign-on window process (the hidden sso-window subcommand). It reads
// an omni.SignIn from in, shows the provider's sign-in page of the server, and once the sign-in ends
// at the server's callback writes the code to out and closes. Closing in (the Phonebar gave up) or
// the window (the agent did) ends it without a code.
func RunSignInWindow(in io.Reader, out io.Writer, log logrus.FieldLogger) error {
	req, err := omni.ReadSignIn(in)
	if err != nil {
		return err
	}
	script := omni.SignInScript(req, appOrigin)
	var (
		mu   sync.Mutex
		done bool
	)
	title := req.Title
	if title == "" {
		title = "Sign in"
	}
	page := func(w http.ResponseWriter, text string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_ = signInPage.Execute(w, struct{ Title, Text string }{title, text})
	}
	var appCtx context.Context
	ready := make(chan struct{})
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != omni.SignInDonePath {
			page(w, "Opening the sign-in page…")
			return
		}
		q := r.URL.Query()
		code, state := q.Get("code"), q.Get("state")
		if !req.Check(code, state) {
			log.Warn("sign-in: the callback did not carry this sign-in's state; ignored")
			page(w, "This sign-in did not start here. Close this window and sign in again from the Phonebar.")
			return
		}
		mu.Lock()
		first := !done
		done = true
		mu.Unlock()
		if first {
			if err := omni.WriteSignInResult(out, omni.SignInResult{Code: code, State: state}); err != nil {
				log.WithError(err).Warn("sign-in: the Phonebar is gone")
			}
		}
		page(w, "Signed in. Going back to the Phonebar…")
		go func() {
			<-ready
			time.Sleep(300 * time.Millisecond)
			runtime.Quit(appCtx)
		}()
	})
	if trustBeforeWindow {
		if err := req.Trust(); err != nil {
			log.WithError(err).Error("sign-in: the pinned certificate cannot be used by the window")
		}
	}
	return wails.Run(&options.App{
		Title:       title,
		Width:       520,
		Height:      680,
		MinWidth:    420,
		MinHeight:   480,
		AssetServer: &assetserver.Options{Handler: handler},
		Logger:      wailsLogger{log},
		LogLevel:    logger.WARNING,
		// Production builds use LogLevelProduction.
		LogLevelProduction: logger.WARNING,
		BackgroundColour:   options.NewRGB(244, 246, 249),
		Windows:            windowsOptions("signin"),
		Linux:              &linux.Options{ProgramName: "phonebar-signin", WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
		OnStartup: func(ctx context.Context) {
			appCtx = ctx
			close(ready)
			if err := req.Trust(); err != nil {
				log.WithError(err).Error("sign-in: the pinned certificate cannot be used by the window")
			}
			// The Phonebar closes the pipe when it stops waiting: close the window then.
			go func() {
				_, _ = io.Copy(io.Discard, in)
				runtime.Quit(ctx)
			}()
		},
		OnDomReady: openThenRun(req.AuthorizeURL(), script),
	})
}

// wailsLogger sends the window framework's log lines to the Phonebar's log (standard error), so
// that standard output carries the sign-in answer only.
type wailsLogger struct{ log logrus.FieldLogger }

func (l wailsLogger) line(level logrus.Level, msg string) {
	l.log.WithField("proc", "wails").Log(level, strings.TrimSpace(msg))
}

func (l wailsLogger) Print(m string)   { l.line(logrus.InfoLevel, m) }
func (l wailsLogger) Trace(m string)   { l.line(logrus.TraceLevel, m) }
func (l wailsLogger) Debug(m string)   { l.line(logrus.DebugLevel, m) }
func (l wailsLogger) Info(m string)    { l.line(logrus.InfoLevel, m) }
func (l wailsLogger) Warning(m string) { l.line(logrus.WarnLevel, m) }
func (l wailsLogger) Error(m string)   { l.line(logrus.ErrorLevel, m) }
func (l wailsLogger) Fatal(m string)   { l.line(logrus.ErrorLevel, m) }

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
