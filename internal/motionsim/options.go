package motionsim

import (
	"net/http"
	"time"

	"github.com/sirupsen/logrus"
)

// Options configures a Server. The zero value gives a working server with the built-in demo seed.
type Options struct {
	// Config holds the settings and seed users; nil means DefaultConfig(). It is validated by New,
	// and its clear passwords are hashed there; the server keeps no clear password.
	Config *Config
	// Now is the clock for lockouts, expiry, license notices and the disconnection timeout; nil
	// means time.Now. (Heartbeats and the sweeper tick on real time.)
	Now func() time.Time
	// Logger receives one line per login, logout and realtime socket; nil discards. Secrets are
	// never logged.
	Logger logrus.FieldLogger
	// DataDir keeps the TLS certificate and key (cert.pem, key.pem) across restarts; empty means
	// Start makes a fresh certificate in memory each time.
	DataDir string
	// BcryptCost hashes the seed passwords; 0 means bcrypt.DefaultCost. Tests use
	// bcrypt.MinCost (4) to stay fast.
	BcryptCost int
	// HeartbeatMS is how often the realtime socket sends a heartbeat; 0 means 1000.
	HeartbeatMS int
	// MaxBodyBytes bounds a request body; 0 means 64 KiB.
	MaxBodyBytes int64
	// SweepInterval is how often a started server ends sessions past the disconnection timeout;
	// 0 means every 5 seconds. (Every request also sweeps, so a test with a fake clock needs no
	// sweeper.)
	SweepInterval time.Duration
	// HTTPListen, when set, makes Start also serve the same server over plain http:// on this
	// address (host:port; port 0 picks one), as a misconfigured real server may be reached: there
	// the web pages lose their Secure token cookie and their API calls fail with "Unknown
	// authorization format". Empty: https only.
	HTTPListen string
	// Hooks are for tests; nil fields are skipped.
	Hooks Hooks
}

// Hooks let tests observe and disturb the server.
type Hooks struct {
	// OnRecord receives every Record as it is made, in order, on the goroutine of the request
	// that made it, never under the server's lock. Deliveries are serialized: the hook may call
	// the server's methods but must not wait for a request to the server.
	OnRecord func(Record)
	// AllowRealtime, when set, is asked before a realtime socket is accepted; an error refuses the
	// socket with 503 and the error's text.
	AllowRealtime func(r *http.Request) error
}

const (
	defaultHeartbeatMS  = 1000
	defaultMaxBodyBytes = 64 << 10
	defaultSweep        = 5 * time.Second
)
