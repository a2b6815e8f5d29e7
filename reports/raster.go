package reports

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image"
	"io"
	"strconv"
	"strings"

	"github.com/fogleman/gg"
	"github.com/golang/freetype/truetype"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
)

// PNGs are drawn from graphviz's SVG rather than by go-graphviz's own PNG
// renderer, which (v0.2.10) strokes nothing: node outlines, edges and
// cluster boxes come out invisible or as filled blobs. graphviz's SVG uses
// a small vocabulary (polygon, ellipse, polyline, path with M and C, text
// with an anchor), which rasterize draws with fogleman/gg and the Go fonts,
// so the picture matches the SVG and is the same on every machine.

// pngScale is pixels per SVG point.
const pngScale = 1.5

// svgState is the drawing state of rasterize: the graph's transform.
type svgState struct {
	dc         *gg.Context
	tx, ty     float64 // the graph group's translate
	scale      float64
	faces      map[float64]font.Face
	fnt        *truetype.Font
	inText     bool
	textAttrs  []xml.Attr
	textBuffer strings.Builder
}

// rasterize draws a graphviz SVG document as an image.
func rasterize(svg []byte, scale float64) (image.Image, error) {
	fnt, err := truetype.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("load font: %w", err)
	}
	st := &svgState{scale: scale, faces: map[float64]font.Face{}, fnt: fnt}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	dec.Strict = false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read svg: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := st.start(t); err != nil {
				return nil, err
			}
		case xml.CharData:
			if st.inText {
				st.textBuffer.Write(t)
			}
		case xml.EndElement:
			if t.Name.Local == "text" && st.inText {
				st.text()
			}
		}
	}
	if st.dc == nil {
		return nil, fmt.Errorf("read svg: no <svg> element")
	}
	return st.dc.Image(), nil
}

func attr(attrs []xml.Attr, name string) string {
	for _, a := range attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func num(s string) float64 {
	f, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "pt"), 64)
	return f
}

// xy maps an SVG point of the graph group to a pixel.
func (st *svgState) xy(x, y float64) (float64, float64) {
	return (x + st.tx) * st.scale, (y + st.ty) * st.scale
}

func (st *svgState) start(e xml.StartElement) error {
	a := e.Attr
	switch e.Name.Local {
	case "svg":
		w, h := num(attr(a, "width")), num(attr(a, "height"))
		if w <= 0 || h <= 0 || w*h*st.scale*st.scale > 20000*20000 {
			return fmt.Errorf("read svg: unusable size %vx%v", w, h)
		}
		st.dc = gg.NewContext(int(w*st.scale+0.5), int(h*st.scale+0.5))
		st.dc.SetRGB(1, 1, 1)
		st.dc.Clear()
	case "g":
		if attr(a, "class") == "graph" {
			st.transform(attr(a, "transform"))
		}
	case "polygon", "polyline":
		if st.dc == nil {
			return nil
		}
		pts := points(attr(a, "points"))
		if len(pts) == 0 {
			return nil
		}
		st.dc.NewSubPath()
		for i, p := range pts {
			x, y := st.xy(p[0], p[1])
			if i == 0 {
				st.dc.MoveTo(x, y)
			} else {
				st.dc.LineTo(x, y)
			}
		}
		if e.Name.Local == "polygon" {
			st.dc.ClosePath()
		}
		st.paint(a, e.Name.Local == "polygon")
	case "ellipse":
		if st.dc == nil {
			return nil
		}
		x, y := st.xy(num(attr(a, "cx")), num(attr(a, "cy")))
		st.dc.NewSubPath()
		st.dc.DrawEllipse(x, y, num(attr(a, "rx"))*st.scale, num(attr(a, "ry"))*st.scale)
		st.paint(a, true)
	case "path":
		if st.dc == nil {
			return nil
		}
		st.path(attr(a, "d"))
		st.paint(a, true)
	case "text":
		st.inText = true
		st.textAttrs = a
		st.textBuffer.Reset()
	}
	return nil
}

// transform reads graphviz's "scale(s s) rotate(0) translate(x y)".
func (st *svgState) transform(t string) {
	if i := strings.Index(t, "scale("); i >= 0 {
		f := strings.Fields(strings.ReplaceAll(t[i+6:strings.Index(t[i:], ")")+i], ",", " "))
		if len(f) > 0 && num(f[0]) > 0 {
			st.scale *= num(f[0])
		}
	}
	if i := strings.Index(t, "translate("); i >= 0 {
		f := strings.Fields(strings.ReplaceAll(t[i+10:strings.Index(t[i:], ")")+i], ",", " "))
		if len(f) == 2 {
			st.tx, st.ty = num(f[0]), num(f[1])
		}
	}
}

// points parses "x,y x,y …".
func points(s string) [][2]float64 {
	var out [][2]float64
	for _, p := range strings.Fields(s) {
		x, y, ok := strings.Cut(p, ",")
		if ok {
			out = append(out, [2]float64{num(x), num(y)})
		}
	}
	return out
}

// path draws graphviz's path data: M, C and L commands with absolute
// coordinates.
func (st *svgState) path(d string) {
	d = strings.NewReplacer(",", " ", "M", " M ", "C", " C ", "L", " L ", "Z", " Z ").Replace(d)
	f := strings.Fields(d)
	cmd := ""
	var nums []float64
	flush := func() {
		switch cmd {
		case "M":
			for i := 0; i+1 < len(nums); i += 2 {
				x, y := st.xy(nums[i], nums[i+1])
				if i == 0 {
					st.dc.NewSubPath()
					st.dc.MoveTo(x, y)
				} else {
					st.dc.LineTo(x, y)
				}
			}
		case "L":
			for i := 0; i+1 < len(nums); i += 2 {
				x, y := st.xy(nums[i], nums[i+1])
				st.dc.LineTo(x, y)
			}
		case "C":
			for i := 0; i+5 < len(nums); i += 6 {
				x1, y1 := st.xy(nums[i], nums[i+1])
				x2, y2 := st.xy(nums[i+2], nums[i+3])
				x3, y3 := st.xy(nums[i+4], nums[i+5])
				st.dc.CubicTo(x1, y1, x2, y2, x3, y3)
			}
		case "Z":
			st.dc.ClosePath()
		}
		nums = nums[:0]
	}
	for _, tok := range f {
		switch tok {
		case "M", "C", "L", "Z":
			flush()
			cmd = tok
			if tok == "Z" {
				flush()
			}
		default:
			nums = append(nums, num(tok))
		}
	}
	flush()
}

// paint fills then strokes the current path with the element's colours.
func (st *svgState) paint(a []xml.Attr, fillable bool) {
	dc := st.dc
	fill, stroke := attr(a, "fill"), attr(a, "stroke")
	if fill == "" && fillable {
		fill = "black"
	}
	if ok := setColor(dc, fill); ok && fillable {
		dc.FillPreserve()
	}
	if ok := setColor(dc, stroke); ok {
		w := 1.0
		if sw := attr(a, "stroke-width"); sw != "" {
			w = num(sw)
		}
		dc.SetLineWidth(w * st.scale)
		var dash []float64
		for _, d := range strings.FieldsFunc(attr(a, "stroke-dasharray"), func(r rune) bool { return r == ',' || r == ' ' }) {
			dash = append(dash, num(d)*st.scale)
		}
		dc.SetDash(dash...)
		dc.StrokePreserve()
	}
	dc.ClearPath()
}

// setColor sets a graphviz colour: #rrggbb, black, white, or none.
func setColor(dc *gg.Context, c string) bool {
	switch strings.ToLower(c) {
	case "", "none", "transparent":
		return false
	case "black":
		dc.SetRGB(0, 0, 0)
	case "white":
		dc.SetRGB(1, 1, 1)
	default:
		if !strings.HasPrefix(c, "#") {
			dc.SetRGB(0, 0, 0)
			return true
		}
		dc.SetHexColor(c)
	}
	return true
}

// text draws the text element just closed.
func (st *svgState) text() {
	st.inText = false
	if st.dc == nil {
		return
	}
	a := st.textAttrs
	size := num(attr(a, "font-size"))
	if size <= 0 {
		size = 14
	}
	face, ok := st.faces[size]
	if !ok {
		face = truetype.NewFace(st.fnt, &truetype.Options{Size: size * st.scale * 0.95, DPI: 72})
		st.faces[size] = face
	}
	st.dc.SetFontFace(face)
	if !setColor(st.dc, attr(a, "fill")) {
		st.dc.SetRGB(0, 0, 0)
	}
	ax := 0.0
	switch attr(a, "text-anchor") {
	case "middle":
		ax = 0.5
	case "end":
		ax = 1
	}
	x, y := st.xy(num(attr(a, "x")), num(attr(a, "y")))
	st.dc.DrawStringAnchored(st.textBuffer.String(), x, y, ax, 0)
}
