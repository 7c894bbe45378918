package app

import "github.com/phonebar/phonebar/internal/motionsim"

// SessionView is what the window shows of the session. It never carries a secret.
type SessionView struct {
	// State is "logged-out", "logging-in" or "logged-in".
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
	// Notice explains the last thing the agent did not do (the server ended the session) or a
	// warning of the login (password not remembered).
	Notice string `json:"notice"`
	// Demo is set when the app runs its embedded demo server.
	Demo *DemoView `json:"demo,omitempty"`
}

// AgentView is the logged-in agent.
type AgentView struct {
	Name     string `json:"name"`
	Fullname string `json:"fullname"`
	Role     string `json:"role"`
	Typology string `json:"typology"`
	Internal string `json:"internal"`
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
}

// OmniView is the state of the Omni Desktop window.
type OmniView struct {
	Open bool `json:"open"`
	// PhoneOwner says which one is the agent's phone, in a sentence.
	PhoneOwner string `json:"phoneOwner"`
}
