package audio

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows/registry"
)

// fakeSettings is a settingsReader over a map "HKLM|key|name" → string or uint64.
type fakeSettings map[string]any

func (f fakeSettings) String(root registry.Key, key, name string) (string, bool) {
	v, ok := f[rootName(root)+"|"+key+"|"+name].(string)
	return v, ok
}

func (f fakeSettings) Integer(root registry.Key, key, name string) (uint64, bool) {
	v, ok := f[rootName(root)+"|"+key+"|"+name].(uint64)
	return v, ok
}

// permissionCases are shared by the unit test and the test against the real registry.
var permissionCases = []struct {
	name     string
	settings fakeSettings
	want     Permission
}{
	{"nothing set", fakeSettings{}, PermissionUnknown},
	{"all allowed", fakeSettings{
		"HKLM|" + consentStoreMicrophone + "|Value":  "Allow",
		"HKCU|" + consentStoreMicrophone + "|Value":  "Allow",
		"HKCU|" + consentStoreNonPackaged + "|Value": "Allow",
	}, PermissionGranted},
	{"device switch off", fakeSettings{
		"HKLM|" + consentStoreMicrophone + "|Value":  "Deny",
		"HKCU|" + consentStoreMicrophone + "|Value":  "Allow",
		"HKCU|" + consentStoreNonPackaged + "|Value": "Allow",
	}, PermissionDenied},
	{"user switch off", fakeSettings{
		"HKCU|" + consentStoreMicrophone + "|Value": "Deny",
	}, PermissionDenied},
	{"desktop apps off", fakeSettings{
		"HKCU|" + consentStoreMicrophone + "|Value":  "Allow",
		"HKCU|" + consentStoreNonPackaged + "|Value": "Deny",
	}, PermissionDenied},
	{"policy forces deny over allowed switches", fakeSettings{
		"HKLM|" + appPrivacyPolicy + "|LetAppsAccessMicrophone": uint64(2),
		"HKCU|" + consentStoreMicrophone + "|Value":             "Allow",
	}, PermissionDenied},
	{"policy forces allow over a denied switch", fakeSettings{
		"HKLM|" + appPrivacyPolicy + "|LetAppsAccessMicrophone": uint64(1),
		"HKCU|" + consentStoreNonPackaged + "|Value":            "Deny",
	}, PermissionGranted},
	{"policy leaves it to the user", fakeSettings{
		"HKLM|" + appPrivacyPolicy + "|LetAppsAccessMicrophone": uint64(0),
		"HKCU|" + consentStoreNonPackaged + "|Value":            "Deny",
	}, PermissionDenied},
	{"unknown word", fakeSettings{
		"HKCU|" + consentStoreMicrophone + "|Value": "Prompt",
	}, PermissionUnknown},
}

func TestPermissionFrom(t *testing.T) {
	for _, tc := range permissionCases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, permissionFrom(tc.settings))
		})
	}
}

// TestPermissionFromRegistry lays each case out in the real registry (under a private HKCU key, not
// the user's real privacy settings) and reads it back through the registry API.
func TestPermissionFromRegistry(t *testing.T) {
	prefix := fmt.Sprintf(`Software\PhonebarTest\permission-%d`, os.Getpid())
	t.Cleanup(func() { deleteTree(t, registry.CURRENT_USER, prefix) })
	for i, tc := range permissionCases {
		t.Run(tc.name, func(t *testing.T) {
			base := fmt.Sprintf(`%s\%d`, prefix, i)
			for path, v := range tc.settings {
				parts := strings.SplitN(path, "|", 3)
				k, _, err := registry.CreateKey(registry.CURRENT_USER, base+`\`+parts[0]+`\`+parts[1], registry.SET_VALUE)
				require.NoError(t, err)
				switch v := v.(type) {
				case string:
					require.NoError(t, k.SetStringValue(parts[2], v))
				case uint64:
					require.NoError(t, k.SetDWordValue(parts[2], uint32(v)))
				}
				require.NoError(t, k.Close())
			}
			assert.Equal(t, tc.want, permissionFrom(registryReader{prefix: base}))
		})
	}
}

func deleteTree(t *testing.T, root registry.Key, path string) {
	k, err := registry.OpenKey(root, path, registry.ENUMERATE_SUB_KEYS)
	if err != nil {
		return
	}
	names, _ := k.ReadSubKeyNames(-1)
	k.Close()
	for _, n := range names {
		deleteTree(t, root, path+`\`+n)
	}
	if err := registry.DeleteKey(root, path); err != nil {
		t.Logf("registry cleanup of %s: %v", path, err)
	}
}
