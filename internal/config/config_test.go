package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/tlspin"
)

const fp1 = tlspin.Fingerprint("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")

func newStore(t *testing.T) *Store {
	t.Helper()
	return NewStore(filepath.Join(t.TempDir(), "phonebar", FileName))
}

func TestDefaultPathUsesUserConfigDir(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("XDG_CONFIG_HOME is the Linux rule")
	}
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	p, err := DefaultPath()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "phonebar", "settings.json"), p)
}

func TestLoadMissingGivesDefaults(t *testing.T) {
	s := newStore(t)
	st, err := s.Load()
	require.NoError(t, err)
	assert.Equal(t, Default(), st)
	assert.Equal(t, DefaultLoginPath, st.Omni.LoginPath)
	assert.Equal(t, DefaultUsernameSelector, st.Omni.UsernameSelector)
	assert.Equal(t, DefaultPasswordSelector, st.Omni.PasswordSelector)
	assert.Equal(t, DefaultSubmitSelector, st.Omni.SubmitSelector)
	assert.Equal(t, HandoffSession, st.Omni.Handoff)
	assert.Equal(t, DefaultAppPath, st.Omni.AppPath)
	assert.Equal(t, SessionCookie{Name: DefaultCookieName, Path: DefaultCookiePath, SameSite: DefaultCookieSameSite}, st.Omni.SessionCookie)
	assert.False(t, st.RememberMe)
	_, err = os.Stat(s.Path())
	assert.True(t, os.IsNotExist(err), "loading must not create the file")
}

func TestSaveLoadRoundTripAndMode(t *testing.T) {
	s := newStore(t)
	want := Default()
	want.ServerURL = "https://motion.example.com:8443"
	want.Username = "agent.one"
	want.RememberMe = true
	want.Pins = map[string]tlspin.Fingerprint{"https://motion.example.com:8443": fp1}
	want.Omni.SubmitSelector = "#go"
	want.Audio = Audio{MicrophoneID: "m", MicrophoneName: "Mic", SpeakerID: "s", SpeakerName: "Spk", RingerID: "r", RingerName: "Ring"}
	want.Phone = Phone{AutoAnswer: true, AutoAnswerDelaySeconds: 3}
	want.Desktop = Desktop{StartWithSystem: true, CompactDuringCalls: true}
	require.NoError(t, s.Save(want))

	got, err := NewStore(s.Path()).Load()
	require.NoError(t, err)
	assert.Equal(t, want, got)

	if runtime.GOOS != "windows" {
		fi, err := os.Stat(s.Path())
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
		di, err := os.Stat(filepath.Dir(s.Path()))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o700), di.Mode().Perm())
	}
	entries, err := os.ReadDir(filepath.Dir(s.Path()))
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.ElementsMatch(t, []string{FileName, FileName + ".lock"}, names, "no temporary file may be left behind")
}

func TestOverridesInFileWin(t *testing.T) {
	s := newStore(t)
	require.NoError(t, os.MkdirAll(filepath.Dir(s.Path()), 0o700))
	require.NoError(t, os.WriteFile(s.Path(), []byte(`{"omni":{"loginPath":"/ui/login","passwordSelector":"#pw"},"futureField":1}`), 0o600))
	st, err := s.Load()
	require.NoError(t, err)
	assert.Equal(t, "/ui/login", st.Omni.LoginPath)
	assert.Equal(t, "#pw", st.Omni.PasswordSelector)
	assert.Equal(t, DefaultUsernameSelector, st.Omni.UsernameSelector, "unset fields keep their default")
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		mod     func(*Settings)
		wantErr string
	}{
		{"defaults", func(*Settings) {}, ""},
		{"zero value", func(s *Settings) { *s = Settings{} }, ""},
		{"server origin", func(s *Settings) { s.ServerURL = "https://h:1" }, ""},
		{"server http", func(s *Settings) { s.ServerURL = "http://h" }, "serverUrl"},
		{"server with path", func(s *Settings) { s.ServerURL = "https://h/x" }, "serverUrl"},
		{"server with user info", func(s *Settings) { s.ServerURL = "https://u:p@h" }, "serverUrl"},
		{"username with space", func(s *Settings) { s.Username = "a b" }, "username"},
		{"pin ok", func(s *Settings) { s.Pins = map[string]tlspin.Fingerprint{"https://h": fp1} }, ""},
		{"pin bad key", func(s *Settings) { s.Pins = map[string]tlspin.Fingerprint{"h": fp1} }, "pins key"},
		{"pin bad value", func(s *Settings) { s.Pins = map[string]tlspin.Fingerprint{"https://h": "abc"} }, "pins["},
		{"pin upper case", func(s *Settings) {
			s.Pins = map[string]tlspin.Fingerprint{"https://h": tlspin.Fingerprint(strings.ToUpper(string(fp1)))}
		}, "pins["},
		{"login path relative", func(s *Settings) { s.Omni.LoginPath = "login" }, "loginPath"},
		{"hand-off form", func(s *Settings) { s.Omni.Handoff = HandoffForm }, ""},
		{"hand-off unknown", func(s *Settings) { s.Omni.Handoff = "script" }, "omni.handoff"},
		{"app path to another host", func(s *Settings) { s.Omni.AppPath = "//evil.example.com" }, "omni.appPath"},
		{"cookie name with a separator", func(s *Settings) { s.Omni.SessionCookie.Name = "a=b" }, "sessionCookie.name"},
		{"cookie path relative", func(s *Settings) { s.Omni.SessionCookie.Path = "app" }, "sessionCookie.path"},
		{"cookie SameSite unknown", func(s *Settings) { s.Omni.SessionCookie.SameSite = "loose" }, "sessionCookie.sameSite"},
		{"cookie SameSite in capitals", func(s *Settings) { s.Omni.SessionCookie.SameSite = "Strict" }, ""},
		{"delay negative", func(s *Settings) { s.Phone.AutoAnswerDelaySeconds = -1 }, "autoAnswerDelaySeconds"},
		{"delay too long", func(s *Settings) { s.Phone.AutoAnswerDelaySeconds = 61 }, "autoAnswerDelaySeconds"},
		{"delay max", func(s *Settings) { s.Phone.AutoAnswerDelaySeconds = 60 }, ""},
		{"insecure sip ok", func(s *Settings) { s.AllowInsecureSIP = map[string]bool{"https://h:8443": true} }, ""},
		{"insecure sip bad key", func(s *Settings) { s.AllowInsecureSIP = map[string]bool{"ws://h": true} }, "allowInsecureSipWs"},
		{"screen pop ok", func(s *Settings) {
			s.ScreenPop = ScreenPop{URL: "https://crm.example/search?phone={callerNumber}&name={callerName}", Open: "browser"}
		}, ""},
		{"screen pop in the omni window", func(s *Settings) { s.ScreenPop.Open = "omni" }, ""},
		{"screen pop unknown variable", func(s *Settings) { s.ScreenPop.URL = "https://crm.example/?q={phone}" }, "screenPop.url \"https://crm.example/?q={phone}\" is refused: unknown variable {phone}: use {callerNumber}"},
		{"screen pop javascript", func(s *Settings) { s.ScreenPop.URL = "javascript:alert({callerName})" }, "screenPop.url"},
		{"screen pop open unknown", func(s *Settings) { s.ScreenPop.Open = "tab" }, "screenPop.open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := Default()
			tt.mod(&st)
			err := st.Validate()
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalid)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestSaveRejectsInvalid(t *testing.T) {
	s := newStore(t)
	st := Default()
	st.ServerURL = "http://plain"
	require.ErrorIs(t, s.Save(st), ErrInvalid)
	_, err := os.Stat(s.Path())
	assert.True(t, os.IsNotExist(err))
}

func TestCorruptFile(t *testing.T) {
	tests := []struct {
		name    string
		content string
	}{
		{"not json", "{serverUrl: nope"},
		{"truncated", `{"serverUrl":"https://h"`},
		{"wrong type", `{"rememberMe":"yes"}`},
		{"invalid value", `{"serverUrl":"http://h"}`},
		{"trailing data", `{} {}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			require.NoError(t, os.MkdirAll(filepath.Dir(s.Path()), 0o700))
			require.NoError(t, os.WriteFile(s.Path(), []byte(tt.content), 0o600))

			_, err := s.Load()
			require.ErrorIs(t, err, ErrCorrupt)
			var ce *CorruptError
			require.ErrorAs(t, err, &ce)
			assert.Contains(t, err.Error(), s.Path(), "the message names the file")
			assert.Contains(t, err.Error(), "fix it")
			assert.Contains(t, err.Error(), "nothing will be written over it")
			assert.Contains(t, err.Error(), s.BackupPath())

			// Never silently overwritten.
			assert.ErrorIs(t, s.Save(Default()), ErrCorrupt)
			assert.ErrorIs(t, s.Update(func(*Settings) error { return nil }), ErrCorrupt)
			b, err := os.ReadFile(s.Path())
			require.NoError(t, err)
			assert.Equal(t, tt.content, string(b))

			// Recovery keeps the damaged file.
			bak, err := s.Recover()
			require.NoError(t, err)
			assert.Equal(t, s.BackupPath(), bak)
			b, err = os.ReadFile(bak)
			require.NoError(t, err)
			assert.Equal(t, tt.content, string(b))
			st, err := s.Load()
			require.NoError(t, err)
			assert.Equal(t, Default(), st)
			require.NoError(t, s.Save(st))
		})
	}
}

func TestRecoverKeepsOlderBackups(t *testing.T) {
	s := newStore(t)
	require.NoError(t, os.MkdirAll(filepath.Dir(s.Path()), 0o700))
	for i, content := range []string{"first{", "second{"} {
		require.NoError(t, os.WriteFile(s.Path(), []byte(content), 0o600))
		bak, err := s.Recover()
		require.NoError(t, err)
		if i == 0 {
			assert.Equal(t, s.BackupPath(), bak)
		} else {
			assert.Equal(t, s.BackupPath()+".1", bak)
		}
	}
	b, err := os.ReadFile(s.BackupPath())
	require.NoError(t, err)
	assert.Equal(t, "first{", string(b))

	// Nothing to recover: nothing moves.
	require.NoError(t, s.Save(Default()))
	bak, err := s.Recover()
	require.NoError(t, err)
	assert.Empty(t, bak)
	_, err = os.Stat(s.Path())
	assert.NoError(t, err)
}

func TestUpdateConcurrent(t *testing.T) {
	s := newStore(t)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			assert.NoError(t, s.Update(func(st *Settings) error {
				st.Phone.AutoAnswerDelaySeconds++
				return nil
			}))
		})
	}
	wg.Wait()
	st, err := s.Load()
	require.NoError(t, err)
	assert.Equal(t, 20, st.Phone.AutoAnswerDelaySeconds)
}

func TestUpdateErrorWritesNothing(t *testing.T) {
	s := newStore(t)
	err := s.Update(func(st *Settings) error {
		st.Username = "x"
		return assert.AnError
	})
	require.ErrorIs(t, err, assert.AnError)
	_, err = os.Stat(s.Path())
	assert.True(t, os.IsNotExist(err))
}

// TestNoSecretFields guards the rule that settings never hold secrets.
func TestNoSecretFields(t *testing.T) {
	var walk func(reflect.Type, string)
	walk = func(ty reflect.Type, path string) {
		for i := range ty.NumField() {
			f := ty.Field(i)
			name := strings.ToLower(f.Name + " " + f.Tag.Get("json"))
			if strings.HasSuffix(f.Name, "Selector") {
				continue // a CSS selector that finds a form field, not a secret
			}
			for _, bad := range []string{"password", "secret", "token", "apikey", "credential"} {
				assert.NotContains(t, name, bad, "field %s.%s looks like a secret", path, f.Name)
			}
			if f.Type.Kind() == reflect.Struct {
				walk(f.Type, path+"."+f.Name)
			}
		}
	}
	walk(reflect.TypeFor[Settings](), "Settings")

	b, err := json.Marshal(Default())
	require.NoError(t, err)
	assert.NotContains(t, strings.ToLower(string(b)), "password\":")
}
