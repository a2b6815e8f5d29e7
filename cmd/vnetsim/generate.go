package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/vnetsim/vnetsim/reports"
	"github.com/vnetsim/vnetsim/topology"
)

var generateFormats = []string{"text", "json"}

// generateCommand is `vnetsim generate hub-spoke --hubs H --spokes S`.
func generateCommand() *cli.Command {
	return &cli.Command{
		Name:  "generate",
		Usage: "write a synthetic estate, for benchmarks and demos",
		Subcommands: []*cli.Command{{
			Name:  "hub-spoke",
			Usage: "hubs meshed with each other, each with spokes, an appliance, a gateway and gateway transit",
			Description: "The text format is the topology file's YAML; json is the same document as JSON,\n" +
				"which vnetsim also reads. Every peering is Connected and the estate validates.",
			Flags: append([]cli.Flag{
				formatFlag(generateFormats...),
				&cli.IntFlag{Name: "hubs", Value: 1, Usage: "number of hubs (1-64)"},
				&cli.IntFlag{Name: "spokes", Value: 3, Usage: fmt.Sprintf("spokes per hub (%d in all at most)", topology.MaxGenerateSpokes)},
				&cli.IntFlag{Name: "subnets", Value: 4, Usage: "subnets per spoke (1-64)"},
				&cli.StringFlag{Name: "platform", Value: "windows-sdn", Usage: "windows-sdn or azure"},
				&cli.StringFlag{Name: "name", Value: "hub-spoke", Usage: "the estate's name"},
			}, outputFlags("the topology")...),
			Action: func(c *cli.Context) error {
				f, err := format(c, generateFormats...)
				if err != nil {
					return err
				}
				platform, err := topology.ParsePlatform(c.String("platform"))
				if err != nil {
					return usageError("generate: --platform: %v", err)
				}
				if err := topology.CheckName(c.String("name")); err != nil {
					return usageError("generate: --name: %v", err)
				}
				if c.Int("hubs") < 1 || c.Int("hubs") > 64 || c.Int("spokes") < 0 || c.Int("subnets") < 1 || c.Int("subnets") > 64 {
					return usageError("generate: want 1-64 hubs, 0 or more spokes and 1-64 subnets per spoke")
				}
				if most := topology.MaxSpokesPerHub(c.Int("hubs")); c.Int("spokes") > most {
					return usageError("generate: at most %d spokes per hub with %s (%d spokes in all, each hub's a power of two)",
						most, reports.Plural(c.Int("hubs"), "hub"), topology.MaxGenerateSpokes)
				}
				n := topology.Generate(topology.GenerateOptions{Name: c.String("name"), Platform: platform,
					Hubs: c.Int("hubs"), Spokes: c.Int("spokes"), SubnetsPerSpoke: c.Int("subnets")})
				encode := func(w io.Writer, n *topology.Network) error { return topology.Encode(w, n, topology.MarshalOptions{}) }
				if f == "json" {
					encode = topology.EncodeJSON
				}
				var size int64
				err = emit(c, func(w io.Writer) error {
					cw := &countingWriter{w: w}
					err := encode(cw, n)
					size = cw.n
					return err
				})
				if err == nil && size > topology.MaxFileSize {
					fmt.Fprintf(c.App.ErrWriter, "vnetsim: generate: the estate is %d bytes, more than the %d MiB a topology file may have; vnetsim will not read it back (see docs/limits.md)\n",
						size, topology.MaxFileSize>>20)
				}
				return err
			},
		}},
	}
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
