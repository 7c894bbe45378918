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
	return c, nil
}

// samePeer: the pipe's security descriptor lets in this user only.
func samePeer(net.Conn) error { return nil }
