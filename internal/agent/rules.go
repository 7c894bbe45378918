package agent

import (
	"strings"
	"unicode"

	"github.com/phonebar/phonebar/internal/motion"
)

// PasswordSpecials are the special characters of Motion's Security Suite rules. [doc]
const PasswordSpecials = "~!@#$%^&-_=+[{]}"

// RuleCheck is one password rule and whether a candidate password keeps it.
type RuleCheck struct {
	// ID names the rule for the UI: length, lower, upper, digit, special, different.
	ID   string `json:"id"`
	Text string `json:"text"`
	OK   bool   `json:"ok"`
}

// CheckNewPassword checks a new password against the Security Suite rules as the form shows them,
// live: at least 8 characters, a lowercase and an uppercase letter, a digit, one of
// PasswordSpecials, different from current ("" when unknown: the rule is then left to the
// server). The password history is known only to the server, which refuses with PASSWORD_RULES.
func CheckNewPassword(newPassword, current string) []RuleCheck {
	var lower, upper, digit, special bool
	for _, r := range newPassword {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		case strings.ContainsRune(PasswordSpecials, r):
			special = true
		}
	}
	out := []RuleCheck{
		{ID: "length", Text: "At least 8 characters", OK: len([]rune(newPassword)) >= 8},
		{ID: "lower", Text: "A lowercase letter", OK: lower},
		{ID: "upper", Text: "An uppercase letter", OK: upper},
		{ID: "digit", Text: "A digit", OK: digit},
		{ID: "special", Text: "One of " + PasswordSpecials, OK: special},
	}
	if current != "" {
		out = append(out, RuleCheck{ID: "different", Text: "Different from your current password", OK: newPassword != "" && newPassword != current})
	}
	return out
}

// PasswordRulesOK reports whether every check passed.
func PasswordRulesOK(checks []RuleCheck) bool {
	for _, c := range checks {
		if !c.OK {
			return false
		}
	}
	return true
}

// RulesError is a new password refused before it reaches the server: Broken are the texts of the
// rules it breaks. It matches motion.ErrPasswordRules.
type RulesError struct {
	Broken []string
}

func (e *RulesError) Error() string {
	return "agent: the new password breaks rules: " + strings.Join(e.Broken, ", ")
}

// Is makes errors.Is(err, motion.ErrPasswordRules) true.
func (e *RulesError) Is(target error) bool { return target == motion.ErrPasswordRules }

// CheckPasswordRules returns a *RulesError when newPassword breaks a rule, else nil.
func CheckPasswordRules(newPassword, current string) error {
	var broken []string
	for _, c := range CheckNewPassword(newPassword, current) {
		if !c.OK {
			broken = append(broken, c.Text)
		}
	}
	if len(broken) == 0 {
		return nil
	}
	return &RulesError{Broken: broken}
}
