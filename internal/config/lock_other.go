//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package config

import "os"

// tryLock: no file lock on this system; writes of one process are still serialized by the Store.
func tryLock(*os.File) error { return nil }

func unlock(*os.File) error { return nil }

// replaceFile renames tmp over path (atomic; readers keep the file they opened).
func replaceFile(tmp, path string) error { return os.Rename(tmp, path) }
