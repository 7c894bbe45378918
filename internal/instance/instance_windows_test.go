package instance

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/sys/windows"
)

func testPipe(t *testing.T) string {
	return fmt.Sprintf(`\\.\pipe\phonebar-test-%d-%d`, os.Getpid(), time.Now().UnixNano())
}

// TestPipeClaimSendClose hands a request over the real named pipe: claimed once, a second claim
// refused, the request and the reply carried, the name released by Close and claimable again.
func TestPipeClaimSendClose(t *testing.T) {
	defer goleak.VerifyNone(t)
	opts := Options{Pipe: testPipe(t)}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := Send(ctx, opts, Request{Dial: "*43"})
	require.ErrorIs(t, err, ErrNotRunning, "nothing claimed yet")

	srv, err := Claim(opts)
	require.NoError(t, err)
	got := make(chan Request, 1)
	srv.Serve(func(r Request) Reply { got <- r; return Reply{OK: true, Message: "Dialling " + r.Dial} })
	_, err = Claim(opts)
	require.ErrorIs(t, err, ErrRunning, "a second claim finds the first")

	rep, err := Send(ctx, opts, Request{Dial: "tel:+3906123", Show: true})
	require.NoError(t, err)
	assert.Equal(t, Reply{OK: true, Message: "Dialling tel:+3906123"}, rep)
	assert.Equal(t, Request{Dial: "tel:+3906123", Show: true}, <-got)
	require.NoError(t, srv.Close())
	require.NoError(t, srv.Close(), "closing twice is harmless")
	_, err = Send(ctx, opts, Request{Dial: "*43"})
	require.ErrorIs(t, err, ErrNotRunning, "released")

	again, err := Claim(opts)
	require.NoError(t, err, "claimable again after Close")
	require.NoError(t, again.Close(), "closed without serving")
}

// TestPipeManyClientsAtOnce: clients that come together are all served, each getting its own
// reply (a client that finds the instance busy waits for the next one).
func TestPipeManyClientsAtOnce(t *testing.T) {
	defer goleak.VerifyNone(t)
	opts := Options{Pipe: testPipe(t)}
	srv, err := Claim(opts)
	require.NoError(t, err)
	defer srv.Close()
	srv.Serve(func(r Request) Reply { return Reply{OK: true, Message: "Dialling " + r.Dial} })

	const clients = 16
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	errs := make(chan error, clients)
	for i := range clients {
		go func() {
			dial := fmt.Sprintf("+39%d", i)
			rep, err := Send(ctx, opts, Request{Dial: dial})
			if err == nil && rep.Message != "Dialling "+dial {
				err = fmt.Errorf("client %d got %q", i, rep.Message)
			}
			errs <- err
		}()
	}
	for range clients {
		assert.NoError(t, <-errs)
	}
}

// rawClient opens the pipe as any client could, without Send's checks and protocol (overlapped,
// so that a read and a write may wait at once).
func rawClient(t *testing.T, name string) *os.File {
	n, err := windows.UTF16PtrFromString(name)
	require.NoError(t, err)
	h, err := windows.CreateFile(n, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING, windows.FILE_FLAG_OVERLAPPED, 0)
	require.NoError(t, err)
	return os.NewFile(uintptr(h), name)
}

// TestPipeBadRequestsAnswered: a request that is not JSON, or longer than MaxMessage, is answered
// BAD_REQUEST and never reaches the handler.
func TestPipeBadRequestsAnswered(t *testing.T) {
	defer goleak.VerifyNone(t)
	opts := Options{Pipe: testPipe(t)}
	srv, err := Claim(opts)
	require.NoError(t, err)
	defer srv.Close()
	var called atomic.Bool
	srv.Serve(func(Request) Reply { called.Store(true); return Reply{OK: true} })

	tests := []struct{ name, send string }{
		{"not JSON", "dial me\n"},
		{"too long", `{"dial":"` + strings.Repeat("1", 2*MaxMessage) + `"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := rawClient(t, opts.Pipe)
			defer c.Close()
			// The server reads at most MaxMessage bytes and answers; the rest of a long request
			// may find the pipe closed.
			go func() { _, _ = c.Write([]byte(tt.send)) }()
			b, _ := io.ReadAll(io.LimitReader(c, 512))
			assert.Contains(t, string(b), `"code":"BAD_REQUEST"`)
		})
	}
	assert.False(t, called.Load(), "the handler never sees a bad request")
}

// TestPipeSilentClientIsDropped: a client that connects and sends nothing is cut off after
// IOTimeout, and meanwhile others are served (each connection has its own instance).
func TestPipeSilentClientIsDropped(t *testing.T) {
	defer goleak.VerifyNone(t)
	opts := Options{Pipe: testPipe(t)}
	srv, err := Claim(opts)
	require.NoError(t, err)
	defer srv.Close()
	srv.Serve(func(r Request) Reply { return Reply{OK: true, Message: "Dialling " + r.Dial} })

	silent := rawClient(t, opts.Pipe)
	defer silent.Close()
	ended := make(chan struct{})
	start := time.Now()
	go func() { _, _ = io.ReadAll(silent); close(ended) }()

	rep, err := Send(context.Background(), opts, Request{Dial: "*43"})
	require.NoError(t, err, "served while the silent client waits")
	assert.Equal(t, "Dialling *43", rep.Message)

	select {
	case <-ended:
		assert.GreaterOrEqual(t, time.Since(start), IOTimeout-time.Second, "not before the deadline")
	case <-time.After(IOTimeout + 15*time.Second):
		t.Fatal("the silent client was never cut off")
	}
}

// TestPipeServerIsFound: a client of a real pipe finds the process that serves it and its user
// (here this test process and this user), which checkServer compares before sending.
func TestPipeServerIsFound(t *testing.T) {
	name := testPipe(t)
	n, err := windows.UTF16PtrFromString(name)
	require.NoError(t, err)
	srv, err := windows.CreateNamedPipe(n, windows.PIPE_ACCESS_DUPLEX, windows.PIPE_TYPE_BYTE|windows.PIPE_WAIT, 1, 512, 512, 0, nil)
	require.NoError(t, err)
	defer windows.CloseHandle(srv)
	cli, err := windows.CreateFile(n, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING, 0, 0)
	require.NoError(t, err)
	defer windows.CloseHandle(cli)

	pid, user, err := pipeServer(cli)
	require.NoError(t, err)
	assert.Equal(t, uint32(os.Getpid()), pid)
	me, err := windows.GetCurrentProcessToken().GetTokenUser()
	require.NoError(t, err)
	assert.True(t, user.Equals(me.User.Sid), "%s is %s", user, me.User.Sid)
	assert.NoError(t, sameUser(name, pid, user, nil, me.User.Sid))
}

// TestPipeOfAnotherUserIsRefused: a pipe served by another user's process, or by one whose user
// cannot be told, gets nothing, and the error says what to do.
func TestPipeOfAnotherUserIsRefused(t *testing.T) {
	me, err := windows.GetCurrentProcessToken().GetTokenUser()
	require.NoError(t, err)
	system, err := windows.CreateWellKnownSid(windows.WinLocalSystemSid)
	require.NoError(t, err)
	const name = `\\.\pipe\phonebar-S-1-5-21-1-2-3-1001`
	tests := []struct {
		name      string
		user      *windows.SID
		lookupErr error
		want      []string
	}{
		{"another user", system, nil, []string{`\\.\pipe\phonebar-S-1-5-21-1-2-3-1001 is held by process 4242 of user S-1-5-18`}},
		{"a user it cannot tell", nil, windows.ERROR_ACCESS_DENIED, []string{"of a user it could not tell (" + windows.ERROR_ACCESS_DENIED.Error() + ")"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := sameUser(name, 4242, tt.user, tt.lookupErr, me.User.Sid)
			require.ErrorIs(t, err, ErrImpostor)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Contains(t, err.Error(), "nothing was sent to it: close that program (or restart Windows), start the Phonebar again, and tell your administrator")
		})
	}
}
