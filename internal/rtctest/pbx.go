package rtctest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"embed"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"text/template"
	"time"

	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/testenv"
	"github.com/phonebar/phonebar/internal/tlspin"
)

//go:embed testdata/kamailio.cfg.tmpl testdata/tls.cfg.tmpl
var configs embed.FS

// Password is every test account's SIP password.
const Password = "secret"

// FlowTimer is the keep-alive interval the PBX's registrar asks of an RFC 5626 flow (Flow-Timer).
const FlowTimer = 10 * time.Second

// PBX is a running Kamailio: a SIP-over-WebSocket registrar and proxy on 127.0.0.1.
type PBX struct {
	// WSURL and WSSURL are the server's WebSocket URLs.
	WSURL, WSSURL string
	// Fingerprint is the SHA-256 of the wss listener's self-signed certificate.
	Fingerprint tlspin.Fingerprint
	// Domain is the SIP domain of every account.
	Domain string

	t       testing.TB
	bin     string
	dir     string
	cfg     string
	wsPort  int
	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{}
	logs    *syncBuffer
	stopped bool
}

// Account is a SIP account of the PBX with a password of its own (every other account's is
// Password): for a test that must tell its password from every other text, such as one that
// looks for a secret in logs.
type Account struct {
	User, Password string
}

// accountText is what an account's user and password may hold: they go into the PBX's
// configuration as they are.
var accountText = regexp.MustCompile(`^[A-Za-z0-9._+-]+$`)

// StartPBX starts Kamailio for the test and stops it at cleanup. Its log is printed if the test
// fails. Each of accounts authenticates with its own password.
func StartPBX(t testing.TB, accounts ...Account) *PBX {
	t.Helper()
	for _, a := range accounts {
		if !accountText.MatchString(a.User) || !accountText.MatchString(a.Password) {
			t.Fatalf("rtctest: account %q: user and password may hold only letters, digits and ._+-", a.User)
		}
	}
	bin := testenv.NeedCommand(t, "kamailio")
	mods := modulePath()
	testenv.Need(t, mods != "", "Kamailio's websocket, tls and outbound modules (kamailio-websocket-modules, kamailio-tls-modules, kamailio-outbound-modules)")
	dir := t.TempDir()
	certPEM, keyPEM, fp := selfSigned(t)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cert := write("cert.pem", certPEM)
	key := write("key.pem", keyPEM)
	tlsCfg := write("tls.cfg", render(t, "testdata/tls.cfg.tmpl", map[string]any{"Cert": cert, "Key": key}))
	ws, wss := freePort(t), freePort(t)
	cfg := write("kamailio.cfg", render(t, "testdata/kamailio.cfg.tmpl", map[string]any{
		"WSPort": strconv.Itoa(ws), "WSSPort": strconv.Itoa(wss), "ModPath": mods, "TLSConfig": tlsCfg,
		"FlowTimer": strconv.Itoa(int(FlowTimer / time.Second)), "Accounts": accounts,
	}))
	p := &PBX{
		WSURL:       fmt.Sprintf("ws://127.0.0.1:%d/", ws),
		WSSURL:      fmt.Sprintf("wss://127.0.0.1:%d/", wss),
		Fingerprint: fp,
		Domain:      "127.0.0.1",
		t:           t, bin: bin, dir: dir, cfg: cfg, wsPort: ws,
		logs: &syncBuffer{},
	}
	if out, err := exec.Command(bin, "-c", "-f", cfg).CombinedOutput(); err != nil {
		t.Fatalf("kamailio refuses the test configuration: %v\n%s", err, out)
	}
	p.start()
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			t.Logf("kamailio log:\n%s", p.logs.String())
		}
	})
	return p
}

func (p *PBX) start() {
	p.t.Helper()
	cmd := exec.Command(p.bin, "-f", p.cfg, "-DD", "-E", "-m", "64", "-M", "8", "-w", p.dir, "-P", filepath.Join(p.dir, "kamailio.pid"))
	cmd.Stdout = p.logs
	cmd.Stderr = p.logs
	setDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		p.t.Fatalf("start kamailio: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	p.mu.Lock()
	p.cmd, p.exited, p.stopped = cmd, exited, false
	p.mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p.wsPort)), time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-exited:
			p.t.Fatalf("kamailio exited at start:\n%s", p.logs.String())
		default:
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("kamailio does not accept on port %d:\n%s", p.wsPort, p.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop stops Kamailio (SIGTERM) and waits for it; every WebSocket to it drops.
func (p *PBX) Stop() {
	p.mu.Lock()
	cmd, exited, stopped := p.cmd, p.exited, p.stopped
	p.stopped = true
	p.mu.Unlock()
	if cmd == nil || stopped {
		return
	}
	signalGroup(cmd, false)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		signalGroup(cmd, true)
		<-exited
	}
	// Forked children may outlive the main process for a moment: make sure none stays.
	signalGroup(cmd, true)
}

// Restart stops Kamailio and starts it again on the same ports, with no registrations.
func (p *PBX) Restart() {
	p.t.Helper()
	p.Stop()
	p.start()
}

var userSeq atomic.Int64

// User returns a user name no other test or earlier run has registered: prefix, a sequence number
// and random digits.
func (p *PBX) User(prefix string) string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1e9))
	return fmt.Sprintf("%s%d%09d", prefix, userSeq.Add(1), n.Int64())
}

// AOR returns the SIP address of user on this PBX.
func (p *PBX) AOR(user string) string { return "sip:" + user + "@" + p.Domain }

func modulePath() string {
	matches, _ := filepath.Glob("/usr/lib/*/kamailio/modules/websocket.so")
	if len(matches) == 0 {
		matches, _ = filepath.Glob("/usr/lib*/kamailio/modules/websocket.so")
	}
	for _, m := range matches {
		dir := filepath.Dir(m)
		_, tlsErr := os.Stat(filepath.Join(dir, "tls.so"))
		_, obErr := os.Stat(filepath.Join(dir, "outbound.so"))
		if tlsErr == nil && obErr == nil {
			return dir + "/"
		}
	}
	return ""
}

func render(t testing.TB, name string, data any) []byte {
	t.Helper()
	tpl, err := template.ParseFS(configs, name)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tpl.Execute(&b, data); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// selfSigned makes a certificate for 127.0.0.1 and localhost.
func selfSigned(t testing.TB) (certPEM, keyPEM []byte, fp tlspin.Fingerprint) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "phonebar test pbx"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}),
		tlspin.OfDER(der)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b.Len() > 4<<20 {
		return len(p), nil
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// CheckLeaks registers a goroutine-leak check that runs after every later cleanup (servers,
// browsers) of the test. Call it first in a test.
func CheckLeaks(t *testing.T) {
	t.Helper()
	opt := goleak.IgnoreCurrent()
	// The log files' rotation library (lumberjack) keeps one goroutine per file for the life of
	// the process: a command run in the test process leaves it behind.
	logFiles := goleak.IgnoreTopFunction("gopkg.in/natefinch/lumberjack%2ev2.(*Logger).millRun")
	t.Cleanup(func() { goleak.VerifyNone(t, opt, logFiles) })
}
