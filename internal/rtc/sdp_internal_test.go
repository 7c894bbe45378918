package rtc

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A dynamic payload type listed without its a=rtpmap is dropped from the media line before pion
// sees it; the static ones and the mapped ones stay, and a description without any is untouched.
func TestWithoutUnmappedPayloads(t *testing.T) {
	const head = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
	in := head + "m=audio 4000 RTP/AVP 111 0 8 101 110\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
	out := string(withoutUnmappedPayloads([]byte(in)))
	assert.Contains(t, out, "m=audio 4000 RTP/AVP 111 0 8 101\r\n")
	assert.Contains(t, out, "a=rtpmap:101 telephone-event/8000")

	clean := head + "m=audio 4000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n"
	assert.Equal(t, clean, string(withoutUnmappedPayloads([]byte(clean))))
	assert.Equal(t, "not sdp", string(withoutUnmappedPayloads([]byte("not sdp"))))
}
