package instance

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/Microsoft/go-winio"
	"golang.org/x/sys/windows"
)

// pipeName is the user's pipe: its SID in the name, so that users of one machine do not meet.
func pipeName(opts Options) (name, sid string, err error) {
	tok := windows.GetCurrentProcessToken()
	u, err := tok.GetTokenUser()
	if err != nil {
		return "", "", fmt.Errorf("instance: who am I: %w", err)
	}
	sid = u.User.Sid.String()
	if opts.Pipe != "" {
		return opts.Pipe, sid, nil
	}
	return `\\.\pipe\phonebar-` + sid, sid, nil
}

func claim(opts Options) (net.Listener, func(), error) {
	name, sid, err := pipeName(opts)
	if err != nil {
		return nil, nil, err
	}
	// Protected DACL: full access for this user only; remote clients are refused by go-winio.
	ln, err := winio.ListenPipe(name, &winio.PipeConfig{SecurityDescriptor: "D:P(A;;GA;;;" + sid + ")", InputBufferSize: MaxMessage, OutputBufferSize: MaxMessage})
	if err != nil {
		if errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_PIPE_BUSY) || errors.Is(err, os.ErrExist) {
			return nil, nil, ErrRunning
		}
		// Another process may hold the name in a way Windows words otherwise: ask it.
		if c, derr := winio.DialPipe(name, nil); derr == nil {
			c.Close()
			return nil, nil, ErrRunning
		}
		return nil, nil, fmt.Errorf("instance: %w", err)
	}
	return ln, func() {}, nil
}

func dial(ctx context.Context, opts Options) (net.Conn, error) {
	name, _, err := pipeName(opts)
	if err != nil {
		return nil, err
	}
	c, err := winio.DialPipeContext(ctx, name)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, windows.ERROR_FILE_NOT_FOUND) {
			return nil, ErrNotRunning
		}
		return nil, fmt.Errorf("instance: %w", err)
	}
	if err := checkServer(c, name); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// checkServer makes sure that the process serving the pipe c runs as this user before anything
// is sent: a program of another user may have created the pipe's name first (squatting) to read
// the numbers dialled. The pipe's DACL guards the other way round only.
func checkServer(c net.Conn, name string) error {
	f, ok := c.(interface{ Fd() uintptr })
	if !ok {
		return fmt.Errorf("instance: the pipe %s gives no handle to check who serves it", name)
	}
	me, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return fmt.Errorf("instance: who am I: %w", err)
	}
	pid, sid, err := pipeServer(windows.Handle(f.Fd()))
	return sameUser(name, pid, sid, err, me.User.Sid)
}

// pipeServer is the process ID and the user of the process that serves the pipe h (a client's
// handle).
func pipeServer(h windows.Handle) (pid uint32, user *windows.SID, err error) {
	if err := windows.GetNamedPipeServerProcessId(h, &pid); err != nil {
		return 0, nil, fmt.Errorf("the pipe's server process: %w", err)
	}
	p, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, pid)
	if err != nil {
		return pid, nil, fmt.Errorf("process %d: %w", pid, err)
	}
	defer windows.CloseHandle(p) //nolint:errcheck // a query handle
	var tok windows.Token
	if err := windows.OpenProcessToken(p, windows.TOKEN_QUERY, &tok); err != nil {
		return pid, nil, fmt.Errorf("process %d's token: %w", pid, err)
	}
	defer tok.Close()
	u, err := tok.GetTokenUser()
	if err != nil {
		return pid, nil, fmt.Errorf("process %d's user: %w", pid, err)
	}
	user, err = u.User.Sid.Copy()
	return pid, user, err
}

// sameUser says whether the pipe's server (pid, user, or lookupErr when it could not be told) is
// this user (me); anything else is ErrImpostor, with what to do.
func sameUser(name string, pid uint32, user *windows.SID, lookupErr error, me *windows.SID) error {
	if lookupErr == nil && user != nil && user.Equals(me) {
		return nil
	}
	who := "a user it could not tell"
	if user != nil {
		who = "user " + user.String()
	}
	if lookupErr != nil {
		who += " (" + lookupErr.Error() + ")"
	}
	return fmt.Errorf("%w: %s is held by process %d of %s, not by a Phonebar of yours, so nothing was sent to it: "+
		"close that program (or restart Windows), start the Phonebar again, and tell your administrator", ErrImpostor, name, pid, who)
}

// samePeer: the pipe's security descriptor lets in this user only (the server's side; the client
// checks the server with checkServer).
func samePeer(net.Conn) error { return nil }
