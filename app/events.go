package app

import (
	"context"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// Event names the frontend listens to.
const (
	// EventSession carries a SessionView whenever the session or its connection changes.
	EventSession = "session"
	// EventOmni carries an OmniView when the Omni Desktop window opens or closes.
	EventOmni = "omni"
)

// Emitter sends events to the frontend; tests record them instead.
type Emitter interface {
	Emit(name string, data any)
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
