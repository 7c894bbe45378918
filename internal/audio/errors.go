package audio

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrNoAudioSupport is returned by everything that touches a device in a build without cgo.
	ErrNoAudioSupport = errors.New("audio: this Phonebar was built without audio support (cgo disabled)")
	// ErrNoAudioServer is returned when no sound system could be reached (for example PulseAudio is
	// not running and ALSA has no device).
	ErrNoAudioServer = errors.New("audio: no sound system is running")
	// ErrNoDevice is returned when there is no device of the kind asked for.
	ErrNoDevice = errors.New("audio: no such audio device")
	// ErrDeviceNotFound is the sentinel inside *DeviceNotFoundError.
	ErrDeviceNotFound = errors.New("audio: device not found")
	// ErrAccessDenied is returned when the operating system refuses access to the microphone.
	ErrAccessDenied = errors.New("audio: access to the microphone was denied by the operating system")
	// ErrFormatUnsupported is returned when a device refuses every sample format offered.
	ErrFormatUnsupported = errors.New("audio: the device refused the sample format")
	// ErrDeviceLost is returned when a device disappears while it is in use.
	ErrDeviceLost = errors.New("audio: the device was disconnected")
	// ErrNoSignal is returned when a device opened but delivered or consumed no audio in time.
	ErrNoSignal = errors.New("audio: the device did not start streaming")
	// ErrClosed is returned by a Host or Engine used after Close.
	ErrClosed = errors.New("audio: closed")
)

// DeviceNotFoundError says that a device named by the user does not exist, and which do.
type DeviceNotFoundError struct {
	Kind      DeviceKind
	Wanted    string
	Available []string
}

// Error implements error.
func (e *DeviceNotFoundError) Error() string {
	if len(e.Available) == 0 {
		return fmt.Sprintf("no %s named %q: there is no %s at all", e.Kind, e.Wanted, e.Kind)
	}
	return fmt.Sprintf("no %s named %q; available: %s", e.Kind, e.Wanted, quoteList(e.Available))
}

// Unwrap makes errors.Is(err, ErrDeviceNotFound) true.
func (e *DeviceNotFoundError) Unwrap() error { return ErrDeviceNotFound }

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
