//go:build !windows

package instance

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func privateDir(t *testing.T) string {
	d := filepath.Join(t.TempDir(), "rt")
	require.NoError(t, os.Mkdir(d, 0o700))
	return d
}

func TestClaimSendClose(t *testing.T) {
	defer goleak.VerifyNone(t)
	opts := Options{Dir: privateDir(t)}
	ctx := context.Background()

	_, err := Send(ctx, opts, Request{Dial: "*43"})
	require.ErrorIs(t, err, ErrNotRunning, "nothing claimed yet")

	srv, err := Claim(opts)
	require.NoError(t, err)
	got := make(chan Request, 1)
	srv.Serve(func(r Request) Reply {
		got <- r
		return Reply{OK: true, Message: "Dialling " + r.Dial, CallID: "c1"}
	})

	_, err = Claim(opts)
	require.ErrorIs(t, err, ErrRunning, "a second claim finds the first")

	rep, err := Send(ctx, opts, Request{Dial: "tel:+3906123", Show: true})
	require.NoError(t, err)
	assert.Equal(t, Reply{OK: true, Message: "Dialling tel:+3906123", CallID: "c1"}, rep)
	assert.Equal(t, Request{Dial: "tel:+3906123", Show: true}, <-got)

	require.NoError(t, srv.Close())
	require.NoError(t, srv.Close(), "closing twice is harmless")
	_, err = Send(ctx, opts, Request{Dial: "*43"})
	require.ErrorIs(t, err, ErrNotRunning, "released")

	again, err := Claim(opts)
	require.NoError(t, err, "claimable again after Close")
	require.NoError(t, again.Close())
}

func TestStaleSocketIsReplaced(t *testing.T) {
	defer goleak.VerifyNone(t)
	opts := Options{Dir: privateDir(t)}
	// A socket left behind by a process that ended (nobody holds the lock).
	ln, err := net.Listen("unix", filepath.Join(opts.Dir, socketName))
	require.NoError(t, err)
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	require.NoError(t, ln.Close())
	_, err = os.Stat(filepath.Join(opts.Dir, socketName))
	require.NoError(t, err, "the stale socket is there")

	_, err = Send(context.Background(), opts, Request{Dial: "1"})
	require.ErrorIs(t, err, ErrNotRunning)

	srv, err := Claim(opts)
	require.NoError(t, err)
	srv.Serve(func(Request) Reply { return Reply{OK: true, Message: "here"} })
	defer srv.Close()
	rep, err := Send(context.Background(), opts, Request{})
	require.NoError(t, err)
	assert.Equal(t, "here", rep.Message)
}

func TestUnsafeFolderRefused(t *testing.T) {
	tests := []struct {
		name string
		make func(t *testing.T) string
	}{
		{"others may enter", func(t *testing.T) string {
			d := filepath.Join(t.TempDir(), "open")
			require.NoError(t, os.Mkdir(d, 0o755))
			require.NoError(t, os.Chmod(d, 0o755))
			return d
		}},
		{"a symlink", func(t *testing.T) string {
			target := privateDir(t)
			l := filepath.Join(t.TempDir(), "link")
			require.NoError(t, os.Symlink(target, l))
			return l
		}},
		{"a file", func(t *testing.T) string {
			f := filepath.Join(t.TempDir(), "file")
			require.NoError(t, os.WriteFile(f, nil, 0o600))
			return f
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{Dir: tt.make(t)}
			_, err := Claim(opts)
			require.ErrorIs(t, err, ErrUnsafe)
			_, err = Send(context.Background(), opts, Request{Dial: "1"})
			require.ErrorIs(t, err, ErrUnsafe, "nothing is sent through a folder others may reach")
		})
	}
}

func TestBadRequestsAnswered(t *testing.T) {
	defer goleak.VerifyNone(t)
	opts := Options{Dir: privateDir(t)}
	srv, err := Claim(opts)
	require.NoError(t, err)
	defer srv.Close()
	called := false
	srv.Serve(func(Request) Reply { called = true; return Reply{OK: true} })

	tests := []struct{ name, send string }{
		{"not JSON", "dial me\n"},
		{"too long", `{"dial":"` + strings.Repeat("1", MaxMessage) + `"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := net.Dial("unix", filepath.Join(opts.Dir, socketName))
			require.NoError(t, err)
			defer c.Close()
			_, _ = c.Write([]byte(tt.send))
			b := make([]byte, 512)
			n, _ := c.Read(b)
			assert.Contains(t, string(b[:n]), `"code":"BAD_REQUEST"`)
		})
	}
	assert.False(t, called, "the handler never sees a bad request")
	_, err = Send(context.Background(), opts, Request{Dial: strings.Repeat("1", MaxMessage)})
	require.ErrorContains(t, err, "longer than")
}

func TestDefaultFolderIsInRuntimeDir(t *testing.T) {
	rt := privateDir(t)
	t.Setenv("XDG_RUNTIME_DIR", rt)
	d, err := dir(Options{})
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(rt, "phonebar"), d)
	fi, err := os.Stat(d)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
}

// BenchmarkSend is one hand-over round trip: connect, request, answer.
func BenchmarkSend(b *testing.B) {
	d := filepath.Join(b.TempDir(), "rt")
	require.NoError(b, os.Mkdir(d, 0o700))
	opts := Options{Dir: d}
	srv, err := Claim(opts)
	require.NoError(b, err)
	defer srv.Close()
	srv.Serve(func(r Request) Reply { return Reply{OK: true, Message: "Dialling " + r.Dial} })
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Send(ctx, opts, Request{Dial: "tel:+3906123", Show: true}); err != nil {
			b.Fatal(err)
		}
	}
}
