package app

import (
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim"
)

// SessionView is what the window shows of the session. It never carries a secret.
type SessionView struct {
	// State is "logged-out", "logging-in", "password-change" (logged in, but the password must be
	// changed before anything else) or "logged-in".
	State    string `json:"state"`
	Server   string `json:"server"`
	Username string `json:"username"`
	// Remember is the saved "remember me" choice.
	Remember bool `json:"remember"`
	// RememberAvailable is false when the OS keyring cannot be used; RememberNote says why.
	RememberAvailable bool       `json:"rememberAvailable"`
	RememberNote      string     `json:"rememberNote"`
	Agent             *AgentView `json:"agent,omitempty"`
	// Connection is "", "connected", "reconnecting" or "offline".
	Connection string `json:"connection"`
	// Ready says the agent is ready to take contacts (Session.SetReady); a login starts as the
	// server's "log in paused" setting says (paused by default).
	Ready bool `json:"ready"`
	// Status is the agent's status and timers (nil when logged out); PauseTypes the server's pause
	// reasons, in its order (Session.Pause).
	Status     *StatusView        `json:"status,omitempty"`
	PauseTypes []motion.PauseType `json:"pauseTypes"`
	// ControlAPI says where the control API for the CRM listens, or why it does not run.
	ControlAPI string `json:"controlApi"`
	// Notice explains the last thing the agent did not do (the server ended the session) or a
	// warning of the login (password not remembered).
	Notice string `json:"notice"`
	// Demo is set when the app runs its embedded demo server.
	Demo *DemoView `json:"demo,omitempty"`
	// Notices are the login's non-blocking notices (password expiry, license), each shown until
	// the agent dismisses it, once per session.
	Notices []NoticeView `json:"notices"`
	// SettingsProblem says why settings.json cannot be used (damaged, unreadable) and what to do;
	// empty when it can. Nothing is written over such a file.
	SettingsProblem string `json:"settingsProblem"`
	// NeedCurrentPassword says a password change must ask for the current password (the app does
	// not hold it: the keyring could not be read again).
	NeedCurrentPassword bool `json:"needCurrentPassword"`
}

// StatusView is the agent's status: the pause reason (0 and "": ready, or none), and when the
// status and the session began (ms since the Unix epoch, this computer's clock) for the timers.
type StatusView struct {
	Ready       bool   `json:"ready"`
	PauseTypeID int    `json:"pauseTypeId"`
	PauseType   string `json:"pauseType"`
	SinceMs     int64  `json:"sinceMs"`
	LoggedInMs  int64  `json:"loggedInMs"`
}

// NoticeView is one non-blocking notice of the login.
type NoticeView struct {
	// ID is "password-expiry" or "license".
	ID   string `json:"id"`
	Text string `json:"text"`
	// Days is the number of days left.
	Days int `json:"days"`
	// Action is "change-password" when the notice offers the change, else "".
	Action string `json:"action"`
}

// AgentView is the logged-in agent.
type AgentView struct {
	Name     string `json:"name"`
	Fullname string `json:"fullname"`
	Role     string `json:"role"`
	Typology string `json:"typology"`
	Internal string `json:"internal"`
	// Phone is the hot-desk telephone picked at login.
	Phone string `json:"phone,omitempty"`
	// Line is where an external agent without Hot Desk takes calls ("": internal); ChooseLine asks
	// the agent first (a first login here); PhoneNumber and MobileNumber are what "phone" and
	// "mobile" ring.
	Line         string `json:"line,omitempty"`
	ChooseLine   bool   `json:"chooseLine,omitempty"`
	PhoneNumber  string `json:"phoneNumber,omitempty"`
	MobileNumber string `json:"mobileNumber,omitempty"`
}

// DemoView tells the login screen about the embedded demo server. Its passwords are the demo seed's,
// shown on purpose in demo mode only.
type DemoView struct {
	Server string                `json:"server"`
	Logins []motionsim.DemoLogin `json:"logins"`
}

// LoginForm is the login form as typed.
type LoginForm struct {
	Server   string `json:"server"`
	Username string `json:"username"`
	Password string `json:"password"`
	Remember bool   `json:"remember"`
	// Force ends the other session of this user (after the agent confirmed SESSION_EXISTS).
	Force bool `json:"force"`
	// Phone is the hot-desk telephone picked (after PHONE_REQUIRED).
	Phone string `json:"phone"`
	// Line is where an external agent without Hot Desk takes calls: "internal" (also ""),
	// "phone" or "mobile".
	Line string `json:"line"`
}

// OmniView is the state of the Omni Desktop window.
type OmniView struct {
	Open bool `json:"open"`
	// PhoneOwner says which one is the agent's phone, in a sentence.
	PhoneOwner string `json:"phoneOwner"`
}

// SSOForm is a provider sign-in asked from the login screen.
type SSOForm struct {
	Server   string `json:"server"`
	Provider string `json:"provider"`
	// Force, Phone and Line answer the server's SESSION_EXISTS and PHONE_REQUIRED as in LoginForm;
	// the sign-in is not asked again for them.
	Force bool   `json:"force"`
	Phone string `json:"phone"`
	Line  string `json:"line"`
}
