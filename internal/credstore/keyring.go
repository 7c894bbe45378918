package credstore

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

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

// DefaultTimeout bounds each call to the OS keyring when the caller's context has no earlier
// deadline. A keyring that is frozen (its daemon stopped) or waiting on an unseen prompt never
// answers; the agent then gets a *TimeoutError after this long instead of a hung login.
const DefaultTimeout = 10 * time.Second

// KeyringOptions configures NewKeyringOptions. The zero value is the OS keyring with DefaultTimeout.
type KeyringOptions struct {
	// Backend is the keyring to call; nil: the OS keyring (with the Linux session-bus check).
	Backend Backend
	// Timeout bounds each call; 0: DefaultTimeout.
	Timeout time.Duration
}

// Keyring is the Store backed by the OS keyring, under service Service and account Account(server,
// user).
//
// Keyring calls cannot be interrupted. Each call gets a deadline (the caller's, or Timeout): when it
// passes first the call returns a *TimeoutError and the keyring call finishes in the background. At
// most one keyring call is in flight per Keyring: while an abandoned call still hangs, later calls
// fail at once with a *TimeoutError instead of piling up goroutines behind a frozen keyring.
type Keyring struct {
	backend Backend
	timeout time.Duration
	// precheck runs before each call of the OS backend (Linux: is there a session bus?).
	precheck func(op string) error
	// gate holds one token per call in flight (capacity 1).
	gate chan struct{}
	mu   sync.Mutex
	// stuck is set while a call that timed out still runs.
	stuck bool
}

// NewKeyring returns the OS keyring Store with DefaultTimeout.
func NewKeyring() *Keyring { return NewKeyringOptions(KeyringOptions{}) }

// NewKeyringWith returns a Keyring over another backend (tests).
func NewKeyringWith(b Backend) *Keyring { return NewKeyringOptions(KeyringOptions{Backend: b}) }

// NewKeyringOptions returns a Keyring configured by opts.
func NewKeyringOptions(opts KeyringOptions) *Keyring {
	k := &Keyring{backend: opts.Backend, timeout: opts.Timeout, gate: make(chan struct{}, 1)}
	if k.backend == nil {
		k.backend, k.precheck = osBackend{}, checkBus
	}
	if k.timeout <= 0 {
		k.timeout = DefaultTimeout
	}
	return k
}

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
	err := k.do(ctx, "read", func() error {
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
	err := k.do(ctx, "save", func() error { return k.backend.Set(Service, Account(server, user), secret) })
	if err != nil {
		return k.classify("save", err, secret)
	}
	return nil
}

// Delete implements Store.
func (k *Keyring) Delete(ctx context.Context, server, user string) error {
	err := k.do(ctx, "delete", func() error { return k.backend.Delete(Service, Account(server, user)) })
	if err != nil {
		return k.classify("delete", err, "")
	}
	return nil
}

// ctxError marks the caller's ctx ending (canceled), so classify passes it through.
type ctxError struct{ error }

func (e ctxError) Unwrap() error { return e.error }

// do runs fn on its own goroutine under the Keyring's deadline and gate.
func (k *Keyring) do(ctx context.Context, op string, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return k.ctxErr(op, err)
	}
	if k.precheck != nil {
		if err := k.precheck(op); err != nil {
			return err
		}
	}
	k.mu.Lock()
	stuck := k.stuck
	k.mu.Unlock()
	if stuck {
		return &TimeoutError{Op: op, After: k.timeout, Pending: true}
	}
	ctx, cancel := context.WithTimeout(ctx, k.timeout)
	defer cancel()
	select {
	case k.gate <- struct{}{}:
	case <-ctx.Done():
		return k.ctxErr(op, ctx.Err())
	}
	done := make(chan error, 1)
	finished := false // guarded by k.mu
	go func() {
		err := fn()
		k.mu.Lock()
		finished, k.stuck = true, false
		k.mu.Unlock()
		<-k.gate
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		k.mu.Lock()
		if !finished {
			k.stuck = true
		}
		k.mu.Unlock()
		return k.ctxErr(op, ctx.Err())
	}
}

// ctxErr: a deadline (the caller's or the Keyring's) is the keyring's timeout; a cancellation is
// the caller's and passes through.
func (k *Keyring) ctxErr(op string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &TimeoutError{Op: op, After: k.timeout}
	}
	return ctxError{err}
}

func (k *Keyring) classify(op string, err error, secret string) error {
	var ce ctxError
	var te *TimeoutError
	var ue *UnavailableError
	switch {
	case errors.As(err, &ce):
		return ce.error
	case errors.As(err, &te), errors.As(err, &ue):
		return err
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
