package station

import (
	"errors"
	"strings"

	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/problem"
	"github.com/phonebar/phonebar/internal/quality"
)

// PhoneView is the softphone as the window shows it: the Phone service's View and the payload of
// its "phone" event. It never carries the SIP password.
type PhoneView struct {
	// Registration is "off" (no SIP account), "registering", "registered" or "failed" (also when the
	// phone was not started: Problem says why).
	Registration string     `json:"registration"`
	Account      string     `json:"account"`
	Problem      string     `json:"problem"`
	Calls        []CallView `json:"calls"`
}

// CallView is one call as the window shows it: what the desk knows of it (internal/desk), with the
// sentences the agent reads.
type CallView struct {
	// ID is the desk's: the same from the first ring to the end, for a call placed here too.
	ID        string `json:"id"`
	Direction string `json:"direction"` // "in" or "out"
	Remote    string `json:"remote"`
	// RemoteName is the other side's display name, "" when it sent none.
	RemoteName string `json:"remoteName"`
	// State is "dialing", "ringing", "active", "held" or "ended".
	State        string `json:"state"`
	AnsweredAt   int64  `json:"answeredAt"` // Unix ms, 0 before the answer
	Muted        bool   `json:"muted"`
	HeldByRemote bool   `json:"heldByRemote"`
	Reason       string `json:"reason"`
	// Quality is the call's quality at a glance.
	Quality quality.Card `json:"quality"`
	// ConsultFor is the ID of the customer's call this one consults about ("" for any other call):
	// only such a pair offers Join and Swap.
	ConsultFor string `json:"consultFor"`
	// HeldAt is when the call went on hold, Unix ms; 0 when it is not held.
	HeldAt int64 `json:"heldAt"`
	// Notice is what the agent should know of the call beyond its state ("" when nothing): no audio
	// from the other side and why, or what a lost connection did to the call. NoticeKind is
	// "warning" (it lasts while it is true) or "info" (news, shown for a moment).
	Notice     string `json:"notice"`
	NoticeKind string `json:"noticeKind"`
}

// What the agent reads when a call's signalling could not follow the phone to a new connection
// (the other side may not reach this phone). When its audio could not (phone.ErrMediaNotMoved),
// internal/problem words it (MEDIA_NOT_MOVED).
const notMoved = "The connection to the server was lost and this call could not be moved to the new one: " +
	"the other side may not reach you (their hold, transfer or hang-up). The audio goes on; end the call here when you are done."

// View maps the softphone's state to the window's.
func (p Phone) View() PhoneView {
	v := PhoneView{Calls: []CallView{}}
	v.Registration, v.Problem = p.Registration()
	if p.Desk == nil {
		return v
	}
	v.Account = p.Desk.Account
	for _, cv := range p.Desk.Calls {
		v.Calls = append(v.Calls, CallViewOf(cv))
	}
	return v
}

// CallViewOf maps one call of the desk to the window's.
func CallViewOf(cv desk.CallView) CallView {
	v := CallView{ID: cv.ID, Direction: cv.Direction.String(), Remote: cv.Remote, RemoteName: cv.RemoteName,
		State: cv.State.String(), Muted: cv.Muted, HeldByRemote: cv.HeldByRemote, Quality: cv.Quality.Card(), ConsultFor: cv.ConsultFor}
	if !cv.Answered.IsZero() {
		v.AnsweredAt = cv.Answered.UnixMilli()
	}
	if !cv.HeldSince.IsZero() {
		v.HeldAt = cv.HeldSince.UnixMilli()
	}
	if cv.Err != nil {
		v.Reason = problem.Of(cv.Err).Message
	}
	switch {
	case errors.Is(cv.MoveErr, phone.ErrMediaNotMoved):
		v.Notice, v.NoticeKind = problem.Of(cv.MoveErr).Message, "warning"
	case cv.MoveErr != nil:
		v.Notice, v.NoticeKind = notMoved, "warning"
	case cv.MediaErr != nil:
		v.Notice, v.NoticeKind = problem.Of(cv.MediaErr).Message, "warning"
	case cv.Moved:
		v.Notice, v.NoticeKind = "The connection changed: the call goes on over the new one.", "info"
	}
	return v
}

// CallerOf is how the agent reads the other side of a call: "Dana Customer (+390212345678)", or the
// number alone ("+390212345678" for "sip:+390212345678@pbx.example.com;transport=ws").
func CallerOf(cv desk.CallView) string {
	number := strings.TrimPrefix(strings.TrimPrefix(cv.Remote, "sips:"), "sip:")
	if i := strings.IndexAny(number, ";?"); i >= 0 {
		number = number[:i]
	}
	if i := strings.IndexByte(number, '@'); i > 0 {
		number = number[:i]
	}
	if cv.RemoteName == "" || cv.RemoteName == number {
		return number
	}
	return cv.RemoteName + " (" + number + ")"
}
