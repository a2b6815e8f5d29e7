package main

import (
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/vnetsim/vnetsim/scenarios"
)

var labListFormats = []string{"text", "json"}

// labCommand is `vnetsim lab list | run NAME | export NAME DIR`.
func labCommand() *cli.Command {
	return &cli.Command{
		Name:  "lab",
		Usage: "built-in training labs",
		Subcommands: []*cli.Command{
			{
				Name:  "list",
				Usage: "list the labs",
				Flags: []cli.Flag{formatFlag(labListFormats...)},
				Action: func(c *cli.Context) error {
					f, err := format(c, labListFormats...)
					if err != nil {
						return err
					}
					labs := scenarios.Labs()
					if f == "json" {
						type lab struct {
							Name        string `json:"name"`
							Title       string `json:"title"`
							Description string `json:"description"`
						}
						doc := struct {
							Labs []lab `json:"labs"`
						}{Labs: []lab{}}
						for _, l := range labs {
							doc.Labs = append(doc.Labs, lab{l.Name, l.Title, l.Description})
						}
						return jsonOut(c, doc)
					}
					tw := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "NAME\tTITLE")
					for _, l := range labs {
						fmt.Fprintf(tw, "%s\t%s\n", l.Name, l.Title)
					}
					if err := tw.Flush(); err != nil {
						return usageError("lab list: %v", err)
					}
					return nil
				},
			},
			{
				Name:      "run",
				Usage:     "run a lab and grade it; exit 1 when a check fails",
				ArgsUsage: "NAME",
				Flags:     runFlags(),
				Action: func(c *cli.Context) error {
					if _, err := format(c, runFormats...); err != nil {
						return err
					}
					if c.NArg() != 1 {
						return usageError("lab run: name one lab (see vnetsim lab list)")
					}
					sc, err := scenarios.LoadLab(c.Args().First())
					if err != nil {
						return usageError("lab run: %v", err)
					}
					r := scenarios.Run(c.Context, sc, scenarios.Options{Clock: time.Now})
					return renderRun(c, &scenarios.Result{Scenarios: []scenarios.ScenarioResult{r}})
				},
			},
			{
				Name:      "export",
				Usage:     "write a lab's files into a folder, to edit and run them",
				ArgsUsage: "NAME DIR",
				Flags:     []cli.Flag{formatFlag(labListFormats...), &cli.BoolFlag{Name: "force", Usage: "replace existing files"}},
				Action: func(c *cli.Context) error {
					f, err := format(c, labListFormats...)
					if err != nil {
						return err
					}
					if c.NArg() != 2 {
						return usageError("lab export: want NAME DIR")
					}
					written, err := exportLab(c, c.Args().Get(0), c.Args().Get(1))
					if err != nil {
						return usageError("lab export: %v", err)
					}
					if f == "json" {
						return jsonOut(c, struct {
							Files []string `json:"files"`
						}{append([]string{}, written...)})
					}
					for _, f := range written {
						fmt.Fprintln(c.App.Writer, f)
					}
					return nil
				},
			},
		},
	}
}

// exportLab writes the files of lab name into dir, creating dir if needed,
// and returns the paths written. Every target is checked before any is
// written, so that a refusal (an existing file without --force, a link)
// leaves dir as it was.
func exportLab(c *cli.Context, name, dir string) ([]string, error) {
	labFiles, err := scenarios.LabFiles(name)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, err
	}
	force := c.Bool("force")
	for _, f := range labFiles {
		if err := files(c).Check(filepath.Join(dir, f.Name), force); err != nil {
			return nil, err
		}
	}
	var written []string
	for _, f := range labFiles {
		target := filepath.Join(dir, f.Name)
		if err := files(c).Write(target, f.Data, force); err != nil {
			return written, err
		}
		written = append(written, target)
	}
	return written, nil
}
