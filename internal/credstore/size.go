package credstore

import "encoding/base64"

// WindowsMaxSecret is the most bytes the Windows Credential Manager stores as a password.
const WindowsMaxSecret = 2560

// macMaxCommand is the longest command line go-keyring sends to macOS's `security -i`.
const macMaxCommand = 4096

// checkWindowsSize refuses secrets the Credential Manager would refuse.
func checkWindowsSize(_, _, secret string) error {
	if len(secret) > WindowsMaxSecret {
		return &TooBigError{Keyring: "Windows Credential Manager", Size: len(secret), Limit: WindowsMaxSecret}
	}
	return nil
}

// macMaxSecret is the longest secret that fits in the command go-keyring writes to `security -i`
// (the secret goes base64-encoded behind a prefix; service and account may be quoted).
func macMaxSecret(service, account string) int {
	const fixed = len("add-generic-password -U -s  -a  -w \n") + len("go-keyring-base64:") + 3*2 // quotes
	room := macMaxCommand - fixed - len(service) - len(account)
	if room < 0 {
		return 0
	}
	return room / 4 * 3
}

// checkMacSize refuses secrets the Keychain command would refuse.
func checkMacSize(service, account, secret string) error {
	limit := macMaxSecret(service, account)
	if base64.StdEncoding.EncodedLen(len(secret)) > limit/3*4 {
		return &TooBigError{Keyring: "macOS Keychain", Size: len(secret), Limit: limit}
	}
	return nil
}
