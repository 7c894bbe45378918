package policy

// Path is the system's policy file (an administrator's, like the plists beside it).
func Path() string { return "/Library/Preferences/Phonebar/policy.json" }
