package tray

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"math"
)

// iconSize is the side of the icon in pixels: trays scale it to their own size.
const iconSize = 32

// colours of the lights.
var lightColours = map[Light]color.NRGBA{
	LightUnknown: {0x8a, 0x93, 0x9e, 0xff},
	LightOff:     {0x8a, 0x93, 0x9e, 0xff},
	LightReady:   {0x1e, 0xa0, 0x4b, 0xff},
	LightPaused:  {0xe0, 0x9b, 0x12, 0xff},
	LightCall:    {0x1f, 0x6f, 0xd6, 0xff},
	LightProblem: {0xd1, 0x34, 0x38, 0xff},
}

// IconPNG draws the tray icon of a light: a disc in the light's colour with a white ring (so that it
// stands out on dark and light panels) and a white handset mark, as a PNG.
func IconPNG(l Light) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, iconSize, iconSize))
	fill := lightColours[l]
	const samples = 4 // per axis, for smooth edges
	c := float64(iconSize) / 2
	for y := 0; y < iconSize; y++ {
		for x := 0; x < iconSize; x++ {
			var disc, ring, mark int
			for sy := 0; sy < samples; sy++ {
				for sx := 0; sx < samples; sx++ {
					px := float64(x) + (float64(sx)+0.5)/samples
					py := float64(y) + (float64(sy)+0.5)/samples
					d := math.Hypot(px-c, py-c)
					switch {
					case d > c:
					case d > c-2.5:
						ring++
					case handset(px/iconSize, py/iconSize):
						mark++
					default:
						disc++
					}
				}
			}
			n := samples * samples
			if disc+ring+mark == 0 {
				continue
			}
			white := ring + mark
			r := (int(fill.R)*disc + 255*white) / (disc + white)
			g := (int(fill.G)*disc + 255*white) / (disc + white)
			b := (int(fill.B)*disc + 255*white) / (disc + white)
			a := 255 * (disc + white) / n
			img.SetNRGBA(x, y, color.NRGBA{uint8(r), uint8(g), uint8(b), uint8(a)})
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img) // writing to memory cannot fail
	return buf.Bytes()
}

// handset says whether the point (u, v) of the unit square lies on the handset mark: two ear pieces
// joined by a bar, slanted like the usual telephone sign.
func handset(u, v float64) bool {
	// Rotate by 45° around the centre, then test three rectangles.
	x, y := u-0.5, v-0.5
	rx, ry := (x+y)*math.Sqrt2/2, (y-x)*math.Sqrt2/2
	switch {
	case math.Abs(ry) < 0.07 && math.Abs(rx) < 0.24: // the bar
		return true
	case math.Abs(rx-0.2) < 0.08 && ry > -0.07 && ry < 0.12: // one ear piece
		return true
	case math.Abs(rx+0.2) < 0.08 && ry > -0.07 && ry < 0.12: // the other
		return true
	}
	return false
}

// IconICO wraps IconPNG in an ICO file (one PNG-compressed image, which Windows reads since Vista):
// the Windows notification area loads icons from ICO files only.
func IconICO(l Light) []byte {
	p := IconPNG(l)
	var buf bytes.Buffer
	w := func(v any) { _ = binary.Write(&buf, binary.LittleEndian, v) }
	w(uint16(0))       // reserved
	w(uint16(1))       // type: icon
	w(uint16(1))       // one image
	w(uint8(iconSize)) // width
	w(uint8(iconSize)) // height
	w(uint8(0))        // no palette
	w(uint8(0))        // reserved
	w(uint16(1))       // colour planes
	w(uint16(32))      // bits per pixel
	w(uint32(len(p)))  // size of the image
	w(uint32(6 + 16))  // where it starts: after this header and the one entry
	buf.Write(p)
	return buf.Bytes()
}
