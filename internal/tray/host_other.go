//go:build !linux && !windows

package tray

import (
	"fmt"
	"runtime"

	"github.com/sirupsen/logrus"
)

// noHost is the tray of systems without one here.
//
// macOS, looked into (fyne.io/systray v1.12.2, Wails v2.13) and left undone because nothing of it
// can be compiled or run on the Linux machine this is built on:
//   - Wails v2 offers no menu-bar (NSStatusItem) item and no Dock menu; its only macOS menu is the
//     application menu (options.App.Menu, runtime.MenuUpdateApplicationMenu), shown only while the
//     Phonebar is the frontmost app, and reachable only from app/ (internal packages do not import
//     Wails). That is not a tray.
//   - fyne.io/systray can live beside Wails: RunWithExternalLoop does not take NSApp's delegate, and
//     every later call already hops to the main thread (performSelectorOnMainThread). What it needs
//     is its start function (nativeStart, which creates the NSStatusItem) called once on the main
//     thread after Wails' [NSApp run] began: a darwin && cgo host here whose start schedules it with
//     dispatch_async_f(dispatch_get_main_queue(), ...) into a cgo-exported Go function.
//   - That host needs cgo with the macOS SDK (the release build's, build/darwin/build); here only
//     GOOS=darwin CGO_ENABLED=0 builds, which would compile this file and not the host. Written
//     without a compiler or a Mac, it would be untested code; it is the next step on a Mac.
type noHost struct{}

func newSystemHost(logrus.FieldLogger) host { return noHost{} }

func (noHost) start(func(string)) error {
	return fmt.Errorf("%w: not built for %s yet", ErrUnavailable, runtime.GOOS)
}
func (noHost) show(Look)   {}
func (noHost) menu([]Item) {}
func (noHost) stop()       {}
