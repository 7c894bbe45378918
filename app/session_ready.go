package app

import (
	"context"
	"errors"
	"time"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/readiness"
)

// readyListen is how long the check before going ready listens (the Audio panel's listens longer).
const readyListen = time.Second

// SetReady makes the agent ready to take contacts, or not ready. A WebRTC agent takes calls on this
// computer, so going ready needs a microphone that works: checked now, unless a check found it
// working within micFresh and no device changed since. A microphone that does not work keeps the
// agent not ready with a sentence that says what to do (agent.ReadyGate).
func (s *Session) SetReady(on bool) (SessionView, error) {
	c := s.c
	verdict := ""
	if on && c.agent.Profile().Typology == motion.TypologyWebRTC {
		if c.mic.Working() {
			verdict = audio.VerdictWorking.String()
		} else {
			res, err := c.checkMicrophone(readyListen)
			if errors.Is(err, readiness.ErrChecking) {
				return s.View(), err
			}
			if err == nil {
				verdict = res.Verdict
			}
		}
	}
	ctx, cancel := context.WithTimeout(c.life, 15*time.Second)
	defer cancel()
	err := c.agent.SetReady(ctx, on, verdict)
	if err != nil {
		if errors.Is(err, agent.ErrMicrophoneNeeded) {
			c.log.Info("not ready: the microphone does not work")
		}
		return s.View(), err
	}
	v := s.View()
	c.emit.Emit(EventSession, v)
	return v, nil
}
