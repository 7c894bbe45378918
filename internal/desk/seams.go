package desk

import (
	"context"
	"time"

	"github.com/phonebar/phonebar/internal/history"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/quality"
	"github.com/phonebar/phonebar/internal/sipua"
)

// Phone is what the desk needs of a softphone: phone.Phone through Open, a fake in tests.
type Phone interface {
	// Run keeps the phone registered until ctx ends; calls still up then end.
	Run(ctx context.Context) error
	// Dial places a call and returns once it is answered or refused.
	Dial(ctx context.Context, target string) (Call, error)
}

// Call is what the desk needs of one call of the Phone.
type Call interface {
	ID() string
	Direction() Direction
	Remote() string
	RemoteName() string
	State() phone.State
	// Done is closed when the call has ended.
	Done() <-chan struct{}
	// Err says why the call ended; nil while it lasts.
	Err() error
	Started() time.Time
	// Answered is when the call was established; zero before.
	Answered() time.Time

	Answer(ctx context.Context) error
	Reject(ctx context.Context, code int) error
	Hangup(ctx context.Context) error
	Hold(ctx context.Context) error
	Resume(ctx context.Context) error
	Mute(on bool)
	SendDTMF(ctx context.Context, digits string) error
	Transfer(ctx context.Context, target string) error
	// TransferTo completes an attended transfer of this call to the other side of consult.
	TransferTo(ctx context.Context, consult Call) error
	// SwitchDevices moves the call to the microphone and speaker chosen now.
	SwitchDevices(ctx context.Context) error
	// Quality is the call's quality now (the zero Report before its media exists); it stays
	// readable after the call ended.
	Quality() quality.Report
}

// Event is one thing the phone reports; Handle takes it.
type Event struct {
	Kind phone.EventKind
	Call Call
	// Registration and Err are set on phone.EventRegistration; Err on phone.EventEnded too.
	Registration sipua.State
	Err          error
	// Remote is true for a hold made by the other side.
	Remote bool
}

// Settings are the agent's choices the desk reads at each incoming call.
type Settings struct {
	// AutoAnswer answers an incoming call after AutoAnswerDelay when no other call is up.
	AutoAnswer      bool
	AutoAnswerDelay time.Duration
}

// Ringer plays the ringtone once (a couple of seconds); it returns when done or when ctx ends.
type Ringer interface {
	Ring(ctx context.Context) error
}

// History is where ended calls are written (history.Store).
type History interface {
	Add(history.Entry) error
}

// Clock is the desk's time: the real one unless a test swaps it.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
