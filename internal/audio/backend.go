package audio

// Backend chooses the sound system a Host talks to.
type Backend int

// Backends.
const (
	// BackendUnknown is the zero Backend; Options treat it as BackendAuto.
	BackendUnknown Backend = iota
	// BackendAuto tries the platform's sound systems in miniaudio's order (Linux: PulseAudio, then
	// ALSA, then JACK; Windows: WASAPI first; macOS: Core Audio).
	BackendAuto
	// BackendPulseAudio uses PulseAudio (or PipeWire's PulseAudio server) only.
	BackendPulseAudio
	// BackendALSA uses ALSA only.
	BackendALSA
	// BackendNull is miniaudio's null backend: one silent microphone and one speaker that plays
	// nowhere, both running in real time. For unit tests.
	BackendNull
)

// String implements fmt.Stringer.
func (b Backend) String() string {
	switch b {
	case BackendAuto:
		return "auto"
	case BackendPulseAudio:
		return "pulseaudio"
	case BackendALSA:
		return "alsa"
	case BackendNull:
		return "null"
	default:
		return "unknown"
	}
}

// driver is the seam between this package and the sound system (miniaudio under cgo, a stub
// without). Streams are mono int16.
type driver interface {
	devices(kind DeviceKind) ([]Device, error)
	open(cfg streamConfig) (driverStream, error)
	close() error
}

// streamConfig opens one device in one direction.
type streamConfig struct {
	kind     DeviceKind
	deviceID string // "" opens the system default
	rate     int    // 0 takes the device's own rate
	periodMs int    // 0 lets the sound system choose
	// data is called on the sound system's thread: for capture with the samples recorded, for
	// playback with the buffer to fill. It must copy and return at once.
	data func(samples []int16)
	// stopped is called when the sound system stops the device by itself (disconnected).
	stopped func()
}

// driverStream is an opened device.
type driverStream interface {
	start() error
	sampleRate() int
	// close stops and releases the device; it must not be called from inside a callback.
	close()
}
