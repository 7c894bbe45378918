//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package config

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// tryLock takes an exclusive flock(2) on f without waiting; errLockBusy when another open file
// (this process or another) holds it. The kernel drops the lock when the holder exits, even when it
// crashes.
func tryLock(f *os.File) error {
	err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return errLockBusy
	}
	return err
}

// unlock releases tryLock's lock.
func unlock(f *os.File) error { return unix.Flock(int(f.Fd()), unix.LOCK_UN) }

// replaceFile renames tmp over path (atomic; readers keep the file they opened).
func replaceFile(tmp, path string) error { return os.Rename(tmp, path) }
