//go:build linux || darwin

package autostart

// Enable writes the entry of e (entryFile: an XDG autostart file, or a LaunchAgent that launchd
// reads at the next login), replacing one that differs.
func Enable(e Entry) error {
	if err := e.check(); err != nil {
		return err
	}
	p, err := Path(e)
	if err != nil {
		return err
	}
	if err := writeFile(p, entryFile(e)); err != nil {
		return &Error{Op: "enable", Where: p, Err: err}
	}
	return nil
}

// Disable removes the entry of e; none is fine.
func Disable(e Entry) error {
	p, err := Path(e)
	if err != nil {
		return err
	}
	if err := removeFile(p); err != nil {
		return &Error{Op: "disable", Where: p, Err: err}
	}
	return nil
}

// Enabled says whether the entry of e is there as Enable writes it.
func Enabled(e Entry) (bool, error) {
	p, err := Path(e)
	if err != nil {
		return false, err
	}
	return fileHolds(p, entryFile(e))
}
