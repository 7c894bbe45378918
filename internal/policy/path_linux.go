package policy

// Path is the system's policy file.
func Path() string { return "/etc/phonebar/policy.json" }
