package autostart

import (
	"errors"

	"golang.org/x/sys/windows/registry"
)

// Path is where the entry of e lives on this system: the Run key and the value's name.
func Path(e Entry) (string, error) { return `HKEY_CURRENT_USER\` + RunKey + `\` + e.ID, nil }

// Enable sets the Run value of e to its command line.
func Enable(e Entry) error {
	if err := e.check(); err != nil {
		return err
	}
	where, _ := Path(e)
	k, _, err := registry.CreateKey(registry.CURRENT_USER, RunKey, registry.SET_VALUE)
	if err != nil {
		return &Error{Op: "enable", Where: where, Err: err}
	}
	defer k.Close()
	if err := k.SetStringValue(e.ID, RunCommand(e)); err != nil {
		return &Error{Op: "enable", Where: where, Err: err}
	}
	return nil
}

// Disable deletes the Run value of e; none is fine.
func Disable(e Entry) error {
	where, _ := Path(e)
	k, err := registry.OpenKey(registry.CURRENT_USER, RunKey, registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return &Error{Op: "disable", Where: where, Err: err}
	}
	defer k.Close()
	if err := k.DeleteValue(e.ID); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return &Error{Op: "disable", Where: where, Err: err}
	}
	return nil
}

// Enabled says whether the Run value of e holds its command line.
func Enabled(e Entry) (bool, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, RunKey, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer k.Close()
	v, _, err := k.GetStringValue(e.ID)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return v == RunCommand(e), nil
}
