package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/vnetsim/vnetsim/reports"
	"github.com/vnetsim/vnetsim/sim"
)

var routesFormats = []string{"text", "json"}

// routesCommand is `vnetsim routes FILE --subnet VNET/SUBNET`.
func routesCommand() *cli.Command {
	return &cli.Command{
		Name:      "routes",
		Usage:     "effective routes of a subnet, like Network Watcher",
		ArgsUsage: "FILE",
		Flags: []cli.Flag{
			formatFlag(routesFormats...),
			&cli.StringFlag{Name: "subnet", Usage: "the subnet, as VNET/SUBNET (required)"},
		},
		Action: func(c *cli.Context) error {
			if err := required(c, "subnet"); err != nil {
				return err
			}
			f, path, err := formatAndFile(c, routesFormats...)
			if err != nil {
				return err
			}
			vnet, subnet, ok := strings.Cut(c.String("subnet"), "/")
			if !ok || vnet == "" || subnet == "" {
				return usageError("routes: --subnet %q is not VNET/SUBNET", c.String("subnet"))
			}
			n, err := loadForAnalysis(c, path)
			if err != nil {
				return err
			}
			t, err := sim.New(n).Routes(vnet, subnet)
			if err != nil {
				return usageError("%v", err) // the engine's error names the command
			}
			if f == "json" {
				err = reports.RoutesJSON(c.App.Writer, t)
			} else {
				err = reports.RoutesText(c.App.Writer, t)
			}
			if err != nil {
				return usageError("routes: %v", err)
			}
			return nil
		},
	}
}
