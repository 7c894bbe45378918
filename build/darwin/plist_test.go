package darwin

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"howett.net/plist"
)

// infoPlist is the part of Info.plist the Phonebar depends on.
type infoPlist struct {
	Identifier      string    `plist:"CFBundleIdentifier"`
	Executable      string    `plist:"CFBundleExecutable"`
	PackageType     string    `plist:"CFBundlePackageType"`
	Version         string    `plist:"CFBundleVersion"`
	MinimumSystem   string    `plist:"LSMinimumSystemVersion"`
	MicrophoneUsage string    `plist:"NSMicrophoneUsageDescription"`
	URLTypes        []urlType `plist:"CFBundleURLTypes"`
}

type urlType struct {
	Name    string   `plist:"CFBundleURLName"`
	Role    string   `plist:"CFBundleTypeRole"`
	Schemes []string `plist:"CFBundleURLSchemes"`
}

func TestInfoPlist(t *testing.T) {
	for _, file := range []string{"Info.plist", "Info.dev.plist"} {
		t.Run(file, func(t *testing.T) {
			b, err := os.ReadFile(file)
			require.NoError(t, err)
			var info infoPlist
			format, err := plist.Unmarshal(b, &info)
			require.NoError(t, err, "Info.plist must be a valid property list")
			assert.Equal(t, plist.XMLFormat, format)

			assert.Equal(t, "dev.phonebar.app", info.Identifier)
			assert.Equal(t, "APPL", info.PackageType)
			// Wails fills these from its template data; make macos then sets the version from the git tag.
			assert.Equal(t, "{{.OutputFilename}}", info.Executable)
			assert.Equal(t, "{{.Info.ProductVersion}}", info.Version)
			assert.NotEmpty(t, info.MinimumSystem)

			// macOS ends an app that opens the microphone without a usage text; the text is what the
			// agent reads in the permission prompt.
			assert.Equal(t, "The Phonebar uses the microphone for your calls and checks it before you go ready.", info.MicrophoneUsage)

			require.Len(t, info.URLTypes, 1)
			assert.Equal(t, "Viewer", info.URLTypes[0].Role)
			assert.ElementsMatch(t, []string{"tel", "sip", "sips", "callto"}, info.URLTypes[0].Schemes)
			assert.True(t, strings.HasPrefix(info.URLTypes[0].Name, info.Identifier))
		})
	}
}

func TestEntitlements(t *testing.T) {
	b, err := os.ReadFile("entitlements.plist")
	require.NoError(t, err)
	var ent map[string]any
	_, err = plist.Unmarshal(b, &ent)
	require.NoError(t, err)
	// The hardened runtime (needed for notarisation) blocks the microphone without this entitlement.
	assert.Equal(t, true, ent["com.apple.security.device.audio-input"])
	assert.Equal(t, true, ent["com.apple.security.network.client"])
}
