package main

import (
	"fmt"
	"sync"

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
			stop = sync.OnceFunc(stop)
			defer stop()
			opts.Progress = update
			// A listing streams: each pair is written as soon as its batch
			// is answered, so millions of pairs never sit in memory.
			w := c.App.Writer
			listing := reports.NewReachListing(w, f, level)
			r, err := sim.New(n).ReachEach(opts, func(p sim.ReachPair) error {
				stop() // the pairs now show the progress
				return listing.Pair(p)
			})
			stop()
			if err == nil && !opts.Summary && !r.Summarised {
				err = listing.Close(r)
			} else if err == nil {
				if r.Summarised {
					fmt.Fprintf(c.App.ErrWriter, "vnetsim: reach: more than %d pairs; printing the summary (use --summary to ask for it)\n", maxListedPairs)
				}
				switch f {
				case "json":
					err = reports.ReachJSON(w, r, true)
				case "csv":
					err = reports.ReachCSV(w, r, true)
				default:
					err = reports.ReachText(w, r, true)
				}
			}
			if err != nil {
				return usageError("reach: %v", err)
			}
			return nil
		},
	}
}
