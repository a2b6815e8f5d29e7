package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/vnetsim/vnetsim/reports"
	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/importer"
)

// importCommand is `vnetsim import azure|windows-sdn FILE...`.
func importCommand() *cli.Command {
	sub := func(format, usage, desc string) *cli.Command {
		return &cli.Command{
			Name:        format,
			Usage:       usage,
			ArgsUsage:   "FILE...",
			Description: desc,
			Flags: append([]cli.Flag{
				formatFlag(generateFormats...),
				&cli.StringFlag{Name: "name", Usage: "the topology's name (default imported-PLATFORM)"},
			}, outputFlags("the topology")...),
			Action: func(c *cli.Context) error { return runImport(c, format) },
		}
	}
	return &cli.Command{
		Name:  "import",
		Usage: "turn a platform's exports into a topology file",
		Subcommands: []*cli.Command{
			sub("azure", "import Azure resource JSON (REST, az, Get-Az* | ConvertTo-Json, Resource Graph)",
				"Reads virtual networks, NSGs, route tables, gateways, connections, local network gateways,\n"+
					"NICs, load balancers and Azure Firewalls from one or more files of one estate. What the model\n"+
					"cannot hold is a warning at its JSON path and line, with the choice made (docs/import.md).\n"+
					"The text format is the topology file's YAML, with a comment naming each object's resource;\n"+
					"json is the same document as JSON. Diagnostics go to standard error.\n"+
					"Exits 1 when a file cannot be read as JSON, 2 when it cannot be opened."),
			sub("windows-sdn", "import Network Controller REST JSON (GET /networking/v1/..., Get-NetworkController* | ConvertTo-Json)",
				"Reads virtualNetworks, accessControlLists, routeTables, networkInterfaces, loadBalancers and\n"+
					"virtualGateways from one or more files of one Network Controller (docs/import.md)."),
		},
	}
}

// runImport imports the files and writes the topology; the import's
// diagnostics go to stderr. A file that cannot be read as JSON fails (exit
// 1) and nothing is written.
func runImport(c *cli.Context, name string) error {
	f, err := importer.ParseFormat(name)
	if err != nil {
		return usageError("import: %v", err)
	}
	out, err := format(c, generateFormats...)
	if err != nil {
		return err
	}
	if c.NArg() == 0 {
		return usageError("import %s: name at least one file to import", name)
	}
	if err := stdinOnce(c, c.Args().Slice()); err != nil {
		return err
	}
	if c.IsSet("name") {
		if err := topology.CheckName(c.String("name")); err != nil {
			return usageError("import %s: --name: %v", name, err)
		}
	}
	var inputs []importer.Input
	for _, path := range c.Args().Slice() {
		name, data, err := readInput(c, path)
		if err != nil {
			return err
		}
		inputs = append(inputs, importer.Input{Filename: name, Data: data})
	}
	r := importer.Import(f, inputs, importer.Options{Name: c.String("name")})
	var files []reports.File
	for _, in := range inputs {
		if ds := r.DiagnosticsOf(in.Filename); len(ds) > 0 {
			files = append(files, reports.File{Path: in.Filename, Source: in.Data, Diagnostics: ds})
		}
	}
	stderr := c.App.ErrWriter
	if len(files) > 0 {
		if err := reports.ValidateText(stderr, files, textOptions(c, stderr)); err != nil {
			return usageError("import: %v", err)
		}
	}
	if r.Network == nil || r.Diagnostics.HasErrors() {
		fmt.Fprintln(stderr, "vnetsim: import: nothing written")
		return failed()
	}
	if out == "json" {
		return emit(c, func(w io.Writer) error { return topology.EncodeJSON(w, r.Network) })
	}
	data, err := r.Marshal()
	if err != nil {
		return usageError("import: %v", err)
	}
	return emit(c, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
