package audio

const accessDeniedHelp = "macOS does not allow the Phonebar to use the microphone: open System Settings → " +
	"Privacy & Security → Microphone, turn Phonebar on, then quit and reopen the Phonebar."
