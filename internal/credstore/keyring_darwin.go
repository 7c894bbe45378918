package credstore

const keyringName = "macOS Keychain"

const unavailableHint = "Phonebar could not use the macOS Keychain (is it locked, or was access denied?) to remember your password; you can still log in by typing it"

func checkSize(service, account, secret string) error { return checkMacSize(service, account, secret) }
