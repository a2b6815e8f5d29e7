package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/vnetsim/vnetsim/internal/buildinfo"
	"github.com/vnetsim/vnetsim/internal/fileio"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// Exit codes (docs/reference/commands.md).
const (
	exitOK        = 0 // success, nothing failed
	exitFailed    = 1 // analysed, and something failed
	exitCannotRun = 2 // bad flags, unreadable file, unknown endpoint
)

// newApp returns the vnetsim command line, reading standard input from
// stdin, writing to stdout and stderr, and writing files through files. It
// holds no state outside the returned value and files, so tests run it
// in-process with buffers. It never calls os.Exit: run maps its error to an
// exit code.
func newApp(stdin io.Reader, stdout, stderr io.Writer, files *fileio.Files) *cli.App {
	commands := []*cli.Command{
		validateCommand(),
		traceCommand(),
		routesCommand(),
		reachCommand(),
		runCommand(),
		renderCommand(),
		labCommand(),
		generateCommand(),
		diffCommand(),
		completionCommand(),
		completeCommand(),
		importCommand(),
	}
	for _, c := range commands {
		setUsageErrors(c)
	}
	app := &cli.App{
		Name:  "vnetsim",
		Usage: "simulate and validate virtual network peering designs offline",
		Description: "vnetsim reads a topology file (Windows Server SDN Network Controller or Azure) and answers:\n" +
			"is it valid, where does a packet go, which routes does a subnet get, what can reach what.\n" +
			"Exit codes: 0 ok, 1 analysed and something failed, 2 could not run.",
		Version:   buildinfo.Version(),
		Reader:    stdin,
		Writer:    stdout,
		ErrWriter: stderr,
		Metadata:  map[string]any{filesKey: files},
		Commands:  commands,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "color", Value: "auto", Usage: "colour text output: auto (a terminal without NO_COLOR), always or never"},
			// Declared here rather than added by the library when it runs, so
			// that interspersed sees it and moves `vnetsim validate f
			// --version` in front of the command as well.
			cli.VersionFlag,
		},
		Before: func(c *cli.Context) error {
			switch c.String("color") {
			case "auto", "always", "never":
				return nil
			}
			return usageError("--color %q: want auto, always or never", c.String("color"))
		},
		// Without a command, print help; an unknown command is a usage error.
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageError("unknown command %q%s; run vnetsim --help", c.Args().First(), commandHint(c.Args().First(), c.App.Commands))
			}
			return cli.ShowAppHelp(c)
		},
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return usageError("%v%s; run vnetsim --help", err, flagHint(err, c.App.Flags))
		},
		// The library's default handler calls os.Exit; run decides instead.
		ExitErrHandler: func(*cli.Context, error) {},
	}
	return app
}

// setUsageErrors makes flag errors of c and its subcommands exit 2 with a
// one-line message instead of a help dump, and so an unknown subcommand
// (the library's default answer is exit 3).
func setUsageErrors(c *cli.Command) {
	c.OnUsageError = func(ctx *cli.Context, err error, _ bool) error {
		name := commandName(ctx)
		return usageError("%s: %v%s; run vnetsim %s --help", name, err, flagHint(err, c.Flags), name)
	}
	if len(c.Subcommands) > 0 && c.Action == nil {
		c.Action = func(ctx *cli.Context) error {
			if name := commandName(ctx); ctx.NArg() > 0 {
				return usageError("%s: unknown subcommand %q%s; run vnetsim %s --help", name, ctx.Args().First(),
					commandHint(ctx.Args().First(), c.Subcommands), name)
			}
			return cli.ShowSubcommandHelp(ctx)
		}
	}
	for _, sub := range c.Subcommands {
		setUsageErrors(sub)
	}
}

// run runs the app on args and returns the process exit code. Messages of
// failed commands go to stderr; nothing panics out of it. files records
// what the command reads and writes (see interruptible).
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, files *fileio.Files) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "vnetsim: internal error: %v\n", r)
			code = exitCannotRun
		}
	}()
	app := newApp(stdin, stdout, stderr, files)
	err := app.Run(interspersed(app, args))
	if err == nil {
		return exitOK
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		msg := strings.TrimSpace(ec.Error())
		switch c := ec.ExitCode(); c {
		case exitOK, exitFailed, exitCannotRun:
			if msg != "" {
				fmt.Fprintln(stderr, msg)
			}
			return c
		}
		// The library's own exit codes (3 for a help topic it does not
		// know) are usage errors: vnetsim exits 0, 1 or 2.
		fmt.Fprintf(stderr, "vnetsim: %s; run vnetsim --help\n", cmp.Or(msg, "usage error"))
		return exitCannotRun
	}
	// Any other error comes from the library's own parsing: a usage error.
	fmt.Fprintf(stderr, "vnetsim: %v\n", err)
	return exitCannotRun
}

// commandHint returns " (did you mean X?)" for a misspelt command name.
func commandHint(name string, cmds []*cli.Command) string {
	var names []string
	for _, c := range cmds {
		if !c.Hidden {
			names = append(names, c.Name)
		}
	}
	return hint(diag.Suggest(name, names), "")
}

// flagHint returns " (did you mean --X?)" when err is the flag package's
// "flag provided but not defined" for a misspelt flag of flags.
func flagHint(err error, flags []cli.Flag) string {
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: ")
	if !ok {
		return ""
	}
	var names []string
	for _, f := range flags {
		names = append(names, f.Names()...)
	}
	s := diag.Suggest(strings.TrimLeft(name, "-"), names)
	if len(s) == 1 {
		return hint(s, "-")
	}
	return hint(s, "--")
}

func hint(suggestion, dashes string) string {
	if suggestion == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s%s?)", dashes, suggestion)
}
