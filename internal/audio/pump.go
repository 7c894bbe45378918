//go:build cgo && (linux || windows)

package audio

/*
#cgo windows LDFLAGS: -lws2_32
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <winsock2.h>
#include <windows.h>
#else
#include <errno.h>
#include <semaphore.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#endif

// What wakes the driver's goroutine, and what a speaker's callback waits on, differ by system:
// on Linux an eventfd and a POSIX semaphore, on Windows a loopback UDP socket (the Go runtime's
// network poller waits on sockets there, not on events) and a Win32 semaphore.
#ifdef _WIN32
typedef HANDLE pb_sem;
static int pb_sem_init(pb_sem* s) { *s = CreateSemaphoreW(NULL, 0, 0x7fffffff, NULL); return *s == NULL ? -1 : 0; }
static void pb_sem_destroy(pb_sem* s) { CloseHandle(*s); }
static void pb_sem_post(pb_sem* s) { ReleaseSemaphore(*s, 1, NULL); }
#else
typedef sem_t pb_sem;
static int pb_sem_init(pb_sem* s) { return sem_init(s, 0, 0); }
static void pb_sem_destroy(pb_sem* s) { sem_destroy(s); }
static void pb_sem_post(pb_sem* s) { sem_post(s); }
#endif

// pb_poke wakes the goroutine waiting on w, the eventfd (Linux) or the socket connected to the
// goroutine's (Windows). An eventfd only fails to take it when its counter is full, a loopback
// socket when the goroutine's has datagrams waiting: either way a wake-up is pending already.
static void pb_poke(int64_t w) {
#ifdef _WIN32
	char one = 1;
	(void)send((SOCKET)w, &one, 1, 0);
#else
	uint64_t one = 1;
	(void)!write((int)w, &one, sizeof one);
#endif
}

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
	int64_t fd;      // what wakes the driver's goroutine (pb_poke); -1: none
	// Playback: the callback asks for the samples it lacks (want) under a new request number
	// (asked) and waits up to wait_ns for the goroutine to have served that number.
	uint64_t want, asked, served;
	int64_t wait_ns;
	pb_sem served_sem;
} pb_ring;

static pb_ring* pb_ring_new(uint64_t size) {
	pb_ring* q = calloc(1, sizeof(pb_ring));
	if (q == NULL) return NULL;
	q->buf = calloc(size, sizeof(int16_t));
	if (q->buf == NULL) { free(q); return NULL; }
	if (pb_sem_init(&q->served_sem) != 0) { free(q->buf); free(q); return NULL; }
	q->mask = size - 1;
	q->fd = -1;
	return q;
}

static void pb_ring_free(pb_ring* q) {
	pb_sem_destroy(&q->served_sem);
	free(q->buf);
	free(q);
}

static void pb_wake(pb_ring* q) {
	int64_t fd = __atomic_load_n(&q->fd, __ATOMIC_ACQUIRE);
	if (fd >= 0) pb_poke(fd);
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
	pb_wake(q);
}

// pb_ask asks the goroutine for want more samples and waits for them, at most q->wait_ns.
static void pb_ask(pb_ring* q, uint64_t want) {
	uint64_t req = q->asked + 1; // only this thread writes asked
	__atomic_store_n(&q->want, want, __ATOMIC_RELAXED);
	__atomic_store_n(&q->asked, req, __ATOMIC_RELEASE);
	pb_wake(q);
	// A post left by a request served too late counts for nothing: wait on for this one.
#ifdef _WIN32
	// The performance counter, as the tick count moves in steps of up to 16 ms.
	LARGE_INTEGER freq, now;
	QueryPerformanceFrequency(&freq);
	QueryPerformanceCounter(&now);
	LONGLONG until = now.QuadPart + q->wait_ns * freq.QuadPart / 1000000000;
	while (__atomic_load_n(&q->served, __ATOMIC_ACQUIRE) < req) {
		QueryPerformanceCounter(&now);
		if (now.QuadPart >= until) break;
		DWORD ms = (DWORD)((until - now.QuadPart) * 1000 / freq.QuadPart) + 1;
		if (WaitForSingleObject(q->served_sem, ms) == WAIT_TIMEOUT) break;
	}
#else
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += q->wait_ns;
	while (until.tv_nsec >= 1000000000) { until.tv_sec++; until.tv_nsec -= 1000000000; }
	while (__atomic_load_n(&q->served, __ATOMIC_ACQUIRE) < req) {
		if (sem_timedwait(&q->served_sem, &until) != 0 && errno == ETIMEDOUT) break;
	}
#endif
}

static void pb_playback(void* dev, void* out, const void* in, uint32_t n) {
	pb_ring* q = ((pb_device_head*)dev)->pUserData;
	int16_t* dst = out;
	uint64_t r = q->r; // only this thread writes r
	uint64_t w = __atomic_load_n(&q->w, __ATOMIC_ACQUIRE);
	if (w - r < n && __atomic_load_n(&q->fd, __ATOMIC_ACQUIRE) >= 0) {
		pb_ask(q, n - (w - r));
		w = __atomic_load_n(&q->w, __ATOMIC_ACQUIRE);
	}
	uint64_t take = n < w - r ? n : w - r;
	for (uint64_t i = 0; i < take; i++) dst[i] = q->buf[(r + i) & q->mask];
	if (take < n) {
		memset(dst + take, 0, (n - take) * sizeof(int16_t));
		__atomic_fetch_add(&q->short_, n - take, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&q->r, r + take, __ATOMIC_RELEASE);
}

static void pb_serve(pb_ring* q, uint64_t req) {
	__atomic_store_n(&q->served, req, __ATOMIC_RELEASE);
	pb_sem_post(&q->served_sem);
}

static void pb_set_fd(pb_ring* q, int64_t fd) { __atomic_store_n(&q->fd, fd, __ATOMIC_RELEASE); }

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
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/gen2brain/malgo"
)

// Why a pump: a C audio thread that calls into Go keeps a processor of the Go scheduler between
// its callbacks, and the runtime's monitor (sysmon) takes it back once it has sat there 10 ms,
// then polls every 20 µs for a while. With a microphone and a speaker each calling in every 10 ms
// that never stops while any goroutine works: measured on PulseAudio, about 19 monitor wake-ups
// per device callback and half of what a whole call cost (BenchmarkCallCPU). So the device
// threads never enter Go. They copy to or from a C ring and wake one goroutine of the driver
// through something the runtime's network poller waits on (an eventfd on Linux, a loopback socket
// on Windows: pump_wake_*.go); the goroutine, pure Go, moves the samples between the rings and the
// streams.
//
// The speaker's callback does not play ahead of Go: it asks the goroutine for what it lacks and
// waits for it, so the speaker queues no more than when its callback called into Go, and the
// microphone's samples are handed on as soon as they are recorded. It waits at most a period and a
// half (the sound system holds three), then plays silence for the rest: a goroutine that late
// would have made a callback into Go as late, and the device's buffer has run that low already.
// (With half a period, the latency benchmark on the idle machine met two such stalls in five
// runs; with a period and a half, none in ten.)

// usePump says whether devices are opened with the pump rather than as malgo has them (their
// callbacks calling into Go): pumpByDefault for the system, unless the environment variable
// PHONEBAR_AUDIO_PUMP says on or off: to try the pump where it is not the default yet (Windows),
// or to do without it should a sound system not get on with it. Tests set it.
var usePump = pumpSetting(os.Getenv("PHONEBAR_AUDIO_PUMP"), pumpByDefault)

func pumpSetting(env string, def bool) bool {
	switch strings.ToLower(strings.TrimSpace(env)) {
	case "on", "1", "true", "yes":
		return true
	case "off", "0", "false", "no":
		return false
	}
	return def
}

// pumpRingMs is the C ring's length: the longest the goroutine may stall before capture is lost.
const pumpRingMs = 340

// pumpSilence is what a speaker played for want of samples, for the echo reference.
var pumpSilence = make([]int16, 960)

// pump moves samples between one device's C ring and its stream's callback (data).
type pump struct {
	q      *C.pb_ring
	buf    []int16 // the ring's samples, in C memory
	kind   DeviceKind
	data   func([]int16)
	played func([]int16) // playback: what the device took (nil: nobody asks)
	silent uint64        // playback: the device's shortfall played has reached
	served uint64        // playback: the last request served
	// most is the most a speaker's ring may hold: a request served after its callback gave up
	// waiting leaves its samples for the next one, and no more than that piles up.
	most uint64
}

// newPump makes the ring for a device of kind (sized for the highest rate miniaudio opens); the
// device's PUserData must carry ring() into malgo.InitDevice, and takeOver must follow it before
// the device starts. nil: devices are not pumped (usePump), or the ring could not be made.
func newPump(kind DeviceKind, data, played func([]int16)) *pump {
	if !usePump {
		return nil
	}
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
	period := time.Duration(periodMs) * time.Millisecond
	p.q.wait_ns = C.int64_t(period * 3 / 2)
	p.most = uint64(rate) * uint64(period) / uint64(time.Second)
	// malgo.Device holds one *unsafe.Pointer to the C ma_device.
	cdev := **(**unsafe.Pointer)(unsafe.Pointer(dev))
	typ := C.int32_t(1)
	if p.kind == KindCapture {
		typ = 2
	}
	return C.pb_take_over(cdev, p.q, C.uint32_t(rate), typ) == 0
}

// pumps moves the samples of every started device of one driver, woken by their threads. Its
// goroutine runs while a device does.
type pumps struct {
	mu   sync.Mutex // held while samples move: remove waits for a move in progress
	list []*pump
	wake *wake         // from the first device to the driver's close
	stop chan struct{} // nil while no goroutine runs
	done chan struct{}
	// ending is closed when the goroutine told to stop by the last remove has ended; add waits
	// for it, so that only one goroutine ever waits on wake.
	ending chan struct{}
}

// add starts moving p's samples; call it before p's device starts.
func (ps *pumps) add(p *pump) error {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for ps.ending != nil {
		ending := ps.ending
		ps.mu.Unlock()
		<-ending
		ps.mu.Lock()
		if ps.ending == ending {
			ps.ending = nil
		}
	}
	if ps.wake == nil {
		w, err := newWake()
		if err != nil {
			return err
		}
		ps.wake = w
	}
	if ps.stop == nil {
		ps.stop, ps.done = make(chan struct{}), make(chan struct{})
		go ps.run(ps.wake, ps.stop, ps.done)
	}
	// Microphones first: what one hands over in a move is there for the speaker's data to see.
	if p.kind == KindCapture {
		ps.list = append([]*pump{p}, ps.list...)
	} else {
		ps.list = append(ps.list, p)
	}
	C.pb_set_fd(p.q, C.int64_t(ps.wake.handle()))
	return nil
}

// remove stops moving p's samples; when it returns p is no longer touched. Its device's thread
// wakes the goroutine no more, and a speaker's callback from then on plays what its ring holds.
// The goroutine ends with the last device.
func (ps *pumps) remove(p *pump) {
	C.pb_set_fd(p.q, -1)
	ps.mu.Lock()
	ps.list = slices.DeleteFunc(ps.list, func(q *pump) bool { return q == p })
	var ending chan struct{}
	if len(ps.list) == 0 && ps.stop != nil {
		close(ps.stop)
		ending, ps.ending = ps.done, ps.done
		ps.stop, ps.done = nil, nil
		C.pb_poke(C.int64_t(ps.wake.handle()))
	}
	ps.mu.Unlock()
	if ending != nil {
		<-ending
	}
}

// close closes what wakes the goroutine; every device must be uninitialised by then.
func (ps *pumps) close() {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.wake != nil {
		ps.wake.close()
		ps.wake = nil
	}
}

func (ps *pumps) run(w *wake, stop, done chan struct{}) {
	defer close(done)
	for {
		if err := w.wait(); err != nil {
			return // closed
		}
		select {
		case <-stop:
			return
		default:
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

// move hands the stream what the microphone recorded, or gives the speaker what its callback asks.
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
	asked := p.load(&p.q.asked)
	if asked == p.served {
		return
	}
	w, r := uint64(p.q.w), p.load(&p.q.r)
	want := min(p.load(&p.q.want), p.most-min(p.most, w-r))
	start := w
	for end := w + want; w < end; {
		i := w & mask
		n := min(uint64(len(p.buf))-i, end-w)
		p.data(p.buf[i : i+n])
		w += n
	}
	if p.played != nil {
		// The silence the speaker played for want of samples (a callback that gave up waiting,
		// maybe while data ran) went out before what it gets now.
		for short := p.short(); p.silent < short; {
			n := min(short-p.silent, uint64(len(pumpSilence)))
			p.played(pumpSilence[:n])
			p.silent += n
		}
		for at := start; at < w; {
			i := at & mask
			n := min(uint64(len(p.buf))-i, w-at)
			p.played(p.buf[i : i+n])
			at += n
		}
	}
	p.store(&p.q.w, w)
	p.served = asked
	C.pb_serve(p.q, C.uint64_t(asked))
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
