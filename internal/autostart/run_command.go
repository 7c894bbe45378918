package autostart

import "strings"

// RunKey is the registry key, under HKEY_CURRENT_USER, whose values Windows starts at logon.
const RunKey = `Software\Microsoft\Windows\CurrentVersion\Run`

// RunCommand is the command line stored in the Run value of e: the program's path in double quotes
// (a path with spaces would otherwise be split).
func RunCommand(e Entry) string {
	return `"` + strings.ReplaceAll(e.Exec, `"`, ``) + `"`
}
