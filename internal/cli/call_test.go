package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/rtctest"
	"github.com/phonebar/phonebar/internal/testenv"
)

// syncBuf is a bytes.Buffer safe for the command's goroutine and the test.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func jsonLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), "line %q", l)
		out = append(out, m)
	}
	return out
}

func TestCallAndAnswerCommands(t *testing.T) {
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	callee, caller := pbx.User("answerer"), pbx.User("caller")

	var ansOut, ansErr syncBuf
	ansDone := make(chan int, 1)
	go func() {
		ansDone <- Run(ctx, []string{"answer", "--calls", "1", "--sip-ws", pbx.WSSURL, "--sip-user", pbx.AOR(callee),
			"--sip-password-stdin", "--trust-fingerprint", string(pbx.Fingerprint), "--tone", "1000", "--seconds", "0", "--json"},
			Stdio{In: strings.NewReader(rtctest.Password + "\n"), Out: &ansOut, Err: &ansErr})
	}()
	// The caller dials once the answerer is registered.
	for !strings.Contains(ansOut.String(), `"registered"`) {
		select {
		case <-ctx.Done():
			t.Fatalf("answer never registered: %s %s", ansOut.String(), ansErr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	var out, errb bytes.Buffer
	code := Run(ctx, []string{"call", "--to", callee, "--sip-ws", pbx.WSURL, "--sip-user", pbx.AOR(caller),
		"--sip-password-stdin", "--tone", "440", "--seconds", "2.5", "--dtmf", "12#", "--dtmf-mode", "info", "--codec", "pcma", "--json"},
		Stdio{In: strings.NewReader(rtctest.Password + "\n"), Out: &out, Err: &errb})
	require.Equal(t, 0, code, "call: %s %s", out.String(), errb.String())
	lines := jsonLines(t, out.String())
	require.Len(t, lines, 2)
	assert.Equal(t, map[string]any{"event": "registered", "account": pbx.AOR(caller)}, lines[0], "the registered line carries its own fields only")
	c := lines[1]
	assert.Equal(t, "call", c["event"])
	assert.Equal(t, true, c["ok"])
	assert.Equal(t, "pcma", c["codec"], "one spelling: as --codec takes it")
	assert.Equal(t, "connected", c["dtls_state"])
	assert.InDelta(t, 1000, c["far_tone_hz"], 30)
	assert.NotZero(t, c["rtp_packets_in"])
	assert.Contains(t, c, "concealed_frames")
	assert.Positive(t, c["setup_ms"])
	// A call over loopback, rated each second from both sides' RTCP reports. The figures
	// themselves depend on how busy the machine is (late frames count as concealed), so this
	// checks that the call was rated and the fields are in range; internal/quality tests the model.
	assertRated(t, c)
	assert.Equal(t, 0.0, c["loss_pct"], "loopback loses no packets")

	select {
	case code := <-ansDone:
		require.Equal(t, 0, code, "answer: %s %s", ansOut.String(), ansErr.String())
	case <-ctx.Done():
		t.Fatal("answer did not end after the call")
	}
	al := jsonLines(t, ansOut.String())
	require.Len(t, al, 2)
	assert.Equal(t, true, al[1]["ok"])
	assert.Equal(t, "12#", al[1]["dtmf_received"])
	assert.Less(t, math.Abs(al[1]["far_tone_hz"].(float64)-440), 15.0)
	assertRated(t, al[1])
}

// assertRated checks that a call line carries a quality rating: a MOS on the E-model's scale and
// the other figures present, with warnings as a list.
func assertRated(t *testing.T, c map[string]any) {
	t.Helper()
	mos, ok := c["mos"].(float64)
	require.True(t, ok, "mos is a number: %v", c["mos"])
	assert.GreaterOrEqual(t, mos, 1.0, "at least one second rated")
	assert.LessOrEqual(t, mos, 4.5)
	for _, k := range []string{"loss_pct", "jitter_ms", "rtt_ms"} {
		v, ok := c[k].(float64)
		assert.True(t, ok && v >= 0, "%s: %v", k, c[k])
	}
	assert.IsType(t, []any{}, c["warnings"])
}

func TestCallCommandFailures(t *testing.T) {
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	tests := []struct {
		name string
		args []string
		exit int
		code string
		sip  float64
	}{
		{"bad digits", []string{"call", "--to", "x", "--sip-ws", pbx.WSURL, "--sip-user", pbx.AOR("a"), "--dtmf", "12x"}, 2, "USAGE", 0},
		{"no target", []string{"call", "--sip-ws", pbx.WSURL, "--sip-user", pbx.AOR("a"), "--tone", "440"}, 2, "USAGE", 0},
		{"server down", []string{"call", "--to", "x", "--sip-ws", "ws://127.0.0.1:1/", "--sip-user", "sip:a@127.0.0.1", "--tone", "440", "--timeout", "1"}, 1, "CONNECT_FAILED", 0},
		{"wrong password", []string{"call", "--to", "x", "--sip-ws", pbx.WSURL, "--sip-user", pbx.AOR(pbx.User("pw")), "--tone", "440"}, 1, "SIP_401", 401},
		{"untrusted certificate", []string{"call", "--to", "x", "--sip-ws", pbx.WSSURL, "--sip-user", pbx.AOR(pbx.User("tls")), "--tone", "440", "--sip-password-stdin"}, 1, "UNTRUSTED_CERTIFICATE", 0},
		{"busy", []string{"call", "--to", "busy486", "--sip-ws", pbx.WSURL, "--sip-user", pbx.AOR(pbx.User("b")), "--tone", "440", "--sip-password-stdin"}, 1, "SIP_486", 486},
		{"nobody", []string{"call", "--to", "nobody", "--sip-ws", pbx.WSURL, "--sip-user", pbx.AOR(pbx.User("n")), "--tone", "440", "--sip-password-stdin"}, 1, "SIP_404", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var out, errb bytes.Buffer
			code := Run(ctx, append(tt.args, "--json"), Stdio{In: strings.NewReader(rtctest.Password + "\n"), Out: &out, Err: &errb})
			assert.Equal(t, tt.exit, code, "%s %s", out.String(), errb.String())
			lines := jsonLines(t, out.String())
			require.NotEmpty(t, lines)
			last := lines[len(lines)-1]
			assert.Equal(t, false, last["ok"])
			assert.Equal(t, tt.code, last["code"])
			assert.NotEmpty(t, last["message"])
			if tt.sip != 0 {
				assert.Equal(t, tt.sip, last["sip_status"])
			}
			assert.NotContains(t, out.String()+errb.String(), rtctest.Password)
		})
	}
}

// TestAnswerWithDevices runs answer without --tone: the microphone and speaker of the test
// PulseAudio, whose microphone hears its speaker, so the caller gets its own tone back. That loop
// is an echo, so the answerer runs with --no-processing; a second call, processing on by default,
// checks that the report says what was in effect; a third turns the roles round, so that call's
// report says it too.
func TestAnswerWithDevices(t *testing.T) {
	testenv.NeedPulseAudio(t)
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	on := []any{"aec", "ns", "agc"}
	tests := []struct {
		name              string
		ansArgs, callArgs []string
		ansTone, callTone bool // check the tone heard: the answerer's (600 Hz), the caller's (700 Hz)
		wantAns, wantCall any
	}{
		{"processing off", []string{"--no-processing"}, []string{"--tone", "600"}, true, true, nil, nil},
		{"processing on by default", nil, []string{"--tone", "600"}, true, false, on, nil},
		{"the caller on devices", []string{"--tone", "700"}, nil, false, true, nil, on},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			callee := pbx.User(fmt.Sprintf("devans%d", i))
			var ansOut, ansErr syncBuf
			ansDone := make(chan int, 1)
			go func() {
				ansDone <- Run(ctx, append([]string{"answer", "--sip-ws", pbx.WSURL, "--sip-user", pbx.AOR(callee),
					"--sip-password-stdin", "--seconds", "0", "--json"}, tt.ansArgs...),
					Stdio{In: strings.NewReader(rtctest.Password + "\n"), Out: &ansOut, Err: &ansErr})
			}()
			for !strings.Contains(ansOut.String(), `"registered"`) {
				select {
				case <-ctx.Done():
					t.Fatalf("answer never registered: %s %s", ansOut.String(), ansErr.String())
				case <-time.After(20 * time.Millisecond):
				}
			}
			var out, errb bytes.Buffer
			code := Run(ctx, append([]string{"call", "--to", callee, "--sip-ws", pbx.WSURL, "--sip-user", pbx.AOR(pbx.User("c")),
				"--sip-password-stdin", "--seconds", "3", "--json"}, tt.callArgs...),
				Stdio{In: strings.NewReader(rtctest.Password + "\n"), Out: &out, Err: &errb})
			require.Equal(t, 0, code, "call: %s %s", out.String(), errb.String())
			lines := jsonLines(t, out.String())
			require.Len(t, lines, 2)
			if tt.callTone {
				want := 600.0
				if tt.callArgs == nil {
					want = 700 // the answerer's tone, through the caller's speaker
				}
				assert.InDelta(t, want, lines[1]["far_tone_hz"], 20, "the tone the caller's speaker got")
			}
			assert.Equal(t, tt.wantCall, lines[1]["processing"], "call's processing (none with --tone)")
			require.Equal(t, 0, <-ansDone, "answer: %s %s", ansOut.String(), ansErr.String())
			al := jsonLines(t, ansOut.String())
			require.Len(t, al, 2)
			if tt.ansTone {
				assert.InDelta(t, 600, al[1]["far_tone_hz"], 20)
			}
			assert.Equal(t, tt.wantAns, al[1]["processing"], "answer's processing (none with --tone)")
		})
	}
}
