package audio

import (
	"context"
	"time"
)

// DefaultWatchInterval is how often a Watcher asks for the device lists.
const DefaultWatchInterval = 2 * time.Second

// DeviceChange is one difference between two device listings.
type DeviceChange struct {
	// Devices is the new listing (empty when Err is set).
	Devices Devices
	// Added and Removed are the devices that appeared and disappeared, either kind.
	Added, Removed []Device
	// DefaultChanged is true when the system default microphone or speaker changed.
	DefaultChanged bool
	// Err is set while the sound system cannot be reached (it stopped, or is restarting); the change
	// that clears it lists everything as Added again.
	Err error
}

// Watcher reports device changes (a headset plugged in or out, the default switched, the sound
// system going away and coming back) by polling the Host: miniaudio has no portable hot-plug
// notification. OnChange runs on Run's goroutine, in order, never under a lock.
type Watcher struct {
	// Host is the sound system to watch. Required.
	Host *Host
	// Interval between listings; 0 means DefaultWatchInterval.
	Interval time.Duration
	// OnChange receives every change; the first listing is reported as all devices Added.
	OnChange func(DeviceChange)
}

// Run polls until ctx ends, then returns nil.
func (w *Watcher) Run(ctx context.Context) error {
	interval := w.Interval
	if interval <= 0 {
		interval = DefaultWatchInterval
	}
	var last Devices
	var lastErr error
	first := true
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		devs, err := w.Host.ListDevices(ctx)
		if ctx.Err() != nil {
			return nil
		}
		var ch DeviceChange
		changed := false
		switch {
		case err != nil:
			if lastErr == nil || first {
				ch = DeviceChange{Err: err, Removed: all(last)}
				changed = true
				last = Devices{}
			}
			lastErr = err
		default:
			ch = diffDevices(last, devs)
			changed = first || lastErr != nil || len(ch.Added) > 0 || len(ch.Removed) > 0 || ch.DefaultChanged
			last, lastErr = devs, nil
		}
		first = false
		if changed && w.OnChange != nil {
			w.OnChange(ch)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func all(d Devices) []Device {
	return append(append([]Device(nil), d.Microphones...), d.Speakers...)
}

// diffDevices compares two listings by kind and ID.
func diffDevices(old, cur Devices) DeviceChange {
	ch := DeviceChange{Devices: cur}
	for _, kind := range []DeviceKind{KindCapture, KindPlayback} {
		before, after := map[string]Device{}, map[string]Device{}
		for _, d := range old.List(kind) {
			before[d.ID] = d
		}
		for _, d := range cur.List(kind) {
			after[d.ID] = d
			if _, ok := before[d.ID]; !ok {
				ch.Added = append(ch.Added, d)
			}
		}
		for _, d := range old.List(kind) {
			if _, ok := after[d.ID]; !ok {
				ch.Removed = append(ch.Removed, d)
			}
		}
		od, _ := old.Default(kind)
		nd, _ := cur.Default(kind)
		if od.ID != nd.ID && len(old.List(kind)) > 0 {
			ch.DefaultChanged = true
		}
	}
	return ch
}
