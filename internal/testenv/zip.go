package testenv

import (
	"archive/zip"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

// ReadZip returns every file of the zip at path, by name: how the diagnostics tests look inside
// a bundle.
func ReadZip(t testing.TB, path string) map[string]string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	defer zr.Close()
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		rc.Close()
		require.NoError(t, err)
		out[f.Name] = string(b)
	}
	return out
}
