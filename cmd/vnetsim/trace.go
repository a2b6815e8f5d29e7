package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/vnetsim/vnetsim/reports"
	"github.com/vnetsim/vnetsim/scenarios"
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
			"Exits 0 whatever the packet's fate; 2 for an unknown endpoint. With --expect (and --reason),\n" +
			"exits 1 when the packet's fate is not the one expected, so a pipeline can assert one flow.",
		Flags: append([]cli.Flag{
			formatFlag(traceFormats...),
			&cli.StringFlag{Name: "from", Usage: "source endpoint (required)"},
			&cli.StringFlag{Name: "to", Usage: "destination endpoint (required)"},
			&cli.BoolFlag{Name: "return", Usage: "also trace the reply and report an asymmetric path"},
			&cli.StringFlag{Name: "expect", Usage: "exit 1 unless the packet is `RESULT`: delivered, dropped or exited"},
			&cli.StringFlag{Name: "reason", Usage: "with --expect dropped, exit 1 unless the drop reason is `REASON`"},
		}, flowFlags()...),
		Action: func(c *cli.Context) error {
			if err := required(c, "from", "to"); err != nil {
				return err
			}
			f, path, err := formatAndFile(c, traceFormats...)
			if err != nil {
				return err
			}
			proto, port, err := flowOptions(c)
			if err != nil {
				return err
			}
			want, err := traceExpectation(c)
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
			if want != nil {
				if problems := want.Mismatch(t); problems != nil {
					return cli.Exit("vnetsim: trace --expect: "+strings.Join(problems, "; "), exitFailed)
				}
			}
			return nil
		},
	}
}

// traceExpectation reads --expect and --reason: nil when --expect is not
// given, a usage error for a value outside the vocabularies or a reason
// without an expected drop.
func traceExpectation(c *cli.Context) (*scenarios.TraceExpectation, error) {
	if !c.IsSet("expect") {
		if c.IsSet("reason") {
			return nil, usageError("trace: --reason needs --expect dropped")
		}
		return nil, nil
	}
	result, err := scenarios.ParseResult(c.String("expect"))
	if err != nil {
		return nil, usageError("trace: --expect: %v", err)
	}
	e := &scenarios.TraceExpectation{Result: result}
	if c.IsSet("reason") {
		if result != sim.Dropped {
			return nil, usageError("trace: --reason needs --expect dropped, not %s", result)
		}
		if e.Reason, err = scenarios.ParseReason(c.String("reason")); err != nil {
			return nil, usageError("trace: --reason: %v", err)
		}
	}
	return e, nil
}
