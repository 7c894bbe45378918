package rtc_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/phonebar/phonebar/internal/audio/codec"
	"github.com/phonebar/phonebar/internal/rtc"
	"github.com/phonebar/phonebar/internal/testenv"
)

// BenchmarkMediaCPU measures what one call end costs while audio flows: CPU (percent of one core,
// encode + encrypt + decode + decrypt of 20 ms frames both ways) and heap, per codec. Each
// iteration is one call between two sessions in this process: set up (certificates, ICE, DTLS;
// its CPU is reported apart, per call end), let settle for a second, and held for 3 s of media,
// the steady state a call spends its minutes in. So is the memory the call holds meanwhile, and
// how much it allocates a second: allocations are what wake the garbage collector.
//
// Run: go test -run '^$' -bench MediaCPU -benchtime 3x ./internal/rtc/
func BenchmarkMediaCPU(b *testing.B) {
	for _, id := range []codec.ID{codec.PCMU, codec.PCMA, codec.Opus} {
		b.Run(id.String(), func(b *testing.B) {
			if !codec.Available(id) {
				b.Skip("not in this build")
			}
			const settle, hold = time.Second, 3 * time.Second
			var cpu, setup time.Duration
			var heap, alloc uint64
			var switches int64
			for range b.N {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				runtime.GC()
				var before runtime.MemStats
				runtime.ReadMemStats(&before)
				s0 := testenv.ProcessCPU()
				sa, sb := rtc.NewFrequencySink(), rtc.NewFrequencySink()
				a, err := rtc.NewSession(rtc.Options{Codecs: []codec.ID{id}, AllowLoopback: true, Source: rtc.NewToneSource(440), Sink: sa})
				if err != nil {
					b.Fatal(err)
				}
				s, err := rtc.NewSession(rtc.Options{Codecs: []codec.ID{id}, AllowLoopback: true, Source: rtc.NewToneSource(1000), Sink: sb})
				if err != nil {
					b.Fatal(err)
				}
				offer, err := a.Offer(ctx)
				if err != nil {
					b.Fatal(err)
				}
				answer, err := s.Answer(ctx, offer)
				if err != nil {
					b.Fatal(err)
				}
				if err := a.SetAnswer(answer); err != nil {
					b.Fatal(err)
				}
				for sa.Frames() == 0 || sb.Frames() == 0 {
					time.Sleep(5 * time.Millisecond)
				}
				setup += testenv.ProcessCPU() - s0
				time.Sleep(settle)
				var during, after runtime.MemStats
				runtime.ReadMemStats(&during)
				c0 := testenv.ProcessCPU()
				w0, _ := testenv.ContextSwitches()
				time.Sleep(hold)
				cpu += testenv.ProcessCPU() - c0
				w1, _ := testenv.ContextSwitches()
				switches += w1 - w0
				runtime.ReadMemStats(&after)
				alloc += after.TotalAlloc - during.TotalAlloc
				if during.HeapInuse > before.HeapInuse {
					heap += during.HeapInuse - before.HeapInuse
				}
				a.Close()
				s.Close()
				cancel()
			}
			ends := float64(2 * b.N)
			b.ReportMetric(100*cpu.Seconds()/hold.Seconds()/ends, "%cpu/call-end")
			b.ReportMetric(float64(heap)/ends/1024, "heap-KiB/call-end")
			b.ReportMetric(float64(alloc)/hold.Seconds()/ends/1024, "alloc-KiB/s/call-end")
			b.ReportMetric(setup.Seconds()*1000/ends, "setup-cpu-ms/call-end")
			// Most of a call's CPU here is waking threads, not work: the count shows it steadier
			// than the CPU time does.
			b.ReportMetric(float64(switches)/hold.Seconds()/ends, "switches/s/call-end")
		})
	}
}
