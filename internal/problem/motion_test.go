package problem

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/motion"
)

func intp(i int) *int { return &i }

// TestMotionSentences: the Motion client's errors say what happened in technical words; the sentence
// the agent reads, with what to do, is written here from their data.
func TestMotionSentences(t *testing.T) {
	unlock := time.Now().Add(10 * time.Minute).Truncate(time.Second)
	api := func(status int, code, msg string) *motion.APIError {
		return &motion.APIError{Op: "login", Status: status, Code: code, Message: msg}
	}
	withLeft := func(n int) *motion.APIError {
		e := api(401, motion.CodeInvalidCredentials, "Invalid credentials")
		e.AttemptsLeft = intp(n)
		return e
	}
	locked := api(423, motion.CodeAccountLocked, "locked")
	locked.UnlockAt = &unlock
	rules := api(422, motion.CodePasswordRules, "rules")
	rules.Rules = []string{"at least 8 characters", "a digit"}
	tests := []struct {
		name string
		err  error
		code Code
		want string
	}{
		{"wrong password, attempts left", withLeft(2), CodeInvalidCredentials, "Wrong username or password: 2 attempts left before the account is locked."},
		{"wrong password, one attempt left", withLeft(1), CodeInvalidCredentials, "Wrong username or password: 1 attempt left before the account is locked."},
		{"wrong password, none left", withLeft(0), CodeInvalidCredentials, "Wrong username or password: no attempts left, the account is now locked; ask your administrator to unlock it."},
		{"wrong password, no limit", api(401, motion.CodeInvalidCredentials, "x"), CodeInvalidCredentials, "Wrong username or password: check them and try again."},
		{"locked until a time", locked, CodeAccountLocked, "Account locked after too many failed attempts: ask your administrator to unlock it, or wait until " + unlock.Local().Format("15:04") + "."},
		{"locked, administrator only", api(423, motion.CodeAccountLocked, "locked"), CodeAccountLocked, "Account locked after too many failed attempts: ask your administrator to unlock it."},
		{"session elsewhere", api(409, motion.CodeSessionExists, "already"), CodeSessionExists, "This user is already logged in on another Phonebar: log in again and confirm to end the other session."},
		{"a refusal the client does not know", api(403, "", "Forbidden for this role"), CodeServerRefused, "The server refused login (403 Forbidden): Forbidden for this role."},
		{"unknown authorization format", api(401, "", motion.UnknownAuthorizationFormat), CodeUnknownAuthFormat, "Use the server's https:// address"},
		{"server error", api(500, "", "oops"), CodeServerError, "The Motion server failed during login (500 Internal Server Error): try again in a moment, or tell your administrator."},
		{"not found", api(404, motion.CodeNotFound, "Cannot POST"), CodeServerRefused, "check that the address is a Motion server"},
		{"session ended", fmt.Errorf("whoami: %w", api(401, motion.CodeSessionEnded, "replaced")), CodeSessionEnded, "The server ended your session (replaced): log in again."},
		{"password expired", api(403, motion.CodePasswordExpired, "expired"), CodePasswordExpired, "Your password has expired: change it to continue."},
		{"password rules", rules, CodePasswordRules, "The new password was refused: at least 8 characters; a digit. Choose another one."},
		{"unreachable", &motion.NetError{Kind: motion.NetUnreachable, Host: "127.0.0.1", Port: "8443", Reason: "connection refused"}, CodeUnreachable,
			"Cannot reach the server 127.0.0.1 on port 8443 (connection refused): check the address, that the server is running, and your network."},
		{"timeout", &motion.NetError{Kind: motion.NetTimeout, Host: "h", Port: "443"}, CodeTimeout, "The server h on port 443 did not answer in time: check your network and try again."},
		{"not motion", &motion.NetError{Kind: motion.NetNotMotion, Host: "h", Port: "22", Reason: "does not speak HTTPS"}, CodeNotMotion, "does not answer like a Motion server (does not speak HTTPS): check the address and the port."},
		{"http address", &motion.NotHTTPSError{Suggested: "https://m.example.com"}, CodeNotHTTPS, "http:// addresses are not accepted: use https://m.example.com instead"},
		{"bad address", &motion.BadURLError{Reason: "it is empty"}, CodeBadURL, "This is not a server address (it is empty): a server address looks like motion.example.com"},
		{"saved password refused", &agent.SavedPasswordRejectedError{Server: "https://m", User: "amy", Err: withLeft(2)}, CodeSavedPasswordRejected,
			"The saved password for amy on https://m was refused (Wrong username or password: 2 attempts left before the account is locked). It was not tried again and is no longer saved: type your password to log in."},
		{"hot desk", &agent.PhoneRequiredError{Phones: []motion.Phone{{Name: "desk-1"}, {Name: "desk-2"}}, Err: api(428, motion.CodePhoneRequired, "")}, CodePhoneRequired,
			"You use Hot Desk: choose the telephone you are using today to log in. Available: desk-1, desk-2."},
		{"hot desk, none free", &agent.PhoneRequiredError{Err: api(409, motion.CodePhoneUnavailable, "")}, CodePhoneUnavailable,
			"That telephone was just taken by another agent or went offline: choose another one. No telephone is available right now: ask your administrator."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Of(tt.err)
			assert.Equal(t, tt.code, p.Code)
			assert.Contains(t, p.Message, tt.want)
			assert.NotContains(t, p.Message, "motion:", "no technical words")
		})
	}
}

// TestMotionSentenceAfterATag: a tagged Motion error continues the tag's sentence with its own.
func TestMotionSentenceAfterATag(t *testing.T) {
	p := Of(Tag(CodeSignInFailed, &motion.NetError{Kind: motion.NetTimeout, Host: "h", Port: "443"}))
	assert.Equal(t, "The sign-in did not work: the server h on port 443 did not answer in time: check your network and try again.", p.Message)
}

func TestClockTime(t *testing.T) {
	now := time.Date(2026, 11, 28, 15, 0, 0, 0, time.Local)
	assert.Equal(t, "15:42", clockTime(now.Add(42*time.Minute), now))
	assert.Equal(t, now.Add(48*time.Hour).Format("Jan 2 15:04"), clockTime(now.Add(48*time.Hour), now))
}
