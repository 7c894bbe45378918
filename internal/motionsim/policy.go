package motionsim

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/phonebar/phonebar/internal/motion"
)

// This file holds the login rules as pure functions of their inputs, so that lockout, forced
// logout, password expiry and license notices are table-tested without a server.

// passwordSpecials are the special characters of the Security Suite rules.
const passwordSpecials = "~!@#$%^&-_=+[{]}"

// The Security Suite rules, as listed in a PASSWORD_RULES answer.
const (
	RuleMinLength  = "at least 8 characters"
	RuleLower      = "a lowercase letter"
	RuleUpper      = "an uppercase letter"
	RuleDigit      = "a digit"
	RuleSpecial    = "one of " + passwordSpecials
	RuleMaxLength  = "at most 72 bytes"
	RuleNotCurrent = "different from the current password"
	RuleNotRecent  = "different from the recent passwords"
)

// expiryWarningDays is how early a login warns that the password expires.
const expiryWarningDays = 15

// licenseWarningDays is how early a login carries the license notice. [ours]
const licenseWarningDays = 30

// passwordRulesBroken lists the Security Suite rules pw breaks, in a stable order.
func passwordRulesBroken(pw string) []string {
	var lower, upper, digit, special bool
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		case strings.ContainsRune(passwordSpecials, r):
			special = true
		}
	}
	var broken []string
	if len([]rune(pw)) < 8 {
		broken = append(broken, RuleMinLength)
	}
	if len(pw) > 72 {
		broken = append(broken, RuleMaxLength)
	}
	for _, c := range []struct {
		ok   bool
		rule string
	}{{lower, RuleLower}, {upper, RuleUpper}, {digit, RuleDigit}, {special, RuleSpecial}} {
		if !c.ok {
			broken = append(broken, c.rule)
		}
	}
	return broken
}

// settings is a validated Config resolved into the values the server uses.
type settings struct {
	securitySuite      bool
	maxAttempts        int
	unlockAfter        time.Duration // 0: administrator only
	passwordMaxAge     time.Duration
	passwordHistory    int
	licenseExpiresAt   time.Time // zero: no notice
	disconnectTimeout  time.Duration
	ssoProviders       []string
	phonebarMultiLogin bool
	sip                SIPConfig
	pauseTypes         []motion.PauseType
	loginPaused        bool
}

func resolveSettings(c *Config) settings {
	s := settings{
		securitySuite:      c.SecuritySuite,
		maxAttempts:        c.MaxLoginAttempts,
		unlockAfter:        time.Duration(c.UnlockAfterMinutes) * time.Minute,
		passwordMaxAge:     time.Duration(c.PasswordMaxAgeDays) * 24 * time.Hour,
		passwordHistory:    c.PasswordHistory,
		disconnectTimeout:  time.Duration(c.DisconnectionTimeoutMinutes) * time.Minute,
		ssoProviders:       append([]string(nil), c.SSOProviders...),
		phonebarMultiLogin: c.PhonebarMultiLogin,
		sip:                c.SIP,
		pauseTypes:         slices.Clone(c.PauseTypes),
		loginPaused:        c.LoginPaused == nil || *c.LoginPaused,
	}
	if s.passwordMaxAge == 0 {
		s.passwordMaxAge = 90 * 24 * time.Hour
	}
	if c.LicenseExpiresAt != "" {
		s.licenseExpiresAt, _ = time.Parse(time.RFC3339, c.LicenseExpiresAt) // validated
	}
	return s
}

// sessionsConflict reports whether a second session of the same user and client kind is refused
// (unless forced) for a user of that typology.
func (s *settings) sessionsConflict(typology string) bool {
	return !(typology == motion.TypologyPhonebar && s.phonebarMultiLogin)
}

// loginInput is what a login decision depends on.
type loginInput struct {
	now        time.Time
	found      bool // the login name exists; when not, the counters are those kept for the name
	passwordOK bool
	failures   int       // wrong passwords in a row so far
	locked     bool      // the account is locked
	unlockAt   time.Time // when it unlocks by itself; zero: administrator only
	conflict   bool      // a session of the same user and client kind exists and conflicts apply
	force      bool
	mustChange bool      // the account's first-login flag
	changedAt  time.Time // when the password was set
}

// loginResult is the decision: an error answer, or success with its notices; plus the account's
// new lockout state either way.
type loginResult struct {
	err           *apiError
	failures      int
	locked        bool
	unlockAt      time.Time
	replace       bool // end the conflicting sessions
	mustChange    bool
	expiresInDays *int
	license       *motion.License
	req           loginRequest // web logins: the request as completed by its pending steps
}

// decideLogin applies the lockout, session-conflict, Security Suite and license rules.
func decideLogin(s *settings, in loginInput) loginResult {
	out := loginResult{failures: in.failures, locked: in.locked, unlockAt: in.unlockAt}
	// A name no account has is answered as a wrong password of an account with that name: the
	// same countdown and lock (from the counters kept for that name), so that no answer tells
	// whether a user exists.
	passwordOK := in.found && in.passwordOK
	if out.locked && !out.unlockAt.IsZero() && !in.now.Before(out.unlockAt) {
		out.locked, out.failures, out.unlockAt = false, 0, time.Time{}
	}
	if out.locked {
		out.err = accountLocked(s, in.now, out.unlockAt)
		return out
	}
	if !passwordOK {
		out.failures++
		if s.maxAttempts > 0 && out.failures >= s.maxAttempts {
			out.locked = true
			if s.unlockAfter > 0 {
				out.unlockAt = in.now.Add(s.unlockAfter)
			}
			out.err = accountLocked(s, in.now, out.unlockAt)
			return out
		}
		var left *int
		if s.maxAttempts > 0 {
			n := s.maxAttempts - out.failures
			left = &n
		}
		out.err = invalidCredentials(left)
		return out
	}
	out.failures = 0
	if in.conflict && !in.force {
		out.err = &apiError{Status: http.StatusConflict, Body: motion.ErrorBody{
			Code:    motion.CodeSessionExists,
			Message: "This user is already logged in elsewhere. Log in anyway to end the other session.",
		}}
		return out
	}
	out.replace = in.conflict
	if s.securitySuite {
		expires := in.changedAt.Add(s.passwordMaxAge)
		if in.mustChange || !in.now.Before(expires) {
			out.mustChange = true
		} else if d := daysUntil(in.now, expires); d <= expiryWarningDays {
			out.expiresInDays = &d
		}
	}
	if !s.licenseExpiresAt.IsZero() {
		if d := daysUntil(in.now, s.licenseExpiresAt); d <= licenseWarningDays {
			out.license = &motion.License{ExpiresAt: s.licenseExpiresAt, DaysLeft: d}
		}
	}
	return out
}

// daysUntil counts the started days from now to t (0 or less when t is past).
func daysUntil(now, t time.Time) int {
	return int(math.Ceil(t.Sub(now).Hours() / 24))
}

func invalidCredentials(attemptsLeft *int) *apiError {
	msg := "Wrong login name or password."
	if attemptsLeft != nil {
		msg += fmt.Sprintf(" %d attempt%s left before the account is locked.", *attemptsLeft, plural(*attemptsLeft))
	}
	return &apiError{Status: http.StatusUnauthorized, Body: motion.ErrorBody{
		Code: motion.CodeInvalidCredentials, Message: msg, AttemptsLeft: attemptsLeft,
	}}
}

func accountLocked(s *settings, now, unlockAt time.Time) *apiError {
	msg := fmt.Sprintf("Account locked after %d failed attempts: ask your administrator to unlock it", s.maxAttempts)
	var at *time.Time
	if !unlockAt.IsZero() {
		u := unlockAt.UTC()
		at = &u
		mins := int(math.Ceil(unlockAt.Sub(now).Minutes()))
		msg += fmt.Sprintf(", or wait %d minute%s", mins, plural(mins))
	}
	return &apiError{Status: http.StatusLocked, Body: motion.ErrorBody{
		Code: motion.CodeAccountLocked, Message: msg + ".", UnlockAt: at,
	}}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// checkNewPassword returns the PASSWORD_RULES answer for a refused new password, or nil.
// sameAsCurrent says whether newPW equals the current password.
func checkNewPassword(newPW string, sameAsCurrent bool) *apiError {
	broken := passwordRulesBroken(newPW)
	if sameAsCurrent {
		broken = append(broken, RuleNotCurrent)
	}
	if len(broken) == 0 {
		return nil
	}
	return &apiError{Status: http.StatusUnprocessableEntity, Body: motion.ErrorBody{
		Code:    motion.CodePasswordRules,
		Message: "The new password must have " + strings.Join(broken, ", ") + ".",
		Rules:   broken,
	}}
}
