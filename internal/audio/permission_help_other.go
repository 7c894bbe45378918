//go:build !darwin && !windows

package audio

const accessDeniedHelp = "The system does not allow the Phonebar to use the microphone: check the sound " +
	"settings (and, in a Flatpak or Snap, the app's microphone permission), then try again."
