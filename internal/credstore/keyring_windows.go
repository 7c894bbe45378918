package credstore

const keyringName = "Windows Credential Manager"

const unavailableHint = "Phonebar could not use the Windows Credential Manager to remember your password; you can still log in by typing it"

func checkSize(service, account, secret string) error {
	return checkWindowsSize(service, account, secret)
}
