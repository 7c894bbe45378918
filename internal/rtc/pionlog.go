package rtc

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/pion/logging"
)

// PionLogs returns a pion logging.LoggerFactory that writes pion's log lines (ICE, DTLS, SRTP,
// TURN) to l, each with lib=pion and pion's scope, instead of pion's default, which prints
// unformatted lines on standard error. nil l discards them.
//
// pion's levels are shifted one down, since what pion calls an error is one inside the library
// that this package sees and reports itself (rtc.Session.MediaError, the quality figures): an
// error is a warning, a warning is information, information and debugging are debugging, and
// tracing (every packet) is dropped. What pion reports about an agent it was asked about after
// it closed (a call's last statistics read as it ends: "the agent is closed") is debugging too:
// nothing went wrong.
func PionLogs(l *slog.Logger) logging.LoggerFactory {
	if l == nil {
		l = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return pionFactory{l: l.With("lib", "pion")}
}

type pionFactory struct{ l *slog.Logger }

func (f pionFactory) NewLogger(scope string) logging.LeveledLogger {
	return pionLogger{l: f.l.With("scope", scope)}
}

type pionLogger struct{ l *slog.Logger }

func (p pionLogger) log(level slog.Level, msg string) {
	if level > slog.LevelDebug && strings.Contains(msg, "agent is closed") {
		level = slog.LevelDebug
	}
	p.l.Log(context.Background(), level, msg)
}

func (p pionLogger) logf(level slog.Level, format string, args ...any) {
	if !p.l.Enabled(context.Background(), level) && level <= slog.LevelDebug {
		return // not formatted for nothing
	}
	p.log(level, fmt.Sprintf(format, args...))
}

func (pionLogger) Trace(string)          {}
func (pionLogger) Tracef(string, ...any) {}

func (p pionLogger) Debug(msg string)                  { p.log(slog.LevelDebug, msg) }
func (p pionLogger) Debugf(format string, args ...any) { p.logf(slog.LevelDebug, format, args...) }
func (p pionLogger) Info(msg string)                   { p.log(slog.LevelDebug, msg) }
func (p pionLogger) Infof(format string, args ...any)  { p.logf(slog.LevelDebug, format, args...) }
func (p pionLogger) Warn(msg string)                   { p.log(slog.LevelInfo, msg) }
func (p pionLogger) Warnf(format string, args ...any)  { p.logf(slog.LevelInfo, format, args...) }
func (p pionLogger) Error(msg string)                  { p.log(slog.LevelWarn, msg) }
func (p pionLogger) Errorf(format string, args ...any) { p.logf(slog.LevelWarn, format, args...) }
