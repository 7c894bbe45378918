package instance

import (
	"context"
	"fmt"
	"os"
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

// TestPipeClaimSendClose hands a request over the real named pipe (go-winio). It does not run
// under Wine 8, whose pipes differ from Windows' where go-winio relies on them (see
// .ci/windows/wine-pipe-repro.c); it is for a real Windows machine.
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
	_, err = Send(ctx, opts, Request{Dial: "*43"})
	require.ErrorIs(t, err, ErrNotRunning, "released")
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
