package agent

import (
	"time"

	"github.com/phonebar/phonebar/internal/motion"
)

// Profile is what the UI shows about the logged-in agent. It holds no secret.
type Profile struct {
	// Server is the origin logged in to ("https://host[:port]").
	Server   string `json:"server"`
	ID       int    `json:"id"`
	Name     string `json:"name"`
	Fullname string `json:"fullname"`
	Email    string `json:"email,omitempty"`
	Role     string `json:"role"`
	Typology string `json:"typology,omitempty"`
	Internal string `json:"internal,omitempty"`
	// HasSIP says whoami carried SIP settings (a WebRTC agent); get them with Session.SIPAccount.
	HasSIP bool `json:"hasSip"`
	// RemoteControl says the server turns the local control API on for this agent.
	RemoteControl bool `json:"remoteControl,omitempty"`
	// MustChangePassword: call ChangePassword before anything else.
	MustChangePassword bool `json:"mustChangePassword,omitempty"`
	// PasswordExpiresInDays is set when the password expires soon.
	PasswordExpiresInDays *int `json:"passwordExpiresInDays,omitempty"`
	// Phone is the hot-desk telephone picked at login ("" without Hot Desk).
	Phone string `json:"phone,omitempty"`
	// Line is the line an external agent without Hot Desk chose at login ("": internal), or later
	// with Session.SetLine.
	Line string `json:"line,omitempty"`
	// PhoneNumber and MobileNumber are the numbers the lines "phone" and "mobile" ring ("": not
	// set on the server).
	PhoneNumber  string `json:"phoneNumber,omitempty"`
	MobileNumber string `json:"mobileNumber,omitempty"`
	// ChooseLine: an external agent without Hot Desk logged in here for the first time, without
	// choosing a line; the window asks before the bar, once (SetLine answers it).
	ChooseLine bool `json:"chooseLine,omitempty"`
	// LicenseExpiresAt is set when the server's license expires soon.
	LicenseExpiresAt *time.Time `json:"licenseExpiresAt,omitempty"`
	// SignedInWith is the single sign-on provider of a login made through one (motion.ProviderGoogle,
	// motion.ProviderActiveDirectory); "" for a password login. Such a session has no password: it
	// is never logged back in by itself, and the Omni Desktop opens with a one-time code.
	SignedInWith string `json:"signedInWith,omitempty"`
	// Remembered: the password is saved in the OS keyring.
	Remembered bool `json:"remembered"`
	// RememberUnavailable: remembering was asked but the OS keyring cannot be used; the login still
	// succeeded and nothing was written anywhere. Warnings says why.
	RememberUnavailable bool `json:"rememberUnavailable,omitempty"`
	// RememberErr is why remembering failed (problem.Of gives its code: KEYRING_UNAVAILABLE,
	// PASSWORD_TOO_LONG, ...); nil when it worked or was not asked.
	RememberErr error `json:"-"`
	// Warnings are sentences for the agent about things that did not stop the login.
	Warnings []string `json:"warnings,omitempty"`
}

func makeProfile(origin string, u motion.User, r motion.LoginResponse) Profile {
	p := Profile{
		Server: origin, ID: u.ID, Name: u.Name, Fullname: u.Fullname, Email: u.Email, Role: u.Role,
		Typology: u.Typology, Internal: u.Internal, PhoneNumber: u.PhoneNumber, MobileNumber: u.MobileNumber, HasSIP: u.SIP != nil, RemoteControl: u.RemoteControl,
		MustChangePassword: r.MustChangePassword, PasswordExpiresInDays: r.PasswordExpiresInDays,
	}
	if r.License != nil {
		t := r.License.ExpiresAt
		p.LicenseExpiresAt = &t
	}
	return p
}
