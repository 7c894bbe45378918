package omni

// Rect is a window's or a screen's place and size in logical pixels.
type Rect struct {
	X int `json:"x"`
	Y int `json:"y"`
	W int `json:"w"`
	H int `json:"h"`
}

// Place is where the Phonebar's bar sits on its screen when it opens the Omni Desktop, so that the
// Omni Desktop opens beside the bar instead of on top of it.
type Place struct {
	Bar    Rect `json:"bar"`
	Screen Rect `json:"screen"`
}

// The Omni Desktop window's size when nothing limits it, and the narrowest it may be.
const (
	WindowWidth    = 1200
	WindowHeight   = 820
	WindowMinWidth = 640
)

// besideGap is the room left between the bar and the Omni Desktop for the window frames.
const besideGap = 8

// Beside is where the Omni Desktop opens next to the bar: on the bar's right where that leaves it
// WindowMinWidth or more, else on its left, as wide as the room allows up to WindowWidth and as
// tall as the screen allows up to WindowHeight, level with the bar. ok is false when neither side
// has the room (a small screen): the window then opens where the system puts it.
func (p Place) Beside() (r Rect, ok bool) {
	s, b := p.Screen, p.Bar
	if s.W <= 0 || s.H <= 0 || b.W <= 0 || b.H <= 0 {
		return Rect{}, false
	}
	r.H = min(WindowHeight, s.H)
	r.Y = max(s.Y, min(b.Y, s.Y+s.H-r.H))
	right := s.X + s.W - (b.X + b.W + besideGap)
	left := b.X - besideGap - s.X
	switch {
	case right >= WindowMinWidth:
		r.W = min(WindowWidth, right)
		r.X = b.X + b.W + besideGap
	case left >= WindowMinWidth:
		r.W = min(WindowWidth, left)
		r.X = b.X - besideGap - r.W
	default:
		return Rect{}, false
	}
	return r, true
}
