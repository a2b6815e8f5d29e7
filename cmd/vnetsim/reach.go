package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/vnetsim/vnetsim/reports"
	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/topology"
)

var reachFormats = []string{"text", "json", "csv"}

// maxListedPairs is the largest pair count reach lists one by one; above it
// the answer is a summary, since a 40,000-subnet estate has 1.6 billion pairs.
const maxListedPairs = 4_000_000

// reachCommand is `vnetsim reach FILE`.
func reachCommand() *cli.Command {
	return &cli.Command{
		Name:      "reach",
		Usage:     "reachability of every pair of VNets or subnets",
		ArgsUsage: "FILE",
		Description: "Each ordered pair is all (every packet of the protocol and port is delivered), some or none,\n" +
			"with the reason for an example drop. --summary prints counts and up to 100 examples only.",
		Flags: append([]cli.Flag{
			formatFlag(reachFormats...),
			&cli.StringFlag{Name: "level", Value: "vnet", Usage: "vnet or subnet"},
			&cli.BoolFlag{Name: "summary", Usage: "counts and examples only, for large estates"},
		}, flowFlags()...),
		Action: func(c *cli.Context) error {
			f, path, err := formatAndFile(c, reachFormats...)
			if err != nil {
				return err
			}
			level, err := sim.ParseLevel(c.String("level"))
			if err != nil {
				return usageError("reach: --level: %v", err)
			}
			proto, port, err := flowOptions(c)
			if err != nil {
				return err
			}
			n, err := loadForAnalysis(c, path)
			if err != nil {
				return err
			}
			opts := sim.ReachOptions{Level: level, Protocol: proto, Summary: c.Bool("summary"), MaxPairs: maxListedPairs}
			if proto.HasPorts() {
				opts.Ports = []topology.PortRange{{Lo: port, Hi: port}}
			}
			stop, update := progressMeter(c.App.ErrWriter, "computing reachability")
			opts.Progress = update
			r := sim.New(n).Reach(opts)
			stop()
			summary := opts.Summary || r.Summarised
			if r.Summarised {
				fmt.Fprintf(c.App.ErrWriter, "vnetsim: reach: more than %d pairs; printing the summary (use --summary to ask for it)\n", maxListedPairs)
			}
			w := c.App.Writer
			switch f {
			case "json":
				err = reports.ReachJSON(w, r, summary)
			case "csv":
				err = reports.ReachCSV(w, r, summary)
			default:
				err = reports.ReachText(w, r, summary)
			}
			if err != nil {
				return usageError("reach: %v", err)
			}
			return nil
		},
	}
}
