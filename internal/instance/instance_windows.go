package instance

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

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
	ln, err := listenPipe(name, sid)
	if err != nil {
		return nil, nil, err
	}
	return ln, func() {}, nil
}

func dial(ctx context.Context, opts Options) (net.Conn, error) {
	name, _, err := pipeName(opts)
	if err != nil {
		return nil, err
	}
	h, err := openPipe(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := checkServer(h, name); err != nil {
		windows.CloseHandle(h) //nolint:errcheck // nothing was sent
		return nil, err
	}
	return &pipeConn{File: os.NewFile(uintptr(h), name), addr: pipeAddr(name)}, nil
}

// openPipe opens the pipe as a client (overlapped, for deadlines), waiting while its instance is
// busy (the server between two clients). SECURITY_SQOS_PRESENT|SECURITY_ANONYMOUS: whoever serves
// the name cannot act as this user with the connection, even before checkServer has looked.
func openPipe(ctx context.Context, name string) (windows.Handle, error) {
	n, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return 0, fmt.Errorf("instance: pipe name %q: %w", name, err)
	}
	for {
		h, err := windows.CreateFile(n, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING,
			windows.FILE_FLAG_OVERLAPPED|windows.SECURITY_SQOS_PRESENT|windows.SECURITY_ANONYMOUS, 0)
		switch {
		case err == nil:
			return h, nil
		case errors.Is(err, windows.ERROR_FILE_NOT_FOUND):
			return 0, ErrNotRunning
		case !errors.Is(err, windows.ERROR_PIPE_BUSY):
			return 0, fmt.Errorf("instance: %s: %w", name, err)
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("instance: %s stays busy: %w", name, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// checkServer makes sure that the process serving the pipe h (a client's handle) runs as this
// user before anything is sent: a program of another user may have created the pipe's name first
// (squatting) to read the numbers dialled. The pipe's DACL guards the other way round only.
func checkServer(h windows.Handle, name string) error {
	me, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return fmt.Errorf("instance: who am I: %w", err)
	}
	pid, sid, err := pipeServer(h)
	return sameUser(name, pid, sid, err, me.User.Sid)
}

// pipeServer is the process ID and the user of the process that serves the pipe h (a client's
// handle).
//
// It asks for the least access that tells the user: PROCESS_QUERY_LIMITED_INFORMATION on the
// process (what OpenProcessToken needs, per its documentation) and TOKEN_QUERY on its token.
//
// An elevated Phonebar (started "as administrator") has the same user SID as the user's other
// programs, so the comparison holds for it. Whether a non-elevated `phonebar dial` may open it is
// what is not known: Microsoft's OpenProcessToken page says a non-elevated process gets a handle to
// an elevated one when both were started from the same account, but TOKEN_QUERY is then checked
// against the elevated token's own DACL, and nothing of this can be tried here (Wine has no
// integrity levels nor UAC). If Windows refuses, the client sends nothing and says so (ErrImpostor,
// "a user it could not tell (Access is denied.)"): safe, but a link clicked while an elevated
// Phonebar runs is then not dialled. The Phonebar needs no elevation for anything it does.
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
