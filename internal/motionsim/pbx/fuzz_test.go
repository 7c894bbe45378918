package pbx

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// sinkTransport is a Transport that keeps what the PBX writes and never delivers anything.
type sinkTransport struct {
	mu  sync.Mutex
	out [][]byte
}

func (s *sinkTransport) Read(ctx context.Context) ([]byte, error) { return nil, errors.New("closed") }
func (s *sinkTransport) Write(_ context.Context, b []byte) error {
	s.mu.Lock()
	s.out = append(s.out, append([]byte(nil), b...))
	s.mu.Unlock()
	return nil
}
func (s *sinkTransport) Close() error { return nil }

// FuzzHandle feeds one message from the network to a connection whose user is registered (so that
// INVITEs reach the media): the PBX must not panic (handle recovers, so a panic is caught by the
// hook below), and everything it answers must be a readable SIP message.
func FuzzHandle(f *testing.F) {
	g729 := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 18\r\na=rtpmap:18 G729/8000\r\n"
	for _, s := range []string{
		request("OPTIONS", "sip:*43@127.0.0.1", "f1", "", ""),
		request("REGISTER", "sip:127.0.0.1", "f2", "Expires: 60\r\n", ""),
		request("REGISTER", "sip:127.0.0.1", "f3", "Authorization: Digest username=\"1001\", realm=\"phonebar-demo\", nonce=\"x\", uri=\"sip:127.0.0.1\", response=\"00\", qop=auth, nc=00000001, cnonce=\"c\"\r\n", ""),
		request("INVITE", "sip:*43@127.0.0.1", "f4", "", g729),
		request("INVITE", "sip:*44@127.0.0.1", "f5", "", "v=0\r\nm=audio\r\n"),
		request("INVITE", "sip:*99@127.0.0.1", "f6", "", ""),
		request("INFO", "sip:*44@127.0.0.1", "f7", "", ""),
		request("BYE", "sip:*44@127.0.0.1", "f8", "", ""),
		"SIP/2.0 200 OK\r\nVia: SIP/2.0/WSS x;branch=z9hG4bK1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
		"INVITE sip:x SIP/2.0\r\n\r\n",
		"\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := New(Options{Lookup: lookup, NoLoopback: true})
		if err != nil {
			t.Fatal(err)
		}
		tr := &sinkTransport{}
		c := newConn(p, tr, "192.0.2.1:5000", "192.0.2.1")
		c.setUser("1001")
		var panicked any
		func() {
			defer func() { panicked = recover() }()
			c.handleStrict(data)
		}()
		p.Close()
		if panicked != nil {
			t.Fatalf("panic on %q: %v", data, panicked)
		}
		tr.mu.Lock()
		defer tr.mu.Unlock()
		for _, b := range tr.out {
			if _, err := sip.NewParser().ParseSIP(b); err != nil {
				t.Fatalf("unreadable answer %q to %q: %v", b, data, err)
			}
		}
	})
}

// FuzzOffersTelephoneEvent reads SDP from the network.
func FuzzOffersTelephoneEvent(f *testing.F) {
	f.Add([]byte("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n"))
	f.Add([]byte("m=audio"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = offersTelephoneEvent(data)
	})
}
