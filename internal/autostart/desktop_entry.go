package autostart

import (
	"path"
	"strings"
)

// LinuxPath is where the XDG autostart entry of id lives: $XDG_CONFIG_HOME/autostart/ID.desktop,
// with ~/.config when XDG_CONFIG_HOME is unset or not absolute (the XDG base directory rules).
// It is a Linux path, built with '/' whatever system runs it.
func LinuxPath(id, xdgConfigHome, home string) string {
	dir := xdgConfigHome
	if dir == "" || !path.IsAbs(dir) {
		dir = path.Join(home, ".config")
	}
	return path.Join(dir, "autostart", id+".desktop")
}

// DesktopEntry is the XDG autostart desktop entry of e (Desktop Entry Specification 1.5).
func DesktopEntry(e Entry) []byte {
	var b strings.Builder
	b.WriteString("[Desktop Entry]\n")
	b.WriteString("Type=Application\n")
	b.WriteString("Name=" + escapeValue(e.Name) + "\n")
	b.WriteString("Comment=Starts the Phonebar when you log in (turn it off in the Phonebar's tray menu)\n")
	b.WriteString("Exec=" + escapeValue(execArg(e.Exec)) + "\n")
	b.WriteString("Icon=phonebar\n")
	b.WriteString("Terminal=false\n")
	b.WriteString("X-GNOME-Autostart-enabled=true\n")
	return []byte(b.String())
}

// execArg quotes a path for the Exec key when it needs it: in double quotes, with '"', '`', '$'
// and '\' escaped by a backslash, and '%' doubled (field codes).
func execArg(s string) string {
	s = strings.ReplaceAll(s, "%", "%%")
	if !strings.ContainsAny(s, " \t\"'\\><~|&;$*?#()`=") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", `$`, `\$`)
	return `"` + r.Replace(s) + `"`
}

// escapeValue escapes a string value of a desktop entry: '\' as "\\" (the Exec key's quoting is
// read after this), and control characters as their escapes.
func escapeValue(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\t", `\t`, "\r", `\r`).Replace(s)
}
