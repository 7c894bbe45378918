package quality_test

import (
	"context"
	"fmt"
	"math/rand"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/pion/turn/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/quality"
	"github.com/phonebar/phonebar/internal/rtc"
	"github.com/phonebar/phonebar/internal/rtctest"
	"github.com/phonebar/phonebar/internal/sipua"
)

// impairment is what the relay does to every packet it carries, both ways: drop it with
// probability loss, and hold it back a delay drawn evenly from [0, spread] (an even spread of 90 ms
// gives an RFC 3550 jitter of about 30 ms: the mean difference of two draws is spread/3).
type impairment struct {
	name   string
	loss   float64
	spread time.Duration
}

// impairedConn is a TURN relay socket that impairs what it relays (pion/turn relays through any
// PacketConn its RelayAddressGenerator hands it).
type impairedConn struct {
	net.PacketConn
	imp    impairment
	mu     sync.Mutex
	rng    *rand.Rand
	in     chan datagram
	closed chan struct{}
	once   sync.Once
}

type datagram struct {
	b    []byte
	from net.Addr
}

func newImpairedConn(pc net.PacketConn, imp impairment, seed int64) *impairedConn {
	c := &impairedConn{PacketConn: pc, imp: imp, rng: rand.New(rand.NewSource(seed)), in: make(chan datagram, 1024), closed: make(chan struct{})}
	go c.readLoop()
	return c
}

// fate decides one packet: dropped, or delayed by how much.
func (c *impairedConn) fate() (bool, time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rng.Float64() < c.imp.loss {
		return true, 0
	}
	if c.imp.spread == 0 {
		return false, 0
	}
	return false, time.Duration(c.rng.Int63n(int64(c.imp.spread)))
}

func (c *impairedConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	drop, delay := c.fate()
	switch {
	case drop:
		return len(p), nil
	case delay == 0:
		return c.PacketConn.WriteTo(p, addr)
	}
	b := append([]byte(nil), p...)
	time.AfterFunc(delay, func() { _, _ = c.PacketConn.WriteTo(b, addr) })
	return len(p), nil
}

func (c *impairedConn) readLoop() {
	buf := make([]byte, 1600)
	for {
		n, from, err := c.PacketConn.ReadFrom(buf)
		if err != nil {
			c.Close()
			return
		}
		drop, delay := c.fate()
		if drop {
			continue
		}
		d := datagram{append([]byte(nil), buf[:n]...), from}
		time.AfterFunc(delay, func() {
			select {
			case c.in <- d:
			case <-c.closed:
			}
		})
	}
}

func (c *impairedConn) ReadFrom(p []byte) (int, net.Addr, error) {
	select {
	case d := <-c.in:
		return copy(p, d.b), d.from, nil
	case <-c.closed:
		return 0, nil, net.ErrClosed
	}
}

func (c *impairedConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return c.PacketConn.Close()
}

// impairingRelays hands out impaired relay sockets.
type impairingRelays struct {
	*turn.RelayAddressGeneratorStatic
	imp impairment
}

func (g impairingRelays) AllocatePacketConn(conf turn.AllocateListenerConfig) (net.PacketConn, net.Addr, error) {
	pc, addr, err := g.RelayAddressGeneratorStatic.AllocatePacketConn(conf)
	if err != nil {
		return nil, nil, err
	}
	return newImpairedConn(pc, g.imp, 1), addr, nil
}

// startRelay runs a TURN server on loopback whose relays impair as imp says.
func startRelay(t *testing.T, imp impairment) rtc.ICEServer {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	require.NoError(t, err)
	srv, err := turn.NewServer(turn.ServerConfig{
		Realm: "phonebar.test",
		AuthHandler: func(ra *turn.RequestAttributes) (string, []byte, bool) {
			return ra.Username, turn.GenerateAuthKey(ra.Username, ra.Realm, "relay-secret"), ra.Username == "agent"
		},
		PacketConnConfigs: []turn.PacketConnConfig{{PacketConn: conn, RelayAddressGenerator: impairingRelays{
			RelayAddressGeneratorStatic: &turn.RelayAddressGeneratorStatic{RelayAddress: net.ParseIP("127.0.0.1"), Address: "127.0.0.1"}, imp: imp}}},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	return rtc.ICEServer{URLs: []string{"turn:" + conn.LocalAddr().String() + "?transport=udp"}, Username: "agent", Credential: "relay-secret"}
}

// TestQualityOverImpairedNetworks: the softphone calls a browser (JsSIP in Chromium) through
// Kamailio, its media relayed by a TURN server that loses or delays packets both ways. The
// softphone's own rating of each call (MOS, loss, concealment, jitter, warnings) is set next to
// what the browser measured of the same call, for a clean line, 5 % and 20 % loss and 30 ms jitter.
func TestQualityOverImpairedNetworks(t *testing.T) {
	// Figures, not a gate: on a machine loaded with other work the playout's own lateness
	// conceals audio on a clean line too, and the thresholds then miss. Run it on a quiet machine:
	// PHONEBAR_QUALITY_FIGURES=1 .ci/with-services go test -run TestQualityOverImpairedNetworks -v ./internal/quality/
	if os.Getenv("PHONEBAR_QUALITY_FIGURES") == "" {
		t.Skip("figures of real impaired calls: set PHONEBAR_QUALITY_FIGURES=1")
	}
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	browser := rtctest.StartBrowser(t)
	hold := 6 * time.Second

	profiles := []struct {
		imp   impairment
		check func(t *testing.T, s quality.Summary)
	}{
		{impairment{name: "clean"}, func(t *testing.T, s quality.Summary) {
			assert.Greater(t, s.MOS, 4.0)
			assert.Less(t, s.LossPct, 1.0)
			assert.Empty(t, s.Warnings)
		}},
		{impairment{name: "5% loss", loss: 0.05}, func(t *testing.T, s quality.Summary) {
			assert.InDelta(t, 5, s.LossPct, 3.5)
			assert.Contains(t, s.Warnings, quality.WarningHighLoss)
		}},
		{impairment{name: "20% loss", loss: 0.20}, func(t *testing.T, s quality.Summary) {
			assert.InDelta(t, 20, s.LossPct, 8)
			assert.Less(t, s.MOS, quality.MOSThreshold)
			assert.Contains(t, s.Warnings, quality.WarningHighLoss)
		}},
		{impairment{name: "30 ms jitter", spread: 90 * time.Millisecond}, func(t *testing.T, s quality.Summary) {
			assert.InDelta(t, 30, s.JitterMs, 12)
			assert.Less(t, s.LossPct, 1.0)
		}},
	}
	var table []string
	for _, p := range profiles {
		t.Run(p.imp.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			// A fresh tab and user per profile: each call starts from a clean registration.
			br := browser.NewTab()
			br.SetAutoAnswer(true)
			br.SetTone(440)
			peer := pbx.User("peer")
			br.Register(pbx, pbx.WSURL, peer)
			events := make(chan phone.Event, 256)
			user := pbx.User("agent")
			ph, err := phone.New(phone.Config{
				Account:       phone.Account{AOR: pbx.AOR(user), Password: rtctest.Password, WSURL: pbx.WSURL, ICEServers: []rtc.ICEServer{startRelay(t, p.imp)}},
				RelayOnly:     true,
				AllowLoopback: true,
				NewSource:     func() rtc.Source { return rtc.NewToneSource(700) },
				NewSink:       func() rtc.Sink { return rtc.NewFrequencySink() },
				OnEvent:       func(ev phone.Event) { events <- ev },
			})
			require.NoError(t, err)
			rctx, stop := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- ph.Run(rctx) }()
			defer func() { stop(); <-done }()
			for registered := false; !registered; {
				select {
				case ev := <-events:
					registered = ev.Kind == phone.EventRegistration && ev.Registration == sipua.StateRegistered
				case <-ctx.Done():
					t.Fatal("never registered")
				}
			}
			c, err := ph.Dial(ctx, peer)
			require.NoError(t, err)
			select {
			case <-time.After(hold):
			case <-c.Done():
				t.Fatalf("the call ended early: %v", c.Err())
			}
			st := c.Stats()
			bs := br.Stats()
			require.NoError(t, c.Hangup(ctx))
			require.Contains(t, st.ICEPair, "relay", "the media went through the impairing relay")
			s := st.Quality.Summary
			brConcealed, brMOS := 0.0, 0.0
			if bs.Samples > 0 {
				brConcealed = 100 * float64(bs.Concealed) / float64(bs.Samples)
				brMOS = quality.Estimate(quality.Impairments{Codec: "opus", LossPct: brConcealed, DelayMs: bs.RTTMs/2 + 60})
			}
			brLoss := 0.0
			if bs.In+bs.Lost > 0 {
				brLoss = 100 * float64(bs.Lost) / float64(bs.In+bs.Lost)
			}
			// Made up: concealed without the far end's FEC, as the browser counts its concealed
			// samples (a frame its decoder rebuilt from FEC is no concealment there).
			madeUp := 0.0
			if played := st.DecodedFrames + st.ConcealedFrames; played > 0 {
				madeUp = 100 * float64(st.ConcealedFrames-st.FECFrames) / float64(played)
			}
			table = append(table, fmt.Sprintf("| %-12s | %4.2f | %4.2f | %5.1f | %5.1f | %5.1f | %5.1f | %5.1f | %5.1f | %-28v || %5.1f | %5.1f | %5.1f | %4.2f |",
				p.imp.name, s.MOS, s.MOSMin, s.LossPct, s.RemoteLossPct, s.ConcealedPct, madeUp, s.JitterMs, s.RTTMs, s.Warnings,
				brLoss, brConcealed, bs.JitterMs, brMOS))
			p.check(t, s)
		})
	}
	t.Log("\n| profile      | MOS  | min  | loss% | far%  | conc% | made% | jit ms| rtt ms| warnings                     || browser: loss% | conc% | jit ms | MOS* |\n" +
		fmt.Sprintln(joinLines(table)))
}

func joinLines(l []string) string {
	out := ""
	for _, s := range l {
		out += s + "\n"
	}
	return out
}
