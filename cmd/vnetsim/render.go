package main

import (
	"io"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/vnetsim/vnetsim/reports"
	"github.com/vnetsim/vnetsim/sim"
)

var renderFormats = []string{"dot", "svg", "png", "text", "json"}

// renderCommand is `vnetsim render FILE [-o OUT] [--format dot|svg|png] [--trace FROM,TO]`.
func renderCommand() *cli.Command {
	return &cli.Command{
		Name:      "render",
		Usage:     "draw the topology as DOT, SVG or PNG, optionally with a packet's path",
		ArgsUsage: "FILE",
		Description: "--format defaults to the extension of -o (.svg, .png, .dot), else dot; text is DOT too, and json\n" +
			"lists the diagram's nodes and edges. --trace FROM,TO overlays the packet's path and where it was dropped.",
		Flags: append(append([]cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: formatUsage + strings.Join(renderFormats, ", ")},
			&cli.StringFlag{Name: "trace", Usage: "overlay the path of a packet from `FROM,TO`"},
			&cli.IntFlag{Name: "fold-above", Value: reports.DefaultFoldAbove, Usage: "fold each hub's spokes into one node above this many VNets; -1 never"},
		}, flowFlags()...), outputFlags("the diagram")...),
		Action: func(c *cli.Context) error {
			f := c.String("format")
			if f == "" {
				f = strings.TrimPrefix(filepath.Ext(c.String("output")), ".")
				if f != "svg" && f != "png" {
					f = "dot"
				}
			}
			if err := c.Set("format", f); err != nil {
				return usageError("render: %v", err)
			}
			_, path, err := formatAndFile(c, renderFormats...)
			if err != nil {
				return err
			}
			if f == "png" && toStdout(c) && isTerminal(c.App.Writer) {
				return usageError("render: a PNG is binary; write it with -o FILE.png")
			}
			n, err := loadForAnalysis(c, path)
			if err != nil {
				return err
			}
			opt := reports.DiagramOptions{FoldAbove: c.Int("fold-above")}
			if spec := c.String("trace"); spec != "" {
				from, to, err := sim.SplitEndpoints(spec)
				if err != nil {
					return usageError("render: --trace: %v", err)
				}
				proto, port, err := flowOptions(c)
				if err != nil {
					return err
				}
				e := sim.New(n)
				flow, err := e.NewFlow(from, to, proto, port)
				if err != nil {
					return usageError("render: --trace: %v", err)
				}
				t := e.Trace(flow)
				opt.Trace = &t
			}
			return emit(c, func(w io.Writer) error {
				switch f {
				case "json":
					return reports.DiagramJSON(w, n, opt)
				case "svg", "png":
					stop := progress(c.App.ErrWriter, "laying out the diagram")
					defer stop()
					return reports.RenderDiagram(c.Context, w, n, opt, reports.ImageFormat(f))
				}
				return reports.DOT(w, n, opt)
			})
		},
	}
}
