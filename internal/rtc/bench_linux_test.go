package rtc_test

import (
	"context"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/phonebar/phonebar/internal/audio/codec"
	"github.com/phonebar/phonebar/internal/rtc"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkMediaCPU measures what one call end costs while audio flows: CPU (percent of one core,
// encode + encrypt + decode + decrypt of 20 ms frames both ways) and heap, per codec. Each
// iteration is one call between two sessions in this process, held for 2 s of media.
//
// Run: go test -run '^$' -bench MediaCPU -benchtime 3x ./internal/rtc/
func BenchmarkMediaCPU(b *testing.B) {
	for _, id := range []codec.ID{codec.PCMU, codec.PCMA, codec.Opus} {
		b.Run(id.String(), func(b *testing.B) {
			if !codec.Available(id) {
				b.Skip("not in this build")
			}
			const hold = 2 * time.Second
			var cpu time.Duration
			var heap uint64
			for range b.N {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				runtime.GC()
				var before runtime.MemStats
				runtime.ReadMemStats(&before)
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
				var during runtime.MemStats
				runtime.ReadMemStats(&during)
				c0 := cpuTime()
				time.Sleep(hold)
				cpu += cpuTime() - c0
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
		})
	}
}
