package main

import (
	"github.com/urfave/cli/v2"

	"github.com/vnetsim/vnetsim/reports"
	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/topology"
)

var reachFormats = []string{"text", "json", "csv"}

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
			f, err := format(c, reachFormats...)
			if err != nil {
				return err
			}
			path, err := oneFile(c)
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
			opts := sim.ReachOptions{Level: level, Protocol: proto, Summary: c.Bool("summary")}
			if proto.HasPorts() {
				opts.Ports = []topology.PortRange{{Lo: port, Hi: port}}
			}
			stop := progress(c.App.ErrWriter, "computing reachability")
			r := sim.New(n).Reach(opts)
			stop()
			w := c.App.Writer
			switch f {
			case "json":
				err = reports.ReachJSON(w, r, opts.Summary)
			case "csv":
				err = reports.ReachCSV(w, r, opts.Summary)
			default:
				err = reports.ReachText(w, r, opts.Summary)
			}
			if err != nil {
				return usageError("reach: %v", err)
			}
			return nil
		},
	}
}
