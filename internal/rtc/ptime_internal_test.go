package rtc

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const ms = time.Millisecond

func TestNegotiatePacketTime(t *testing.T) {
	tests := []struct {
		name              string
		ours, ptime, maxp time.Duration
		want              time.Duration
	}{
		{"the far end says nothing: ours", 10 * ms, 0, 0, 10 * ms},
		{"the far end asks for 20", 10 * ms, 20 * ms, 0, 20 * ms},
		{"the far end asks for 10", 20 * ms, 10 * ms, 0, 10 * ms},
		{"a ptime this end does not send: ours", 20 * ms, 30 * ms, 0, 20 * ms},
		{"maxptime below ours", 20 * ms, 0, 10 * ms, 10 * ms},
		{"maxptime above ours", 10 * ms, 0, 60 * ms, 10 * ms},
		{"ptime 20 but maxptime 10", 20 * ms, 20 * ms, 10 * ms, 10 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, negotiatePacketTime(tt.ours, tt.ptime, tt.maxp))
		})
	}
}

func TestPacketTimeInSDP(t *testing.T) {
	const base = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n" +
		"m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n"
	t.Run("written", func(t *testing.T) {
		out, err := withPacketTime([]byte(base+"a=ptime:30\r\na=sendrecv\r\n"), 10*ms, 60*ms)
		require.NoError(t, err)
		assert.Contains(t, string(out), "a=ptime:10\r\n")
		assert.Contains(t, string(out), "a=maxptime:60\r\n")
		assert.NotContains(t, string(out), "a=ptime:30", "the old line replaced")
		p, m := remotePacketTime(out)
		assert.Equal(t, 10*ms, p)
		assert.Equal(t, 60*ms, m)
	})
	tests := []struct {
		name       string
		sdp        string
		ptime, max time.Duration
	}{
		{"none", base, 0, 0},
		{"media level", base + "a=ptime:20\r\na=maxptime:40\r\n", 20 * ms, 40 * ms},
		{"session level", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=ptime:10\r\n" + base[len("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"):], 10 * ms, 0},
		{"fractional", base + "a=ptime:2.5\r\n", 2500 * time.Microsecond, 0},
		{"unreadable", base + "a=ptime:twenty\r\na=maxptime:-5\r\n", 0, 0},
		{"not SDP", "hello", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, m := remotePacketTime([]byte(tt.sdp))
			assert.Equal(t, tt.ptime, p)
			assert.Equal(t, tt.max, m)
		})
	}
}
