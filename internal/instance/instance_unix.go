//go:build !windows

package instance

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

const (
	socketName = "instance.sock"
	lockName   = "instance.lock"
)

// dir returns the channel's folder, created private when missing and checked otherwise.
func dir(opts Options) (string, error) {
	d := opts.Dir
	if d == "" {
		if rt := os.Getenv("XDG_RUNTIME_DIR"); rt != "" && filepath.IsAbs(rt) {
			d = filepath.Join(rt, "phonebar")
		} else {
			d = filepath.Join(os.TempDir(), "phonebar-"+strconv.Itoa(os.Getuid()))
		}
	}
	if err := os.Mkdir(d, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return "", fmt.Errorf("instance: %w", err)
	}
	fi, err := os.Lstat(d)
	if err != nil {
		return "", fmt.Errorf("instance: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || !ok || int(st.Uid) != os.Getuid() || fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("%w: %s (it must be a folder of yours with mode 0700)", ErrUnsafe, d)
	}
	return d, nil
}

func claim(opts Options) (net.Listener, func(), error) {
	d, err := dir(opts)
	if err != nil {
		return nil, nil, err
	}
	lock, err := os.OpenFile(filepath.Join(d, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("instance: %w", err)
	}
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		lock.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, nil, ErrRunning
		}
		return nil, nil, fmt.Errorf("instance: lock: %w", err)
	}
	// Holding the lock, a socket left by a process that ended is stale.
	sock := filepath.Join(d, socketName)
	_ = os.Remove(sock)
	ln, err := net.Listen("unix", sock)
	if err != nil {
		lock.Close()
		return nil, nil, fmt.Errorf("instance: %w", err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(true)
	return ln, func() { lock.Close() }, nil
}

func dial(ctx context.Context, opts Options) (net.Conn, error) {
	d, err := dir(opts)
	if err != nil {
		return nil, err
	}
	var nd net.Dialer
	for {
		c, err := nd.DialContext(ctx, "unix", filepath.Join(d, socketName))
		if err == nil {
			return c, nil
		}
		if !errors.Is(err, syscall.ENOENT) && !errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("instance: %w", err)
		}
		if !locked(d) {
			return nil, ErrNotRunning
		}
		// The instance holds its lock but does not listen yet: it is starting.
		select {
		case <-ctx.Done():
			return nil, ErrNotRunning
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// locked reports whether a process holds the instance's lock.
func locked(d string) bool {
	f, err := os.OpenFile(filepath.Join(d, lockName), os.O_RDWR, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		return true
	}
	_ = unix.Flock(int(f.Fd()), unix.LOCK_UN)
	return false
}
