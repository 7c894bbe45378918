package autostart

import "runtime"

// advice says what the user can do when the entry at where could not be written or removed.
func advice(op, where string) string {
	switch runtime.GOOS {
	case "windows":
		if op == "disable" {
			return `Remove it by hand in Task Manager > Startup apps (or delete the value "Phonebar" under HKEY_CURRENT_USER\` + RunKey + ` with regedit).`
		}
		return "Check that your account may change its own startup programs (a policy may forbid it), or add the Phonebar in Task Manager > Startup apps."
	case "darwin":
		if op == "disable" {
			return "Delete " + where + " by hand, or turn the Phonebar off in System Settings > General > Login Items."
		}
		return "Check that the folder ~/Library/LaunchAgents is yours and writable, or add the Phonebar in System Settings > General > Login Items."
	default:
		if op == "disable" {
			return "Delete " + where + " by hand, or turn the Phonebar off in your desktop's startup applications."
		}
		return "Check that the folder is yours and writable (ls -ld), or add the Phonebar in your desktop's startup applications."
	}
}
