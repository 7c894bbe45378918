package rtc

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

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
//
// A line a scope repeats (while ICE restarts, "Failed to ping without candidate pairs" comes every
// 200 ms) is written once, then at most once every RepeatEvery with repeated=N, the times it came
// since it was last written; when another line comes, a count still untold is written first.
func PionLogs(l *slog.Logger) logging.LoggerFactory {
	return pionLogs(l, time.Now)
}

// RepeatEvery is how often a line pion repeats is written again.
const RepeatEvery = 10 * time.Second

func pionLogs(l *slog.Logger, now func() time.Time) logging.LoggerFactory {
	if l == nil {
		l = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return pionFactory{l: l.With("lib", "pion"), now: now}
}

type pionFactory struct {
	l   *slog.Logger
	now func() time.Time
}

func (f pionFactory) NewLogger(scope string) logging.LeveledLogger {
	return pionLogger{l: f.l.With("scope", scope), now: f.now, last: &lastLine{}}
}

type pionLogger struct {
	l    *slog.Logger
	now  func() time.Time
	last *lastLine
}

// lastLine is the line a scope wrote last, and how many times it came again since.
type lastLine struct {
	mu      sync.Mutex
	msg     string
	level   slog.Level
	written time.Time
	again   int
}

func (p pionLogger) log(level slog.Level, msg string) {
	if level > slog.LevelDebug && strings.Contains(msg, "agent is closed") {
		level = slog.LevelDebug
	}
	now := p.now()
	l := p.last
	l.mu.Lock()
	if msg == l.msg && level == l.level && now.Sub(l.written) < RepeatEvery {
		l.again++
		l.mu.Unlock()
		return
	}
	prev, prevLevel, again := l.msg, l.level, l.again
	l.msg, l.level, l.written, l.again = msg, level, now, 0
	l.mu.Unlock()
	ctx := context.Background()
	switch {
	case again == 0:
		p.l.Log(ctx, level, msg)
	case prev == msg && prevLevel == level:
		p.l.Log(ctx, level, msg, "repeated", again)
	default:
		p.l.Log(ctx, prevLevel, prev, "repeated", again)
		p.l.Log(ctx, level, msg)
	}
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
