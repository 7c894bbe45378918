package sipua_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/logging"
	"github.com/phonebar/phonebar/internal/rtctest"
	"github.com/phonebar/phonebar/internal/sipua"
)

// traceLog keeps what Options.Trace saw.
type traceLog struct {
	mu   sync.Mutex
	msgs []string // "out REGISTER ..." / "in SIP/2.0 200 OK"
	raw  []string
}

func (l *traceLog) trace(out bool, msg []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	dir := "in "
	if out {
		dir = "out "
	}
	first, _, _ := strings.Cut(string(msg), "\r\n")
	l.msgs = append(l.msgs, dir+first)
	l.raw = append(l.raw, string(msg))
}

func (l *traceLog) snapshot() ([]string, []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.msgs...), append([]string(nil), l.raw...)
}

// TestTraceSeesEveryMessage: with Options.Trace every message sent and received passes through it,
// and the traced connection still says which address it reached.
func TestTraceSeesEveryMessage(t *testing.T) {
	rtctest.CheckLeaks(t)
	f := newFakeRegistrar(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	log, tl := newStateLog(), &traceLog{}
	ua, done := runUA(t, ctx, sipua.Options{AOR: "sip:1001@example.com", Password: "pw", URL: f.url(), Trace: tl.trace, Handler: sipua.Handler{State: log.handler}})
	f.next(ctx, t)
	log.wait(ctx, t, sipua.StateRegistered)
	msgs, _ := tl.snapshot()
	require.GreaterOrEqual(t, len(msgs), 2)
	assert.True(t, strings.HasPrefix(msgs[0], "out REGISTER sip:example.com SIP/2.0"), msgs[0])
	assert.Equal(t, "in SIP/2.0 200 OK", msgs[1])
	assert.True(t, ua.ServerIP().IsLoopback(), "the traced connection still tells its address")
	cancel()
	require.NoError(t, <-done)
}

// TestTraceKamailioRedacted registers to Kamailio (digest authentication) with the trace going to
// the log files: the digest response that went over the wire is in the trace file redacted, never
// in clear.
func TestTraceKamailioRedacted(t *testing.T) {
	// The log files' rotation library keeps one goroutine per file for the life of the process.
	leaks := goleak.IgnoreCurrent()
	t.Cleanup(func() {
		goleak.VerifyNone(t, leaks, goleak.IgnoreTopFunction("gopkg.in/natefinch/lumberjack%2ev2.(*Logger).millRun"))
	})
	pbx := rtctest.StartPBX(t)
	logs, err := logging.Open(logging.FileOptions{Dir: t.TempDir(), SIPTrace: true})
	require.NoError(t, err)
	defer logs.Close()
	tl := &traceLog{}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	log := newStateLog()
	_, done := runUA(t, ctx, sipua.Options{AOR: pbx.AOR(pbx.User("trace")), Password: rtctest.Password, URL: pbx.WSURL,
		Trace:   func(out bool, msg []byte) { tl.trace(out, msg); logs.SIPTrace(out, msg) },
		Handler: sipua.Handler{State: log.handler}})
	log.wait(ctx, t, sipua.StateRegistered)
	cancel()
	require.NoError(t, <-done)

	_, raw := tl.snapshot()
	responses := regexp.MustCompile(`response="?([0-9a-f]{32})`)
	var digests []string
	for _, m := range raw {
		if s := responses.FindStringSubmatch(m); s != nil {
			digests = append(digests, s[1])
		}
	}
	require.NotEmpty(t, digests, "Kamailio challenged and the REGISTER carried a digest")
	trace, err := os.ReadFile(filepath.Join(logs.Dir(), logging.TraceFileName))
	require.NoError(t, err)
	assert.Contains(t, string(trace), "SIP/2.0 401 Unauthorized")
	assert.Contains(t, string(trace), `response="`+logging.Redacted+`"`)
	for _, d := range digests {
		assert.NotContains(t, string(trace), d)
	}
}
