package audio

import (
	"errors"

	"golang.org/x/sys/windows/registry"
)

// Where Windows 10 and 11 keep the microphone privacy settings.
const (
	// consentStoreMicrophone holds "Value" = "Allow" or "Deny": under HKLM "Microphone access" for the
	// whole device (an administrator's switch), under HKCU the same switch for this user.
	consentStoreMicrophone = `Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore\microphone`
	// consentStoreNonPackaged is HKCU's "Let desktop apps access your microphone", which covers the
	// Phonebar (a desktop app, not a Store package).
	consentStoreNonPackaged = consentStoreMicrophone + `\NonPackaged`
	// appPrivacyPolicy holds LetAppsAccessMicrophone, set by Group Policy or MDM: 1 force allow,
	// 2 force deny, 0 or absent: the user decides.
	appPrivacyPolicy = `Software\Policies\Microsoft\Windows\AppPrivacy`
)

// settingsReader reads the privacy settings; the registry in the app, a map in tests.
type settingsReader interface {
	// String returns the string value name of key under root (registry.LOCAL_MACHINE or
	// registry.CURRENT_USER), and false when the key or value is absent.
	String(root registry.Key, key, name string) (string, bool)
	// Integer does the same for a DWORD value.
	Integer(root registry.Key, key, name string) (uint64, bool)
}

// permissionFrom turns the privacy settings into a verdict. A policy decides first; otherwise any of
// the three switches set to "Deny" denies; "Allow" on the ones present grants; with none of them
// present (Windows before 1903, or never touched) the answer is unknown and opening the microphone
// tells.
func permissionFrom(r settingsReader) Permission {
	if v, ok := r.Integer(registry.LOCAL_MACHINE, appPrivacyPolicy, "LetAppsAccessMicrophone"); ok {
		switch v {
		case 1:
			return PermissionGranted
		case 2:
			return PermissionDenied
		}
	}
	switches := []struct {
		root registry.Key
		key  string
	}{
		{registry.LOCAL_MACHINE, consentStoreMicrophone},
		{registry.CURRENT_USER, consentStoreMicrophone},
		{registry.CURRENT_USER, consentStoreNonPackaged},
	}
	verdict := PermissionUnknown
	for _, s := range switches {
		v, ok := r.String(s.root, s.key, "Value")
		if !ok {
			continue
		}
		switch v {
		case "Deny":
			return PermissionDenied
		case "Allow":
			verdict = PermissionGranted
		}
	}
	return verdict
}

// registryReader reads the real registry; prefix (empty in the app) is put before every key so that
// tests can lay out their own settings elsewhere in HKCU.
type registryReader struct{ prefix string }

func (r registryReader) open(root registry.Key, key string) (registry.Key, bool) {
	if r.prefix != "" {
		root, key = registry.CURRENT_USER, r.prefix+`\`+rootName(root)+`\`+key
	}
	k, err := registry.OpenKey(root, key, registry.QUERY_VALUE|registry.WOW64_64KEY)
	return k, err == nil
}

func rootName(root registry.Key) string {
	if root == registry.LOCAL_MACHINE {
		return "HKLM"
	}
	return "HKCU"
}

func (r registryReader) String(root registry.Key, key, name string) (string, bool) {
	k, ok := r.open(root, key)
	if !ok {
		return "", false
	}
	defer k.Close()
	v, _, err := k.GetStringValue(name)
	return v, err == nil
}

func (r registryReader) Integer(root registry.Key, key, name string) (uint64, bool) {
	k, ok := r.open(root, key)
	if !ok {
		return 0, false
	}
	defer k.Close()
	v, _, err := k.GetIntegerValue(name)
	if errors.Is(err, registry.ErrUnexpectedType) {
		return 0, false
	}
	return v, err == nil
}

// microphonePermission reads Windows' microphone privacy settings (Settings → Privacy & security →
// Microphone, and the AppPrivacy policy).
func microphonePermission() Permission { return permissionFrom(registryReader{}) }
