// Package autostart makes the Phonebar start when the user logs in to the desktop, and stops that:
// an XDG autostart desktop entry on Linux ($XDG_CONFIG_HOME/autostart), a value under
// HKCU\Software\Microsoft\Windows\CurrentVersion\Run on Windows, a LaunchAgent property list in
// ~/Library/LaunchAgents on macOS. Everything is per user: no administrator rights are needed.
//
// What each system's entry says is built by OS-neutral functions (DesktopEntry, RunCommand,
// LaunchAgent) tested on every system; Enable, Disable and Enabled write, remove and read it.
package autostart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Entry is the program that starts with the system.
type Entry struct {
	// ID names the entry: the desktop file's and the property list's name, the registry value's
	// name. Letters, digits, '.', '-' and '_' only.
	ID string
	// Name is what the desktop shows ("Phonebar").
	Name string
	// Exec is the absolute path of the program.
	Exec string
}

// ErrUnsupported is matched by the errors of a system without autostart here.
var ErrUnsupported = errors.New("autostart: not supported on this system")

// Error says which entry could not be written or removed, why, and what the user can do.
type Error struct {
	// Op is "enable" or "disable".
	Op string
	// Where is the file or registry key.
	Where string
	Err   error
}

func (e *Error) Error() string {
	what := "Starting with the system could not be turned on"
	if e.Op == "disable" {
		what = "Starting with the system could not be turned off"
	}
	return fmt.Sprintf("%s: %s: %v. %s", what, e.Where, e.Err, advice(e.Op, e.Where))
}

func (e *Error) Unwrap() error { return e.Err }

// check refuses an entry that cannot be written safely.
func (e Entry) check() error {
	if e.ID == "" || strings.Trim(e.ID, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") != "" {
		return fmt.Errorf("autostart: the ID %q must be letters, digits, '.', '-' or '_'", e.ID)
	}
	if e.Name == "" || strings.ContainsAny(e.Name, "\r\n") {
		return fmt.Errorf("autostart: the name %q must be one line", e.Name)
	}
	if !isAbsProgram(e.Exec) {
		return fmt.Errorf("autostart: the program %q is not an absolute path", e.Exec)
	}
	if strings.ContainsAny(e.Exec, "\x00\r\n") {
		return fmt.Errorf("autostart: the program path %q has control characters", e.Exec)
	}
	return nil
}

// isAbsProgram says whether p is an absolute path on Linux or macOS ("/usr/bin/phonebar") or on
// Windows (`C:\Program Files\...`, `\\server\share\...`), whatever system checks it: a drive-relative
// "C:phonebar.exe" or a relative path is not.
func isAbsProgram(p string) bool {
	if strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\\`) {
		return true
	}
	return len(p) > 2 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') &&
		('a' <= p[0]|0x20 && p[0]|0x20 <= 'z')
}

// writeFile writes data to path atomically (a temporary file renamed over it), making the folder.
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// removeFile removes path; a file already gone is fine.
func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// fileHolds says whether path exists and holds exactly data (an entry written by another version,
// or for another program path, is not ours as it stands).
func fileHolds(path string, data []byte) (bool, error) {
	got, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return string(got) == string(data), nil
}
