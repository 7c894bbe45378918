package logging

import (
	"context"
	"log/slog"

	"github.com/sirupsen/logrus"
)

// SlogHandler feeds log/slog records (sipgo and the packages built on it log through slog) into a
// logrus logger, with the same secret redaction.
func SlogHandler(l logrus.FieldLogger) slog.Handler {
	return &slogHandler{l: l}
}

type slogHandler struct {
	l     logrus.FieldLogger
	attrs []slog.Attr
	group string
}

func (h *slogHandler) Enabled(_ context.Context, lvl slog.Level) bool {
	if lg, ok := h.l.(*logrus.Logger); ok {
		return lg.IsLevelEnabled(toLogrus(lvl))
	}
	if e, ok := h.l.(*logrus.Entry); ok {
		return e.Logger.IsLevelEnabled(toLogrus(lvl))
	}
	return true
}

func (h *slogHandler) Handle(_ context.Context, r slog.Record) error {
	fields := logrus.Fields{}
	add := func(a slog.Attr) {
		k := a.Key
		if h.group != "" {
			k = h.group + "." + k
		}
		fields[k] = a.Value.Any()
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(func(a slog.Attr) bool { add(a); return true })
	h.l.WithFields(fields).Log(toLogrus(r.Level), r.Message)
	return nil
}

func (h *slogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	n := *h
	n.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	return &n
}

func (h *slogHandler) WithGroup(name string) slog.Handler {
	n := *h
	if n.group != "" {
		name = n.group + "." + name
	}
	n.group = name
	return &n
}

func toLogrus(l slog.Level) logrus.Level {
	switch {
	case l >= slog.LevelError:
		return logrus.ErrorLevel
	case l >= slog.LevelWarn:
		return logrus.WarnLevel
	case l >= slog.LevelInfo:
		return logrus.InfoLevel
	default:
		return logrus.DebugLevel
	}
}
