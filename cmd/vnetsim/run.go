package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/vnetsim/vnetsim/reports"
	"github.com/vnetsim/vnetsim/scenarios"
	"github.com/vnetsim/vnetsim/topology"
)

var runFormats = []string{"text", "json", "junit", "markdown", "html", "sarif"}

// runFlags are shared by run and lab run.
func runFlags() []cli.Flag {
	return append([]cli.Flag{formatFlag(runFormats...)}, outputFlags("the report")...)
}

// runCommand is `vnetsim run SCENARIO...`.
func runCommand() *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "run scenario files or folders of them; exit 1 when an expectation fails",
		ArgsUsage: "SCENARIO...",
		Flags:     runFlags(),
		Action: func(c *cli.Context) error {
			if _, err := format(c, runFormats...); err != nil {
				return err
			}
			if c.NArg() == 0 {
				return usageError("run: name at least one scenario file or folder")
			}
			paths := c.Args().Slice()
			stop := progress(c.App.ErrWriter, "running scenarios")
			res, err := scenarios.RunFiles(c.Context, paths, scenarios.Options{Clock: time.Now})
			stop()
			if err != nil {
				return usageError("%v", err)
			}
			return renderRun(c, res, paths)
		},
	}
}

// renderRun writes a run in the chosen format and exits 1 when a scenario
// failed.
func renderRun(c *cli.Context, res *scenarios.Result, inputs []string) error {
	f := c.String("format")
	if c.String("output") != "" {
		inputs = append(inputs, scenarioInputs(res)...)
	}
	err := emit(c, inputs, func(w io.Writer) error {
		switch f {
		case "json":
			return reports.RunJSON(w, res)
		case "junit":
			return reports.RunJUnit(w, res)
		case "markdown":
			return reports.RunMarkdown(w, res)
		case "sarif":
			return reports.RunSARIF(w, res)
		case "html":
			return reports.RunHTML(w, res, diagrams(c.Context, res))
		}
		opt := reports.Options{}
		if c.String("output") == "" {
			opt = textOptions(c, w)
		}
		return reports.RunText(w, res, opt)
	})
	if err != nil {
		return err
	}
	if !res.Passed() {
		return failed()
	}
	return nil
}

// diagrams draws each scenario's starting topology as SVG for the HTML
// report; a scenario whose topology cannot be found or drawn gets none.
func diagrams(ctx context.Context, res *scenarios.Result) [][]byte {
	out := make([][]byte, len(res.Scenarios))
	for i, sc := range res.Scenarios {
		n := scenarioTopology(sc.Path)
		if n == nil {
			continue
		}
		var dot, svg bytes.Buffer
		if reports.DOT(&dot, n, reports.DiagramOptions{}) != nil ||
			reports.RenderImage(ctx, &svg, dot.Bytes(), reports.SVG) != nil {
			continue
		}
		out[i] = svg.Bytes()
	}
	return out
}

// scenarioTopology re-reads a scenario (a file, or "lab:NAME…" for a
// built-in lab) for the network its first step starts from.
func scenarioTopology(path string) *topology.Network {
	var sc *scenarios.Scenario
	if name, ok := strings.CutPrefix(path, "lab:"); ok {
		name, _, _ = strings.Cut(name, "/")
		sc, _ = scenarios.LoadLab(name)
	} else {
		sc, _ = scenarios.ParseFile(path)
	}
	if sc == nil {
		return nil
	}
	return sc.Topology
}

// scenarioInputs returns the files a run read: each scenario file and the
// topology file it names, so that -o can never replace one of them.
func scenarioInputs(res *scenarios.Result) []string {
	var out []string
	for _, r := range res.Scenarios {
		if strings.HasPrefix(r.Path, "lab:") {
			continue
		}
		out = append(out, r.Path)
		if sc, _ := scenarios.ParseFile(r.Path); sc != nil && sc.TopologyPath != "" {
			out = append(out, filepath.Join(filepath.Dir(r.Path), sc.TopologyPath))
		}
	}
	return out
}
