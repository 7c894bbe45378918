package credstore

import (
	"context"
	"errors"
	"strings"

	"github.com/zalando/go-keyring"
)

// Backend is the OS keyring as github.com/zalando/go-keyring exposes it; a test seam.
type Backend interface {
	Get(service, account string) (string, error)
	Set(service, account, secret string) error
	Delete(service, account string) error
}

// osBackend calls go-keyring's package functions (the OS keyring of this platform).
type osBackend struct{}

func (osBackend) Get(service, account string) (string, error) { return keyring.Get(service, account) }
func (osBackend) Set(service, account, secret string) error {
	return keyring.Set(service, account, secret)
}
func (osBackend) Delete(service, account string) error { return keyring.Delete(service, account) }

// Keyring is the Store backed by the OS keyring, under service Service and account Account(server,
// user). Keyring calls cannot be interrupted; when ctx ends first the call returns ctx.Err() and the
// keyring call finishes in the background.
type Keyring struct {
	backend Backend
}

// NewKeyring returns the OS keyring Store.
func NewKeyring() *Keyring { return &Keyring{backend: osBackend{}} }

// NewKeyringWith returns a Keyring over another backend (tests).
func NewKeyringWith(b Backend) *Keyring { return &Keyring{backend: b} }

// Probe reports whether the keyring can be used: nil when it answers (even with "no entry"), an error
// matching ErrUnavailable otherwise. It only reads (an entry that never exists).
func (k *Keyring) Probe(ctx context.Context) error {
	_, err := k.Get(ctx, "phonebar.invalid", "probe")
	if err == nil || errors.Is(err, ErrNotFound) {
		return nil
	}
	var ue *UnavailableError
	if errors.As(err, &ue) {
		ue.Op = "check"
	}
	return err
}

// Get implements Store.
func (k *Keyring) Get(ctx context.Context, server, user string) (string, error) {
	var secret string
	err := k.do(ctx, func() error {
		var err error
		secret, err = k.backend.Get(Service, Account(server, user))
		return err
	})
	if err != nil {
		return "", k.classify("read", err, "")
	}
	return secret, nil
}

// Set implements Store. Secrets longer than the platform keyring takes give a *TooBigError before
// the keyring is called.
func (k *Keyring) Set(ctx context.Context, server, user, secret string) error {
	if err := checkSize(Service, Account(server, user), secret); err != nil {
		return err
	}
	err := k.do(ctx, func() error { return k.backend.Set(Service, Account(server, user), secret) })
	if err != nil {
		return k.classify("save", err, secret)
	}
	return nil
}

// Delete implements Store.
func (k *Keyring) Delete(ctx context.Context, server, user string) error {
	err := k.do(ctx, func() error { return k.backend.Delete(Service, Account(server, user)) })
	if err != nil {
		return k.classify("delete", err, "")
	}
	return nil
}

// ctxError marks the caller's ctx ending, so classify passes it through.
type ctxError struct{ error }

func (e ctxError) Unwrap() error { return e.error }

func (k *Keyring) do(ctx context.Context, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return ctxError{err}
	}
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctxError{ctx.Err()}
	}
}

func (k *Keyring) classify(op string, err error, secret string) error {
	var ce ctxError
	switch {
	case errors.As(err, &ce):
		return ce.error
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return &TooBigError{Keyring: keyringName, Size: len(secret)}
	}
	cause := err
	if secret != "" && strings.Contains(err.Error(), secret) {
		// The keyring's message must never carry the secret on.
		cause = errors.New(strings.ReplaceAll(err.Error(), secret, "<redacted>"))
	}
	return &UnavailableError{Op: op, Hint: unavailableHint, Cause: cause}
}
