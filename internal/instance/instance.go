package instance

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// Errors of Claim and Send.
var (
	// ErrRunning: another Phonebar of this user holds the instance (Claim).
	ErrRunning = errors.New("instance: another Phonebar is running")
	// ErrNotRunning: no Phonebar of this user answers (Send).
	ErrNotRunning = errors.New("instance: no Phonebar is running")
	// ErrUnsafe: the folder of the channel may be reached by other users (wrong owner or mode),
	// so it is not used.
	ErrUnsafe = errors.New("instance: the channel's folder is not private to this user")
	// ErrImpostor: the channel is served by a process of another user (on Windows, a program that
	// took the pipe's name first to read the numbers dialled); nothing was sent (Send).
	ErrImpostor = errors.New("instance: the channel is served by another user's process")
)

// Limits of the protocol.
const (
	// MaxMessage bounds a request or a reply line.
	MaxMessage = 8 << 10
	// IOTimeout bounds one exchange.
	IOTimeout = 5 * time.Second
)

// Request is what another start of the Phonebar asks of the running one.
type Request struct {
	// Dial is the link or number to dial, untrusted, as it was given (tel:, sip:, callto:, a
	// number); empty: dial nothing.
	Dial string `json:"dial,omitempty"`
	// Show brings the window to the front.
	Show bool `json:"show,omitempty"`
}

// Reply is the running Phonebar's answer.
type Reply struct {
	OK bool `json:"ok"`
	// Code is a problem code (internal/problem) when OK is false.
	Code string `json:"code,omitempty"`
	// Message is the sentence a user reads: what was done, or why not and what to do.
	Message string `json:"message"`
	// CallID is the ID of the call placed.
	CallID string `json:"callId,omitempty"`
}

// Handler answers one request. It runs on the connection's goroutine.
type Handler func(Request) Reply

// Options says where the channel is. The zero value is the user's own.
type Options struct {
	// Dir is the folder of the Unix socket (Linux, macOS); empty: $XDG_RUNTIME_DIR/phonebar, or
	// phonebar-UID in the temporary folder. Created private (0700) when missing; refused
	// (ErrUnsafe) when another user owns it or others may enter it.
	Dir string
	// Pipe is the named pipe (Windows); empty: \\.\pipe\phonebar-SID with the user's SID.
	Pipe string
}

// Server is the claimed instance. Serve answers requests; Close releases it.
type Server struct {
	ln      net.Listener
	release func()

	mu      sync.Mutex
	closed  bool
	serving bool
	wg      sync.WaitGroup
	conns   map[net.Conn]struct{}
}

// Claim makes this process the user's Phonebar instance, or returns ErrRunning when another
// process holds it (then Send reaches that one).
func Claim(opts Options) (*Server, error) {
	ln, release, err := claim(opts)
	if err != nil {
		return nil, err
	}
	return &Server{ln: ln, release: release, conns: map[net.Conn]struct{}{}}, nil
}

// Serve answers requests with h until Close, on goroutines of its own. A second call does
// nothing.
func (s *Server) Serve(h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.serving {
		return
	}
	s.serving = true
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := s.ln.Accept()
			if err != nil {
				return // closed
			}
			s.mu.Lock()
			if s.closed {
				s.mu.Unlock()
				c.Close()
				return
			}
			s.conns[c] = struct{}{}
			s.wg.Add(1)
			s.mu.Unlock()
			go func() {
				defer s.wg.Done()
				s.answer(c, h)
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
			}()
		}
	}()
}

func (s *Server) answer(c net.Conn, h Handler) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(IOTimeout))
	if err := samePeer(c); err != nil {
		writeLine(c, Reply{Code: "FORBIDDEN", Message: "Only the user running this Phonebar may talk to it."})
		return
	}
	var req Request
	line, err := bufio.NewReaderSize(io.LimitReader(c, MaxMessage), MaxMessage).ReadSlice('\n')
	if err != nil || json.Unmarshal(line, &req) != nil {
		writeLine(c, Reply{Code: "BAD_REQUEST", Message: "The request to the running Phonebar was not understood."})
		return
	}
	writeLine(c, h(req))
}

// Close stops serving, releases the instance and waits for the connections being answered.
// Closing again does nothing.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	err := s.ln.Close()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	s.release()
	return err
}

// Send hands req to the running Phonebar and returns its reply; ErrNotRunning when none runs.
func Send(ctx context.Context, opts Options, req Request) (Reply, error) {
	ctx, cancel := context.WithTimeout(ctx, IOTimeout)
	defer cancel()
	c, err := dial(ctx, opts)
	if err != nil {
		return Reply{}, err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	b, err := json.Marshal(req)
	if err != nil {
		return Reply{}, err
	}
	if len(b) >= MaxMessage {
		return Reply{}, fmt.Errorf("instance: the request is longer than %d bytes", MaxMessage)
	}
	if _, err := c.Write(append(b, '\n')); err != nil {
		return Reply{}, fmt.Errorf("instance: sending to the running Phonebar: %w", err)
	}
	line, err := bufio.NewReaderSize(io.LimitReader(c, MaxMessage), MaxMessage).ReadSlice('\n')
	if err != nil {
		return Reply{}, fmt.Errorf("instance: the running Phonebar did not answer: %w", err)
	}
	var rep Reply
	if err := json.Unmarshal(line, &rep); err != nil {
		return Reply{}, fmt.Errorf("instance: the running Phonebar's answer was not understood: %w", err)
	}
	return rep, nil
}

func writeLine(c net.Conn, r Reply) {
	b, _ := json.Marshal(r)
	_, _ = c.Write(append(b, '\n'))
}
