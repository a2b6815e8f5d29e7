package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/vnetsim/vnetsim/reports"
	"github.com/vnetsim/vnetsim/scenarios"
	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/topology"
)

// diffFormats are the formats diff renders.
var diffFormats = []string{"text", "json", "markdown", "sarif"}

// diffOptions are diff's flags, typed.
type diffOptions struct {
	before, after string
	format        string
	failOnLost    bool
	emitScenario  string
	force         bool
	color         bool
	sim           sim.DiffOptions
}

// diffCommand is `vnetsim diff BEFORE AFTER`: the pre-change review.
func diffCommand() *cli.Command {
	return &cli.Command{
		Name:      "diff",
		Usage:     "pre-change review: changes, forbidden edits, a safe plan, reachability gained and lost",
		ArgsUsage: "BEFORE AFTER",
		Description: "Compares two topology files of one estate. Exits 1 when the after-file needs an edit the\n" +
			"platform refuses or introduces validation errors (or, with --fail-on-lost, loses reachability),\n" +
			"2 when it cannot run.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "text", Usage: "output format: " + strings.Join(diffFormats, ", ")},
			&cli.BoolFlag{Name: "fail-on-lost", Usage: "exit 1 when any subnet pair loses reachability"},
			&cli.StringFlag{Name: "emit-scenario", Usage: "write the plan as a runnable scenario `FILE`"},
			&cli.BoolFlag{Name: "force", Usage: "let --emit-scenario overwrite an existing file"},
			&cli.StringFlag{Name: "protocol", Value: "All", Usage: "reachability header space: TCP, UDP, ICMP or All"},
			&cli.UintFlag{Name: "port", Usage: "reachability destination port (TCP/UDP); default every port"},
			&cli.BoolFlag{Name: "no-impact", Usage: "skip each plan step's transient impact (faster on huge estates)"},
		},
		Action: func(c *cli.Context) error {
			opts, err := diffFlags(c)
			if err != nil {
				return cli.Exit("vnetsim diff: "+err.Error(), 2)
			}
			code, err := runDiff(c.App.Writer, c.App.ErrWriter, opts)
			if err != nil {
				return cli.Exit("vnetsim diff: "+err.Error(), code)
			}
			if code != 0 {
				return cli.Exit("", code)
			}
			return nil
		},
	}
}

// diffFlags turns flags into typed options, or says what is wrong with them.
func diffFlags(c *cli.Context) (diffOptions, error) {
	if c.NArg() != 2 {
		return diffOptions{}, fmt.Errorf("want two files, BEFORE and AFTER; got %d arguments", c.NArg())
	}
	o := diffOptions{
		before: c.Args().Get(0), after: c.Args().Get(1),
		format: c.String("format"), failOnLost: c.Bool("fail-on-lost"),
		emitScenario: c.String("emit-scenario"), force: c.Bool("force"),
		color: diffColor(c.App.Writer),
	}
	if !slices.Contains(diffFormats, o.format) {
		return o, fmt.Errorf("--format %q: want one of %s", o.format, strings.Join(diffFormats, ", "))
	}
	proto, err := topology.ParseProtocol(c.String("protocol"))
	if err != nil {
		return o, fmt.Errorf("--protocol: %w", err)
	}
	o.sim.Protocol, o.sim.NoImpact = proto, c.Bool("no-impact")
	if c.IsSet("port") {
		port := c.Uint("port")
		if port > 65535 || !proto.HasPorts() {
			return o, fmt.Errorf("--port %d: want 0-65535 with --protocol TCP or UDP", port)
		}
		o.sim.Ports = []topology.PortRange{{Lo: uint16(port), Hi: uint16(port)}}
	}
	if o.emitScenario != "" && (diffSameFile(o.emitScenario, o.before) || diffSameFile(o.emitScenario, o.after)) {
		return o, fmt.Errorf("--emit-scenario %s would overwrite an input file", o.emitScenario)
	}
	return o, nil
}

// runDiff loads both files, diffs them, renders the result and writes the
// scenario, returning the exit code: 0, 1 for violations (or lost
// reachability with failOnLost) or files that do not load, 2 with an error
// when it cannot run.
func runDiff(stdout, stderr io.Writer, o diffOptions) (int, error) {
	before, ok, err := loadDiffInput(stderr, o.before)
	if err != nil {
		return 2, err
	}
	after, ok2, err := loadDiffInput(stderr, o.after)
	if err != nil {
		return 2, err
	}
	if !ok || !ok2 {
		return 1, nil // the loader's diagnostics are on stderr
	}
	res, err := sim.Diff(before, after, o.sim)
	if err != nil {
		return 2, err
	}
	if err := renderDiff(stdout, res, o); err != nil {
		return 2, err
	}
	if o.emitScenario != "" {
		if err := emitScenario(stderr, res, o); err != nil {
			return 2, err
		}
	}
	if res.Failed(o.failOnLost) {
		return 1, nil
	}
	return 0, nil
}

// loadDiffInput reads and checks one file. A file that does not load gets
// its diagnostics on stderr and ok false; an unreadable one is an error.
func loadDiffInput(stderr io.Writer, path string) (in sim.DiffInput, ok bool, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return in, false, fmt.Errorf("read %s: %w", path, err)
	}
	n, sm, ds := topology.Check(path, data)
	if n == nil {
		if err := reports.ValidateText(stderr, []reports.File{{Path: path, Source: data, Diagnostics: ds}}, reports.Options{}); err != nil {
			return in, false, err
		}
		return in, false, nil
	}
	return sim.DiffInput{Network: n, Source: sm, Diagnostics: ds}, true, nil
}

func renderDiff(w io.Writer, res *sim.DiffResult, o diffOptions) error {
	switch o.format {
	case "json":
		return reports.DiffJSON(w, res, o.failOnLost)
	case "markdown":
		return reports.DiffMarkdown(w, res, o.failOnLost)
	case "sarif":
		return reports.DiffSARIF(w, res)
	}
	return reports.DiffText(w, res, reports.DiffOptions{Options: reports.Options{Color: o.color}, FailOnLost: o.failOnLost})
}

// emitScenario writes the plan as a scenario whose topology is the
// before-file, one step per event, and a last step that expects the
// after-file's reachability and peering states. It refuses to write a plan
// that is not verified, since its scenario would fail.
func emitScenario(stderr io.Writer, res *sim.DiffResult, o diffOptions) error {
	if !res.Plan.Verified {
		fmt.Fprintf(stderr, "vnetsim diff: not writing %s: the plan is not verified (%s)\n", o.emitScenario, strings.Join(res.Plan.Problems, "; "))
		return nil
	}
	if len(res.Plan.Unplanned) > 0 {
		fmt.Fprintf(stderr, "vnetsim diff: %s: %d changes are not expressible as events; the scenario's last step may fail until they are made\n", o.emitScenario, len(res.Plan.Unplanned))
	}
	topo, err := diffRelativeTo(filepath.Dir(o.emitScenario), o.before)
	if err != nil {
		return err
	}
	sc := planScenario(res, topo)
	data, err := scenarios.Encode(sc)
	if err != nil {
		return fmt.Errorf("encode scenario: %w", err)
	}
	return diffWriteAtomic(o.emitScenario, data, o.force)
}

// planScenario builds the scenario of a verified plan. topologyPath is the
// before-file relative to the scenario file.
func planScenario(res *sim.DiffResult, topologyPath string) *scenarios.Scenario {
	sc := &scenarios.Scenario{
		Name: fmt.Sprintf("apply %s to %s", filepath.Base(res.After), filepath.Base(res.Before)),
		Description: fmt.Sprintf("Generated by vnetsim diff: the plan that turns %s into %s one accepted event at a time, "+
			"then the after-file's reachability and peering states.", res.Before, res.After),
		TopologyPath: topologyPath,
	}
	for i, s := range res.Plan.Steps {
		sc.Steps = append(sc.Steps, scenarios.Step{
			Name: fmt.Sprintf("%d. %s", i+1, s.Why),
			Do:   []scenarios.Do{{Event: s.Event}},
		})
	}
	last := scenarios.Step{Name: "the after-file's reachability and peerings"}
	if res.Expect.Sampled {
		last.Name += fmt.Sprintf(" (%d sampled subnet pairs)", len(res.Expect.Reach))
	}
	for _, p := range res.Expect.Peerings {
		last.Expect = append(last.Expect, scenarios.Check{Expectation: scenarios.PeeringExpectation{
			Peering: sim.PeeringRef{VNet: p.VNet, Name: p.Name}, State: p.State, SyncLevel: p.SyncLevel,
		}})
	}
	for _, p := range res.Expect.Reach {
		last.Expect = append(last.Expect, scenarios.Check{Expectation: scenarios.ReachExpectation{From: p.From, To: p.To, Result: p.Result}})
	}
	if res.Expect.Valid {
		last.Expect = append(last.Expect, scenarios.Check{Expectation: scenarios.ValidExpectation{}})
	}
	sc.Steps = append(sc.Steps, last)
	return sc
}

// diffRelativeTo returns target relative to dir, or target made absolute when
// no relative path exists.
func diffRelativeTo(dir, target string) (string, error) {
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("scenario directory: %w", err)
	}
	absTarget, err := filepath.Abs(target)
	if err != nil {
		return "", fmt.Errorf("topology path: %w", err)
	}
	if rel, err := filepath.Rel(absDir, absTarget); err == nil {
		return filepath.ToSlash(rel), nil
	}
	return absTarget, nil
}

// diffWriteAtomic writes data to path through a temporary file in the same
// directory and a rename, so a reader never sees half a file. It refuses
// to replace an existing file unless force is set.
func diffWriteAtomic(path string, data []byte, force bool) error {
	if _, err := os.Stat(path); err == nil && !force {
		return fmt.Errorf("%s exists; use --force to overwrite it", path)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// diffSameFile reports whether a and b name the same existing file.
func diffSameFile(a, b string) bool {
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
}

// diffColor reports whether w is a terminal and NO_COLOR is unset.
func diffColor(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
