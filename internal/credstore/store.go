// Package credstore keeps the agent's password in the OS keyring (Secret Service on Linux, Keychain on
// macOS, Credential Manager on Windows) and nowhere else. Entries are named by server origin and
// login name. A Store never logs, and its errors never contain the secret.
package credstore

import "context"

// Service is the keyring service name under which every entry is saved.
const Service = "Phonebar"

// Store saves one secret per (server, user). server is the origin of the Motion server
// ("https://host[:port]"), user the login name.
type Store interface {
	// Get returns the saved secret, ErrNotFound when there is none, or an error matching
	// ErrUnavailable when the keyring cannot be read.
	Get(ctx context.Context, server, user string) (string, error)
	// Set saves or replaces the secret. Errors match ErrUnavailable or ErrTooBig.
	Set(ctx context.Context, server, user, secret string) error
	// Delete removes the secret; deleting a missing one gives ErrNotFound.
	Delete(ctx context.Context, server, user string) error
}

// Account is the keyring account name of an entry: user + "@" + server.
func Account(server, user string) string { return user + "@" + server }
