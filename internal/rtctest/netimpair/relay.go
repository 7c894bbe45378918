package netimpair

import (
	"crypto/rand"
	"encoding/binary"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/pion/turn/v5"

	"github.com/phonebar/phonebar/internal/rtc"
)

// Impairment is what a Relay does to each packet it relays, both ways.
type Impairment struct {
	// Delay is the time each packet is held, on average; Jitter spreads it evenly over
	// Delay-Jitter .. Delay+Jitter (never below zero), so packets may overtake each other as on a
	// real network.
	Delay, Jitter time.Duration
	// LossPercent is the share of packets dropped at random, in percent.
	LossPercent float64
}

// Profile is a named set of network faults.
type Profile struct {
	Name string
	// Relay is what the TURN relay does; LossPercent is iptables loss on every UDP packet (needs a
	// namespace of the test's own).
	Relay       Impairment
	LossPercent float64
}

// Profiles are the faults the softphone is measured under: a clean line, 5 % and 20 % loss, and
// 30 ms of jitter. Loss is made in the relay so that the profiles need neither root nor a
// namespace; Loss gives the same through iptables.
var Profiles = []Profile{
	{Name: "clean"},
	{Name: "loss 5%", Relay: Impairment{LossPercent: 5}},
	{Name: "loss 20%", Relay: Impairment{LossPercent: 20}},
	{Name: "jitter 30ms", Relay: Impairment{Delay: 40 * time.Millisecond, Jitter: 30 * time.Millisecond}},
}

// Relay is a TURN server on 127.0.0.1 (pion/turn) that impairs what it relays.
type Relay struct {
	addr string
	imp  *impairer
}

// Username and Password are the relay's one account.
const (
	Username = "impaired"
	Password = "impaired"
)

// StartRelay runs a TURN relay that impairs every packet it relays as imp says, and stops it at
// cleanup.
func StartRelay(t testing.TB, imp Impairment) *Relay {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	im := &impairer{imp: imp}
	srv, err := turn.NewServer(turn.ServerConfig{
		Realm: "phonebar.test",
		AuthHandler: func(ra *turn.RequestAttributes) (string, []byte, bool) {
			if ra.Username != Username {
				return "", nil, false
			}
			return ra.Username, turn.GenerateAuthKey(ra.Username, ra.Realm, Password), true
		},
		PacketConnConfigs: []turn.PacketConnConfig{{
			// Towards the phone: the server's own socket. Towards the far end: each relay socket.
			PacketConn:            &impairedConn{PacketConn: conn, im: im},
			RelayAddressGenerator: &relayGenerator{RelayAddressGeneratorStatic: turn.RelayAddressGeneratorStatic{RelayAddress: net.ParseIP("127.0.0.1"), Address: "127.0.0.1"}, im: im},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = srv.Close()
		im.wait()
	})
	return &Relay{addr: conn.LocalAddr().String(), imp: im}
}

// Addr is the relay's host:port; it answers STUN bindings there too.
func (r *Relay) Addr() string { return r.addr }

// ICEServer is the relay as an ICE server of the call's media options.
func (r *Relay) ICEServer() rtc.ICEServer {
	return rtc.ICEServer{URLs: []string{"turn:" + r.addr + "?transport=udp"}, Username: Username, Credential: Password}
}

// Set changes what the relay does from now on: a test starts a call on a clean relay (so that its
// setup, ICE and DTLS, is not what is measured) and impairs it once audio flows.
func (r *Relay) Set(imp Impairment) {
	r.imp.mu.Lock()
	r.imp.imp = imp
	r.imp.passed, r.imp.dropped = 0, 0
	r.imp.mu.Unlock()
}

// Counts returns how many packets the relay passed on and how many it dropped since the last Set.
func (r *Relay) Counts() (passed, dropped uint64) {
	r.imp.mu.Lock()
	defer r.imp.mu.Unlock()
	return r.imp.passed, r.imp.dropped
}

type relayGenerator struct {
	turn.RelayAddressGeneratorStatic
	im *impairer
}

func (g *relayGenerator) AllocatePacketConn(conf turn.AllocateListenerConfig) (net.PacketConn, net.Addr, error) {
	c, a, err := g.RelayAddressGeneratorStatic.AllocatePacketConn(conf)
	if err != nil {
		return nil, nil, err
	}
	return &impairedConn{PacketConn: c, im: g.im}, a, nil
}

// impairer decides the fate of each packet and sends the late ones.
type impairer struct {
	imp     Impairment
	mu      sync.Mutex
	passed  uint64
	dropped uint64
	wg      sync.WaitGroup
}

// random is a uniform number in [0, 1).
func random() float64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return float64(binary.LittleEndian.Uint64(b[:])>>11) / (1 << 53)
}

func (im *impairer) send(p []byte, to net.Addr, write func([]byte, net.Addr) (int, error)) (int, error) {
	im.mu.Lock()
	imp := im.imp
	drop := imp.LossPercent > 0 && random()*100 < imp.LossPercent
	if drop {
		im.dropped++
	} else {
		im.passed++
	}
	im.mu.Unlock()
	if drop {
		return len(p), nil
	}
	d := imp.Delay
	if imp.Jitter > 0 {
		d += time.Duration((2*random() - 1) * float64(imp.Jitter))
	}
	if d <= 0 {
		return write(p, to)
	}
	held := append([]byte(nil), p...)
	im.wg.Add(1)
	time.AfterFunc(d, func() {
		defer im.wg.Done()
		_, _ = write(held, to)
	})
	return len(p), nil
}

func (im *impairer) wait() { im.wg.Wait() }

// impairedConn passes every packet written through the impairer.
type impairedConn struct {
	net.PacketConn
	im *impairer
}

func (c *impairedConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	return c.im.send(p, addr, c.PacketConn.WriteTo)
}
