package audio

const accessDeniedHelp = "Windows does not allow the Phonebar to use the microphone: open Settings → " +
	"Privacy & security → Microphone, turn on \"Microphone access\" and \"Let desktop apps access your " +
	"microphone\", then try again."
