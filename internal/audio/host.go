package audio

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Options configure a Host. The zero value talks to the platform's default sound system.
type Options struct {
	// Backend picks the sound system; zero means BackendAuto.
	Backend Backend
}

// Host is the Phonebar's connection to the sound system: device lists, microphone checks, test
// tones and call engines all go through one. It is safe for concurrent use. Build it with New and
// release it with Close after every Engine made from it is closed.
type Host struct {
	backend Backend

	mu     sync.Mutex
	drv    driver   // nil until first use, and again after the sound system failed
	stale  []driver // connections that failed; closed with the Host, as streams may still use them
	closed bool
}

// New returns a Host. It connects to the sound system lazily, so it succeeds even when no sound
// system is running (the first call that needs one then says so) and picks up a sound system that
// starts later.
func New(opts Options) *Host {
	b := opts.Backend
	if b == BackendUnknown {
		b = BackendAuto
	}
	return &Host{backend: b}
}

// driver connects on first use; a failed connection is retried by the next call.
func (h *Host) driver() (driver, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	if h.drv != nil {
		return h.drv, nil
	}
	d, err := newDriver(h.backend)
	if err != nil {
		return nil, err
	}
	h.drv = d
	return d, nil
}

// ListDevices returns the current microphones, speakers and ringer outputs, defaults marked. It
// asks the sound system afresh each time, so plugged and unplugged devices show at once.
func (h *Host) ListDevices(ctx context.Context) (Devices, error) {
	if err := ctx.Err(); err != nil {
		return Devices{}, err
	}
	d, err := h.driver()
	if err != nil {
		return Devices{}, err
	}
	mics, err := d.devices(KindCapture)
	if err != nil {
		h.dropDriver(d)
		return Devices{}, err
	}
	spk, err := d.devices(KindPlayback)
	if err != nil {
		h.dropDriver(d)
		return Devices{}, err
	}
	return Devices{Microphones: mics, Speakers: spk, Ringers: append([]Device(nil), spk...)}, nil
}

// dropDriver forgets a connection whose sound system failed (PulseAudio restarted, for example),
// so that the next call connects afresh.
func (h *Host) dropDriver(d driver) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.drv == d {
		h.drv = nil
		h.stale = append(h.stale, d)
	}
}

// resolveNamed finds the device named by idOrName (empty: the default) for a one-off use such as a
// check or a test tone. An unknown name is an error listing what exists.
func (h *Host) resolveNamed(ctx context.Context, kind DeviceKind, idOrName string) (Device, error) {
	devs, err := h.ListDevices(ctx)
	if err != nil {
		return Device{}, err
	}
	if idOrName == "" {
		d, ok := devs.Default(kind)
		if !ok {
			return Device{}, fmt.Errorf("%w: no %s is connected", ErrNoDevice, kind)
		}
		return d, nil
	}
	d, ok := devs.Find(kind, idOrName)
	if !ok {
		return Device{}, &DeviceNotFoundError{Kind: kind, Wanted: idOrName, Available: devs.Names(kind)}
	}
	return d, nil
}

// Close disconnects from the sound system. Engines made from the Host must be closed first.
// Closing twice is harmless.
func (h *Host) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	var errs []error
	for _, d := range h.stale {
		errs = append(errs, d.close())
	}
	h.stale = nil
	if h.drv != nil {
		errs = append(errs, h.drv.close())
		h.drv = nil
	}
	return errors.Join(errs...)
}
