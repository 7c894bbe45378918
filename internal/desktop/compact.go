package desktop

import (
	"fmt"
	"time"

	"github.com/sirupsen/logrus"
)

// The window's sizes: its normal minimum (app.Run's MinWidth and MinHeight) and its compact size
// during calls, small enough to sit beside another application and large enough for the call card
// with its buttons.
const (
	MinWidth      = 340
	MinHeight     = 520
	CompactWidth  = 340
	CompactHeight = 280
)

// Rect is where a window is: its top-left corner on the screen and its size, in the window system's
// logical pixels.
type Rect struct{ X, Y, W, H int }

// Window is the Phonebar window as the desktop uses it. Sizes are in the window system's logical
// pixels; a position is the window's top-left corner on the screen.
type Window interface {
	// Show brings the window to the front, unminimised.
	Show()
	// Quit closes the Phonebar as the window's own close does: during a call the window asks first.
	Quit()
	Size() (w, h int)
	Position() (x, y int)
	SetSize(w, h int)
	SetMinSize(w, h int)
	SetPosition(x, y int)
	SetAlwaysOnTop(on bool)
}

// compact puts the window in its compact, always-on-top form and back. Its methods are called from
// the desktop's loop only.
type compact struct {
	win Window
	// native: win is this process's own GTK window, placed on GTK's main thread (placeNative).
	native bool
	log    logrus.FieldLogger
	// minW and minH are the window's minimum as last set natively (0: the start's, MinWidth and
	// MinHeight).
	minW, minH int
	// saved is the window's place before it went compact; nil while it is not compact.
	saved *Rect
}

// follow makes the window compact when want (a call is up and the setting is on), where it is, and
// puts it back where and as large as it was when not.
func (c *compact) follow(want bool) {
	switch {
	case want && c.saved == nil:
		var r Rect
		r.X, r.Y = c.win.Position()
		r.W, r.H = c.win.Size()
		c.saved = &r
		c.place(Rect{X: r.X, Y: r.Y, W: CompactWidth, H: CompactHeight}, CompactWidth, CompactHeight, true)
	case !want && c.saved != nil:
		r := *c.saved
		c.saved = nil
		c.place(r, MinWidth, MinHeight, false)
	}
}

// place sets the window's minimum size to minW×minH (first: a window is never smaller than its
// minimum), puts it at r, and keeps it above other windows or not.
// A window system may apply the size before the new minimum (GTK under openbox was seen keeping
// 340x520): the size is asked again until it reads back, a few times.
func (c *compact) place(r Rect, minW, minH int, onTop bool) {
	if c.native && haveNative && c.placeNative(r, minW, minH, onTop) {
		return
	}
	c.win.SetMinSize(minW, minH)
	for try := 0; ; try++ {
		c.win.SetSize(r.W, r.H)
		if w, h := c.win.Size(); (w == r.W && h == r.H) || try == sizeTries {
			break
		}
		time.Sleep(sizeRetry)
	}
	c.win.SetPosition(r.X, r.Y)
	c.win.SetAlwaysOnTop(onTop)
}

// placeNative changes the window on GTK's main thread. A minimum that would force another size is
// never set together with a resize (the window manager's answers to the two came back in either
// order, and the window stayed 340x520 after a call): a lower minimum goes first, a higher one
// once the window has its new size. The size is asked again until it reads back, a few times.
func (c *compact) placeNative(r Rect, minW, minH int, onTop bool) bool {
	var nw nativeWindow
	lower := minW <= c.minW && minH <= c.minH
	if lower && !nw.minimum(minW, minH) {
		return false
	}
	var w, h int
	for try := 0; try < sizeTries; try++ {
		if try%4 == 0 && !nw.geometry(r, onTop) {
			return false
		}
		time.Sleep(sizeRetry)
		if w, h = c.win.Size(); w == r.W && h == r.H {
			break
		}
	}
	if w != r.W || h != r.H {
		c.log.WithFields(logrus.Fields{"want": fmt.Sprintf("%dx%d", r.W, r.H), "got": fmt.Sprintf("%dx%d", w, h)}).Warn("desktop: the window's size did not apply")
	}
	if !lower && !nw.minimum(minW, minH) {
		return false
	}
	c.minW, c.minH = minW, minH
	return true
}

// sizeTries and sizeRetry bound the wait for a size to apply.
const (
	sizeTries = 10
	sizeRetry = 50 * time.Millisecond
)

// active says the window is compact now.
func (c *compact) active() bool { return c.saved != nil }
