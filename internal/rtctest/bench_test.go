package rtctest_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/rtctest"
)

// BenchmarkCallSetup measures call setup through Kamailio, each way, against the browser:
//   - phonebar-to-browser: Dial until the first RTP packet arrives at Phonebar (browser auto-answers)
//   - browser-to-browser: JsSIP call start until the first RTP packet at the calling browser
//   - browser-to-phonebar: JsSIP call start until the first RTP at the browser (Phonebar answers at
//     once), and answer-ms: INVITE arrival at Phonebar until its first RTP packet
//
// Run: make bench, or
// .ci/with-services go test -run '^$' -bench CallSetup -benchtime 5x ./internal/rtctest/
func BenchmarkCallSetup(b *testing.B) {
	pbx := rtctest.StartPBX(b)
	br := rtctest.StartBrowser(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	browserUser, agentUser := pbx.User("bbench"), pbx.User("abench")
	br.Register(pbx, pbx.WSURL, browserUser)
	br.SetAutoAnswer(true)
	a := startAgentB(ctx, b, pbx, agentUser)

	settle := func(bb *rtctest.Browser) {
		bb.WaitFor(ctx, "call over", func(x *rtctest.Browser) bool {
			s := x.State().Status
			return s == "ended" || s == "failed" || s == "idle"
		})
	}
	report := func(b *testing.B, name string, ms []float64) {
		sort.Float64s(ms)
		var sum float64
		for _, v := range ms {
			sum += v
		}
		b.ReportMetric(sum/float64(len(ms)), name+"-ms/call")
		b.ReportMetric(ms[len(ms)/2], name+"-median-ms")
	}

	b.Run("phonebar-to-browser", func(b *testing.B) {
		var ms, answered, ice []float64
		for range b.N {
			start := time.Now()
			c, err := a.p.Dial(ctx, browserUser)
			if err != nil {
				b.Fatal(err)
			}
			for c.Stats().FirstRTP.IsZero() {
				time.Sleep(time.Millisecond)
			}
			st := c.Stats()
			ms = append(ms, float64(st.FirstRTP.Sub(start).Microseconds())/1000)
			answered = append(answered, float64(st.RemoteSet.Sub(start).Microseconds())/1000)
			ice = append(ice, float64(st.ICEConnected.Sub(st.RemoteSet).Microseconds())/1000)
			_ = c.Hangup(ctx)
			settle(br)
		}
		report(b, "setup", ms)
		report(b, "to-200ok", answered)
		report(b, "200ok-to-ice", ice)
	})

	b.Run("browser-to-browser", func(b *testing.B) {
		caller := br.NewTab()
		callerUser := pbx.User("bcaller")
		caller.Register(pbx, pbx.WSURL, callerUser)
		var ms []float64
		for range b.N {
			caller.Call(pbx, browserUser)
			caller.WaitFor(ctx, "first packet", func(x *rtctest.Browser) bool { return x.SetupMs() > 0 })
			ms = append(ms, caller.SetupMs())
			caller.Hangup()
			settle(caller)
			settle(br)
		}
		report(b, "setup", ms)
	})

	b.Run("browser-to-phonebar", func(b *testing.B) {
		var ms, answer []float64
		for range b.N {
			br.Call(pbx, agentUser)
			c := a.wait(ctx, b, func(ev phone.Event) bool { return ev.Kind == phone.EventIncoming }).Call
			if err := c.Answer(ctx); err != nil {
				b.Fatal(err)
			}
			br.WaitFor(ctx, "first packet", func(x *rtctest.Browser) bool { return x.SetupMs() > 0 })
			for c.Stats().FirstRTP.IsZero() {
				time.Sleep(time.Millisecond)
			}
			ms = append(ms, br.SetupMs())
			answer = append(answer, float64(c.Stats().FirstRTP.Sub(c.Started()).Microseconds())/1000)
			_ = c.Hangup(ctx)
			settle(br)
		}
		report(b, "setup", ms)
		report(b, "answer", answer)
	})
}
