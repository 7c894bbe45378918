package problem

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/credstore"
	"github.com/phonebar/phonebar/internal/desk"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/readiness"
	"github.com/phonebar/phonebar/internal/rtc"
	"github.com/phonebar/phonebar/internal/sipua"
	"github.com/phonebar/phonebar/internal/tlspin"
)

func TestOf(t *testing.T) {
	fp := tlspin.Fingerprint(strings.Repeat("ab", 32))
	tests := []struct {
		name string
		err  error
		code Code
		// says is part of the message.
		says string
	}{
		{"untrusted", &tlspin.UntrustedError{Host: "h", Fingerprint: fp}, CodeUntrustedCertificate, ""},
		{"mismatch", &tlspin.MismatchError{Host: "h", Pinned: "00", Got: fp}, CodeCertificateMismatch, ""},
		{"wrapped untrusted", errors.Join(errors.New("x"), &tlspin.UntrustedError{Fingerprint: fp}), CodeUntrustedCertificate, ""},
		{"unreachable", &motion.NetError{Kind: motion.NetUnreachable}, CodeUnreachable, ""},
		{"timeout", &motion.NetError{Kind: motion.NetTimeout}, CodeTimeout, ""},
		{"not motion", &motion.NetError{Kind: motion.NetNotMotion}, CodeNotMotion, ""},
		{"not https", &motion.NotHTTPSError{Suggested: "https://h"}, CodeNotHTTPS, ""},
		{"bad url", &motion.BadURLError{Reason: "x"}, CodeBadURL, ""},
		{"bad fingerprint", tlspin.ErrBadFingerprint, CodeBadFingerprint, ""},
		{"locked", &motion.APIError{Status: 423, Code: motion.CodeAccountLocked}, CodeAccountLocked, ""},
		{"session exists", &motion.APIError{Status: 409, Code: motion.CodeSessionExists}, CodeSessionExists, ""},
		{"unknown auth", &motion.APIError{Status: 401, Message: motion.UnknownAuthorizationFormat}, CodeUnknownAuthFormat, ""},
		{"server", &motion.APIError{Status: 502}, CodeServerError, ""},
		{"refused", &motion.APIError{Status: 403, Message: "no"}, CodeServerRefused, ""},
		{"keyring", &credstore.UnavailableError{Op: "save"}, CodeKeyringUnavailable, ""},
		{"keyring frozen", &credstore.TimeoutError{Op: "read", After: time.Second}, CodeKeyringTimeout, ""},
		{"keyring still frozen", fmt.Errorf("x: %w", &credstore.TimeoutError{Op: "save", Pending: true}), CodeKeyringTimeout, ""},
		{"insecure sip", &agent.InsecureSIPError{Server: "https://h", WSURI: "ws://h/ws"}, CodeInsecureSIP, "ws://h/ws"},
		{"settings unreadable", &config.UnreadableError{Path: "p", Cause: errors.New("x")}, CodeSettingsUnreadable, ""},
		{"settings locked", &config.LockedError{Path: "p", Wait: time.Second}, CodeSettingsLocked, ""},
		{"too big", &credstore.TooBigError{Keyring: "k", Size: 3000, Limit: 2560}, CodePasswordTooLong, ""},
		{"settings", &config.CorruptError{Path: "p", Cause: errors.New("x")}, CodeSettingsDamaged, ""},
		{"missing credentials", agent.ErrMissingCredentials, CodeMissingCredentials, "Enter your username and password."},
		{"busy", agent.ErrBusy, CodeBusy, "log out first"},
		{"bad email", agent.ErrBadEmail, CodeBadEmail, "email address"},
		{"no saved login", agent.ErrNoSavedLogin, CodeNoSavedLogin, "log in with your username"},
		{"microphone needed", &agent.MicrophoneNeededError{Verdict: "silent"}, CodeMicrophoneNeeded, ""},
		{"unknown pause type", &agent.UnknownPauseTypeError{ID: 5, Known: []motion.PauseType{{ID: 1, Name: "Lunch"}, {ID: 2, Name: "Break"}}}, CodeUnknownPauseType, "choose one of Lunch, Break."},
		{"no pause types", &agent.UnknownPauseTypeError{ID: 5}, CodeUnknownPauseType, "pause without one"},
		{"saved password refused", &agent.SavedPasswordRejectedError{Server: "s", User: "u", Err: motion.ErrInvalidCredentials}, CodeSavedPasswordRejected, "no longer saved"},
		{"sign-in running", agent.ErrSignInRunning, CodeSignInFailed, "already open"},
		{"mic check running", readiness.ErrChecking, CodeBusy, "already running"},
		{"no phone", desk.ErrNoPhone, CodeNoPhone, "desk phone"},
		{"call gone", desk.ErrNoCall, CodeNoCall, "ended"},
		{"consultation gone", desk.ErrConsultEnded, CodeNoCall, "call your colleague again"},
		{"same call", desk.ErrSameCall, CodeTransferSameCall, "two different calls"},
		{"transfer not ready", errors.Join(desk.ErrTransferNotReady, phone.ErrCallState), CodeTransferNotReady, "two calls in progress"},
		{"phone call state", phone.ErrCallState, CodeCallState, ""},
		{"sip call state: the same code", fmt.Errorf("hold: %w", sipua.ErrCallState), CodeCallState, ""},
		{"target busy", &sipua.TransferError{Code: 486, Reason: "Busy Here"}, CodeTransferFailed, "The transfer target is busy: both calls are still up"},
		{"transferee refuses REFER", &sipua.TransferError{Refused: true, Code: 405, Reason: "Method Not Allowed"}, CodeTransferFailed, "does not accept transfers"},
		{"no transfer report", fmt.Errorf("wrapped: %w", sipua.ErrTransferNoReport), CodeTransferUnconfirmed, "ask the caller"},
		{"transfer abandoned", sipua.ErrTransferAbandoned, CodeTransferAbandoned, "one of the two calls ended"},
		{"not registered", phone.ErrNotRegistered, CodeNotRegistered, "green dot"},
		{"hold refused is no codec problem", fmt.Errorf("%w: %w", phone.ErrChangeRefused, &sipua.StatusError{Method: "INVITE", Code: 488, Reason: "Not Acceptable Here"}), CodeCallChangeRefused, "goes on as it was"},
		{"audio not moved, whatever refused the restart", fmt.Errorf("%w: %w", phone.ErrMediaNotMoved, &sipua.StatusError{Method: "INVITE", Code: 488, Reason: "Not Acceptable Here"}), CodeMediaNotMoved, "Hang up and call again"},
		{"audio not moved after a timeout", fmt.Errorf("%w: %w", phone.ErrMediaNotMoved, context.DeadlineExceeded), CodeMediaNotMoved, "still up but silent"},
		{"SIP refusal", &sipua.StatusError{Method: "INVITE", Code: 486, Reason: "Busy Here"}, "SIP_486", "busy"},
		{"no common codec", fmt.Errorf("%w: %w", phone.ErrNoCommonCodec, rtc.ErrNoCommonCodec), CodeNoCommonCodec, "codec"},
		{"no relay", fmt.Errorf("phone: %w", rtc.ErrNoRelay), CodeNoRelay, "TURN"},
		{"no local candidate", rtc.ErrNoLocalCandidate, CodeNoLocalCandidate, "connect to a network"},
		{"ice: checks lost on the way", &rtc.ICEError{Local: 2, Remote: 3}, CodeICEFailed, "a firewall may block the media"},
		{"ice: through the relay too", &rtc.ICEError{Local: 2, Remote: 3, Relay: true}, CodeICEFailed, "even through the TURN relay"},
		{"ice: no address from the other side", &rtc.ICEError{Local: 2}, CodeICEFailed, "The other side gave no network address"},
		{"ice: only loopback here", &rtc.ICEError{Local: 1, Remote: 2, Unreachable: true, LocalLoopbackOnly: true}, CodeICEFailed, "no network connection"},
		{"ice: unreachable addresses", &rtc.ICEError{Local: 1, Remote: 2, Unreachable: true}, CodeICEFailed, "no network addresses that can reach each other"},
		{"dtls", fmt.Errorf("%w: the handshake did not complete", rtc.ErrDTLSFailed), CodeDTLSFailed, "encryption of the audio"},
		{"no rtp", rtc.ErrNoRTP, CodeNoAudio, "no sound arrives"},
		{"connect", fmt.Errorf("%w at wss://pbx/ws: refused", sipua.ErrConnect), CodeConnectFailed, "SIP server"},
		{"bad target", sipua.ErrBadTarget, CodeBadTarget, "number or SIP address"},
		{"sip timeout", sipua.ErrTimeout, CodeTimeout, "in time"},
		{"canceled", context.Canceled, CodeCanceled, "Stopped"},
		{"deadline", context.DeadlineExceeded, CodeTimeout, "too long"},
		{"tagged playback", Tag(CodePlaybackFailed, errors.New("audio: device busy")), CodePlaybackFailed, "The sound could not be played: audio: device busy."},
		{"tagged, no sound system", Tag(CodeMicCheckFailed, audio.ErrNoAudioServer), CodeMicCheckFailed, "The microphone check did not run: no sound system is running"},
		{"no sound system says it once", Tag(CodeNoSoundSystem, audio.ErrNoAudioServer), CodeNoSoundSystem, "No sound system is running on this computer: start it"},
		{"a sound system that fails otherwise", Tag(CodeNoSoundSystem, errors.New("pulse: connection refused")), CodeNoSoundSystem, "No sound system answers: pulse: connection refused."},
		{"tagged without a sentence keeps the code", Tag(CodeMissing, errors.New("enter your current password")), CodeMissing, "Enter your current password"},
		{"a Problem stays as it is", &Problem{Code: CodeTransferNotReady, Message: "X."}, CodeTransferNotReady, "X."},
		{"other", errors.New("boom"), CodeInternal, "Boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Of(tt.err)
			assert.Equal(t, tt.code, p.Code)
			require.NotEmpty(t, p.Message)
			assert.Equal(t, strings.ToUpper(p.Message[:1]), p.Message[:1], "a sentence: %q", p.Message)
			assert.Contains(t, p.Message, tt.says)
			if p.Code != CodeInternal {
				assert.Contains(t, append(Codes(), SIPCode(486)), p.Code, "every code is in the list the window knows")
			}
		})
	}
	assert.Equal(t, Problem{}, Of(nil))
}

func TestDetails(t *testing.T) {
	fp := tlspin.Fingerprint(strings.Repeat("ab", 32))
	p := Of(fmt.Errorf("login: %w", &tlspin.UntrustedError{Host: "motion.test:443", Fingerprint: fp}))
	assert.Equal(t, fp, p.Fingerprint)
	assert.Equal(t, "motion.test:443", p.Host)
	p = Of(&tlspin.MismatchError{Host: "h", Pinned: "00", Got: fp})
	assert.Equal(t, fp, p.Fingerprint)
	p = Of(&motion.NotHTTPSError{Suggested: "https://h"})
	assert.Equal(t, "https://h", p.Suggestion)
	p = Of(&agent.PhoneRequiredError{Phones: []motion.Phone{{Name: "desk-1"}}, Err: motion.ErrPhoneRequired})
	assert.Equal(t, CodePhoneRequired, p.Code)
	assert.Equal(t, []string{"desk-1"}, p.Phones)
	p = Of(&sipua.StatusError{Method: "INVITE", Code: 404, Reason: "Not Found"})
	assert.Equal(t, 404, p.SIPStatus)
}

func TestCodesAreUnique(t *testing.T) {
	seen := map[Code]bool{}
	for _, c := range Codes() {
		assert.False(t, seen[c], "%s twice", c)
		seen[c] = true
	}
}

// TestTypeScriptIsCurrent fails when frontend/src/codes.ts is not what the codes make: run
// `go generate ./internal/problem`.
func TestTypeScriptIsCurrent(t *testing.T) {
	b, err := os.ReadFile("../../frontend/src/codes.ts")
	require.NoError(t, err)
	require.Equal(t, TypeScript(), string(b), "frontend/src/codes.ts is stale: run go generate ./internal/problem")
}

// TestFirewallOnlyOnEvidence: "a firewall may block the media" is said only of ICE checks that
// went unanswered between addresses that could reach each other, never of the other failures.
func TestFirewallOnlyOnEvidence(t *testing.T) {
	for _, err := range []error{
		rtc.ErrNoLocalCandidate, rtc.ErrDTLSFailed, rtc.ErrNoRTP,
		&rtc.ICEError{Local: 2}, &rtc.ICEError{Local: 1, Remote: 2, Unreachable: true, LocalLoopbackOnly: true},
		&rtc.ICEError{Local: 1, Remote: 2, Unreachable: true},
	} {
		assert.NotContains(t, strings.ToLower(Of(err).Message), "firewall", "%v", err)
	}
	for _, e := range []*rtc.ICEError{{Local: 2, Remote: 3}, {Local: 2, Remote: 3, Relay: true}} {
		require.True(t, e.FirewallLikely())
		assert.Contains(t, Of(e).Message, "firewall")
	}
}
