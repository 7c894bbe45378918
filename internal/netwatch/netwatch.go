package netwatch

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"
)

// Kind says what changed.
type Kind int

const (
	// KindUnknown is the zero value.
	KindUnknown Kind = iota
	// KindAddress: a local address appeared, went or changed.
	KindAddress
	// KindLink: an interface went down or up, or appeared.
	KindLink
	// KindResume: the machine slept and woke up.
	KindResume
)

var kindNames = [...]string{"unknown", "address", "link", "resume"}

// String names the kind in lower case.
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("Kind(%d)", int(k))
	}
	return kindNames[k]
}

// Change is one thing that happened to the network.
type Change struct {
	Kind Kind
	// Detail says which interface or address, or how long the sleep was, for logs.
	Detail string
}

// Options configure a Watcher. Zero values are documented per field.
type Options struct {
	// OnChange receives every change, on the watcher's goroutine, in order. Required.
	OnChange func(Change)
	// PollInterval is how often the interfaces are listed where the system does not say itself
	// (Windows, macOS, and Linux when netlink is refused), and how often the clocks are compared;
	// zero means 2 s.
	PollInterval time.Duration
	// SleepThreshold is how far the wall clock may run ahead of the monotonic one between two
	// looks before it counts as a resume from sleep; zero means 5 s.
	SleepThreshold time.Duration
	// Now is the clock; nil means time.Now. Tests swap it to fake a sleep.
	Now func() time.Time
}

// Watcher reports network changes; see Run.
type Watcher struct {
	opts Options
}

// New checks the options.
func New(opts Options) (*Watcher, error) {
	if opts.OnChange == nil {
		return nil, fmt.Errorf("netwatch: OnChange is required")
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 2 * time.Second
	}
	if opts.SleepThreshold <= 0 {
		opts.SleepThreshold = 5 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Watcher{opts: opts}, nil
}

// Run reports changes until ctx ends, then returns nil.
func (w *Watcher) Run(ctx context.Context) error {
	changes := make(chan Change, 64)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.watchSystem(ctx, changes)
	}()
	defer func() { <-done }()
	tick := time.NewTicker(w.opts.PollInterval)
	defer tick.Stop()
	last := w.opts.Now()
	for {
		select {
		case <-ctx.Done():
			return nil
		case c := <-changes:
			w.opts.OnChange(c)
		case <-tick.C:
			now := w.opts.Now()
			// Round(0) drops the monotonic reading: the wall clock against the monotonic one.
			if c, ok := resumed(now.Round(0).Sub(last.Round(0)), now.Sub(last), w.opts.SleepThreshold); ok {
				w.opts.OnChange(c)
			}
			last = now
		}
	}
}

// resumed compares the time between two looks at the clock on the wall clock and on the
// monotonic one, which does not advance while the machine sleeps.
func resumed(wall, mono, threshold time.Duration) (Change, bool) {
	if gap := wall - mono; gap > threshold {
		return Change{Kind: KindResume, Detail: "slept about " + gap.Round(time.Second).String()}, true
	}
	return Change{}, false
}

// snapshot is what polling compares: every interface that is up, with its addresses.
type snapshot map[string]string

func takeSnapshot() snapshot {
	s := snapshot{}
	ifs, err := net.Interfaces()
	if err != nil {
		return s
	}
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		var list []string
		for _, a := range addrs {
			list = append(list, a.String())
		}
		slices.Sort(list)
		s[ifc.Name] = strings.Join(list, ",")
	}
	return s
}

// diff names what changed between two snapshots.
func diff(old, cur snapshot) []Change {
	var out []Change
	for name, addrs := range cur {
		prev, ok := old[name]
		switch {
		case !ok:
			out = append(out, Change{Kind: KindLink, Detail: name + " up"})
		case prev != addrs:
			out = append(out, Change{Kind: KindAddress, Detail: name + ": " + addrs})
		}
	}
	for name := range old {
		if _, ok := cur[name]; !ok {
			out = append(out, Change{Kind: KindLink, Detail: name + " down"})
		}
	}
	slices.SortFunc(out, func(a, b Change) int { return strings.Compare(a.Detail, b.Detail) })
	return out
}

// poll lists the interfaces every PollInterval and sends what changed.
func (w *Watcher) poll(ctx context.Context, out chan<- Change) {
	last := takeSnapshot()
	tick := time.NewTicker(w.opts.PollInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		cur := takeSnapshot()
		for _, c := range diff(last, cur) {
			select {
			case out <- c:
			case <-ctx.Done():
				return
			}
		}
		last = cur
	}
}
