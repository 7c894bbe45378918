//go:build !linux && !windows

package tray

import (
	"fmt"
	"runtime"

	"github.com/sirupsen/logrus"
)

// noHost is the tray of systems without one here. macOS: fyne.io/systray's menu-bar item needs cgo
// and must be created on the main thread that Wails' AppKit loop owns, which has not been done yet.
type noHost struct{}

func newSystemHost(logrus.FieldLogger) host { return noHost{} }

func (noHost) start(func(string)) error {
	return fmt.Errorf("%w: not built for %s yet", ErrUnavailable, runtime.GOOS)
}
func (noHost) show(Look)   {}
func (noHost) menu([]Item) {}
func (noHost) stop()       {}
