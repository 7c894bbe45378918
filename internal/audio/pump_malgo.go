//go:build cgo

package audio

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// The first members of miniaudio's ma_device (0.11, as github.com/gen2brain/malgo v0.11.24 builds
// it), up to the application's pointer. pb_take_over checks them before it relies on them.
typedef void (*pb_data_proc)(void* dev, void* out, const void* in, uint32_t frames);
typedef struct {
	void* pContext;
	int32_t type;        // ma_device_type: 1 playback, 2 capture
	uint32_t sampleRate;
	uint32_t state;      // ma_atomic_device_state: a 32-bit value
	pb_data_proc onData;
	void* onNotification;
	void* onStop;
	void* pUserData;
} pb_device_head;

// pb_ring is a single-producer single-consumer ring of samples between a device's thread and a
// goroutine: w and r are the samples written and read since the start.
typedef struct {
	int16_t* buf;
	uint64_t mask;
	uint64_t w, r;
	uint64_t short_; // capture: samples dropped for want of room; playback: silence played for want of samples
	uint64_t calls;  // device callbacks
} pb_ring;

static pb_ring* pb_ring_new(uint64_t size) {
	pb_ring* q = calloc(1, sizeof(pb_ring));
	if (q == NULL) return NULL;
	q->buf = calloc(size, sizeof(int16_t));
	if (q->buf == NULL) { free(q); return NULL; }
	q->mask = size - 1;
	return q;
}

static void pb_ring_free(pb_ring* q) {
	free(q->buf);
	free(q);
}

static void pb_capture(void* dev, void* out, const void* in, uint32_t n) {
	pb_ring* q = ((pb_device_head*)dev)->pUserData;
	const int16_t* src = in;
	uint64_t w = q->w; // only this thread writes w
	uint64_t r = __atomic_load_n(&q->r, __ATOMIC_ACQUIRE);
	uint64_t room = q->mask + 1 - (w - r);
	uint64_t take = n < room ? n : room;
	for (uint64_t i = 0; i < take; i++) q->buf[(w + i) & q->mask] = src[i];
	__atomic_store_n(&q->w, w + take, __ATOMIC_RELEASE);
	if (take < n) __atomic_fetch_add(&q->short_, n - take, __ATOMIC_RELAXED);
	__atomic_fetch_add(&q->calls, 1, __ATOMIC_RELAXED);
}

static void pb_playback(void* dev, void* out, const void* in, uint32_t n) {
	pb_ring* q = ((pb_device_head*)dev)->pUserData;
	int16_t* dst = out;
	uint64_t r = q->r; // only this thread writes r
	uint64_t w = __atomic_load_n(&q->w, __ATOMIC_ACQUIRE);
	uint64_t take = n < w - r ? n : w - r;
	for (uint64_t i = 0; i < take; i++) dst[i] = q->buf[(r + i) & q->mask];
	if (take < n) {
		memset(dst + take, 0, (n - take) * sizeof(int16_t));
		__atomic_fetch_add(&q->short_, n - take, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&q->r, r + take, __ATOMIC_RELEASE);
	__atomic_fetch_add(&q->calls, 1, __ATOMIC_RELAXED);
}

// pb_take_over makes the device's thread serve q instead of calling into Go, if dev is laid out as
// pb_device_head says: its pointer is q, its rate and direction the ones asked for. 0: done.
static int pb_take_over(void* dev, pb_ring* q, uint32_t rate, int32_t type) {
	pb_device_head* h = dev;
	if (h->pUserData != q || h->sampleRate != rate || h->type != type || h->onData == NULL) return -1;
	h->onData = type == 2 ? pb_capture : pb_playback;
	return 0;
}
*/
import "C"

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/gen2brain/malgo"
)

// Why a pump: every call from a C audio thread into Go leaves a processor of the Go scheduler
// parked on that thread until the runtime's monitor takes it back, and the monitor then polls
// every 20 µs for a while. Measured on PulseAudio with 10 ms periods: about 19 monitor wake-ups
// per device callback, half of what a whole call cost (BenchmarkCallCPU). So the device threads
// never enter Go: they copy to or from a C ring, and a goroutine on a timer, pure Go, moves the
// samples between the ring and the stream. One goroutine serves every device of a driver, so that
// a call's microphone and speaker cost one wake-up per interval between them.

// pumpEvery is how often the pump moves samples. Capture waits at most this long (half on
// average) before the stream sees it.
const pumpEvery = 5 * time.Millisecond

// pumpSilence is what a speaker played for want of samples, for the echo reference.
var pumpSilence = make([]int16, 960)

// pumpPeriods is how many device periods the sound system queues for a pumped device.
const pumpPeriods = 2

// noPump, set by tests, opens devices as malgo has them: their callbacks call into Go.
var noPump bool

// pumpRingMs is the C ring's length: the longest the pump may stall before capture is lost.
const pumpRingMs = 340

// pump moves samples between one device's C ring and its stream's callback (data).
type pump struct {
	q      *C.pb_ring
	buf    []int16 // the ring's samples, in C memory
	kind   DeviceKind
	data   func([]int16)
	played func([]int16) // playback: what the device took (nil: nobody asks)
	taken  uint64        // playback: the ring's read position played has reached
	silent uint64        // playback: the device's shortfall played has reached
	target uint64        // playback: the samples kept queued for the device
}

// newPump makes the ring for a device of kind (sized for the highest rate miniaudio opens); the
// device's PUserData must carry ring() into malgo.InitDevice, and takeOver must follow it before
// the device starts.
func newPump(kind DeviceKind, data, played func([]int16)) *pump {
	size := 1
	for size < 192000*pumpRingMs/1000 {
		size <<= 1
	}
	q := C.pb_ring_new(C.uint64_t(size))
	if q == nil {
		return nil
	}
	return &pump{
		q:      q,
		buf:    unsafe.Slice((*int16)(unsafe.Pointer(q.buf)), size),
		kind:   kind,
		data:   data,
		played: played,
	}
}

func (p *pump) ring() *byte { return (*byte)(unsafe.Pointer(p.q)) }

// takeOver switches dev's thread from malgo's callback (into Go) to the ring, for a device that
// runs at rate with periods of periodMs. false: dev is not laid out as this build expects, and
// malgo's callback stays.
func (p *pump) takeOver(dev *malgo.Device, rate, periodMs int) bool {
	if periodMs <= 0 {
		periodMs = 10
	}
	// One device period, and a pump interval on top: the device finds a whole period at each
	// callback although the pump runs on its own clock, and a pump that runs up to two intervals
	// late (a busy machine) still leaves no gap.
	p.target = uint64(rate) * uint64(time.Duration(periodMs)*time.Millisecond+pumpEvery) / uint64(time.Second)
	// malgo.Device holds one *unsafe.Pointer to the C ma_device.
	cdev := **(**unsafe.Pointer)(unsafe.Pointer(dev))
	typ := C.int32_t(1)
	if p.kind == KindCapture {
		typ = 2
	}
	return C.pb_take_over(cdev, p.q, C.uint32_t(rate), typ) == 0
}

// pumps moves the samples of every started device of one driver on one ticker.
type pumps struct {
	mu   sync.Mutex // held while samples move: remove waits for a move in progress
	list []*pump
	stop chan struct{} // nil while no device runs
	done chan struct{}
}

// add starts moving p's samples (a speaker's ring is topped up at once, before its device starts).
func (ps *pumps) add(p *pump) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	p.move()
	// Microphones first: what one hands over in a move is there for the speaker's data to see.
	if p.kind == KindCapture {
		ps.list = append([]*pump{p}, ps.list...)
	} else {
		ps.list = append(ps.list, p)
	}
	if ps.stop == nil {
		ps.stop, ps.done = make(chan struct{}), make(chan struct{})
		go ps.run(ps.stop, ps.done)
	}
}

// remove stops moving p's samples; when it returns p is no longer touched. The goroutine ends with
// the last device.
func (ps *pumps) remove(p *pump) {
	ps.mu.Lock()
	ps.list = slices.DeleteFunc(ps.list, func(q *pump) bool { return q == p })
	var stop, done chan struct{}
	if len(ps.list) == 0 && ps.stop != nil {
		stop, done = ps.stop, ps.done
		ps.stop, ps.done = nil, nil
	}
	ps.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}

func (ps *pumps) run(stop, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(pumpEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		ps.mu.Lock()
		for _, p := range ps.list {
			p.move()
		}
		ps.mu.Unlock()
	}
}

func (p *pump) load(v *C.uint64_t) uint64     { return atomic.LoadUint64((*uint64)(unsafe.Pointer(v))) }
func (p *pump) store(v *C.uint64_t, x uint64) { atomic.StoreUint64((*uint64)(unsafe.Pointer(v)), x) }

// move hands the stream what the microphone recorded, or tops the speaker's ring up to target.
func (p *pump) move() {
	mask := uint64(len(p.buf) - 1)
	if p.kind == KindCapture {
		r, w := uint64(p.q.r), p.load(&p.q.w)
		for r < w {
			i := r & mask
			end := min(uint64(len(p.buf)), i+(w-r))
			p.data(p.buf[i:end])
			r += end - i
		}
		p.store(&p.q.r, r)
		return
	}
	w, r := uint64(p.q.w), p.load(&p.q.r)
	if p.played != nil {
		// What the device took since the last move, then the silence it played for want of
		// samples (within one move the order of the two is not known; the gap was at the end).
		for p.taken < r {
			i := p.taken & mask
			end := min(uint64(len(p.buf)), i+(r-p.taken))
			p.played(p.buf[i:end])
			p.taken += end - i
		}
		for short := p.short(); p.silent < short; {
			n := min(short-p.silent, uint64(len(pumpSilence)))
			p.played(pumpSilence[:n])
			p.silent += n
		}
	}
	for w-r < p.target {
		i := w & mask
		end := min(uint64(len(p.buf)), i+(p.target-(w-r)))
		p.data(p.buf[i:end])
		w += end - i
	}
	p.store(&p.q.w, w)
}

// queued is how many samples wait in the ring.
func (p *pump) queued() int { return int(p.load(&p.q.w) - p.load(&p.q.r)) }

// short is the samples lost so far: capture dropped, or silence played for want of samples.
func (p *pump) short() uint64 { return p.load(&p.q.short_) }

// free releases the ring: call it once the device is uninitialised (its thread no longer touches
// the ring) and the pump is out of its driver's pumps.
func (p *pump) free() {
	C.pb_ring_free(p.q)
	p.q = nil
}
