package omni

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBeside(t *testing.T) {
	screen := Rect{W: 1920, H: 1080}
	for _, c := range []struct {
		name string
		p    Place
		want Rect
		ok   bool
	}{
		{"room on the right: full size, level with the bar", Place{Bar: Rect{X: 20, Y: 40, W: 400, H: 660}, Screen: screen},
			Rect{X: 428, Y: 40, W: 1200, H: 820}, true},
		{"bar near the right edge: on its left", Place{Bar: Rect{X: 1500, Y: 0, W: 400, H: 660}, Screen: screen},
			Rect{X: 292, Y: 0, W: 1200, H: 820}, true},
		{"narrower room on the right: as wide as it allows", Place{Bar: Rect{X: 0, Y: 0, W: 400, H: 660}, Screen: Rect{W: 1280, H: 900}},
			Rect{X: 408, Y: 0, W: 872, H: 820}, true},
		{"low bar: the window stays on the screen", Place{Bar: Rect{X: 0, Y: 500, W: 400, H: 500}, Screen: screen},
			Rect{X: 408, Y: 260, W: 1200, H: 820}, true},
		{"short screen: as tall as the screen", Place{Bar: Rect{X: 0, Y: 0, W: 400, H: 600}, Screen: Rect{W: 1366, H: 700}},
			Rect{X: 408, Y: 0, W: 958, H: 700}, true},
		{"second monitor's origin is kept", Place{Bar: Rect{X: 1930, Y: 10, W: 400, H: 660}, Screen: Rect{X: 1920, W: 1920, H: 1080}},
			Rect{X: 2338, Y: 10, W: 1200, H: 820}, true},
		{"no room on either side", Place{Bar: Rect{X: 300, Y: 0, W: 400, H: 660}, Screen: Rect{W: 1024, H: 768}}, Rect{}, false},
		{"unknown screen", Place{Bar: Rect{W: 400, H: 660}}, Rect{}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, ok := c.p.Beside()
			assert.Equal(t, c.ok, ok)
			assert.Equal(t, c.want, r)
		})
	}
}
