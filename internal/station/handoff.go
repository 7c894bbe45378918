package station

import (
	"errors"
	"fmt"
	"strings"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/dialurl"
	"github.com/phonebar/phonebar/internal/instance"
	"github.com/phonebar/phonebar/internal/problem"
)

// NoticeDial is the ID of the bar's notice about the last link handed over (not dialled, or
// waiting for the phone).
const NoticeDial = "dial"

// Launch is how this start of the Phonebar came.
type Launch struct {
	// Instance is the claimed instance channel (instance.Claim); nil: later starts cannot reach
	// this one. The station answers it with Handoff and closes it at Close.
	Instance *instance.Server
	// Link is the tel:, sip: or callto: link this start was given (a clicked link while no
	// Phonebar ran); "": none. It is dialled once the agent is logged in and the phone registered.
	Link string
}

func (s *Station) launch(l Launch) {
	if l.Link != "" {
		s.QueueLink(l.Link)
	}
	if l.Instance != nil {
		s.instance = l.Instance
		l.Instance.Serve(s.answerInstance)
	}
}

func (s *Station) answerInstance(r instance.Request) instance.Reply {
	if r.Show && s.hooks.Show != nil {
		s.hooks.Show()
	}
	return s.Handoff(r)
}

// OpenLink is a link the operating system hands to the running Phonebar itself (macOS sends a
// clicked link to the running app): dialled like a link from another start.
func (s *Station) OpenLink(raw string) { s.answerInstance(instance.Request{Dial: raw, Show: true}) }

// HandoffArgs takes the arguments of another start that reached this one another way (the
// window toolkit's own single-instance lock): a link among them is handed over like Handoff's.
func (s *Station) HandoffArgs(args []string) {
	for _, a := range args {
		if dialurl.IsLink(a) {
			s.Handoff(instance.Request{Dial: a, Show: true})
			return
		}
	}
}

// Handoff answers another start of the Phonebar (a clicked tel:, sip: or callto: link, which
// comes with Show) or `phonebar dial`: the link is dialled when the phone can call; otherwise the
// reply and the bar say why and what to do. A link clicked while nobody is logged in waits for
// the login and the phone's registration (QueueLink); `phonebar dial` does not wait.
func (s *Station) Handoff(r instance.Request) instance.Reply {
	if strings.TrimSpace(r.Dial) == "" {
		return instance.Reply{OK: true, Message: "The Phonebar is already running."}
	}
	rep := s.dialLink(r.Dial)
	if rep.Code == string(problem.CodeNotLoggedIn) && r.Show {
		target, _ := dialurl.Parse(r.Dial)
		s.queue(target)
		rep.Message = fmt.Sprintf("The Phonebar is not logged in: log in, and it dials %s once the phone is registered.", target)
	} else if rep.Code != string(problem.CodeNotLoggedIn) {
		s.setDialNotice(rep)
	}
	s.log.WithField("code", rep.Code).WithField("ok", rep.OK).Info("link handed over")
	s.sessionChanged()
	return rep
}

// QueueLink keeps the link this Phonebar was started with, to dial it once the phone is
// registered; a link that is not dialled at all (letters, another scheme) is said on the bar at
// once.
func (s *Station) QueueLink(raw string) {
	target, err := dialurl.Parse(raw)
	if err != nil {
		s.setDialNotice(refusedLink(err))
		return
	}
	s.queue(target)
}

func (s *Station) queue(target string) {
	s.mu.Lock()
	s.link.pending = target
	s.link.notice = fmt.Sprintf("Dials %s as soon as the phone is registered.", target)
	s.mu.Unlock()
}

// dialQueued dials the queued link once the phone can call.
func (s *Station) dialQueued(v desk.View) {
	if !v.Registration.CanCall() {
		return
	}
	s.mu.Lock()
	target := s.link.pending
	s.link.pending = ""
	s.mu.Unlock()
	if target == "" {
		return
	}
	rep := s.dialLink(target)
	s.setDialNotice(rep)
	s.log.WithField("code", rep.Code).WithField("ok", rep.OK).Info("queued link dialled")
	s.sessionChanged()
}

// settleQueued, once logged in, says on the bar that a queued link is not dialled when this
// session has no softphone to dial it with (its calls ring elsewhere, or the phone did not
// start): the link does not wait for a registration that never comes.
func (s *Station) settleQueued() {
	if !s.agent.State().HasSession() {
		return
	}
	s.mu.Lock()
	target := s.link.pending
	if target == "" || s.desk != nil {
		s.mu.Unlock()
		return
	}
	s.link.pending = ""
	s.mu.Unlock()
	rep := s.dialLink(target)
	s.setDialNotice(rep)
	s.log.WithField("code", rep.Code).Info("queued link not dialled: no softphone")
}

// dialLink dials raw, untrusted, if the phone can call now.
func (s *Station) dialLink(raw string) instance.Reply {
	target, err := dialurl.Parse(raw)
	if err != nil {
		return refusedLink(err)
	}
	notNow := func(code problem.Code, why string) instance.Reply {
		return instance.Reply{Code: string(code), Message: fmt.Sprintf("Not dialled: %s %s", target, why)}
	}
	if !s.agent.State().HasSession() {
		return notNow(problem.CodeNotLoggedIn, "because the Phonebar is not logged in: log in, then try again.")
	}
	s.mu.Lock()
	d, perr := s.desk, s.phoneErr
	s.mu.Unlock()
	if d == nil {
		if perr != nil {
			return notNow(problem.Of(perr).Code, "because the softphone did not start: "+problem.Of(perr).Message)
		}
		return notNow(problem.CodeNoPhone, "because this account has no softphone in the Phonebar: its calls ring on another phone.")
	}
	if v := d.View(); !v.Registration.CanCall() {
		why := fmt.Sprintf("because the phone is not registered (%s): wait for the green dot, then try again.", v.Registration)
		if v.RegistrationErr != nil {
			why = fmt.Sprintf("because the phone is not registered (%s): wait for the green dot, then try again.", problem.Of(v.RegistrationErr).Message)
		}
		return notNow(problem.CodeNotRegistered, why)
	}
	id, _, err := d.DialAsync(target)
	if err != nil {
		p := problem.Of(err)
		return instance.Reply{Code: string(p.Code), Message: "Not dialled: " + p.Message}
	}
	return instance.Reply{OK: true, Message: "Dialling " + target + ".", CallID: id}
}

func refusedLink(err error) instance.Reply {
	var e *dialurl.Error
	msg := "Not dialled: that is not a phone number or a SIP address."
	if errors.As(err, &e) {
		msg = fmt.Sprintf("Not dialled: %s is refused: %s. Only a phone number or a SIP address (tel:, sip:, callto:) is dialled.", e.Input, e.Reason)
	}
	return instance.Reply{Code: string(problem.CodeBadTarget), Message: msg}
}

// setDialNotice shows a link that was not dialled on the bar; a dialled one clears it.
func (s *Station) setDialNotice(rep instance.Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rep.OK {
		s.link.notice = ""
		return
	}
	s.link.notice = rep.Message
}

// dialNotice is the bar's notice about the last link, if any.
func (s *Station) dialNotice() []agent.Notice {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.link.notice == "" {
		return nil
	}
	return []agent.Notice{{ID: NoticeDial, Text: strings.TrimSuffix(s.link.notice, ".")}} // the bar ends it
}

func (s *Station) dismissDialNotice() {
	s.mu.Lock()
	s.link.notice = ""
	s.mu.Unlock()
}
