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
	// data is called for capture with the samples recorded, for playback with the buffer to fill,
	// on the sound system's thread or on the goroutine that feeds it. It must copy and return at
	// once.
	data func(samples []int16)
	// played, for playback, gets the samples the device took, in order, as it takes them (silence
	// it played for want of samples included): after data in the same callback, or from the
	// driver's goroutine when data fills a queue ahead of the device. It must copy and return.
	played func(samples []int16)
	// stopped is called when the sound system stops the device by itself (disconnected).
	stopped func()
}

// driverStream is an opened device.
type driverStream interface {
	start() error
	sampleRate() int
	// queued is how many samples wait between the device's thread and data: recorded and not yet
	// handed over, or handed over and not yet played.
	queued() int
	// shortfall is how many samples the device's side lost so far: recorded with no room for them,
	// or silence played because data had not been called in time.
	shortfall() uint64
	// close stops and releases the device; it must not be called from inside a callback.
	close()
}
