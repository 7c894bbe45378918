//go:build cgo && windows

package audio

import (
	"fmt"
	"net"
	"net/netip"
)

// pumpByDefault: not yet on Windows. The pump works there (TestPumpKeepsDeviceThreadsOutOfGo runs
// under Wine), but what it saves has been measured only under Wine, where it costs more than the
// callbacks into Go (BenchmarkDeviceThreadsCPU: about 5 % of a core against 3.5 %), as Wine's
// sockets go through its server; a Windows PC has yet to say. PHONEBAR_AUDIO_PUMP=on tries it.
const pumpByDefault = false

// wake is what the device threads poke to wake the driver's goroutine: a datagram on a loopback
// UDP socket, which the runtime's network poller waits on (it waits on no events on Windows).
// The device threads send from a second socket, connected to the first; datagrams from anywhere
// else are ignored.
type wake struct {
	rx, tx *net.UDPConn
	from   netip.AddrPort // tx's address
	sock   int64          // tx's SOCKET, for pb_poke
	b      [16]byte
}

func newWake() (*wake, error) {
	rx, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, fmt.Errorf("audio: the pump's wake-up socket: %w", err)
	}
	tx, err := net.DialUDP("udp4", nil, rx.LocalAddr().(*net.UDPAddr))
	if err != nil {
		rx.Close()
		return nil, fmt.Errorf("audio: the pump's wake-up socket: %w", err)
	}
	from := tx.LocalAddr().(*net.UDPAddr).AddrPort()
	w := &wake{rx: rx, tx: tx, from: netip.AddrPortFrom(from.Addr().Unmap(), from.Port())}
	raw, err := tx.SyscallConn()
	if err == nil {
		err = raw.Control(func(fd uintptr) { w.sock = int64(fd) })
	}
	if err != nil {
		w.close()
		return nil, fmt.Errorf("audio: the pump's wake-up socket: %w", err)
	}
	return w, nil
}

// handle is what pb_poke takes.
func (w *wake) handle() int64 { return w.sock }

// wait returns after one or more pokes, or an error once closed.
func (w *wake) wait() error {
	for {
		_, from, err := w.rx.ReadFromUDPAddrPort(w.b[:])
		if err != nil {
			return err
		}
		if netip.AddrPortFrom(from.Addr().Unmap(), from.Port()) == w.from {
			return nil
		}
	}
}

func (w *wake) close() {
	w.tx.Close()
	w.rx.Close()
}
