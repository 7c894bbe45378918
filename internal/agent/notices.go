package agent

import (
	"fmt"
	"math"
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
