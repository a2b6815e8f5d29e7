package main

import (
	"bytes"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/vnetsim/vnetsim/internal/fileio"
	"github.com/vnetsim/vnetsim/reports"
	"github.com/vnetsim/vnetsim/scenarios"
	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/importer"
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
			for _, p := range paths {
				files(c).Input(p)
			}
			res, err := scenarios.RunFiles(c.Context, paths, scenarios.Options{Clock: time.Now, ReadFile: readTracked(c)})
			stop()
			if err != nil {
				return usageError("%v", err)
			}
			return renderRun(c, res)
		},
	}
}

// readTracked reads the files of a run, recording each as an input first,
// so that no output replaces a scenario or the topology it names, even
// one that fails to load.
func readTracked(c *cli.Context) scenarios.ReadFunc {
	return func(name string) ([]byte, error) {
		files(c).Input(name)
		return fileio.ReadFile(name, importer.MaxFileSize) // a scenario's topology may be an export
	}
}

// renderRun writes a run in the chosen format and exits 1 when a scenario
// failed.
func renderRun(c *cli.Context, res *scenarios.Result) error {
	f := c.String("format")
	err := emit(c, func(w io.Writer) error {
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
			return reports.RunHTML(w, res, diagrams(c, res))
		}
		opt := reports.Options{}
		if toStdout(c) {
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
func diagrams(c *cli.Context, res *scenarios.Result) [][]byte {
	out := make([][]byte, len(res.Scenarios))
	for i, sc := range res.Scenarios {
		n := scenarioTopology(sc.Path)
		if n == nil {
			continue
		}
		var dot, svg bytes.Buffer
		if reports.DOT(&dot, n, reports.DiagramOptions{}) != nil ||
			reports.RenderImage(c.Context, &svg, dot.Bytes(), reports.SVG) != nil {
			continue
		}
		out[i] = svg.Bytes()
	}
	return out
}

// scenarioTopology re-reads a scenario (a file, or "lab:NAME" for a
// built-in lab) for the network its first step starts from.
func scenarioTopology(path string) *topology.Network {
	var sc *scenarios.Scenario
	if name, ok := strings.CutPrefix(path, "lab:"); ok {
		name, _, _ = strings.Cut(name, "/")
		sc, _ = scenarios.LoadLab(name)
	} else {
		sc, _ = scenarios.ParseFile(path) // read by the run already, so an input

	}
	if sc == nil {
		return nil
	}
	return sc.Topology
}
