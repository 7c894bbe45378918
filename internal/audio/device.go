package audio

import (
	"fmt"
	"strings"
)

// DeviceKind is the direction of a device.
type DeviceKind int

// Device kinds.
const (
	// KindUnknown is the zero DeviceKind.
	KindUnknown DeviceKind = iota
	// KindCapture is a microphone (an input).
	KindCapture
	// KindPlayback is a speaker, headset or ringer output.
	KindPlayback
)

// String implements fmt.Stringer with words a user reads.
func (k DeviceKind) String() string {
	switch k {
	case KindCapture:
		return "microphone"
	case KindPlayback:
		return "speaker"
	default:
		return "unknown device"
	}
}

// Device is one input or output as the sound system lists it.
type Device struct {
	// ID is the sound system's stable identifier (PulseAudio: the source or sink name; Windows: the
	// endpoint ID; macOS: the device UID). Readable when it is plain text, else "hex:..." bytes.
	ID string `json:"id"`
	// Name is the human-readable description shown in the lists.
	Name string `json:"name"`
	// Kind says whether it is a microphone or a speaker.
	Kind DeviceKind `json:"-"`
	// IsDefault marks the system default of its kind.
	IsDefault bool `json:"is_default"`
}

// String is the device's name with its ID.
func (d Device) String() string {
	if d.ID == "" {
		return d.Name
	}
	return fmt.Sprintf("%s (%s)", d.Name, d.ID)
}

// DeviceRef is a remembered device choice: what the agent picked, kept in the settings. Both the
// ID and the name are kept, because an ID can change when a USB headset moves to another port while
// its name stays, and two devices can share a name. The zero DeviceRef means "the system default".
type DeviceRef struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// IsZero reports whether the reference means the system default.
func (r DeviceRef) IsZero() bool { return r.ID == "" && r.Name == "" }

// Ref is the reference that picks d again later.
func (d Device) Ref() DeviceRef { return DeviceRef{ID: d.ID, Name: d.Name} }

// Devices are the lists shown to the agent. Ringers lists the same outputs as Speakers: the ringer
// is chosen separately so a call can ring on the loudspeaker while the talk goes to the headset.
type Devices struct {
	Microphones []Device `json:"microphones"`
	Speakers    []Device `json:"speakers"`
	Ringers     []Device `json:"ringers"`
}

// List returns the devices of one kind.
func (ds Devices) List(kind DeviceKind) []Device {
	switch kind {
	case KindCapture:
		return ds.Microphones
	case KindPlayback:
		return ds.Speakers
	default:
		return nil
	}
}

// Default returns the system default of kind, or the first listed when none is marked.
func (ds Devices) Default(kind DeviceKind) (Device, bool) {
	list := ds.List(kind)
	for _, d := range list {
		if d.IsDefault {
			return d, true
		}
	}
	if len(list) > 0 {
		return list[0], true
	}
	return Device{}, false
}

// Find looks a device up by ID or by name (exact first, then ignoring case), as typed on a command
// line or stored in a DeviceRef.
func (ds Devices) Find(kind DeviceKind, idOrName string) (Device, bool) {
	list := ds.List(kind)
	for _, d := range list {
		if d.ID == idOrName {
			return d, true
		}
	}
	for _, d := range list {
		if d.Name == idOrName {
			return d, true
		}
	}
	for _, d := range list {
		if strings.EqualFold(d.Name, idOrName) || strings.EqualFold(d.ID, idOrName) {
			return d, true
		}
	}
	return Device{}, false
}

// Names lists the device names of kind, for messages.
func (ds Devices) Names(kind DeviceKind) []string {
	list := ds.List(kind)
	names := make([]string, len(list))
	for i, d := range list {
		names[i] = d.Name
	}
	return names
}

// Resolution is the outcome of looking a remembered choice up in the current lists.
type Resolution struct {
	// Device is the one to use.
	Device Device
	// FellBack is true when the preferred device is missing and Device is the default instead.
	FellBack bool
	// Message says so in plain words when FellBack is true; empty otherwise.
	Message string
}

// Resolve picks the device for pref: the one with its ID, else one with its name, else the system
// default (FellBack, with a message). It fails with ErrNoDevice only when there is no device of
// the kind at all.
func (ds Devices) Resolve(kind DeviceKind, pref DeviceRef) (Resolution, error) {
	if !pref.IsZero() {
		if pref.ID != "" {
			for _, d := range ds.List(kind) {
				if d.ID == pref.ID {
					return Resolution{Device: d}, nil
				}
			}
		}
		if pref.Name != "" {
			if d, ok := ds.Find(kind, pref.Name); ok {
				return Resolution{Device: d}, nil
			}
		}
	}
	def, ok := ds.Default(kind)
	if !ok {
		return Resolution{}, fmt.Errorf("%w: no %s is connected", ErrNoDevice, kind)
	}
	if pref.IsZero() {
		return Resolution{Device: def}, nil
	}
	name := pref.Name
	if name == "" {
		name = pref.ID
	}
	return Resolution{
		Device:   def,
		FellBack: true,
		Message: fmt.Sprintf("Your %s %q is not connected: using %q, the system default, until it is back.",
			kind, name, def.Name),
	}, nil
}
