package autostart

import (
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"howett.net/plist"
)

func TestDesktopEntry(t *testing.T) {
	tests := []struct {
		name, exec, want string
	}{
		{"plain path", "/usr/bin/phonebar", "Exec=/usr/bin/phonebar\n"},
		{"a space", "/opt/Phone Bar/phonebar", `Exec="/opt/Phone Bar/phonebar"` + "\n"},
		{"a percent sign", "/opt/100%/phonebar", "Exec=/opt/100%%/phonebar\n"},
		{"a dollar and a quote", `/home/a$b/"x"/phonebar`, `Exec="/home/a\\$b/\\"x\\"/phonebar"` + "\n"},
		{"a backslash", `/home/a\b/phonebar`, `Exec="/home/a\\\\b/phonebar"` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(DesktopEntry(Entry{ID: "phonebar", Name: "Phonebar", Exec: tt.exec}))
			assert.Contains(t, got, "\n"+tt.want)
			assert.True(t, len(got) > 0 && got[:16] == "[Desktop Entry]\n")
			assert.Contains(t, got, "\nType=Application\n")
			assert.Contains(t, got, "\nName=Phonebar\n")
		})
	}
}

func TestLinuxPath(t *testing.T) {
	assert.Equal(t, "/x/config/autostart/phonebar.desktop", LinuxPath("phonebar", "/x/config", "/home/a"))
	assert.Equal(t, "/home/a/.config/autostart/phonebar.desktop", LinuxPath("phonebar", "", "/home/a"))
	assert.Equal(t, "/home/a/.config/autostart/phonebar.desktop", LinuxPath("phonebar", "relative/dir", "/home/a"), "a relative XDG_CONFIG_HOME is ignored")
}

func TestRunCommand(t *testing.T) {
	assert.Equal(t, `"C:\Program Files\Phonebar\phonebar.exe"`, RunCommand(Entry{Exec: `C:\Program Files\Phonebar\phonebar.exe`}))
	assert.Equal(t, `"C:\x\phonebar.exe"`, RunCommand(Entry{Exec: `C:\x\"phonebar.exe`}), "no quote breaks out")
}

func TestLaunchAgent(t *testing.T) {
	e := Entry{ID: "dev.phonebar.app", Name: "Phonebar", Exec: "/Applications/Phonebar.app/Contents/MacOS/phonebar"}
	var got launchAgent
	_, err := plist.Unmarshal(LaunchAgent(e), &got)
	require.NoError(t, err)
	assert.Equal(t, launchAgent{Label: "dev.phonebar.app", ProgramArguments: []string{e.Exec}, RunAtLoad: true, ProcessType: "Interactive"}, got)
	assert.Equal(t, "/Users/a/Library/LaunchAgents/dev.phonebar.app.plist", DarwinPath("dev.phonebar.app", "/Users/a"))
}

func TestEntryCheck(t *testing.T) {
	good := Entry{ID: "phonebar", Name: "Phonebar", Exec: "/usr/bin/phonebar"}
	tests := []struct {
		name string
		edit func(*Entry)
		ok   bool
	}{
		{"good", func(*Entry) {}, true},
		{"a Windows path", func(e *Entry) { e.Exec = `C:\Program Files\Phonebar\phonebar.exe` }, true},
		{"a Windows path with forward slashes", func(e *Entry) { e.Exec = `c:/Phonebar/phonebar.exe` }, true},
		{"a Windows network path", func(e *Entry) { e.Exec = `\\server\apps\phonebar.exe` }, true},
		{"a drive-relative Windows path", func(e *Entry) { e.Exec = `C:phonebar.exe` }, false},
		{"a Windows relative path", func(e *Entry) { e.Exec = `Phonebar\phonebar.exe` }, false},
		{"not a drive letter", func(e *Entry) { e.Exec = `1:\phonebar.exe` }, false},
		{"no ID", func(e *Entry) { e.ID = "" }, false},
		{"an ID with a slash", func(e *Entry) { e.ID = "../x" }, false},
		{"a name on two lines", func(e *Entry) { e.Name = "a\nExec=/bin/evil" }, false},
		{"a relative program", func(e *Entry) { e.Exec = "phonebar" }, false},
		{"a program path with a newline", func(e *Entry) { e.Exec = "/usr/bin/phonebar\nExec=/bin/evil" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := good
			tt.edit(&e)
			assert.Equal(t, tt.ok, e.check() == nil, "%v", e.check())
		})
	}
}

func TestErrorSaysWhatToDo(t *testing.T) {
	err := error(&Error{Op: "enable", Where: "/x/autostart/phonebar.desktop", Err: os.ErrPermission})
	assert.True(t, errors.Is(err, os.ErrPermission))
	assert.Contains(t, err.Error(), "Starting with the system could not be turned on: /x/autostart/phonebar.desktop: permission denied. ")
	off := (&Error{Op: "disable", Where: "/x/autostart/phonebar.desktop", Err: os.ErrPermission}).Error()
	assert.Contains(t, off, "could not be turned off")
	assert.Regexp(t, `(?i)by hand|startup`, off)
}
