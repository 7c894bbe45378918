package desk

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/quality"
)

func callQuality(v View, id string) quality.Report {
	for _, c := range v.Calls {
		if c.ID == id {
			return c.Quality
		}
	}
	return quality.Report{}
}

func TestQualityShowsInTheViewAndTheHistory(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, Settings{})
	c := r.phone.incoming("sip:alice@test")
	require.NoError(t, r.desk.Answer(ctx, c.id))

	good := quality.Report{Level: quality.LevelGood, Last: quality.Second{MOS: 4.4}}
	c.setQuality(good)
	r.waitUpdate(t, "a good call", func(u Update) bool { return callQuality(u.View, c.id).Level == quality.LevelGood })

	lossy := quality.Report{Level: quality.LevelPoor, Last: quality.Second{MOS: 3.1, LossPct: 6},
		Warnings: []quality.Warning{quality.WarningLowMOS, quality.WarningHighLoss},
		Summary:  quality.Summary{Seconds: 12, MOS: 3.9, LossPct: 2.5, Warnings: []quality.Warning{quality.WarningLowMOS, quality.WarningHighLoss}}}
	c.setQuality(lossy)
	u := r.waitUpdate(t, "the warnings", func(u Update) bool { return len(callQuality(u.View, c.id).Warnings) == 2 })
	assert.Equal(t, lossy, callQuality(u.View, c.id))

	require.NoError(t, r.desk.Hangup(ctx, c.id))
	r.waitUpdate(t, "the history", func(u Update) bool { return u.HistoryChanged })
	list := r.history.list()
	require.Len(t, list, 1)
	require.NotNil(t, list[0].Quality, "the history keeps the call's quality")
	assert.Equal(t, lossy.Summary, *list[0].Quality)
}

func TestVisiblyDifferent(t *testing.T) {
	base := quality.Report{Level: quality.LevelGood, Last: quality.Second{MOS: 4.41}}
	tests := []struct {
		name string
		b    quality.Report
		want bool
	}{
		{"the same", base, false},
		{"a MOS within the same tenth", quality.Report{Level: quality.LevelGood, Last: quality.Second{MOS: 4.43, LossPct: 0.5}}, false},
		{"a MOS a tenth lower", quality.Report{Level: quality.LevelGood, Last: quality.Second{MOS: 4.3}}, true},
		{"another level", quality.Report{Level: quality.LevelFair, Last: quality.Second{MOS: 4.41}}, true},
		{"a warning", quality.Report{Level: quality.LevelGood, Last: quality.Second{MOS: 4.41}, Warnings: []quality.Warning{quality.WarningSilentMic}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, visiblyDifferent(base, tt.b)) })
	}
}

func TestNoQualityNoHistorySummary(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, Settings{})
	c := r.phone.incoming("sip:carol@test")
	require.NoError(t, r.desk.Answer(ctx, c.id))
	require.NoError(t, r.desk.Hangup(ctx, c.id))
	r.waitUpdate(t, "the history", func(u Update) bool { return u.HistoryChanged })
	require.Len(t, r.history.list(), 1)
	assert.Nil(t, r.history.list()[0].Quality, "a call with no media rated has no summary")
}
