package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/urfave/cli/v2"

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

// formatFlag is the --format flag of a command that renders formats, the
// first being the default.
func formatFlag(formats ...string) *cli.StringFlag {
	return &cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: formats[0],
		Usage: "output format: " + strings.Join(formats, ", ")}
}

// format returns the chosen --format, or a usage error naming the choices.
func format(c *cli.Context, formats ...string) (string, error) {
	f := c.String("format")
	if !slices.Contains(formats, f) {
		return "", usageError("%s: unknown format %q (want %s)", c.Command.Name, f, strings.Join(formats, ", "))
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
		return "", usageError("%s: name one topology file (got %d arguments)", c.Command.Name, c.NArg())
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

// readInput reads a file named on the command line; failing is exit 2.
func readInput(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError("cannot read %s: %v", path, unwrapPathError(err))
	}
	return data, nil
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// loaded is a topology file read and checked.
type loaded struct {
	file reports.File
	net  *topology.Network // nil when it could not be loaded
	src  *topology.SourceMap
}

// loadTopology reads and checks a topology file, or an Azure or Network
// Controller export (detected by content): the loader's or importer's and
// the validator's diagnostics, located and sorted. An unreadable file is
// exit 2.
func loadTopology(path string) (*loaded, error) {
	data, err := readInput(path)
	if err != nil {
		return nil, err
	}
	n, src, ds := importer.Check(path, data)
	if n != nil {
		ds = append(ds, sim.Lint(n)...) // warnings that need the forwarding engine
	}
	src.LocateAll(ds)
	ds.Sort()
	return &loaded{file: reports.File{Path: path, Source: data, Diagnostics: ds}, net: n, src: src}, nil
}

// loadForAnalysis loads a topology for trace, routes, reach and render:
// any file that loads is answered, even with semantic errors (a note on
// stderr says so); a file that cannot be loaded gets its diagnostics on
// stderr and exit 1.
func loadForAnalysis(c *cli.Context, path string) (*topology.Network, error) {
	l, err := loadTopology(path)
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
			path, reports.Plural(t.Errors, "validation error"), path)
	}
	return l.net, nil
}

// flowFlags are the header flags of trace, reach and render --trace.
func flowFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "protocol", Value: "TCP", Usage: "TCP, UDP, ICMP or All"},
		&cli.UintFlag{Name: "port", Value: 443, Usage: "destination port for TCP and UDP"},
	}
}

// flowOptions reads --protocol and --port. The port is 0 for protocols
// without ports.
func flowOptions(c *cli.Context) (topology.Protocol, uint16, error) {
	proto, err := topology.ParseProtocol(c.String("protocol"))
	if err != nil {
		return 0, 0, usageError("%s: --protocol: %v", c.Command.Name, err)
	}
	port := c.Uint("port")
	if port > 65535 {
		return 0, 0, usageError("%s: --port %d is not a port (0-65535)", c.Command.Name, port)
	}
	if !proto.HasPorts() {
		if c.IsSet("port") {
			return 0, 0, usageError("%s: --port needs --protocol TCP or UDP, not %s", c.Command.Name, proto)
		}
		port = 0
	}
	return proto, uint16(port), nil
}

// outputFlags are -o/--output and --force.
func outputFlags(what string) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write " + what + " to `FILE` (atomically) instead of standard output"},
		&cli.BoolFlag{Name: "force", Usage: "let --output replace an existing file"},
	}
}

// emit renders to --output when given, else to standard output. inputs
// are the files the command read; the output may never be one of them.
func emit(c *cli.Context, inputs []string, render func(w io.Writer) error) error {
	out := c.String("output")
	if out == "" || out == "-" {
		if err := render(c.App.Writer); err != nil {
			return usageError("%s: %v", c.Command.Name, err)
		}
		return nil
	}
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return usageError("%s: %v", c.Command.Name, err)
	}
	if err := writeFileAtomic(out, buf.Bytes(), c.Bool("force"), inputs); err != nil {
		return usageError("%s: %v", c.Command.Name, err)
	}
	return nil
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory and a rename, so that nobody sees a half-written file. It
// refuses to replace an existing file unless force is set, and never
// replaces one of the inputs.
func writeFileAtomic(path string, data []byte, force bool, inputs []string) error {
	if info, err := os.Stat(path); err == nil {
		if info.IsDir() {
			return fmt.Errorf("%s is a directory", path)
		}
		for _, in := range inputs {
			if ii, err := os.Stat(in); err == nil && os.SameFile(info, ii) {
				return fmt.Errorf("refusing to overwrite the input %s", path)
			}
		}
		if !force {
			return fmt.Errorf("%s exists; use --force to replace it", path)
		}
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, unwrapPathError(err))
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, unwrapPathError(err))
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

// jsonOut writes v to standard output as reports writes JSON.
func jsonOut(c *cli.Context, v any) error {
	if err := reports.WriteJSON(c.App.Writer, v); err != nil {
		return usageError("%s: %v", c.Command.Name, err)
	}
	return nil
}
