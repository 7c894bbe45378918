package audio

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// macOS kills an app that opens the microphone without NSMicrophoneUsageDescription in its bundle,
// and a hardened-runtime app gets silence without the audio-input entitlement.
func TestMacOSBundleAsksForMicrophone(t *testing.T) {
	tests := []struct {
		name string
		file string
		key  string
	}{
		{"release Info.plist", "Info.plist", "NSMicrophoneUsageDescription"},
		{"dev Info.plist", "Info.dev.plist", "NSMicrophoneUsageDescription"},
		{"entitlements", "entitlements.plist", "com.apple.security.device.audio-input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("..", "..", "build", "darwin", tt.file))
			require.NoError(t, err)
			var doc struct {
				Dict struct {
					Inner []byte `xml:",innerxml"`
				} `xml:"dict"`
			}
			require.NoError(t, xml.Unmarshal(raw, &doc))
			// Walk the dict's children: a <key> followed by its value element.
			dec := xml.NewDecoder(bytes.NewReader(doc.Dict.Inner))
			var lastKey, value string
			found := false
			for {
				tok, err := dec.Token()
				if err != nil {
					break
				}
				se, ok := tok.(xml.StartElement)
				if !ok {
					continue
				}
				var text string
				require.NoError(t, dec.DecodeElement(&text, &se))
				if se.Name.Local == "key" {
					lastKey = text
					continue
				}
				if lastKey == tt.key {
					found, value = true, se.Name.Local+":"+text
				}
				lastKey = ""
			}
			require.True(t, found, "%s has no %s", tt.file, tt.key)
			assert.NotEqual(t, "string:", value, "the description must say why")
			assert.NotEqual(t, "false:", value)
		})
	}
}
