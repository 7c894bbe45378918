// Package readiness decides what going ready needs of the agent's computer: a microphone that was
// found working recently enough, or a new check of it. It knows nothing of the window.
package readiness

import (
	"errors"
	"sync"
	"time"

	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/fresh"
)

// DefaultFresh is how long a "working" verdict stands for going ready without a new check: the bar
// checks a WebRTC agent's microphone at login, and a device change clears the verdict at once.
const DefaultFresh = 2 * time.Minute

// ErrChecking is returned by Begin while another check runs.
var ErrChecking = errors.New("readiness: a microphone check is already running")

// Microphone remembers the last microphone check's verdict and lets one check run at a time (the
// Audio panel's, or the one before going ready). Its zero value is ready to use.
type Microphone struct {
	// Fresh is how long a working verdict stands; zero means DefaultFresh.
	Fresh time.Duration
	// Now is the clock; nil means time.Now.
	Now fresh.Clock

	checking sync.Mutex
	verdict  fresh.Value[audio.Verdict]
}

// Working reports whether a check found the microphone working within Fresh, with no device
// change since.
func (m *Microphone) Working() bool {
	v, ok := m.verdict.Get(m.Now.Now())
	return ok && v == audio.VerdictWorking
}

// Forget drops the verdict: a device came or went, or the agent chose another microphone.
func (m *Microphone) Forget() { m.verdict.Clear() }

// Begin starts a check, or returns ErrChecking while another runs. The check ends with end, which
// records its verdict (VerdictUnknown for a check that failed records nothing).
func (m *Microphone) Begin() (end func(audio.Verdict), err error) {
	if !m.checking.TryLock() {
		return nil, ErrChecking
	}
	var once sync.Once
	return func(v audio.Verdict) {
		once.Do(func() {
			if v != audio.VerdictUnknown {
				ttl := m.Fresh
				if ttl == 0 {
					ttl = DefaultFresh
				}
				m.verdict.Set(v, m.Now.Now().Add(ttl))
			}
			m.checking.Unlock()
		})
	}, nil
}
