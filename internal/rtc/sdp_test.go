package rtc_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/rtc"
)

const pionOffer = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n" +
	"m=audio 9 UDP/TLS/RTP/SAVPF 0 101\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=ice-ufrag:u\r\na=ice-pwd:p\r\n" +
	"a=fingerprint:sha-256 AA\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n" +
	"a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host\r\n" +
	"a=candidate:2 1 udp 2130706431 192.0.2.10 50002 typ host\r\n" +
	"a=candidate:3 1 udp 1694498815 203.0.113.5 60000 typ srflx raddr 192.0.2.10 rport 50002\r\n" +
	"a=candidate:4 1 tcp 1518280447 192.0.2.10 9 typ host tcptype active\r\n"

func TestPatchDefaultCandidate(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		wantC string
		wantM string
	}{
		{"srflx wins", pionOffer, "c=IN IP4 203.0.113.5", "m=audio 60000 "},
		{"host over loopback", strings.ReplaceAll(pionOffer, "a=candidate:3 1 udp 1694498815 203.0.113.5 60000 typ srflx raddr 192.0.2.10 rport 50002\r\n", ""), "c=IN IP4 192.0.2.10", "m=audio 50002 "},
		{"no candidate kept", strings.Split(pionOffer, "a=candidate")[0], "c=IN IP4 0.0.0.0", "m=audio 9 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := rtc.PatchDefaultCandidate([]byte(tt.in))
			require.NoError(t, err)
			assert.Contains(t, string(out), tt.wantC)
			assert.Contains(t, string(out), tt.wantM)
		})
	}
}

func TestPatchAnswer(t *testing.T) {
	noMid := "v=0\r\no=- 2 2 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 192.0.2.1\r\na=rtpmap:0 PCMU/8000\r\n"
	tests := []struct {
		name    string
		answer  string
		wantMid bool
		wantErr error
	}{
		{"mid added", noMid, true, nil},
		{"mid kept", strings.Replace(noMid, "a=rtpmap", "a=mid:0\r\na=rtpmap", 1), true, nil},
		{"no audio", "v=0\r\no=- 2 2 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=video 4000 RTP/AVP 96\r\n", false, rtc.ErrNoAudio},
		{"garbage", "hello", false, rtc.ErrBadSDP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := rtc.PatchAnswer([]byte(pionOffer), []byte(tt.answer))
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantMid, strings.Contains(string(out), "a=mid:0"))
		})
	}
}

func TestDirection(t *testing.T) {
	tests := []struct {
		name string
		sdp  string
		want string
	}{
		{"sendrecv", pionOffer, rtc.SendRecv},
		{"sendonly", strings.Replace(pionOffer, "a=sendrecv", "a=sendonly", 1), rtc.SendOnly},
		{"inactive", strings.Replace(pionOffer, "a=sendrecv", "a=inactive", 1), rtc.Inactive},
		{"port zero", strings.Replace(pionOffer, "m=audio 9", "m=audio 0", 1), rtc.Inactive},
		{"none written", strings.Replace(pionOffer, "a=sendrecv\r\n", "", 1), rtc.SendRecv},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rtc.Direction([]byte(tt.sdp))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want, rtc.Reverse(rtc.Reverse(tt.want)))
		})
	}
}

// FuzzSDP feeds hostile session descriptions to every parser of ours that reads the network.
func FuzzSDP(f *testing.F) {
	f.Add([]byte(pionOffer))
	f.Add([]byte("v=0\r\nm=audio 1 RTP/AVP 0\r\na=candidate:1 1 udp 1 ::1 1 typ host\r\n"))
	f.Add([]byte("v=0\r\no=- 0 0 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 99999999999 RTP/AVP\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = rtc.PatchDefaultCandidate(b)
		_, _ = rtc.PatchAnswer([]byte(pionOffer), b)
		_, _ = rtc.PatchAnswer(b, b)
		_, _ = rtc.Direction(b)
	})
}
