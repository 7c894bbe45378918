package app

import (
	"context"
	"fmt"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// Event names the frontend listens to.
const (
	// EventSession carries a SessionView whenever the session or its connection changes.
	EventSession = "session"
	// EventOmni carries an OmniView when the Omni Desktop window opens or closes.
	EventOmni = "omni"
	// EventCloseRequested says the window is being closed during a call: the window asks first.
	EventCloseRequested = "close-requested"
)

// Emitter sends events to the frontend and desktop notifications; tests record them instead.
type Emitter interface {
	Emit(name string, data any)
	// Notify shows a desktop notification (an incoming call while the window is hidden).
	Notify(title, body string)
}

// wailsEmitter emits through the Wails runtime once the window's context is known.
type wailsEmitter struct {
	ctx func() context.Context
}

func (e wailsEmitter) Emit(name string, data any) {
	if ctx := e.ctx(); ctx != nil {
		runtime.EventsEmit(ctx, name, data)
	}
}

func (e wailsEmitter) Notify(title, body string) {
	ctx := e.ctx()
	if ctx == nil {
		return
	}
	_ = runtime.SendNotification(ctx, runtime.NotificationOptions{
		ID:    fmt.Sprintf("phonebar-%d", time.Now().UnixNano()),
		Title: title,
		Body:  body,
	})
}
