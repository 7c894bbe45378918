package app

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestInternalPackagesDoNotImportWails keeps the domain packages free of the UI toolkit: only main.go
// and app/ may import Wails, so everything under internal/ runs headless and is tested without a window.
func TestInternalPackagesDoNotImportWails(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-test", "-json=ImportPath,Deps", "github.com/phonebar/phonebar/internal/...")
	cmd.Dir = ".."
	out, err := cmd.Output()
	require.NoError(t, err)
	dec := json.NewDecoder(strings.NewReader(string(out)))
	checked := 0
	for {
		var p struct {
			ImportPath string
			Deps       []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else {
			require.NoError(t, err)
		}
		if !strings.HasPrefix(p.ImportPath, "github.com/phonebar/phonebar/internal/") {
			continue
		}
		checked++
		for _, d := range p.Deps {
			if strings.HasPrefix(d, "github.com/wailsapp/") {
				t.Errorf("%s depends on %s: only main.go and app/ may use Wails", p.ImportPath, d)
			}
		}
	}
	require.Greater(t, checked, 5, "the internal packages were listed")
}

// TestAppStaysThin keeps app/ to mapping DTOs and events: policy belongs in internal/, where the
// command line and the control API use it too. Every build-tag variant is counted.
func TestAppStaysThin(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	lines := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		lines += bytes.Count(b, []byte("\n"))
	}
	require.Greater(t, lines, 100, "app/ was read")
	require.LessOrEqual(t, lines, 1000, "app/ has %d lines of non-test Go: move the policy into internal/", lines)
}
