package app

import (
	"github.com/phonebar/phonebar/internal/doctor"
	"github.com/phonebar/phonebar/internal/station"
)

// Diagnostics is the Doctor page: the doctor's checks, the log settings and the diagnostics zip.
type Diagnostics struct{ c *core }

// Doctor runs phonebar doctor's checks with the login form's server, user and password (empty: saved).
func (d *Diagnostics) Doctor(server, user, password string) (doctor.Report, error) {
	return d.c.st.Doctor(d.c.st.Life(), server, user, password)
}

// Logs is the log settings; SetLogs changes level and SIP trace at once and in the settings.
func (d *Diagnostics) Logs() station.LogSettings { return d.c.st.LogSettings() }
func (d *Diagnostics) SetLogs(level string, sipTrace bool) (station.LogSettings, error) {
	return d.c.st.SetLogSettings(level, sipTrace)
}

// SaveBundle writes the diagnostics zip (Downloads folder) and returns its path.
func (d *Diagnostics) SaveBundle() (string, error) { return d.c.st.SaveDiagnostics(d.c.st.Life()) }
