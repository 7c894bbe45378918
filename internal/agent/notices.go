package agent

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// PasswordExpiryNotice is the sentence shown at login when the password expires within days.
func PasswordExpiryNotice(days int) string {
	switch {
	case days <= 0:
		return "Your password expires today: change it now"
	case days == 1:
		return "Your password expires tomorrow: change it now to keep logging in"
	}
	return fmt.Sprintf("Your password expires in %d days: change it before then", days)
}

// LicenseNotice is Motion's license expiration notice, with the days left. [doc text, ours wording]
func LicenseNotice(expiresAt, now time.Time) string {
	days := int(math.Ceil(expiresAt.Sub(now).Hours() / 24))
	when := expiresAt.Local().Format("Jan 2, 2006")
	switch {
	case days <= 0:
		return "The Motion license of this server has expired (" + when + "): verify the license and contact your vendor"
	case days == 1:
		return "The Motion license of this server expires tomorrow (" + when + "): verify the license and contact your vendor"
	}
	return fmt.Sprintf("The Motion license of this server expires in %d days (%s): verify the license and contact your vendor", days, when)
}

// Notice is one non-blocking notice of the login, shown until the agent dismisses it.
type Notice struct {
	// ID is NoticePasswordExpiry or NoticeLicense.
	ID   string
	Text string
	// Days is the number of days left.
	Days int
	// ChangePassword says the notice offers the password change.
	ChangePassword bool
}

// Notice IDs.
const (
	NoticePasswordExpiry = "password-expiry"
	NoticeLicense        = "license"
)

// Notices are the login's notices of a session, each shown until the agent dismisses it, once per
// session. Its zero value is ready to use.
type Notices struct {
	mu        sync.Mutex
	dismissed map[string]bool
}

// Reset shows every notice again (a new session).
func (n *Notices) Reset() {
	n.mu.Lock()
	n.dismissed = nil
	n.mu.Unlock()
}

// Dismiss hides a notice for the rest of the session.
func (n *Notices) Dismiss(id string) {
	n.mu.Lock()
	if n.dismissed == nil {
		n.dismissed = map[string]bool{}
	}
	n.dismissed[id] = true
	n.mu.Unlock()
}

// For lists the notices of profile not dismissed, at now.
func (n *Notices) For(p Profile, now time.Time) []Notice {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := []Notice{}
	if d := p.PasswordExpiresInDays; d != nil && !n.dismissed[NoticePasswordExpiry] {
		out = append(out, Notice{ID: NoticePasswordExpiry, Text: PasswordExpiryNotice(*d), Days: *d, ChangePassword: true})
	}
	if t := p.LicenseExpiresAt; t != nil && !n.dismissed[NoticeLicense] {
		out = append(out, Notice{ID: NoticeLicense, Text: LicenseNotice(*t, now), Days: int(math.Ceil(t.Sub(now).Hours() / 24))})
	}
	return out
}
