package credstore

import (
	"context"
	"sync"
)

// Memory is a Store in process memory, for tests and for a session that must not touch the OS
// keyring. The zero value is ready. Set Err to make every call fail with it (e.g. an
// *UnavailableError to play a keyring that refuses).
type Memory struct {
	mu      sync.Mutex
	entries map[string]string
	// Err, when set, is returned by every call.
	Err error
	// Sets counts successful Set calls (tests check that nothing was saved).
	Sets int
}

// NewMemory returns an empty Memory store.
func NewMemory() *Memory { return &Memory{} }

// Get implements Store.
func (m *Memory) Get(ctx context.Context, server, user string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ctx); err != nil {
		return "", err
	}
	s, ok := m.entries[Account(server, user)]
	if !ok {
		return "", ErrNotFound
	}
	return s, nil
}

// Set implements Store.
func (m *Memory) Set(ctx context.Context, server, user, secret string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ctx); err != nil {
		return err
	}
	if m.entries == nil {
		m.entries = map[string]string{}
	}
	m.entries[Account(server, user)] = secret
	m.Sets++
	return nil
}

// Delete implements Store.
func (m *Memory) Delete(ctx context.Context, server, user string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ctx); err != nil {
		return err
	}
	if _, ok := m.entries[Account(server, user)]; !ok {
		return ErrNotFound
	}
	delete(m.entries, Account(server, user))
	return nil
}

// Len returns the number of saved entries.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

func (m *Memory) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return m.Err
}
