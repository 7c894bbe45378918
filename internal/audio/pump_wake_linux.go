//go:build cgo && linux

package audio

import (
	"os"

	"golang.org/x/sys/unix"
)

// pumpByDefault: on Linux the pump halves what a call costs (BenchmarkCallCPU, BenchmarkDeviceThreadsCPU).
const pumpByDefault = true

// wake is what the device threads poke to wake the driver's goroutine: an eventfd, which the
// runtime's network poller waits on.
type wake struct {
	f  *os.File
	fd int // f's descriptor (os.File.Fd would make it blocking)
	b  [8]byte
}

func newWake() (*wake, error) {
	fd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		return nil, err
	}
	return &wake{f: os.NewFile(uintptr(fd), "audio-pump"), fd: fd}, nil
}

// handle is what pb_poke takes.
func (w *wake) handle() int64 { return int64(w.fd) }

// wait returns after one or more pokes, or an error once closed.
func (w *wake) wait() error {
	_, err := w.f.Read(w.b[:])
	return err
}

func (w *wake) close() { w.f.Close() }
