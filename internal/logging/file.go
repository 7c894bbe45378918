package logging

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"
	"gopkg.in/natefinch/lumberjack.v2"
)

// Names and sizes of the log files in the log folder. Each file is renamed with a time stamp
// (phonebar-2026-12-06T16-30-00.000.log) when it reaches its size and a new one started; the
// oldest are removed beyond the count kept, so the folder holds at most about 40 MB of log and
// 15 MB of SIP trace.
const (
	FileName         = "phonebar.log"
	TraceFileName    = "sip-trace.log"
	maxFileMB        = 10
	maxFileBackups   = 3
	maxTraceMB       = 5
	maxTraceBackups  = 2
	minSecretLen     = 4
	traceStampLayout = "2006-01-02 15:04:05.000"
)

// FileOptions configures Open.
type FileOptions struct {
	// Dir is the log folder; empty means DefaultDir.
	Dir string
	// Level is the least severe level written to the log file; 0 (PanicLevel) means Info.
	Level logrus.Level
	// SIPTrace writes every SIP message in and out, secrets redacted, to TraceFileName.
	SIPTrace bool
	// Console also gets the lines at ConsoleLevel or more severe; nil means no console.
	Console io.Writer
	// ConsoleLevel is the console's least severe level; 0 means Warn (a command's standard error
	// stays quiet unless asked).
	ConsoleLevel logrus.Level
	// Proc, when set, is added to every line as proc=PROC ("window", "call", ...): several
	// processes may write the same file.
	Proc string
}

// Logs is the Phonebar's logging: a logrus logger whose lines go, secrets redacted, to a rotating
// file in the log folder and to a console, and the SIP trace. Its methods are safe for concurrent
// use; the zero value is not usable, use Open.
type Logs struct {
	// Logger is where the app logs.
	Logger *logrus.Logger

	dir       string
	file      *lumberjack.Logger
	trace     *lumberjack.Logger
	fileLevel atomic.Uint32
	console   logrus.Level
	traceOn   atomic.Bool

	mu      sync.Mutex
	secrets []string
}

// Open starts logging to opts.Dir. A folder that cannot be made is an error (the caller then logs
// to the console only, see Console).
func Open(opts FileOptions) (*Logs, error) {
	dir := opts.Dir
	if dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("logging: log folder: %w", err)
	}
	l := &Logs{
		dir:     dir,
		file:    &lumberjack.Logger{Filename: filepath.Join(dir, FileName), MaxSize: maxFileMB, MaxBackups: maxFileBackups, LocalTime: true},
		trace:   &lumberjack.Logger{Filename: filepath.Join(dir, TraceFileName), MaxSize: maxTraceMB, MaxBackups: maxTraceBackups, LocalTime: true},
		console: opts.ConsoleLevel,
	}
	if l.console == 0 {
		l.console = logrus.WarnLevel
	}
	level := opts.Level
	if level == 0 {
		level = logrus.InfoLevel
	}
	l.fileLevel.Store(uint32(level))
	l.traceOn.Store(opts.SIPTrace)
	l.Logger = newSinkLogger(l.scrub)
	l.Logger.AddHook(&sink{w: l.file, level: l.FileLevel, format: fileFormatter(), scrub: l.scrub, proc: opts.Proc})
	if opts.Console != nil {
		l.Logger.AddHook(&sink{w: &lockedWriter{w: opts.Console}, level: func() logrus.Level { return l.console }, format: consoleFormatter(), scrub: l.scrub})
	}
	l.setLoggerLevel()
	return l, nil
}

// Console is the logging of a process that has no log folder: the console only, at level.
func Console(w io.Writer, level logrus.Level) *Logs {
	if level == 0 {
		level = logrus.WarnLevel
	}
	l := &Logs{console: level}
	l.Logger = newSinkLogger(l.scrub)
	l.Logger.AddHook(&sink{w: &lockedWriter{w: w}, level: func() logrus.Level { return l.console }, format: consoleFormatter(), scrub: l.scrub})
	l.setLoggerLevel()
	return l
}

func newSinkLogger(scrub func([]byte) []byte) *logrus.Logger {
	lg := logrus.New()
	// The sinks write; the logger itself formats nothing and writes nowhere.
	lg.Out = io.Discard
	lg.Formatter = nothing{}
	lg.AddHook(redactHook{})
	return lg
}

// Dir is the log folder; "" for Console logging.
func (l *Logs) Dir() string { return l.dir }

// FileLevel is the log file's level now.
func (l *Logs) FileLevel() logrus.Level {
	if l.file == nil {
		return logrus.PanicLevel
	}
	return logrus.Level(l.fileLevel.Load())
}

// SetLevel changes the log file's level at once (the window's settings).
func (l *Logs) SetLevel(level logrus.Level) {
	l.fileLevel.Store(uint32(level))
	l.setLoggerLevel()
}

func (l *Logs) setLoggerLevel() { l.Logger.SetLevel(max(l.FileLevel(), l.console)) }

// SIPTraceOn reports whether SIP messages are written to the trace.
func (l *Logs) SIPTraceOn() bool { return l.file != nil && l.traceOn.Load() }

// SetSIPTrace turns the SIP trace on or off at once.
func (l *Logs) SetSIPTrace(on bool) { l.traceOn.Store(on) }

// Secret makes every later log line and trace entry show s as Redacted wherever it appears (a
// password in an error text or a SIP message). Strings shorter than 4 bytes are ignored: they
// would blot out ordinary words.
func (l *Logs) Secret(s string) {
	if len(s) < minSecretLen {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, have := range l.secrets {
		if have == s {
			return
		}
	}
	l.secrets = append(l.secrets, s)
}

func (l *Logs) scrub(b []byte) []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.secrets {
		b = bytes.ReplaceAll(b, []byte(s), []byte(Redacted))
	}
	return b
}

// SIPTrace records one SIP message, sent (out) or received, when the trace is on: a header line with
// the time and direction, then the message with its secrets redacted (see RedactSIP). It is the
// sipua.Options.Trace of the phone.
func (l *Logs) SIPTrace(out bool, msg []byte) {
	if !l.SIPTraceOn() || len(bytes.TrimSpace(msg)) == 0 {
		return
	}
	dir := "received"
	if out {
		dir = "sent"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "---- %s %s %d bytes\n", time.Now().Format(traceStampLayout), dir, len(msg))
	body := l.scrub(RedactSIP(msg))
	b.Write(bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n")))
	if !bytes.HasSuffix(b.Bytes(), []byte("\n")) {
		b.WriteByte('\n')
	}
	_, _ = l.trace.Write(b.Bytes())
}

// Files lists the log and trace files in the log folder, the current ones and the kept older
// ones, oldest first.
func (l *Logs) Files() []string { return ListFiles(l.dir) }

// ListFiles lists the log and trace files in dir (see Logs.Files); none when dir is empty or absent.
func ListFiles(dir string) []string {
	if dir == "" {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && (strings.HasPrefix(n, "phonebar") || strings.HasPrefix(n, "sip-trace")) && strings.HasSuffix(n, ".log") {
			out = append(out, filepath.Join(dir, n))
		}
	}
	return out
}

// Close closes the files.
func (l *Logs) Close() error {
	if l.file == nil {
		return nil
	}
	return errors.Join(l.file.Close(), l.trace.Close())
}

// sink writes the entries at its level or more severe to w, formatted, secrets scrubbed.
type sink struct {
	w      io.Writer
	level  func() logrus.Level
	format logrus.Formatter
	scrub  func([]byte) []byte
	// proc, when set, is added as proc=PROC to the lines that name no proc of their own: in the
	// log file, which several processes write (a process's own console needs no such field).
	proc string
}

func (s *sink) Levels() []logrus.Level { return logrus.AllLevels }

func (s *sink) Fire(e *logrus.Entry) error {
	if e.Level > s.level() {
		return nil
	}
	if _, named := e.Data["proc"]; s.proc != "" && !named {
		c := e.WithField("proc", s.proc)
		c.Level, c.Message, c.Caller = e.Level, e.Message, e.Caller
		e = c
	}
	b, err := s.format.Format(e)
	if err != nil {
		return err
	}
	_, err = s.w.Write(s.scrub(b))
	return err
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *lockedWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(b)
}

type nothing struct{}

func (nothing) Format(*logrus.Entry) ([]byte, error) { return nil, nil }

func fileFormatter() logrus.Formatter {
	return &logrus.TextFormatter{FullTimestamp: true, TimestampFormat: traceStampLayout, DisableColors: true}
}

func consoleFormatter() logrus.Formatter {
	return &logrus.TextFormatter{FullTimestamp: true, TimestampFormat: "15:04:05.000"}
}
