package problem

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/motion"
)

// This file writes the sentences for the Motion client's typed errors (an answer of the API, a
// server that cannot be reached, an address refused) and for the agent session's errors that carry
// one of them: the errors themselves say what happened in technical words, the agent reads these.

// exampleAddresses ends every message about a wrong address.
const exampleAddresses = "a server address looks like motion.example.com, motion.example.com:8443 or https://motion.example.com"

// now is the clock of the messages that name a time (an account unlocked at 15:42).
var now = time.Now

// motionMessage is the sentence for err when it carries a typed error of the Motion client or of the
// agent session, without the final full stop; ok is false otherwise.
func motionMessage(err error) (msg string, ok bool) {
	var (
		sp *agent.SavedPasswordRejectedError
		pr *agent.PhoneRequiredError
		nh *motion.NotHTTPSError
		bu *motion.BadURLError
		ne *motion.NetError
		ae *motion.APIError
	)
	switch {
	case errors.As(err, &sp):
		inner, _ := motionMessage(sp.Err)
		if inner == "" {
			inner = sp.Err.Error()
		}
		return fmt.Sprintf("The saved password for %s on %s was refused (%s). It was not tried again and is no longer saved: type your password to log in",
			sp.User, sp.Server, inner), true
	case errors.As(err, &pr):
		inner, _ := motionMessage(pr.Err)
		if inner == "" {
			inner = sentence(pr.Err.Error())
		}
		if names := agent.PhoneNames(pr); len(names) > 0 {
			return inner + ". Available: " + strings.Join(names, ", "), true
		}
		return inner + ". No telephone is available right now: ask your administrator", true
	case errors.As(err, &nh):
		return "Motion needs a secure connection, so http:// addresses are not accepted: use " + nh.Suggested +
			" instead (if the server's certificate is self-signed, you will be asked to trust it once)", true
	case errors.As(err, &bu):
		return "This is not a server address (" + bu.Reason + "): " + exampleAddresses, true
	case errors.As(err, &ne):
		return netMessage(ne), true
	case errors.As(err, &ae):
		return apiMessage(ae), true
	}
	return "", false
}

// netMessage says why the server could not be talked to, naming host and port.
func netMessage(e *motion.NetError) string {
	switch e.Kind {
	case motion.NetUnreachable:
		return fmt.Sprintf("Cannot reach the server %s on port %s (%s): check the address, that the server is running, and your network", e.Host, e.Port, e.Reason)
	case motion.NetTimeout:
		return fmt.Sprintf("The server %s on port %s did not answer in time: check your network and try again", e.Host, e.Port)
	case motion.NetNotMotion:
		return fmt.Sprintf("The server %s on port %s does not answer like a Motion server (%s): check the address and the port", e.Host, e.Port, e.Reason)
	}
	return fmt.Sprintf("Cannot talk to the server %s on port %s (%s)", e.Host, e.Port, e.Reason)
}

// apiMessage says what an answer of the Motion API means and what to do.
func apiMessage(e *motion.APIError) string {
	if errors.Is(e, motion.ErrUnknownAuthFormat) {
		return "The server answered \"Unknown authorization format\": the login did not reach it over a secure connection. " +
			"Use the server's https:// address; if you already do, ask your administrator whether a proxy between you and the server removes the login"
	}
	switch e.Code {
	case motion.CodeInvalidCredentials:
		s := "Wrong username or password"
		switch {
		case e.AttemptsLeft == nil:
			return s + ": check them and try again"
		case *e.AttemptsLeft <= 0:
			return s + ": no attempts left, the account is now locked; ask your administrator to unlock it"
		case *e.AttemptsLeft == 1:
			return s + ": 1 attempt left before the account is locked"
		default:
			return fmt.Sprintf("%s: %d attempts left before the account is locked", s, *e.AttemptsLeft)
		}
	case motion.CodeAccountLocked:
		s := "Account locked after too many failed attempts: ask your administrator to unlock it"
		if e.UnlockAt != nil {
			s += ", or wait until " + clockTime(*e.UnlockAt, now())
		}
		return s
	case motion.CodeSessionExists:
		return "This user is already logged in on another Phonebar: log in again and confirm to end the other session"
	case motion.CodePasswordRules:
		if len(e.Rules) > 0 {
			return "The new password was refused: " + strings.Join(e.Rules, "; ") + ". Choose another one"
		}
		return "The new password was refused (" + e.Message + "): choose another one"
	case motion.CodePasswordExpired:
		return "Your password has expired: change it to continue"
	case motion.CodePhoneRequired:
		return "You use Hot Desk: choose the telephone you are using today to log in"
	case motion.CodePhoneUnavailable:
		return "That telephone was just taken by another agent or went offline: choose another one"
	case motion.CodeSessionEnded:
		return "The server ended your session (" + e.Message + "): log in again"
	case motion.CodeUnauthorized:
		return "Your session is no longer valid: log in again"
	case motion.CodeNotFound:
		return fmt.Sprintf("The server does not offer %s (%d %s): check that the address is a Motion server and that it is up to date", e.Op, e.Status, http.StatusText(e.Status))
	}
	if e.Status >= 500 {
		return fmt.Sprintf("The Motion server failed during %s (%d %s): try again in a moment, or tell your administrator", e.Op, e.Status, http.StatusText(e.Status))
	}
	return fmt.Sprintf("The server refused %s (%d %s): %s", e.Op, e.Status, http.StatusText(e.Status), e.Message)
}

// clockTime prints t as a wall-clock time in the local zone, with the date when it is not within
// the next 12 hours.
func clockTime(t, now time.Time) string {
	t = t.Local()
	if d := t.Sub(now); d >= -time.Hour && d < 12*time.Hour {
		return t.Format("15:04")
	}
	return t.Format("Jan 2 15:04")
}
