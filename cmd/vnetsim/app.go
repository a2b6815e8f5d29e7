package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"
)

// Exit codes (contract §3).
const (
	exitOK        = 0 // success, nothing failed
	exitFailed    = 1 // analysed, and something failed
	exitCannotRun = 2 // bad flags, unreadable file, unknown endpoint
)

// newApp returns the vnetsim command line, writing to stdout and stderr.
// It holds no state outside the returned value, so tests run it in-process
// with buffers. It never calls os.Exit: run maps its error to an exit code.
func newApp(stdout, stderr io.Writer) *cli.App {
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
		Writer:    stdout,
		ErrWriter: stderr,
		Commands:  commands,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "color", Value: "auto", Usage: "colour text output: auto (a terminal without NO_COLOR), always or never"},
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
				return usageError("unknown command %q; run vnetsim --help", c.Args().First())
			}
			return cli.ShowAppHelp(c)
		},
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return usageError("%v; run vnetsim --help", err)
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
	name := c.Name
	c.OnUsageError = func(_ *cli.Context, err error, _ bool) error {
		return usageError("%s: %v; run vnetsim %s --help", name, err, name)
	}
	if len(c.Subcommands) > 0 && c.Action == nil {
		c.Action = func(ctx *cli.Context) error {
			if ctx.NArg() > 0 {
				return usageError("%s: unknown subcommand %q; run vnetsim %s --help", name, ctx.Args().First(), name)
			}
			return cli.ShowSubcommandHelp(ctx)
		}
	}
	for _, sub := range c.Subcommands {
		setUsageErrors(sub)
	}
}

// run runs the app on args and returns the process exit code. Messages of
// failed commands go to stderr; nothing panics out of it.
func run(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "vnetsim: internal error: %v\n", r)
			code = exitCannotRun
		}
	}()
	app := newApp(stdout, stderr)
	err := app.Run(interspersed(app, args))
	if err == nil {
		return exitOK
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		if msg := strings.TrimSpace(ec.Error()); msg != "" {
			fmt.Fprintln(stderr, msg)
		}
		return ec.ExitCode()
	}
	// Any other error comes from the library's own parsing: a usage error.
	fmt.Fprintf(stderr, "vnetsim: %v\n", err)
	return exitCannotRun
}
