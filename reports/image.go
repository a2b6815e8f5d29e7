package reports

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"io"
	"regexp"

	"github.com/goccy/go-graphviz"

	"github.com/vnetsim/vnetsim/internal/gvcache"
	"github.com/vnetsim/vnetsim/topology"
)

// go-graphviz has initialised (this package imports it) and has its
// compiled code from the private cache internal/gvcache pointed it at:
// give the process its own TMPDIR back.
func init() { gvcache.Restore() }

// ImageFormat is an output format graphviz lays out: svg or png.
type ImageFormat string

// Image formats.
const (
	SVG ImageFormat = "svg"
	PNG ImageFormat = "png"
)

// RenderImage lays out DOT text with graphviz (compiled to WebAssembly and
// run by wazero, so no graphviz install is needed) and writes it as an
// image. Each call uses its own graphviz instance and closes it, so renders
// share no state. A PNG is the SVG drawn by rasterize (see there for why).
func RenderImage(ctx context.Context, w io.Writer, dotText []byte, format ImageFormat) error {
	if format != SVG && format != PNG {
		return fmt.Errorf("render: unknown image format %q (want svg or png)", format)
	}
	svg, err := layoutSVG(ctx, dotText)
	if err != nil {
		return fmt.Errorf("render %s: %w", format, err)
	}
	out := svg
	if format == PNG {
		img, err := rasterize(svg, pngScale)
		if err != nil {
			return fmt.Errorf("render png: %w", err)
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			return fmt.Errorf("render png: %w", err)
		}
		out = buf.Bytes()
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("render %s: %w", format, err)
	}
	return nil
}

// RenderDiagram draws n as RenderImage does the DOT that DOT writes, after
// checking that the diagram, folded as opt says, has at most MaxLayoutSize
// nodes and edges: graphviz lays out a larger one in unbounded time and
// memory, or dies. Only FoldAbove < 0 (never fold) can ask for one.
func RenderDiagram(ctx context.Context, w io.Writer, n *topology.Network, opt DiagramOptions, format ImageFormat) error {
	if n == nil {
		return errNothing("network")
	}
	b := buildDiagram(n, opt)
	if size := b.size(); size > MaxLayoutSize {
		return fmt.Errorf("the diagram has %d nodes and edges, more than the %d graphviz lays out in bounded memory: "+
			"let it fold (leave out --fold-above -1), or write --format dot or json and lay it out elsewhere", size, MaxLayoutSize)
	}
	var dotText bytes.Buffer
	if err := marshalDOT(&dotText, b.top); err != nil {
		return err
	}
	return RenderImage(ctx, w, dotText.Bytes(), format)
}

// layoutSVG runs graphviz's dot layout and returns the SVG without
// graphviz's comments.
func layoutSVG(ctx context.Context, dotText []byte) ([]byte, error) {
	gv, err := graphviz.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("start graphviz: %w", err)
	}
	// Close frees the instance; its error is not ours to report: graphviz
	// returns the count of every error its WebAssembly module has logged,
	// including parse errors of earlier, unrelated renders.
	defer func() { _ = gv.Close() }()
	g, err := graphviz.ParseBytes(dotText)
	if err != nil {
		return nil, fmt.Errorf("parse dot: %w", err)
	}
	defer g.Close()
	var buf bytes.Buffer
	if err := gv.Render(ctx, g, graphviz.SVG, &buf); err != nil {
		return nil, err
	}
	return stripSVGComments(buf.Bytes()), nil
}

// svgComment matches the comments graphviz writes (its version, the graph
// and node names), which add nothing to the picture.
var svgComment = regexp.MustCompile(`(?s)<!--.*?-->\n?`)

// stripSVGComments drops graphviz's comments, which name its version and
// would change the output with every graphviz upgrade.
func stripSVGComments(svg []byte) []byte { return svgComment.ReplaceAll(svg, nil) }
