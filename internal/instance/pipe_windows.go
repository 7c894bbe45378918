package instance

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"
)

// pipeListener serves a named pipe one instance at a time: the instance that waits for a client
// is made with CreateNamedPipe and connected with ConnectNamedPipe; once a client is on it, the
// next instance is made before the connected one is handed over, so that the name is never
// without its holder. (go-winio's listener keeps a closed placeholder instance beside the
// accepting one; Wine 8 puts clients on the placeholder, see .ci/windows/wine-pipe-repro.c. This
// layout runs the same on Windows and under Wine.)
//
// Accept waits on the pending connect and on the stop event together, so Close ends it at once;
// no goroutine is left behind. A connected instance becomes an *os.File on Go's I/O completion port
// (the handle is overlapped), whose deadlines bound each exchange.
type pipeListener struct {
	path string
	name *uint16
	sa   *windows.SecurityAttributes
	stop windows.Handle // manual-reset event, set by Close

	mu        sync.Mutex
	next      windows.Handle // the instance waiting for the next client; 0 when none
	closed    bool
	accepting sync.WaitGroup // Accept calls in progress (Close waits for them)
}

// listenPipe claims the pipe path for this user (sid): ErrRunning when another process holds it.
func listenPipe(path, sid string) (*pipeListener, error) {
	name, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, fmt.Errorf("instance: pipe name %q: %w", path, err)
	}
	// Protected DACL: full access for this user's SID only, nothing inherited. SYSTEM is left out:
	// no service has anything to hand to the user's Phonebar, and a program of the same user
	// (elevated or not) carries the same user SID.
	sd, err := windows.SecurityDescriptorFromString("D:P(A;;GA;;;" + sid + ")")
	if err != nil {
		return nil, fmt.Errorf("instance: the pipe's security descriptor: %w", err)
	}
	stop, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		return nil, fmt.Errorf("instance: %w", err)
	}
	l := &pipeListener{path: path, name: name, stop: stop,
		sa: &windows.SecurityAttributes{Length: uint32(unsafe.Sizeof(windows.SecurityAttributes{})), SecurityDescriptor: sd}}
	h, err := l.instance(true)
	if err != nil {
		windows.CloseHandle(stop) //nolint:errcheck // an event of ours
		if errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_PIPE_BUSY) {
			return nil, ErrRunning
		}
		return nil, fmt.Errorf("instance: %w", err)
	}
	// Windows refuses a FILE_FLAG_FIRST_PIPE_INSTANCE of a name that exists (ERROR_ACCESS_DENIED
	// above); Wine 8 ignores the flag and adds an instance to the existing pipe. Counting the
	// instances after ours exists finds that too (two claims at once may both step back; the
	// caller then tries again). Under Wine, a program of another user that created the name
	// first still meets the client's owner check (checkServer) before anything is sent.
	var instances uint32
	if err := windows.GetNamedPipeHandleState(h, nil, &instances, nil, nil, nil, 0); err != nil || instances != 1 {
		windows.CloseHandle(h)    //nolint:errcheck // our own instance
		windows.CloseHandle(stop) //nolint:errcheck // an event of ours
		if err != nil {
			return nil, fmt.Errorf("instance: the pipe's instances: %w", err)
		}
		return nil, ErrRunning
	}
	l.next = h
	return l, nil
}

// instance makes one server instance of the pipe, overlapped, byte mode, local clients only.
func (l *pipeListener) instance(first bool) (windows.Handle, error) {
	mode := uint32(windows.PIPE_ACCESS_DUPLEX | windows.FILE_FLAG_OVERLAPPED)
	if first {
		mode |= windows.FILE_FLAG_FIRST_PIPE_INSTANCE
	}
	return windows.CreateNamedPipe(l.name, mode,
		windows.PIPE_TYPE_BYTE|windows.PIPE_READMODE_BYTE|windows.PIPE_WAIT|windows.PIPE_REJECT_REMOTE_CLIENTS,
		windows.PIPE_UNLIMITED_INSTANCES, MaxMessage, MaxMessage, 0, l.sa)
}

// Accept waits for the next client; net.ErrClosed once Close was called.
func (l *pipeListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil, net.ErrClosed
	}
	l.accepting.Add(1)
	h := l.next
	l.mu.Unlock()
	defer l.accepting.Done()

	for {
		err := l.connect(h)
		if errors.Is(err, windows.ERROR_NO_DATA) || errors.Is(err, windows.ERROR_BROKEN_PIPE) {
			// The client left before it was served: free the instance for the next one.
			_ = windows.DisconnectNamedPipe(h)
			continue
		}
		if err != nil {
			return nil, err
		}
		break
	}
	next, err := l.instance(false)
	if err != nil {
		_ = windows.DisconnectNamedPipe(h)
		return nil, fmt.Errorf("instance: the pipe's next instance: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.next = next
	if l.closed {
		windows.CloseHandle(h) //nolint:errcheck // the client is not served
		return nil, net.ErrClosed
	}
	return &pipeConn{File: os.NewFile(uintptr(h), l.path), addr: pipeAddr(l.path)}, nil
}

// connect waits until a client is on h, or Close (net.ErrClosed).
func (l *pipeListener) connect(h windows.Handle) error {
	ev, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		return fmt.Errorf("instance: %w", err)
	}
	defer windows.CloseHandle(ev) //nolint:errcheck // an event of ours
	ov := windows.Overlapped{HEvent: ev}
	err = windows.ConnectNamedPipe(h, &ov)
	switch {
	case err == nil, errors.Is(err, windows.ERROR_PIPE_CONNECTED):
		return nil
	case !errors.Is(err, windows.ERROR_IO_PENDING):
		return err
	}
	w, err := windows.WaitForMultipleObjects([]windows.Handle{ev, l.stop}, false, windows.INFINITE)
	if err != nil || w != windows.WAIT_OBJECT_0 {
		// Closed (or the wait failed): withdraw the connect and wait until Windows let go of ov.
		_ = windows.CancelIoEx(h, &ov)
		var n uint32
		_ = windows.GetOverlappedResult(h, &ov, &n, true)
		if err != nil {
			return fmt.Errorf("instance: waiting for a client: %w", err)
		}
		return net.ErrClosed
	}
	var n uint32
	if err := windows.GetOverlappedResult(h, &ov, &n, false); err != nil && !errors.Is(err, windows.ERROR_PIPE_CONNECTED) {
		return err
	}
	return nil
}

// Close stops Accept and releases the pipe's name once the Accept in progress has returned.
// Connections already handed over stay open. Closing again does nothing.
func (l *pipeListener) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	err := windows.SetEvent(l.stop)
	l.accepting.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.next != 0 {
		windows.CloseHandle(l.next) //nolint:errcheck // our own instance
		l.next = 0
	}
	windows.CloseHandle(l.stop) //nolint:errcheck // an event of ours
	return err
}

// Addr is the pipe's name.
func (l *pipeListener) Addr() net.Addr { return pipeAddr(l.path) }

// pipeConn is one connected instance: reads, writes and deadlines of *os.File.
type pipeConn struct {
	*os.File
	addr pipeAddr
}

func (c *pipeConn) LocalAddr() net.Addr  { return c.addr }
func (c *pipeConn) RemoteAddr() net.Addr { return c.addr }

// pipeAddr is a pipe's name as a net.Addr.
type pipeAddr string

func (pipeAddr) Network() string  { return "pipe" }
func (a pipeAddr) String() string { return string(a) }
