package motionsim

import "github.com/phonebar/phonebar/internal/motion"

// DefaultConfig returns the built-in demo: the Security Suite on (history of 5), five attempts
// before a 15-minute lock, four hot-desk telephones (two free, one busy, one unregistered) that
// no agent uses until an administrator turns Hot Desk on for bruno (external), four pause types
// (agents log in paused), and one user of each kind with a demo password that satisfies the
// Security Suite rules; the agents have Remote Control on.
// Each call returns a fresh copy.
func DefaultConfig() *Config {
	return &Config{
		SecuritySuite:      true,
		MaxLoginAttempts:   5,
		UnlockAfterMinutes: 15,
		PasswordMaxAgeDays: 90,
		PasswordHistory:    5,
		PauseTypes: []motion.PauseType{
			{ID: 1, Name: "Break"}, {ID: 2, Name: "Lunch"}, {ID: 3, Name: "Training"}, {ID: 4, Name: "Back office"},
		},
		Phones: []PhoneConfig{
			{Name: "Desk 1 (SIP/2001)", Registered: true},
			{Name: "Desk 2 (SIP/2002)", Registered: true},
			{Name: "Desk 3 (SIP/2003)", Registered: true, Busy: true},
			{Name: "Desk 4 (SIP/2004)", Registered: false},
		},
		Users: []UserConfig{
			{
				Name: "alice", Fullname: "Alice Martin", Email: "alice@demo.phonebar.test",
				Role: motion.RoleAgent, Typology: motion.TypologyWebRTC, Internal: "1001",
				Password: "Demo-Alice-1001", SIPPassword: "sip-Alice-1001", RemoteControl: true,
			},
			{
				Name: "bruno", Fullname: "Bruno Rossi", Email: "bruno@demo.phonebar.test",
				Role: motion.RoleAgent, Typology: motion.TypologyExternal, Internal: "1002",
				PhoneNumber: "+39 06 5550 1002", MobileNumber: "+39 333 555 1002",
				Password: "Demo-Bruno-1002", RemoteControl: true,
			},
			{
				Name: "chloe", Fullname: "Chloé Dubois", Email: "chloe@demo.phonebar.test",
				Role: motion.RoleAgent, Typology: motion.TypologyPhonebar, Internal: "1003",
				Password: "Demo-Chloe-1003", RemoteControl: true,
			},
			{
				Name: "admin", Fullname: "Dana Okafor", Email: "admin@demo.phonebar.test",
				Role: motion.RoleAdmin, Password: "Demo-Admin-0000",
			},
		},
	}
}

// DemoLogins lists the built-in demo users and their passwords, for the demo mode's screens only.
func DemoLogins() []DemoLogin { return DefaultConfig().DemoLogins() }
