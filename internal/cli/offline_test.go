package cli

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

// TestCallDemoOffline is the demo on a laptop with no network: every interface but loopback down
// (a network namespace of its own). The phone gathers loopback candidates because its SIP server
// is on this computer, so a call to the echo extension *43 carries audio both ways.
func TestCallDemoOffline(t *testing.T) {
	if !netns.Isolate(t, 2*time.Minute) {
		return
	}
	leaks := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leaks, ignoreLogFiles) })
	url, fp, users := startDemoServer(t)
	agent := users["webrtc"]
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errb syncBuf
	code := Run(ctx, []string{"call", "--server", url, "--user", agent[0], "--password-stdin", "--trust-fingerprint", fp,
		"--to", "*43", "--tone", "700", "--seconds", "2", "--json"}, Stdio{In: strings.NewReader(agent[1] + "\n"), Out: &out, Err: &errb})
	require.Equal(t, 0, code, "call: %s %s", out.String(), errb.String())
	lines := jsonLines(t, out.String())
	require.Len(t, lines, 2)
	c := lines[1]
	assert.Equal(t, true, c["ok"])
	assert.Equal(t, "connected", c["dtls_state"])
	assert.Equal(t, "host/host", c["ice_pair"])
	assert.InDelta(t, 700, c["far_tone_hz"], 15, "the echo of our tone came back")
}
