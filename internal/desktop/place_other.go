//go:build !linux || !cgo

package desktop

// nativeWindow is written for GTK only; elsewhere the window is changed through Window's methods.
type nativeWindow struct{}

func (nativeWindow) minimum(int, int) bool    { return false }
func (nativeWindow) geometry(Rect, bool) bool { return false }

const haveNative = false
