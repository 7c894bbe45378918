package audio

// EventKind says what happened to an Engine's devices.
type EventKind int

// Event kinds.
const (
	// EventUnknown is the zero EventKind.
	EventUnknown EventKind = iota
	// EventDeviceLost: the device in use disappeared; the Engine keeps the call going (silence in
	// that direction) and opens the default.
	EventDeviceLost
	// EventFallback: the preferred device is missing, so the system default is in use.
	EventFallback
	// EventRestored: the preferred device is back and in use again.
	EventRestored
	// EventSwitched: the Engine moved to another device (SwitchDevice, or after a loss).
	EventSwitched
	// EventNoDevice: no device of the kind can be opened; the Engine retries.
	EventNoDevice
)

// String implements fmt.Stringer.
func (k EventKind) String() string {
	switch k {
	case EventDeviceLost:
		return "device lost"
	case EventFallback:
		return "fallback"
	case EventRestored:
		return "restored"
	case EventSwitched:
		return "switched"
	case EventNoDevice:
		return "no device"
	default:
		return "unknown"
	}
}

// Event reports a device change in an Engine. Message is written for the agent.
type Event struct {
	Kind    EventKind
	Dir     DeviceKind // KindCapture or KindPlayback
	Device  Device     // the device now in use (or lost, for EventDeviceLost)
	Message string
	Err     error
}
