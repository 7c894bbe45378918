package rtc_test

import (
	"bytes"
	"log/slog"
	"testing"
	"time"

	"github.com/pion/logging"
	"github.com/stretchr/testify/assert"

	"github.com/phonebar/phonebar/internal/rtc"
)

func TestPionLogs(t *testing.T) {
	tests := []struct {
		name string
		log  func(l logging.LeveledLogger)
		// want is the line's level and message as slog's text handler writes them; "" for none.
		want string
	}{
		{"an error is a warning", func(l logging.LeveledLogger) { l.Errorf("Failed to %s", "write") }, `level=WARN msg="Failed to write"`},
		{"a warning is information", func(l logging.LeveledLogger) { l.Warn("Discard request") }, `level=INFO msg="Discard request"`},
		{"information is debugging", func(l logging.LeveledLogger) { l.Infof("Setting new connection state: %s", "Checking") }, `level=DEBUG msg="Setting new connection state: Checking"`},
		{"debugging", func(l logging.LeveledLogger) { l.Debug("gathering") }, `level=DEBUG msg=gathering`},
		{"tracing is dropped", func(l logging.LeveledLogger) { l.Tracef("packet %d", 1) }, ""},
		{"a closed agent is no error", func(l logging.LeveledLogger) {
			l.Errorf("Failed to get candidate pairs stats: %v", "the agent is closed")
		}, `level=DEBUG msg="Failed to get candidate pairs stats: the agent is closed"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			l := untimed(&b)
			tc.log(rtc.PionLogs(l).NewLogger("ice"))
			if tc.want == "" {
				assert.Empty(t, b.String())
				return
			}
			assert.Equal(t, tc.want+" lib=pion scope=ice\n", b.String())
		})
	}
	t.Run("below the logger's level nothing is formatted", func(t *testing.T) {
		var b bytes.Buffer
		l := slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelInfo}))
		rtc.PionLogs(l).NewLogger("dtls").Debugf("%v", formatted{t})
		assert.Empty(t, b.String())
	})
	t.Run("a repeated line is written once per RepeatEvery, with its count", func(t *testing.T) {
		var b bytes.Buffer
		l := untimed(&b)
		now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
		ice := rtc.PionLogsAt(l, func() time.Time { return now }).NewLogger("ice")
		ping := func(n int) {
			for range n {
				ice.Warn("Failed to ping without candidate pairs")
				now = now.Add(200 * time.Millisecond)
			}
		}
		ping(50) // 10 s: the first is written, 49 wait
		ping(5)  // the 51st is written with the 49 before it
		ice.Warnf("Failed to ping without candidate pairs")
		ice.Errorf("Failed to %s", "write")
		ice.Errorf("Failed to %s", "write")
		const tail = " lib=pion scope=ice\n"
		assert.Equal(t,
			`level=INFO msg="Failed to ping without candidate pairs"`+tail+
				`level=INFO msg="Failed to ping without candidate pairs" lib=pion scope=ice repeated=49`+"\n"+
				`level=INFO msg="Failed to ping without candidate pairs" lib=pion scope=ice repeated=5`+"\n"+
				`level=WARN msg="Failed to write"`+tail,
			b.String(), "the count still untold is written before another line")
	})
	t.Run("nil discards", func(t *testing.T) {
		rtc.PionLogs(nil).NewLogger("ice").Error("nowhere")
	})
}

// formatted fails the test when it is formatted.
type formatted struct{ t *testing.T }

func (f formatted) String() string { f.t.Error("formatted below the level"); return "" }

// untimed is a debugging text log into b without times, so lines compare whole.
func untimed(b *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}))
}
