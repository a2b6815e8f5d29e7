package main

import (
	"io"
	"os"

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
			var files []reports.File
			for _, path := range c.Args().Slice() {
				l, err := loadTopology(path)
				if err != nil {
					return err
				}
				files = append(files, l.file)
			}
			opt := textOptions(c, c.App.Writer)
			opt.Strict = c.Bool("strict")
			w := c.App.Writer
			switch f {
			case "text":
				err = reports.ValidateText(w, files, opt)
			case "json":
				err = reports.ValidateJSON(w, files)
			case "sarif":
				err = reports.ValidateSARIF(w, files)
			case "github":
				if err = reports.ValidateGitHub(w, files); err == nil {
					err = appendStepSummary(c.String("step-summary"), func(w io.Writer) error { return reports.ValidateMarkdown(w, files) })
				}
			case "junit":
				err = reports.ValidateJUnit(w, files, opt)
			case "markdown":
				err = reports.ValidateMarkdown(w, files)
			}
			if err != nil {
				return usageError("validate: %v", err)
			}
			if reports.CountFiles(files).Failed(opt.Strict) {
				return failed()
			}
			return nil
		},
	}
}

// appendStepSummary appends a Markdown summary to a GitHub job summary
// file, which GitHub collects from many steps; "" writes nothing.
func appendStepSummary(path string, render func(io.Writer) error) error {
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if err := render(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
