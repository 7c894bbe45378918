package config

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// placeNew gives the closed file tmp the name path unless path exists (then an error matching
// fs.ErrExist), in one step. Windows moves it without replacing (MoveFileEx without
// MOVEFILE_REPLACE_EXISTING) rather than hard-linking it: a second link's name cannot be removed
// while another process holds the file open, which would leave the temporary name behind.
func placeNew(tmp, path string) error {
	from, err := windows.UTF16PtrFromString(tmp)
	if err != nil {
		return &os.LinkError{Op: "move", Old: tmp, New: path, Err: err}
	}
	to, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return &os.LinkError{Op: "move", Old: tmp, New: path, Err: err}
	}
	if err := windows.MoveFileEx(from, to, windows.MOVEFILE_WRITE_THROUGH); err != nil {
		return &os.LinkError{Op: "move", Old: tmp, New: path, Err: err}
	}
	return nil
}

// busyFile says whether err is a file held for a moment by another process (being put in place,
// read or removed): worth trying again.
func busyFile(err error) bool {
	return errors.Is(err, windows.ERROR_SHARING_VIOLATION) || errors.Is(err, windows.ERROR_LOCK_VIOLATION) ||
		errors.Is(err, windows.ERROR_ACCESS_DENIED)
}
