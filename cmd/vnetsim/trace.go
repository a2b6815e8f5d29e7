package main

import (
	"github.com/urfave/cli/v2"

	"github.com/vnetsim/vnetsim/reports"
	"github.com/vnetsim/vnetsim/sim"
)

var traceFormats = []string{"text", "json"}

// traceCommand is `vnetsim trace FILE --from EP --to EP`.
func traceCommand() *cli.Command {
	return &cli.Command{
		Name:      "trace",
		Usage:     "follow one packet hop by hop, with the reason it was delivered or dropped",
		ArgsUsage: "FILE",
		Description: "Endpoints are a VM, a load balancer, an on-premises host, VNET/SUBNET or an IP address.\n" +
			"Exits 0 whatever the packet's fate; 2 for an unknown endpoint.",
		Flags: append([]cli.Flag{
			formatFlag(traceFormats...),
			&cli.StringFlag{Name: "from", Required: true, Usage: "source endpoint"},
			&cli.StringFlag{Name: "to", Required: true, Usage: "destination endpoint"},
			&cli.BoolFlag{Name: "return", Usage: "also trace the reply and report an asymmetric path"},
		}, flowFlags()...),
		Action: func(c *cli.Context) error {
			f, path, err := formatAndFile(c, traceFormats...)
			if err != nil {
				return err
			}
			proto, port, err := flowOptions(c)
			if err != nil {
				return err
			}
			n, err := loadForAnalysis(c, path)
			if err != nil {
				return err
			}
			e := sim.New(n)
			flow, err := e.NewFlow(c.String("from"), c.String("to"), proto, port)
			if err != nil {
				return usageError("trace: %v", err)
			}
			t := e.Trace(flow)
			var reply *sim.Trace
			if c.Bool("return") {
				r := e.TraceReturn(t)
				reply = &r
			}
			w := c.App.Writer
			switch f {
			case "json":
				err = reports.TraceJSON(w, &t, reply)
			default:
				err = reports.TraceText(w, &t, reply, textOptions(c, w))
			}
			if err != nil {
				return usageError("trace: %v", err)
			}
			return nil
		},
	}
}
