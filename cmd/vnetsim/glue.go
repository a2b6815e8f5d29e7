package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/vnetsim/vnetsim/internal/fileio"
	"github.com/vnetsim/vnetsim/reports"
	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/importer"
)

// The shared glue of every command: exit errors, formats, loading and
// locating a topology, terminals and colour, and writing output files.

// usageError is a command that could not run: exit 2 with a message.
func usageError(format string, args ...any) error {
	return cli.Exit("vnetsim: "+fmt.Sprintf(format, args...), exitCannotRun)
}

// failed is an analysis that found something wrong: exit 1. The report has
// said what; there is nothing more to print.
func failed() error { return cli.Exit("", exitFailed) }

// formatUsage starts the usage of every --format flag, which lists the
// formats after it; completion reads them back.
const formatUsage = "output format: "

// formatFlag is the --format flag of a command that renders formats, the
// first being the default.
func formatFlag(formats ...string) *cli.StringFlag {
	return &cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: formats[0],
		Usage: formatUsage + strings.Join(formats, ", ")}
}

// commandName returns the name of c's command after vnetsim, with its
// parents: "validate", "import azure". (urfave/cli v2's Command.FullName
// holds only the last name.)
func commandName(c *cli.Context) string {
	var names []string
	for _, ctx := range c.Lineage() {
		// The root's command is the app itself, named vnetsim.
		if ctx.Command != nil && ctx.Command.Name != "" && ctx.Command.Name != c.App.Name {
			names = append(names, ctx.Command.Name)
		}
	}
	slices.Reverse(names)
	return strings.Join(names, " ")
}

// required returns a usage error naming the flags of names that c's
// command needs and was not given. (The library's own check says
// `Required flag "to" not set`, without the command or the help to read.)
func required(c *cli.Context, names ...string) error {
	var missing []string
	for _, n := range names {
		if !c.IsSet(n) {
			missing = append(missing, "--"+n)
		}
	}
	verb := "is"
	switch {
	case len(missing) == 0:
		return nil
	case len(missing) > 1:
		verb = "are"
	}
	return usageError("%s: %s %s required; run vnetsim %s --help", commandName(c), strings.Join(missing, " and "), verb, commandName(c))
}

// format returns the chosen --format, or a usage error naming the choices.
func format(c *cli.Context, formats ...string) (string, error) {
	f := c.String("format")
	if !slices.Contains(formats, f) {
		return "", usageError("%s: unknown format %q (want %s)", commandName(c), f, strings.Join(formats, ", "))
	}
	return f, nil
}

// formatAndFile returns the chosen --format and the single file argument:
// the prologue of every command that reads one topology.
func formatAndFile(c *cli.Context, formats ...string) (f, path string, err error) {
	if f, err = format(c, formats...); err != nil {
		return "", "", err
	}
	if path, err = oneFile(c); err != nil {
		return "", "", err
	}
	return f, path, nil
}

// oneFile returns the single file argument of a command.
func oneFile(c *cli.Context) (string, error) {
	if c.NArg() != 1 {
		return "", usageError("%s: name one topology file (got %d arguments)", commandName(c), c.NArg())
	}
	return c.Args().First(), nil
}

// isTerminal reports whether w is a character device, i.e. a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// textOptions decides colour for text written to w (see useColor).
func textOptions(c *cli.Context, w io.Writer) reports.Options {
	return reports.Options{Color: useColor(c.String("color"), os.Getenv("NO_COLOR"), isTerminal(w))}
}

// useColor reports whether text gets colour: --color always or never, else
// only for a terminal and only when NO_COLOR is unset or empty
// (https://no-color.org).
func useColor(mode, noColor string, terminal bool) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	return noColor == "" && terminal
}

// stdinName is what diagnostics call a topology read from standard input
// (the argument "-").
const stdinName = "<stdin>"

// filesKey is the key of the command's *fileio.Files in App.Metadata.
const filesKey = "files"

// files returns what the command has read and is writing.
func files(c *cli.Context) *fileio.Files { return c.App.Metadata[filesKey].(*fileio.Files) }

// readInput reads a topology named on the command line, or standard input
// for "-", and records it as an input, so that no output replaces it. It
// returns the name diagnostics use. Failing is exit 2. The limit is an
// export's (importer.MaxFileSize), the larger of the two formats'; a YAML
// file beyond topology.MaxFileSize is then refused by its loader.
func readInput(c *cli.Context, path string) (name string, data []byte, err error) {
	if path == "-" {
		if f, ok := c.App.Reader.(*os.File); ok {
			if info, err := f.Stat(); err == nil && info.Mode().IsRegular() {
				files(c).InputInfo(stdinName, info) // vnetsim render - -o f < f
			}
		}
		data, err := fileio.ReadAll(c.App.Reader, importer.MaxFileSize)
		if err != nil {
			return "", nil, usageError("cannot read standard input: %s", fileio.Message(err))
		}
		return stdinName, data, nil
	}
	files(c).Input(path)
	data, err = fileio.ReadFile(path, importer.MaxFileSize)
	if err != nil {
		return "", nil, usageError("cannot read %s: %s", path, fileio.Message(err))
	}
	return path, data, nil
}

// stdinOnce refuses more than one "-" among paths: standard input can be
// read only once.
func stdinOnce(c *cli.Context, paths []string) error {
	if n := len(slices.DeleteFunc(slices.Clone(paths), func(p string) bool { return p != "-" })); n > 1 {
		return usageError("%s: standard input (-) can be read only once", commandName(c))
	}
	return nil
}

// loaded is a topology file read and checked.
type loaded struct {
	file reports.File
	net  *topology.Network // nil when it could not be loaded
	src  *topology.SourceMap
}

// loadTopology reads and checks a topology file ("-" is standard input), or
// an Azure or Network Controller export (detected by content): the loader's
// or importer's diagnostics and sim.Validate's, located and sorted. An
// unreadable file is exit 2.
func loadTopology(c *cli.Context, path string) (*loaded, error) {
	name, data, err := readInput(c, path)
	if err != nil {
		return nil, err
	}
	n, src, ds := importer.Check(name, data)
	if n != nil {
		ds = sim.New(n).Validate(sim.ValidateOptions{Loaded: ds, Checked: true})
	}
	src.LocateAll(ds)
	ds.Sort()
	return &loaded{file: reports.File{Path: name, Source: data, Diagnostics: ds}, net: n, src: src}, nil
}

// loadForAnalysis loads a topology for trace, routes, reach and render:
// any file that loads is answered, even with semantic errors (a note on
// stderr says so); a file that cannot be loaded gets its diagnostics on
// stderr and exit 1.
func loadForAnalysis(c *cli.Context, path string) (*topology.Network, error) {
	l, err := loadTopology(c, path)
	if err != nil {
		return nil, err
	}
	stderr := c.App.ErrWriter
	if l.net == nil {
		if err := reports.ValidateText(stderr, []reports.File{l.file}, textOptions(c, stderr)); err != nil {
			return nil, usageError("%v", err)
		}
		return nil, failed()
	}
	if t := reports.CountFiles([]reports.File{l.file}); t.Errors > 0 {
		fmt.Fprintf(stderr, "vnetsim: note: %s has %s; answering for the network as written (see vnetsim validate %s)\n",
			l.file.Path, reports.Plural(t.Errors, "validation error"), path)
	}
	return l.net, nil
}

// flowFlags are the header flags of trace, reach and render --trace.
func flowFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "protocol", Value: "TCP", Usage: "TCP, UDP, ICMP or All"},
		&cli.Uint64Flag{Name: "port", Value: 443, Usage: "destination port for TCP and UDP, 1-65535"},
	}
}

// flowOptions reads --protocol and --port (sim.CheckPort: 1-65535 for TCP
// and UDP, none for ICMP and All). The port is 0 for protocols without
// ports.
func flowOptions(c *cli.Context) (topology.Protocol, uint16, error) {
	proto, err := topology.ParseProtocol(c.String("protocol"))
	if err != nil {
		return 0, 0, usageError("%s: --protocol: %v", commandName(c), err)
	}
	port, err := sim.CheckPort(proto, c.Uint64("port"), c.IsSet("port"))
	if err != nil {
		return 0, 0, usageError("%s: --port: %v", commandName(c), err)
	}
	return proto, port, nil
}

// outputFlags are -o/--output and --force.
func outputFlags(what string) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write " + what + " to `FILE`, atomically (-, or no -o at all: standard output)"},
		&cli.BoolFlag{Name: "force", Usage: "let --output replace an existing file"},
	}
}

// toStdout reports whether the command writes to standard output: no
// --output, or "-o -".
func toStdout(c *cli.Context) bool {
	out := c.String("output")
	return out == "" || out == "-"
}

// emit renders to --output when given (atomically and as it renders; see
// fileio.Files.WriteFunc),
// else to standard output.
func emit(c *cli.Context, render func(w io.Writer) error) error {
	if toStdout(c) {
		if err := render(c.App.Writer); err != nil {
			return usageError("%s: %v", commandName(c), err)
		}
		return nil
	}
	if err := files(c).WriteFunc(c.String("output"), c.Bool("force"), render); err != nil {
		return usageError("%s: %v", commandName(c), err)
	}
	return nil
}

// progress shows a spinner with elapsed seconds on stderr while work that
// has taken over a second goes on, and only when stderr is a terminal. The
// returned func stops it and clears the line.
func progress(stderr io.Writer, label string) (stop func()) {
	stop, _ = progressMeter(stderr, label)
	return stop
}

// progressMeter is progress for work that can count itself: update reports
// done of total units, and the line then shows the percentage as well. Both
// funcs may be called from any goroutine.
func progressMeter(stderr io.Writer, label string) (stop func(), update func(done, total int)) {
	var done, total atomic.Int64
	update = func(d, t int) { done.Store(int64(d)); total.Store(int64(t)) }
	if !isTerminal(stderr) {
		return func() {}, update
	}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		start := time.Now()
		select {
		case <-quit:
			return
		case <-time.After(time.Second):
		}
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		frames := `|/-\`
		for i := 0; ; i++ {
			count := ""
			if t := total.Load(); t > 0 {
				d := done.Load()
				count = fmt.Sprintf(" %d%% (%d/%d)", d*100/t, d, t)
			}
			fmt.Fprintf(stderr, "\r%c %s%s %ss\x1b[K", frames[i%len(frames)], label, count, strconv.Itoa(int(time.Since(start).Seconds())))
			select {
			case <-quit:
				fmt.Fprint(stderr, "\r\x1b[K")
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		close(quit)
		wg.Wait()
	}, update
}

// jsonOut writes v to standard output as reports writes a JSON output.
func jsonOut(c *cli.Context, v any) error {
	if err := reports.WriteDocument(c.App.Writer, v); err != nil {
		return usageError("%s: %v", commandName(c), err)
	}
	return nil
}
