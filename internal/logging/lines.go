package logging

import (
	"strings"

	"github.com/sirupsen/logrus"
)

// Lines takes a library's log lines, one method per level (the window framework's logger), into a
// logrus logger with proc=NAME: the helper window processes keep their standard output for their
// answer only.
type Lines struct {
	Log  logrus.FieldLogger
	Proc string
}

func (l Lines) line(level logrus.Level, msg string) {
	l.Log.WithField("proc", l.Proc).Log(level, strings.TrimSpace(msg))
}

// Print, Trace, Debug, Info, Warning, Error and Fatal log msg at that level (Fatal as an error:
// a library's "fatal" never ends the process here).
func (l Lines) Print(m string)   { l.line(logrus.InfoLevel, m) }
func (l Lines) Trace(m string)   { l.line(logrus.TraceLevel, m) }
func (l Lines) Debug(m string)   { l.line(logrus.DebugLevel, m) }
func (l Lines) Info(m string)    { l.line(logrus.InfoLevel, m) }
func (l Lines) Warning(m string) { l.line(logrus.WarnLevel, m) }
func (l Lines) Error(m string)   { l.line(logrus.ErrorLevel, m) }
func (l Lines) Fatal(m string)   { l.line(logrus.ErrorLevel, m) }
