package credstore

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKeyringCredentialManager runs the Store contract against the real Credential Manager (Windows,
// or Wine's under `make test-windows`).
func TestKeyringCredentialManager(t *testing.T) {
	k := NewKeyring()
	require.NoError(t, k.Probe(context.Background()), "the Credential Manager must answer")
	exerciseStore(t, k)
}

// TestKeyringCredentialManagerSizeLimit stores a secret of exactly the Credential Manager's limit and
// reads it back whole; one byte more is refused before the Credential Manager is called, and the
// entry already there is left as it was.
func TestKeyringCredentialManagerSizeLimit(t *testing.T) {
	ctx := context.Background()
	k := NewKeyring()
	server := fmt.Sprintf("https://motion-size-%d.test", time.Now().UnixNano())
	t.Cleanup(func() { _ = k.Delete(ctx, server, "agent") })

	// Multi-byte characters: the limit counts bytes (UTF-8, as go-keyring stores them), not characters.
	atLimit := strings.Repeat("é", WindowsMaxSecret/2)
	require.Len(t, atLimit, WindowsMaxSecret)
	require.NoError(t, k.Set(ctx, server, "agent", atLimit))
	got, err := k.Get(ctx, server, "agent")
	require.NoError(t, err)
	assert.Equal(t, atLimit, got)

	over := atLimit + "x"
	err = k.Set(ctx, server, "agent", over)
	require.ErrorIs(t, err, ErrTooBig)
	assert.Contains(t, err.Error(), "Windows Credential Manager")
	assert.NotContains(t, err.Error(), over)
	got, err = k.Get(ctx, server, "agent")
	require.NoError(t, err)
	assert.Equal(t, atLimit, got, "a refused secret must not replace the saved one")
}
