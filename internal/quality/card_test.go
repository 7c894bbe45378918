package quality

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestReportCard(t *testing.T) {
	assert.Equal(t, Card{Level: "unknown", Warnings: []string{}, Codes: []string{}}, Report{}.Card(), "nothing measured yet")

	r := Report{
		Last:     Second{MOS: 3.2, LossPct: 0.5, RemoteLossPct: 4, JitterMs: 35, RemoteJitterMs: 12, RTTMs: 80},
		Level:    LevelPoor,
		Warnings: []Warning{WarningHighLoss, WarningHighJitter},
	}
	c := r.Card()
	assert.Equal(t, "poor", c.Level)
	assert.Equal(t, 3.2, c.MOS)
	assert.Equal(t, 4.0, c.LossPct, "the worse direction's loss")
	assert.Equal(t, 35.0, c.JitterMs, "the worse direction's jitter")
	assert.Equal(t, 80.0, c.RTTMs)
	assert.Equal(t, []string{WarningHighLoss.Text(), WarningHighJitter.Text()}, c.Warnings)
	assert.NotContains(t, c.Warnings, "", "every warning in words")
	assert.Equal(t, []string{"high_loss", "high_jitter"}, c.Codes, "each warning's name, in the same order")
}
