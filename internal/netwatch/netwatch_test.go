package netwatch

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/rtctest/netns"
)

func TestResumed(t *testing.T) {
	tests := []struct {
		name       string
		wall, mono time.Duration
		want       bool
	}{
		{"awake", 2 * time.Second, 2 * time.Second, false},
		{"a little drift", 3 * time.Second, 2 * time.Second, false},
		{"slept a minute", 62 * time.Second, 2 * time.Second, true},
		{"wall clock set back", -time.Hour, 2 * time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := resumed(tt.wall, tt.mono, 5*time.Second)
			assert.Equal(t, tt.want, ok, "%+v", got)
			if ok {
				assert.Equal(t, KindResume, got.Kind)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	old := snapshot{"lo": "127.0.0.1/8", "eth0": "10.0.0.2/24"}
	tests := []struct {
		name string
		cur  snapshot
		want []string
	}{
		{"nothing", snapshot{"lo": "127.0.0.1/8", "eth0": "10.0.0.2/24"}, nil},
		{"new address", snapshot{"lo": "127.0.0.1/8", "eth0": "10.0.0.3/24"}, []string{"address eth0: 10.0.0.3/24"}},
		{"link down", snapshot{"lo": "127.0.0.1/8"}, []string{"link eth0 down"}},
		{"new interface", snapshot{"lo": "127.0.0.1/8", "eth0": "10.0.0.2/24", "wlan0": "192.168.1.5/24"}, []string{"link wlan0 up"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range diff(old, tt.cur) {
				got = append(got, c.Kind.String()+" "+c.Detail)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestWatchNamespace: in a network namespace of its own, a new interface coming up and an address
// added to it and then changed are reported.
func TestWatchNamespace(t *testing.T) {
	if !netns.Isolate(t, time.Minute) {
		return
	}
	defer goleak.VerifyNone(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	changes := make(chan Change, 64)
	w, err := New(Options{OnChange: func(c Change) { changes <- c }, PollInterval: 200 * time.Millisecond})
	require.NoError(t, err)
	rctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(rctx) }()
	defer func() { stop(); <-done }()
	time.Sleep(300 * time.Millisecond) // the subscription is in place (no state to wait for)

	expect := func(kind Kind, detail string) {
		t.Helper()
		for {
			select {
			case c := <-changes:
				if c.Kind == kind && strings.Contains(c.Detail, detail) {
					return
				}
			case <-ctx.Done():
				t.Fatalf("no %s change naming %q", kind, detail)
			}
		}
	}
	netns.Run(t, "ip", "link", "add", "pb0", "type", "veth", "peer", "name", "pb1")
	netns.Run(t, "ip", "link", "set", "pb0", "up")
	netns.Run(t, "ip", "link", "set", "pb1", "up")
	expect(KindLink, "up")
	netns.Run(t, "ip", "addr", "add", "10.77.0.1/24", "dev", "pb0")
	expect(KindAddress, "10.77.0.1")
	netns.Run(t, "ip", "addr", "del", "10.77.0.1/24", "dev", "pb0")
	netns.Run(t, "ip", "addr", "add", "10.77.0.2/24", "dev", "pb0")
	expect(KindAddress, "10.77.0.2")
	netns.Run(t, "ip", "link", "set", "pb0", "down")
	expect(KindLink, "down")
}
