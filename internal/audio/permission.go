package audio

// Permission is the operating system's answer to "may the Phonebar use the microphone?".
type Permission int

// Permissions.
const (
	// PermissionUnknown is the zero Permission: the system was not asked, or has no such setting
	// (Linux).
	PermissionUnknown Permission = iota
	// PermissionGranted: access allowed.
	PermissionGranted
	// PermissionDenied: the user or a policy refused access.
	PermissionDenied
	// PermissionNotDetermined: the user has not been asked yet; opening the microphone asks.
	PermissionNotDetermined
)

// String implements fmt.Stringer.
func (p Permission) String() string {
	switch p {
	case PermissionGranted:
		return "granted"
	case PermissionDenied:
		return "denied"
	case PermissionNotDetermined:
		return "not determined"
	default:
		return "unknown"
	}
}

// MicrophonePermission asks the operating system whether the Phonebar may record. Only macOS
// answers before a device is opened; elsewhere it is PermissionUnknown and a refusal shows up as
// ErrAccessDenied when the microphone is opened (Windows privacy settings).
func MicrophonePermission() Permission { return microphonePermission() }

// AccessDeniedHelp says where the user changes the microphone permission on this system.
func AccessDeniedHelp() string { return accessDeniedHelp }
