//go:build !windows

package config

import "os"

// placeNew gives the closed file tmp the name path unless path exists (then an error matching
// fs.ErrExist), in one step: a hard link, which never replaces an existing name (rename would).
// The caller removes the temporary name.
func placeNew(tmp, path string) error { return os.Link(tmp, path) }

// busyFile says whether err is a file held for a moment by another process: never on this system.
func busyFile(error) bool { return false }
