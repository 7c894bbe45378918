// Package logging sets up the Phonebar's logrus logger. Fields whose names say they hold a secret are
// redacted before any formatter sees them, so a careless WithField cannot put a password in a log.
package logging

import (
	"io"
	"os"
	"strings"

	"github.com/sirupsen/logrus"
)

// Redacted replaces the value of a secret field.
const Redacted = "<redacted>"

// Options configures New.
type Options struct {
	// Out is where log lines go; nil means os.Stderr.
	Out io.Writer
	// Level is the minimum level; the zero value is logrus.PanicLevel, so New treats 0 as Info.
	Level logrus.Level
	// JSON selects the JSON formatter; false means text.
	JSON bool
}

// New returns a logger with secret redaction.
func New(opts Options) *logrus.Logger {
	l := logrus.New()
	l.Out = opts.Out
	if l.Out == nil {
		l.Out = os.Stderr
	}
	l.Level = opts.Level
	if l.Level == 0 {
		l.Level = logrus.InfoLevel
	}
	if opts.JSON {
		l.Formatter = &logrus.JSONFormatter{}
	} else {
		l.Formatter = &logrus.TextFormatter{FullTimestamp: true, TimestampFormat: "15:04:05.000"}
	}
	l.AddHook(redactHook{})
	return l
}

// IsSecretKey reports whether a field name says it holds a secret.
func IsSecretKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range []string{"password", "passwd", "secret", "token", "credential", "apikey", "api_key", "authorization", "cookie"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

type redactHook struct{}

func (redactHook) Levels() []logrus.Level { return logrus.AllLevels }

func (redactHook) Fire(e *logrus.Entry) error {
	for k := range e.Data {
		if IsSecretKey(k) {
			e.Data[k] = Redacted
		}
	}
	return nil
}
