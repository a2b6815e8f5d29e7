package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/vnetsim/vnetsim/reports"
	"github.com/vnetsim/vnetsim/scenarios"
	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/sim/diff"
	"github.com/vnetsim/vnetsim/topology"
)

// diffFormats are the formats diff renders, the default first.
var diffFormats = []string{"text", "json", "markdown", "sarif"}

// diffOptions are diff's flags, typed.
type diffOptions struct {
	before, after string
	format        string
	failOnLost    bool
	emitScenario  string
	force         bool
	text          reports.Options
	sim           diff.Options
}

// diffCommand is `vnetsim diff BEFORE AFTER`: the pre-change review.
func diffCommand() *cli.Command {
	return &cli.Command{
		Name:      "diff",
		Usage:     "pre-change review: changes, forbidden edits, a safe plan, reachability gained and lost",
		ArgsUsage: "BEFORE AFTER",
		Description: "Compares two topology files of one estate. Exits 1 when the after-file needs an edit the\n" +
			"platform refuses or introduces validation errors (or, with --fail-on-lost, loses reachability),\n" +
			"2 when it cannot run. Reachability covers every protocol and port unless --protocol/--port narrow it.",
		Flags: []cli.Flag{
			formatFlag(diffFormats...),
			&cli.BoolFlag{Name: "fail-on-lost", Usage: "exit 1 when any subnet pair loses reachability"},
			&cli.StringFlag{Name: "emit-scenario", Usage: "write the plan as a runnable scenario `FILE`"},
			&cli.BoolFlag{Name: "force", Usage: "let --emit-scenario replace an existing file"},
			&cli.StringFlag{Name: "protocol", Value: "All", Usage: "reachability header space: TCP, UDP, ICMP or All"},
			&cli.Uint64Flag{Name: "port", Usage: "reachability destination port, 1-65535, with --protocol TCP or UDP", DefaultText: "every port"},
			&cli.BoolFlag{Name: "no-impact", Usage: "skip each plan step's transient impact (faster on huge estates)"},
		},
		Action: func(c *cli.Context) error {
			o, err := diffFlags(c)
			if err != nil {
				return err
			}
			return runDiff(c, o)
		},
	}
}

// diffFlags turns flags into typed options, or a usage error.
func diffFlags(c *cli.Context) (diffOptions, error) {
	if c.NArg() != 2 {
		return diffOptions{}, usageError("diff: want two files, BEFORE and AFTER; got %s", reports.Plural(c.NArg(), "argument"))
	}
	f, err := format(c, diffFormats...)
	if err != nil {
		return diffOptions{}, err
	}
	if err := stdinOnce(c, c.Args().Slice()); err != nil {
		return diffOptions{}, err
	}
	switch emit := c.String("emit-scenario"); {
	case emit == "-":
		return diffOptions{}, usageError("diff: --emit-scenario needs a file; standard output has the report")
	case emit != "" && c.Args().Get(0) == "-":
		return diffOptions{}, usageError("diff: --emit-scenario needs BEFORE in a file, which the scenario names; not standard input")
	}
	o := diffOptions{
		before: c.Args().Get(0), after: c.Args().Get(1), format: f,
		failOnLost: c.Bool("fail-on-lost"), emitScenario: c.String("emit-scenario"), force: c.Bool("force"),
		text: textOptions(c, c.App.Writer),
	}
	proto, err := topology.ParseProtocol(c.String("protocol"))
	if err != nil {
		return o, usageError("diff: --protocol: %v", err)
	}
	o.sim.Protocol, o.sim.NoImpact = proto, c.Bool("no-impact")
	if c.IsSet("port") {
		if !c.IsSet("protocol") {
			return o, usageError("diff: --port needs --protocol TCP or UDP: diff compares every protocol unless told otherwise")
		}
		port, err := sim.CheckPort(proto, c.Uint64("port"), true)
		if err != nil {
			return o, usageError("diff: --port: %v", err)
		}
		o.sim.Ports = []topology.PortRange{{Lo: port, Hi: port}}
	}
	return o, nil
}

// runDiff loads both files, diffs them, renders the result and writes the
// scenario. It fails (exit 1) for violations, lost reachability with
// --fail-on-lost, or a file that does not load; it cannot run (exit 2)
// for an unreadable file, files on different platforms or a scenario it
// may not write.
func runDiff(c *cli.Context, o diffOptions) error {
	stderr := c.App.ErrWriter
	var in [2]diff.Input
	var broken []reports.File
	for i, path := range []string{o.before, o.after} {
		l, err := loadTopology(c, path)
		if err != nil {
			return err
		}
		if l.net == nil {
			broken = append(broken, l.file)
			continue
		}
		in[i] = diff.Input{Network: l.net, Source: l.src, Diagnostics: l.file.Diagnostics}
	}
	// Refuse a scenario target that may not be written before the report
	// is printed, so that exit 2 does not follow a whole report and hide
	// its verdict. The inputs are known by now, so an input is refused too.
	if o.emitScenario != "" {
		if err := files(c).Check(o.emitScenario, o.force); err != nil {
			return usageError("diff: --emit-scenario: %v", err)
		}
	}
	if len(broken) > 0 {
		if err := reports.ValidateText(stderr, broken, textOptions(c, stderr)); err != nil {
			return usageError("diff: %v", err)
		}
		return failed()
	}
	stop := progress(stderr, "diffing")
	res, err := diff.Compare(in[0], in[1], o.sim)
	stop()
	if err != nil {
		return usageError("%v", err)
	}
	if err := renderDiff(c.App.Writer, res, o); err != nil {
		return usageError("diff: %v", err)
	}
	if o.emitScenario != "" {
		if err := emitScenario(c, res, o); err != nil {
			// A failed diff keeps its verdict, exit 1; the scenario that
			// could not be made is said on stderr either way.
			if res.Failed(o.failOnLost) {
				fmt.Fprintf(stderr, "vnetsim: diff: %v\n", err)
				return failed()
			}
			return usageError("diff: %v", err)
		}
	}
	if res.Failed(o.failOnLost) {
		return failed()
	}
	return nil
}

func renderDiff(w io.Writer, res *diff.Result, o diffOptions) error {
	switch o.format {
	case "json":
		return reports.DiffJSON(w, res, o.failOnLost)
	case "markdown":
		return reports.DiffMarkdown(w, res, o.failOnLost)
	case "sarif":
		return reports.DiffSARIF(w, res)
	}
	return reports.DiffText(w, res, reports.DiffOptions{Options: o.text, FailOnLost: o.failOnLost})
}

// emitScenario writes the plan as a scenario whose topology is the
// before-file, one step per event, and a last step that expects the
// after-file's reachability and peering states. It refuses to write a plan
// that is not verified, since its scenario would fail: the output asked for
// cannot be made, which is exit 2 (docs/decisions.md).
func emitScenario(c *cli.Context, res *diff.Result, o diffOptions) error {
	stderr := c.App.ErrWriter
	if !res.Plan.Verified {
		return fmt.Errorf("--emit-scenario: %s not written: the plan is not verified, so its scenario would fail: %s",
			o.emitScenario, strings.Join(res.Plan.Problems, "; "))
	}
	if len(res.Plan.Unplanned) > 0 {
		fmt.Fprintf(stderr, "vnetsim: diff: %s: %s not expressible as events; the scenario's last step may fail until made out of band\n", o.emitScenario, reports.Plural(len(res.Plan.Unplanned), "change"))
	}
	sc, err := scenarios.FromPlan(res, o.emitScenario)
	if err != nil {
		return err
	}
	data, err := scenarios.Encode(sc)
	if err != nil {
		return fmt.Errorf("encode scenario: %w", err)
	}
	return files(c).Write(o.emitScenario, data, o.force)
}
