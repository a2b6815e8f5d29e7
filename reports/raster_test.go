package reports

import (
	"image"
	"testing"
)

func dark(img image.Image, x, y int) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	return r+g+b < 3*0x8000
}

// rasterize strokes outlines and edges and leaves unfilled shapes empty,
// which go-graphviz's PNG renderer does not.
func TestRasterize(t *testing.T) {
	svg := []byte(`<?xml version="1.0"?>
<svg width="100pt" height="60pt" viewBox="0 0 100 60" xmlns="http://www.w3.org/2000/svg">
<g id="graph0" class="graph" transform="scale(1 1) rotate(0) translate(0 60)">
<polygon fill="white" stroke="none" points="0,0 0,-60 100,-60 100,0 0,0"/>
<polygon fill="none" stroke="black" stroke-width="2" points="10,-10 10,-50 40,-50 40,-10 10,-10"/>
<path fill="none" stroke="#c00000" stroke-width="2" d="M50,-30C60,-30 80,-30 90,-30"/>
<text text-anchor="middle" x="70" y="-40" font-size="10.00">x</text>
</g>
</svg>`)
	img, err := rasterize(svg, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		x, y int
		dark bool
	}{
		{"box outline", 10, 30, true},
		{"box inside stays empty", 25, 30, false},
		{"edge stroked", 70, 30, true},
		{"beside the edge", 70, 20, false},
		{"background", 95, 55, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := dark(img, tc.x, tc.y); got != tc.dark {
				t.Errorf("pixel (%d,%d) dark = %v, want %v", tc.x, tc.y, got, tc.dark)
			}
		})
	}
	if _, err := rasterize([]byte("<html/>"), 1); err == nil {
		t.Error("a document without <svg> rasterized")
	}
}
