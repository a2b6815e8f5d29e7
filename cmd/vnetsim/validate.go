package main

import (
	"bytes"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/vnetsim/vnetsim/reports"
)

var validateFormats = []string{"text", "json", "sarif", "github", "junit", "markdown"}

// validateCommand is `vnetsim validate FILE...`.
func validateCommand() *cli.Command {
	return &cli.Command{
		Name:      "validate",
		Usage:     "load and check topology files",
		ArgsUsage: "FILE...",
		Description: "Reports every problem with its file, line and column. Exits 1 on errors (with --strict also\n" +
			"on warnings), 0 otherwise. --format github writes workflow annotations and appends a Markdown\n" +
			"summary to --step-summary (default $GITHUB_STEP_SUMMARY).",
		Flags: []cli.Flag{
			formatFlag(validateFormats...),
			&cli.BoolFlag{Name: "strict", Usage: "fail on warnings too"},
			&cli.StringFlag{Name: "step-summary", EnvVars: []string{"GITHUB_STEP_SUMMARY"},
				Usage: "with --format github, append a Markdown summary to `FILE`"},
		},
		Action: func(c *cli.Context) error {
			f, err := format(c, validateFormats...)
			if err != nil {
				return err
			}
			if c.NArg() == 0 {
				return usageError("validate: name at least one topology file")
			}
			if err := stdinOnce(c, c.Args().Slice()); err != nil {
				return err
			}
			var checked []reports.File
			for _, path := range c.Args().Slice() {
				l, err := loadTopology(c, path)
				if err != nil {
					return err
				}
				checked = append(checked, l.file)
			}
			opt := textOptions(c, c.App.Writer)
			opt.Strict = c.Bool("strict")
			w := c.App.Writer
			switch f {
			case "text":
				err = reports.ValidateText(w, checked, opt)
			case "json":
				err = reports.ValidateJSON(w, checked)
			case "sarif":
				err = reports.ValidateSARIF(w, checked)
			case "github":
				if err = reports.ValidateGitHub(w, checked); err == nil {
					err = appendStepSummary(c, func(w io.Writer) error { return reports.ValidateMarkdown(w, checked) })
				}
			case "junit":
				err = reports.ValidateJUnit(w, checked, opt)
			case "markdown":
				err = reports.ValidateMarkdown(w, checked)
			}
			if err != nil {
				return usageError("validate: %v", err)
			}
			if reports.CountFiles(checked).Failed(opt.Strict) {
				return failed()
			}
			return nil
		},
	}
}

// appendStepSummary appends a Markdown summary to --step-summary, a GitHub
// job summary file, which GitHub collects from many steps; "" writes
// nothing. The file is never an input (see fileio.Files.Append).
func appendStepSummary(c *cli.Context, render func(io.Writer) error) error {
	path := c.String("step-summary")
	if path == "" {
		return nil
	}
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return err
	}
	if err := files(c).Append(path, buf.Bytes()); err != nil {
		return fmt.Errorf("--step-summary: %w", err)
	}
	return nil
}
