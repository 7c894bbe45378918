package rtc_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
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
			var used testenv.Usage
			var setup time.Duration
			var heap, alloc uint64
			for range b.N {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				runtime.GC()
				var before runtime.MemStats
				runtime.ReadMemStats(&before)
				s0 := testenv.ProcessCPU()
				sa, sb := rtc.NewFrequencySink(), rtc.NewFrequencySink()
				a, err := toneSession(id, 440, sa)
				if err != nil {
					b.Fatal(err)
				}
				s, err := toneSession(id, 1000, sb)
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
				u0 := testenv.ProcessUsage()
				time.Sleep(hold)
				used = used.Add(testenv.ProcessUsage().Sub(u0))
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
			b.ReportMetric(100*used.CPU.Seconds()/hold.Seconds()/ends, "%cpu/call-end")
			b.ReportMetric(float64(heap)/ends/1024, "heap-KiB/call-end")
			b.ReportMetric(float64(alloc)/hold.Seconds()/ends/1024, "alloc-KiB/s/call-end")
			b.ReportMetric(setup.Seconds()*1000/ends, "setup-cpu-ms/call-end")
			// Most of a call's CPU here is waking threads, not work: the count shows it steadier
			// than the CPU time does.
			b.ReportMetric(float64(used.Switches)/hold.Seconds()/ends, "switches/s/call-end")
		})
	}
}

// toneSession is a call end of these benchmarks: a tone of hz sent, what it hears into sink.
func toneSession(id codec.ID, hz float64, sink rtc.Sink) (*rtc.Session, error) {
	return rtc.NewSession(rtc.Options{Codecs: []codec.ID{id}, AllowLoopback: true, Source: rtc.NewToneSource(hz), Sink: sink})
}

// peerEnv, set in a copy of the test binary, makes it the far end of BenchmarkMediaCPUOneEnd
// instead of running tests: the codec named there, the offer on standard input (one base64
// line), the answer on standard output, until standard input closes.
const peerEnv = "PHONEBAR_RTC_BENCH_PEER"

func TestMain(m *testing.M) {
	if id := os.Getenv(peerEnv); id != "" {
		if err := benchPeer(id); err != nil {
			fmt.Fprintln(os.Stderr, "bench peer:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func benchPeer(name string) error {
	id, err := codec.Parse(name)
	if err != nil {
		return err
	}
	in := bufio.NewReader(os.Stdin)
	line, err := in.ReadString('\n')
	if err != nil {
		return err
	}
	offer, err := base64.StdEncoding.DecodeString(strings.TrimSpace(line))
	if err != nil {
		return err
	}
	s, err := toneSession(id, 1000, rtc.NewFrequencySink())
	if err != nil {
		return err
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	answer, err := s.Answer(ctx, offer)
	if err != nil {
		return err
	}
	if _, err := fmt.Println(base64.StdEncoding.EncodeToString(answer)); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, in)
	return nil
}

// BenchmarkMediaCPUOneEnd is BenchmarkMediaCPU with the far end in a process of its own, as in a
// real call: the CPU and context switches are this process's alone, one call end with nothing
// else sharing its scheduler.
//
// Run: go test -run '^$' -bench MediaCPUOneEnd -benchtime 3x ./internal/rtc/
func BenchmarkMediaCPUOneEnd(b *testing.B) {
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	for _, id := range []codec.ID{codec.PCMU, codec.PCMA, codec.Opus} {
		b.Run(id.String(), func(b *testing.B) {
			if !codec.Available(id) {
				b.Skip("not in this build")
			}
			const settle, hold = time.Second, 3 * time.Second
			var used testenv.Usage
			for range b.N {
				used = used.Add(oneEndCall(b, self, id, settle, hold))
			}
			b.ReportMetric(100*used.CPU.Seconds()/hold.Seconds()/float64(b.N), "%cpu/call-end")
			b.ReportMetric(float64(used.Switches)/hold.Seconds()/float64(b.N), "switches/s/call-end")
		})
	}
}

// oneEndCall holds one call with a peer process (the test binary at self) and returns what this
// process spent over hold, after settle. What it started is ended however it returns.
func oneEndCall(b *testing.B, self string, id codec.ID, settle, hold time.Duration) testenv.Usage {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel() // kills the peer if it is still running
	peer := exec.CommandContext(ctx, self)
	peer.Env = append(os.Environ(), peerEnv+"="+id.String())
	peer.Stderr = os.Stderr
	toPeer, err := peer.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	fromPeer, err := peer.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := peer.Start(); err != nil {
		b.Fatal(err)
	}
	sink := rtc.NewFrequencySink()
	a, err := toneSession(id, 440, sink)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	offer, err := a.Offer(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := fmt.Fprintln(toPeer, base64.StdEncoding.EncodeToString(offer)); err != nil {
		b.Fatal(err)
	}
	line, err := bufio.NewReader(fromPeer).ReadString('\n')
	if err != nil {
		b.Fatalf("the peer gave no answer: %v", err)
	}
	answer, err := base64.StdEncoding.DecodeString(strings.TrimSpace(line))
	if err != nil {
		b.Fatal(err)
	}
	if err := a.SetAnswer(answer); err != nil {
		b.Fatal(err)
	}
	for sink.Frames() == 0 {
		if ctx.Err() != nil {
			b.Fatal("no audio from the peer")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(settle)
	u0, f0 := testenv.ProcessUsage(), sink.Frames()
	time.Sleep(hold)
	used := testenv.ProcessUsage().Sub(u0)
	// Audio flowed both ways throughout: a peer that stopped would make the figure look cheap.
	if got, want := sink.Frames()-f0, int(hold/(20*time.Millisecond))*9/10; got < want {
		b.Fatalf("%d frames played in %v, want at least %d", got, hold, want)
	}
	if a.Stats().PacketsOut == 0 {
		b.Fatal("nothing sent")
	}
	_ = toPeer.Close() // the peer hangs up when its input ends
	if err := peer.Wait(); err != nil {
		b.Fatalf("peer: %v", err)
	}
	return used
}
