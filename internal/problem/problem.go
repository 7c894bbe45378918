// Package problem is the one place that turns an error into what the agent reads: a Code (the
// machine word the window branches on and `--json` output carries) and a Message that says what
// happened and what to do. The window (app.FormatError) and the command line (internal/cli) both use
// Of; domain packages return technical errors and never write these sentences themselves.
//
// The TypeScript union of the codes (frontend/src/codes.ts) is generated from Codes by
// `go generate ./internal/problem`; TestTypeScriptIsCurrent fails when the two drift.
package problem

//go:generate go run ./gen -o ../../frontend/src/codes.ts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/credstore"
	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/omni"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/readiness"
	"github.com/phonebar/phonebar/internal/rtc"
	"github.com/phonebar/phonebar/internal/sipua"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// Problem is an error as the agent sees it. It never carries a secret.
type Problem struct {
	Code    Code
	Message string
	// SIPStatus is the SIP status of a refusal (Code "SIP_nnn"), else 0.
	SIPStatus int
	// Fingerprint is the certificate's SHA-256 on UNTRUSTED_CERTIFICATE (the one to trust) and
	// CERTIFICATE_MISMATCH (the one now presented); Host is the server that showed it.
	Fingerprint tlspin.Fingerprint
	Host        string
	// Suggestion is a corrected server address (https:// for http://) on NOT_HTTPS.
	Suggestion string
	// Phones are the telephones to pick from, on PHONE_REQUIRED and PHONE_UNAVAILABLE.
	Phones []string
}

// Error returns the message.
func (p *Problem) Error() string { return p.Message }

// tagged is an error that a caller labelled with the code its context gives it (the same audio
// error is PLAYBACK_FAILED from the speaker test and MIC_CHECK_FAILED from the microphone check).
type tagged struct {
	code Code
	err  error
}

func (t *tagged) Error() string { return string(t.code) + ": " + t.err.Error() }
func (t *tagged) Unwrap() error { return t.err }

// Tag labels err with code; Of then gives code with the message written for it here.
func Tag(code Code, err error) error { return &tagged{code: code, err: err} }

// SIPCode is the code of a SIP refusal with status.
func SIPCode(status int) Code { return Code(fmt.Sprintf("SIP_%d", status)) }

// rule maps errors matching is to code, with the message msg makes (nil: the error's own text as
// a sentence, for errors whose text carries what the agent needs: a server's answer, a count).
type rule struct {
	is   func(error) bool
	code Code
	msg  func(error) string
}

func is(target error) func(error) bool { return func(err error) bool { return errors.Is(err, target) } }

func text(s string) func(error) string { return func(error) string { return s } }

// rules are checked in order; the first match wins.
var rules = []rule{
	// The agent session.
	{is(agent.ErrSavedPasswordRejected), CodeSavedPasswordRejected, nil},
	{is(agent.ErrMicrophoneNeeded), CodeMicrophoneNeeded, func(err error) string { return sentence(err.Error()) + "." }},
	{is(agent.ErrUnknownPauseType), CodeUnknownPauseType, func(err error) string {
		var e *agent.UnknownPauseTypeError
		if !errors.As(err, &e) || len(e.Known) == 0 {
			return "This server has no pause reasons: pause without one."
		}
		names := make([]string, 0, len(e.Known))
		for _, pt := range e.Known {
			names = append(names, pt.Name)
		}
		return "That pause reason is not on the server (any more): choose one of " + strings.Join(names, ", ") + "."
	}},
	{is(agent.ErrNoSavedPassword), CodeNoSavedPassword, nil},
	{is(agent.ErrNoSavedLogin), CodeNoSavedLogin, text("No remembered login: log in with your username and password.")},
	{is(agent.ErrMissingCredentials), CodeMissingCredentials, text("Enter your username and password.")},
	{is(agent.ErrBusy), CodeBusy, text("You are already logged in, or a login is running: log out first.")},
	{is(agent.ErrBadEmail), CodeBadEmail, text("Enter the email address of your Motion account.")},
	{is(agent.ErrNotLoggedIn), CodeNotLoggedIn, text("Log in first.")},
	{is(agent.ErrNoLineChoice), CodeServerRefused, text("Only an external agent without Hot Desk chooses where calls ring: your extension, your phone or your mobile.")},
	{is(omni.ErrNoSession), CodeNotLoggedIn, text("Log in first: the Omni Desktop opens with your Phonebar login.")},
	{is(omni.ErrNoPassword), CodeNoSavedPassword, text("The Phonebar no longer holds your password for this session: log out and log in again to open the Omni Desktop.")},
	{is(agent.ErrSignInRunning), CodeSignInFailed, text("A sign-in window is already open: finish signing in there, or close it.")},
	// Addresses and certificates.
	{is(motion.ErrNotHTTPS), CodeNotHTTPS, nil},
	{is(motion.ErrBadURL), CodeBadURL, nil},
	{is(tlspin.ErrBadFingerprint), CodeBadFingerprint, nil},
	{func(err error) bool { var e *tlspin.UntrustedError; return errors.As(err, &e) }, CodeUntrustedCertificate, nil},
	{func(err error) bool { var e *tlspin.MismatchError; return errors.As(err, &e) }, CodeCertificateMismatch, nil},
	// The Motion server's answers.
	{is(motion.ErrUnknownAuthFormat), CodeUnknownAuthFormat, nil},
	{is(motion.ErrInvalidCredentials), CodeInvalidCredentials, nil},
	{is(motion.ErrAccountLocked), CodeAccountLocked, nil},
	{is(motion.ErrSessionExists), CodeSessionExists, nil},
	{func(err error) bool { var e *agent.RulesError; return errors.As(err, &e) }, CodePasswordRules, func(err error) string {
		var e *agent.RulesError
		errors.As(err, &e)
		return "The new password needs: " + strings.Join(e.Broken, ", ") + "."
	}},
	{is(motion.ErrPasswordRules), CodePasswordRules, nil},
	{is(motion.ErrPasswordExpired), CodePasswordExpired, nil},
	{is(motion.ErrPhoneUnavailable), CodePhoneUnavailable, nil},
	{is(motion.ErrPhoneRequired), CodePhoneRequired, nil},
	{is(motion.ErrSessionEnded), CodeSessionEnded, nil},
	{is(motion.ErrUnauthorized), CodeUnauthorized, nil},
	{is(motion.ErrUnreachable), CodeUnreachable, nil},
	{is(motion.ErrTimeout), CodeTimeout, nil},
	{is(motion.ErrNotMotion), CodeNotMotion, nil},
	{is(motion.ErrServer), CodeServerError, nil},
	{is(motion.ErrNotLoggedIn), CodeNotLoggedIn, nil},
	// This computer.
	{is(credstore.ErrTimeout), CodeKeyringTimeout, nil}, // before ErrUnavailable, which it also matches
	{is(credstore.ErrUnavailable), CodeKeyringUnavailable, nil},
	{is(credstore.ErrTooBig), CodePasswordTooLong, nil},
	{is(config.ErrCorrupt), CodeSettingsDamaged, nil},
	{is(config.ErrUnreadable), CodeSettingsUnreadable, nil},
	{is(config.ErrLocked), CodeSettingsLocked, nil},
	{is(agent.ErrInsecureSIP), CodeInsecureSIP, nil},
	{is(audio.ErrNoDevice), CodeNoSuchDevice, text("No speaker or headset is connected: plug one in, or check the sound settings of your computer.")},
	{is(readiness.ErrChecking), CodeBusy, text("A microphone check is already running: wait for it to finish.")},
	// The desk of calls and the phone.
	{is(desk.ErrNoPhone), CodeNoPhone, text("This account has no phone in the Phonebar: calls go through your desk phone or the Omni Desktop.")},
	{is(desk.ErrClosed), CodeNoPhone, text("The phone is not running: log in again to use it.")},
	{is(desk.ErrConsultEnded), CodeNoCall, text("The consultation call has ended: call your colleague again, then transfer.")},
	{is(desk.ErrNoCall), CodeNoCall, text("That call has ended.")},
	{is(desk.ErrSameCall), CodeTransferSameCall, text("Choose two different calls: the caller on hold and the colleague you are talking to.")},
	{is(desk.ErrTransferNotReady), CodeTransferNotReady, text("A transfer needs two calls in progress: the caller on hold and your colleague on the line.")},
	{func(err error) bool { var e *sipua.TransferError; return errors.As(err, &e) }, CodeTransferFailed, nil},
	{is(sipua.ErrTransferNoReport), CodeTransferUnconfirmed, text("The other side took the transfer but never said whether it went through: ask the caller whether they reached your colleague, then hang up.")},
	{is(sipua.ErrTransferAbandoned), CodeTransferAbandoned, text("The transfer stopped: one of the two calls ended before it completed.")},
	{is(phone.ErrNotRegistered), CodeNotRegistered, text("The phone is not registered yet: wait for the green dot, or check the network.")},
	{is(phone.ErrCallState), CodeCallState, text("That call cannot do this now: look at its state on the card and try again.")},
	{is(sipua.ErrCallState), CodeCallState, text("That call cannot do this now: look at its state on the card and try again.")},
	{is(phone.ErrNoCommonCodec), CodeNoCommonCodec, text("The other side offers no audio codec this phone can use: ask your administrator which codecs the line allows.")},
	{is(rtc.ErrNoCommonCodec), CodeNoCommonCodec, text("The other side offers no audio codec this phone can use: ask your administrator which codecs the line allows.")},
	{is(rtc.ErrNoRelay), CodeNoRelay, text("No relay address for the call's audio: the TURN server refused the credentials or did not answer. Check the TURN servers of the account or settings.")},
	// A call's audio, by the first step that failed (rtc.Session.MediaError).
	{is(rtc.ErrNoLocalCandidate), CodeNoLocalCandidate, text("The call is connected but this computer has no network address for its audio: connect to a network (Wi-Fi, cable or VPN) and call again.")},
	{is(rtc.ErrICEFailed), CodeICEFailed, iceMessage},
	{is(rtc.ErrDTLSFailed), CodeDTLSFailed, text("The call is connected and a path for its audio was found, but the two sides could not agree the encryption of the audio (DTLS): call again; if it keeps happening, tell your administrator.")},
	{is(rtc.ErrNoRTP), CodeNoAudio, text("The call's audio path is open but no sound arrives from the other side: they may be muted or on hold, or their phone sends nothing.")},
	{is(sipua.ErrConnect), CodeConnectFailed, text("The phone could not open its connection to the SIP server: check the SIP server address and the network.")},
	{is(sipua.ErrBadTarget), CodeBadTarget, text("That is not a number or SIP address: type digits, or sip:user@host.")},
	{is(sipua.ErrBadAccount), CodeBadAccount, nil},
	{is(sipua.ErrBadDTMF), CodeBadDTMF, nil},
	{is(rtc.ErrBadDTMF), CodeBadDTMF, nil},
	{is(sipua.ErrTimeout), CodeTimeout, text("The SIP server did not answer in time: check the network, then try again.")},
	// Audio.
	{is(audio.ErrNoAudioServer), CodeNoSoundSystem, text("No sound system is running on this computer: start it (PulseAudio, PipeWire) or check the sound settings.")},
	{is(audio.ErrNoAudioSupport), CodeNoSoundSystem, text("This Phonebar was built without sound support: install a build for your system.")},
	// Single sign-on.
	{is(omni.ErrSignInCancelled), CodeSignInCancelled, text("The sign-in window was closed before you signed in. Try again, or log in with your username and password.")},
	// Waiting that ended.
	{is(context.Canceled), CodeCanceled, text("Stopped before it was done.")},
	{is(context.DeadlineExceeded), CodeTimeout, text("That took too long and was stopped: check the network, then try again.")},
}

// iceMessage says why ICE found no path, from the evidence the session kept: only when both
// sides offered addresses that could reach each other and the checks still got no answer is
// something on the way (a firewall) the likely cause.
func iceMessage(err error) string {
	var e *rtc.ICEError
	if !errors.As(err, &e) {
		return "No network path for the call's audio was found between the two sides: call again; if it keeps happening, ask your administrator for a TURN server."
	}
	switch {
	case e.Remote == 0:
		return "The other side gave no network address for the call's audio: the problem is on their side or at the PBX; tell your administrator."
	case e.Unreachable && e.LocalLoopbackOnly:
		return "This computer has no network connection, only its own internal address, and the other side is elsewhere: connect to a network and call again."
	case e.Unreachable:
		return "The two sides have no network addresses that can reach each other (one offers only internal or only IPv6 addresses): tell your administrator."
	case e.Relay:
		return "No network path for the call's audio was found, even through the TURN relay: a firewall may block the media; check the TURN server of the account, or tell your administrator."
	}
	return "No network path for the call's audio was found: a firewall may block the media (UDP). Ask your administrator for a TURN server."
}

// tagged says what a code attached with Tag means; inner is the error it was attached to.
var taggedMessages = map[Code]func(inner error) string{
	CodeHistoryDamaged: prefixed("The call history cannot be read: "),
	CodeNoSoundSystem:  ownOrPrefixed(CodeNoSoundSystem, "No sound system answers: "),
	CodeNoSuchDevice:   text("That device is not connected any more: pick another one."),
	CodeCallDevice:     prefixed("Saved for the next calls, but the call in progress stays on the previous device: "),
	CodeMicCheckFailed: prefixed("The microphone check did not run: "),
	CodePlaybackFailed: prefixed("The sound could not be played: "),
	CodeSignInFailed:   prefixed("The sign-in did not work: "),
	CodeSignInCancelled: func(inner error) string {
		if errors.Is(inner, context.DeadlineExceeded) {
			return "The sign-in took longer than five minutes and was stopped. Try again."
		}
		return "The sign-in window was closed before you signed in. Try again, or log in with your username and password."
	},
	CodeMissing:    text("Enter your current password."),
	CodeCallFailed: prefixed("The call failed: "),
}

// ownOrPrefixed gives the rules' own sentence when the inner error already means code (it says
// more than a prefix could), else continues prefix with what is known of it.
func ownOrPrefixed(code Code, prefix string) func(error) string {
	return func(inner error) string {
		for _, r := range rules {
			if r.is(inner) && r.code == code && r.msg != nil {
				return r.msg(inner)
			}
		}
		return prefixed(prefix)(inner)
	}
}

// prefixed continues a sentence with what the rules say of the inner error, or its text.
func prefixed(prefix string) func(error) string {
	return func(inner error) string {
		for _, r := range rules {
			if r.is(inner) && r.msg != nil {
				return prefix + lower(r.msg(inner))
			}
		}
		if m, ok := motionMessage(inner); ok {
			return prefix + lower(m) + "."
		}
		return prefix + strings.TrimSuffix(inner.Error(), ".") + "."
	}
}

// Of says what err means for the agent. A nil err gives the zero Problem; a *Problem is returned as
// it is.
func Of(err error) Problem {
	if err == nil {
		return Problem{}
	}
	var p *Problem
	if errors.As(err, &p) {
		return *p
	}
	out := Problem{Code: CodeInternal}
	var tg *tagged
	var se *sipua.StatusError
	var ae *motion.APIError
	switch {
	case errors.Is(err, phone.ErrChangeRefused):
		// Before the SIP status: a 488 to a hold is not a codec problem.
		out.Code, out.Message = CodeCallChangeRefused, "The other side did not take the change: the call goes on as it was."
	case errors.Is(err, phone.ErrMediaNotMoved):
		// Before the SIP status too: what the agent needs is what became of the call, not the
		// refusal of the re-INVITE that tried to move it (that goes to the log).
		out.Code, out.Message = CodeMediaNotMoved, "The network changed and this call's audio could not follow to the new address: the call is still up but silent. Hang up and call again."
	case errors.As(err, &tg) && taggedMessages[tg.code] != nil:
		out.Code, out.Message = tg.code, taggedMessages[tg.code](tg.err)
	case errors.As(err, &se):
		out.Code, out.SIPStatus, out.Message = SIPCode(se.Code), se.Code, sentence(se.Message())+"."
	default:
		matched := false
		for _, r := range rules {
			if r.is(err) {
				out.Code, matched = r.code, true
				if r.msg != nil {
					out.Message = r.msg(err)
				}
				break
			}
		}
		if !matched && errors.As(err, &ae) {
			out.Code = CodeServerRefused
		}
		if !matched && errors.As(err, &tg) {
			out.Code = tg.code
		}
	}
	if out.Message == "" {
		if m, ok := motionMessage(err); ok {
			out.Message = m + "."
		} else {
			out.Message = sentence(unwrapTag(err).Error())
		}
	}
	details(err, &out)
	return out
}

// details fills the data the window shows with a problem (fingerprint, host, address, phones).
func details(err error, p *Problem) {
	var ue *tlspin.UntrustedError
	var me *tlspin.MismatchError
	var ne *motion.NotHTTPSError
	switch {
	case errors.As(err, &ue):
		p.Fingerprint, p.Host = ue.Fingerprint, ue.Host
	case errors.As(err, &me):
		p.Fingerprint, p.Host = me.Got, me.Host
	}
	if errors.As(err, &ne) {
		p.Suggestion = ne.Suggested
	}
	p.Phones = agent.PhoneNames(err)
}

func unwrapTag(err error) error {
	var tg *tagged
	if errors.As(err, &tg) && error(tg) == err {
		return tg.err
	}
	return err
}

// sentence capitalizes the first letter of s.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// lower puts the first letter of s in lower case, to continue a sentence.
func lower(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// Registration says in one sentence why the phone is not registered (retrying: the phone keeps
// trying); the full error belongs in the log.
func Registration(err error, retrying bool) string {
	if errors.Is(err, sipua.ErrConnect) || errors.Is(err, sipua.ErrNotConnected) || errors.Is(err, sipua.ErrTimeout) {
		if retrying {
			return "The phone cannot reach the SIP server. Check the network; the Phonebar keeps trying."
		}
		return "The phone cannot reach the SIP server. Check the network, or ask your administrator whether the phone server is up."
	}
	return Of(err).Message
}
