package diagnostics

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/buildinfo"
	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/doctor"
	"github.com/phonebar/phonebar/internal/history"
	"github.com/phonebar/phonebar/internal/logging"
)

// DoctorFileName is the doctor's last report, kept in the log folder for the bundle.
const DoctorFileName = "doctor-last.json"

// Sources is what goes into a bundle. Nil or empty fields leave their part out, and the bundle's
// README says so.
type Sources struct {
	// LogDir is the log folder whose log and trace files are included.
	LogDir string
	// Settings is the settings store: the settings in force, and the instance ID.
	Settings *config.Store
	// History is the call history, with each call's quality summary.
	History *history.Store
	// Audio lists the sound devices.
	Audio *audio.Host
	// Secrets are strings known to be secret (the password typed for this run): whatever part of
	// the bundle holds one shows logging.Redacted instead.
	Secrets []string
	// Now stamps the bundle; nil means time.Now.
	Now func() time.Time
}

// versions is versions.json.
type versions struct {
	Phonebar   string `json:"phonebar"`
	Go         string `json:"go"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	InstanceID string `json:"instance_id,omitempty"`
	Made       string `json:"made"`
}

// Write writes the bundle, a zip, to w. A part that cannot be read is replaced by a note saying
// why, in README.txt: the bundle is most needed when something is broken.
func Write(ctx context.Context, w io.Writer, src Sources) error {
	now := time.Now
	if src.Now != nil {
		now = src.Now
	}
	made := now()
	zw := zip.NewWriter(w)
	b := &bundle{zw: zw, made: made, secrets: src.Secrets}
	var notes []string
	note := func(format string, a ...any) { notes = append(notes, fmt.Sprintf(format, a...)) }

	v := versions{Phonebar: buildinfo.String(), Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH, Made: made.Format(time.RFC3339)}
	if src.Settings != nil {
		if id, err := src.Settings.InstanceID(); err == nil {
			v.InstanceID = id
		}
		if st, err := src.Settings.Load(); err != nil {
			note("settings.json: not included, the settings file could not be read: %v", err)
		} else {
			b.json("settings.json", st)
		}
	}
	b.json("versions.json", v)

	if src.History != nil {
		if calls, err := src.History.List(); err != nil {
			note("calls.json: not included, the call history could not be read: %v", err)
		} else {
			b.json("calls.json", calls)
		}
	} else {
		note("calls.json: no call history here (the window keeps it; a command's calls are in the log)")
	}

	if src.Audio != nil {
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		devs, err := src.Audio.ListDevices(dctx)
		cancel()
		if err != nil {
			note("devices.json: the sound devices could not be listed: %v", err)
		} else {
			b.json("devices.json", devs)
		}
	}

	traces := 0
	if src.LogDir != "" {
		for _, f := range logging.ListFiles(src.LogDir) {
			if strings.HasPrefix(filepath.Base(f), "sip-trace") {
				traces++
			}
			if err := b.file("logs/"+filepath.Base(f), f, true); err != nil {
				note("logs/%s: not included: %v", filepath.Base(f), err)
			}
		}
		if err := b.file(DoctorFileName, filepath.Join(src.LogDir, DoctorFileName), false); errors.Is(err, os.ErrNotExist) {
			note("%s: the doctor has not run yet (phonebar doctor, or the window's Doctor page)", DoctorFileName)
		} else if err != nil {
			note("%s: not included: %v", DoctorFileName, err)
		}
	}
	if traces == 0 {
		note("logs/sip-trace.log: no SIP trace (it is off in the settings, or no SIP message was sent yet)")
	}
	b.text("README.txt", readme(made, src.LogDir, notes))
	if b.err != nil {
		zw.Close()
		return b.err
	}
	return zw.Close()
}

func readme(made time.Time, logDir string, notes []string) string {
	var s strings.Builder
	fmt.Fprintf(&s, "Phonebar diagnostics, made %s.\n\n", made.Format(time.RFC1123))
	s.WriteString("versions.json   the Phonebar's version, Go, the operating system, this installation's instance ID\n")
	s.WriteString("settings.json   the settings in force (they never hold a password)\n")
	s.WriteString("calls.json      the window's call history: each call with its quality (MOS, loss, jitter, round trip)\n")
	s.WriteString("devices.json    the microphones, speakers and ringer outputs\n")
	s.WriteString("logs/           the log files; every ended call has a \"call ended\" line with its ICE and first-packet\n")
	s.WriteString("                times, path, codec and statistics; sip-trace.log holds the SIP messages of the last calls\n")
	s.WriteString("doctor-last.json  the doctor's last report\n\n")
	s.WriteString("Passwords, digest responses, ICE passwords and tokens are replaced by " + logging.Redacted + ".\n")
	if logDir != "" {
		fmt.Fprintf(&s, "Log folder: %s\n", logDir)
	}
	if len(notes) > 0 {
		s.WriteString("\nLeft out or missing:\n")
		for _, n := range notes {
			s.WriteString("- " + n + "\n")
		}
	}
	return s.String()
}

// bundle writes the zip's entries, keeping the first error.
type bundle struct {
	zw      *zip.Writer
	made    time.Time
	secrets []string
	err     error
}

func (b *bundle) scrub(p []byte) []byte {
	for _, s := range b.secrets {
		if len(s) >= 4 {
			p = bytes.ReplaceAll(p, []byte(s), []byte(logging.Redacted))
		}
	}
	return p
}

func (b *bundle) create(name string) io.Writer {
	if b.err != nil {
		return nil
	}
	w, err := b.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: b.made})
	if err != nil {
		b.err = err
		return nil
	}
	return w
}

func (b *bundle) text(name, s string) {
	if w := b.create(name); w != nil {
		if _, err := w.Write(b.scrub([]byte(s))); err != nil {
			b.err = err
		}
	}
}

func (b *bundle) json(name string, v any) {
	j, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		b.text(name+".error.txt", err.Error())
		return
	}
	b.text(name, string(j)+"\n")
}

// secretAssignment is a "password=..." or "token: ..." written into a log line as text, by a
// library that logged a message rather than a field: the value goes.
var secretAssignment = regexp.MustCompile(`(?i)\b([a-z_]*(?:password|passwd|secret|token|credential|apikey|api_key)[a-z_]*"?)([ \t]*[:=][ \t]*)(?:"[^"]*"|[^\s,;&]+)`)

// file copies a file line by line; sip runs each line through the SIP redaction again, so that a
// log written by an older build, or by hand, cannot leak through the bundle.
func (b *bundle) file(name, path string, sip bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := b.create(name)
	if w == nil {
		return b.err
	}
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			if sip {
				line = secretAssignment.ReplaceAll(logging.RedactSIP(line), []byte("${1}${2}"+logging.Redacted))
			}
			if _, werr := w.Write(b.scrub(line)); werr != nil {
				b.err = werr
				return werr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// SaveDoctor keeps rep as the doctor's last report in the log folder dir.
func SaveDoctor(dir string, rep doctor.Report) error {
	if dir == "" {
		return nil
	}
	j, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, DoctorFileName), append(j, '\n'), 0o600)
}
