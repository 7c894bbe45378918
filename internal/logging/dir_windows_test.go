package logging

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/config"
)

// TestWindowsFolders: the settings live in the roaming profile (%APPDATA%\phonebar), so they follow
// an agent who signs in at another desk; the logs stay on the machine (%LOCALAPPDATA%\phonebar\logs).
// Without its variable neither is guessed.
func TestWindowsFolders(t *testing.T) {
	tests := []struct {
		name string
		env  string
		get  func() (string, error)
		want []string
	}{
		{"settings", "APPDATA", config.DefaultPath, []string{"phonebar", "settings.json"}},
		{"logs", "LOCALAPPDATA", DefaultDir, []string{"phonebar", "logs"}},
	}
	require.NotEqual(t, os.Getenv("APPDATA"), os.Getenv("LOCALAPPDATA"), "roaming and local are two folders")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := os.Getenv(tt.env)
			require.NotEmpty(t, base, "Windows (and Wine) set %s", tt.env)
			got, err := tt.get()
			require.NoError(t, err)
			assert.Equal(t, filepath.Join(append([]string{base}, tt.want...)...), got)

			t.Setenv(tt.env, "")
			_, err = tt.get()
			assert.Error(t, err, "no %s: no folder", tt.env)
		})
	}
}
