package desk

import (
	"slices"
	"time"

	"github.com/phonebar/phonebar/internal/phone"
	"github.com/phonebar/phonebar/internal/quality"
)

// followQuality reads the quality of the calls in progress every Options.QualityEvery and
// publishes the view when what the agent sees of it changed (the level, the warnings, the MOS to
// a tenth), until the desk closes.
func (d *Desk) followQuality() {
	every := d.opts.QualityEvery
	if every <= 0 {
		every = time.Second
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-d.life.Done():
			return
		case <-tick.C:
		}
		d.mu.Lock()
		var calls []*record
		var ids []string
		for id, r := range d.calls {
			if r.call != nil && (r.view.State == phone.StateActive || r.view.State == phone.StateHeld) {
				calls, ids = append(calls, r), append(ids, id)
			}
		}
		d.mu.Unlock()
		// Read off the lock: Quality may take the media's locks.
		reads := make([]quality.Report, len(calls))
		for i, r := range calls {
			reads[i] = r.call.Quality()
		}
		d.mu.Lock()
		changed := false
		for i, r := range calls {
			if d.calls[ids[i]] != r {
				continue
			}
			// Audio rated: whatever kept it from arriving before is over.
			if r.view.MediaErr != nil && reads[i].Level != quality.LevelUnknown {
				r.view.MediaErr = nil
				changed = true
			}
			if !visiblyDifferent(r.view.Quality, reads[i]) {
				continue
			}
			r.view.Quality = reads[i]
			changed = true
		}
		if changed {
			d.publishLocked(Update{})
		}
		d.mu.Unlock()
	}
}

// visiblyDifferent says whether b shows differently from a on the call card.
func visiblyDifferent(a, b quality.Report) bool {
	tenth := func(v float64) int { return int(v*10 + 0.5) }
	return a.Level != b.Level || !slices.Equal(a.Warnings, b.Warnings) || tenth(a.Last.MOS) != tenth(b.Last.MOS)
}
