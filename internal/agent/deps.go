package agent

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/motion"
)

// Client is what the session needs of a Motion client (*motion.Client through MotionClient).
type Client interface {
	Login(ctx context.Context, req motion.LoginRequest) (motion.LoginResponse, error)
	// LoginSSO exchanges a provider sign-in's one-time code for a session.
	LoginSSO(ctx context.Context, req motion.SSOLoginRequest) (motion.LoginResponse, error)
	// PhonesForCode is PhonesFor for a provider sign-in (after PHONE_REQUIRED).
	PhonesForCode(ctx context.Context, code string) (motion.PhoneList, error)
	// WebCode asks for a one-time code that logs a browser in as the session's user.
	WebCode(ctx context.Context) (string, error)
	// SetStatus makes the agent ready, or paused with an optional pause type.
	SetStatus(ctx context.Context, req motion.AgentStatusRequest) (motion.AgentStatus, error)
	// SetLine changes where an external agent without Hot Desk takes calls, in the session.
	SetLine(ctx context.Context, line string) error
	// Status reads the agent's status in the session.
	Status(ctx context.Context) (motion.AgentStatus, error)
	// PauseTypes lists the server's pause types (none from a server without the route).
	PauseTypes(ctx context.Context) ([]motion.PauseType, error)
	Whoami(ctx context.Context) (motion.User, error)
	Logout(ctx context.Context) error
	ChangePassword(ctx context.Context, oldPassword, newPassword string) error
	ForgotPassword(ctx context.Context, email string) error
	// PhonesFor lists the hot-desk telephones with the login's credentials (after PHONE_REQUIRED).
	PhonesFor(ctx context.Context, name, password string) (motion.PhoneList, error)
	// Providers lists the single sign-on providers the server offers (no login needed).
	Providers(ctx context.Context) ([]string, error)
	DialRealtime(ctx context.Context) (Realtime, error)
	CloseIdleConnections()
}

// Realtime is one realtime connection (*motion.Realtime).
type Realtime interface {
	Next(ctx context.Context) (motion.Event, error)
	Close() error
}

// ClientFactory makes a Client for one server.
type ClientFactory func(motion.Options) (Client, error)

// MotionClient is the ClientFactory of the real Motion client.
func MotionClient(opts motion.Options) (Client, error) {
	c, err := motion.New(opts)
	if err != nil {
		return nil, err
	}
	return motionClient{c}, nil
}

type motionClient struct{ *motion.Client }

func (m motionClient) DialRealtime(ctx context.Context) (Realtime, error) {
	rt, err := m.Client.DialRealtime(ctx)
	if err != nil {
		return nil, err
	}
	return rt, nil
}

// ConfigStore is where the session keeps settings (*config.Store).
type ConfigStore interface {
	Load() (config.Settings, error)
	Update(func(*config.Settings) error) error
}

// Clock is the session's time source.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Backoff spaces realtime reconnection attempts: Initial, then times Multiplier per failed attempt,
// never more than Max, each delay spread by ±Jitter (a fraction) so that many Phonebars do not
// reconnect in step after a server restart. Zero fields mean the defaults: 500 ms, 8 s, 2, 0.2 (so that an agent is back within about 8 s of
// the network's return even after a long outage, while a thousand Phonebars still spread out).
type Backoff struct {
	Initial    time.Duration
	Max        time.Duration
	Multiplier float64
	Jitter     float64
}

// Delay returns the wait before attempt number attempt (0 for the first retry); rnd is a random
// number in [0, 1).
func (b Backoff) Delay(attempt int, rnd float64) time.Duration {
	if b.Initial <= 0 {
		b.Initial = 500 * time.Millisecond
	}
	if b.Max <= 0 {
		b.Max = 8 * time.Second
	}
	if b.Multiplier < 1 {
		b.Multiplier = 2
	}
	if b.Jitter <= 0 || b.Jitter >= 1 {
		b.Jitter = 0.2
	}
	d := float64(b.Initial)
	for range attempt {
		d *= b.Multiplier
		if d >= float64(b.Max) {
			d = float64(b.Max)
			break
		}
	}
	d *= 1 - b.Jitter + 2*b.Jitter*rnd
	if d > float64(b.Max) {
		d = float64(b.Max)
	}
	return time.Duration(d)
}

func defaultRand() float64 { return rand.Float64() }
