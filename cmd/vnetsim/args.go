package main

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// interspersed moves a command's flags in front of its positional
// arguments, so that `vnetsim trace FILE --from a --to b` works as the
// contract writes it: urfave/cli v2, like the standard flag package, stops
// reading flags at the first positional argument. Whether a flag takes a
// value comes from the command's own flag definitions; "--" ends flags.
func interspersed(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	// `vnetsim help lab run` is `vnetsim lab help run`: the library's help
	// command looks one level down only.
	i := 1
	for i < len(args) && isFlag(args[i]) {
		i += flagTokens(app.Flags, args[i:])
	}
	if h := args[min(i, len(args)-1)]; i+2 < len(args) && (h == "help" || h == "h") {
		if cmd := findCommand(app.Commands, args[i+1]); cmd != nil && len(cmd.Subcommands) > 0 {
			return slices.Concat(args[:i], []string{args[i+1], "help"}, args[i+2:])
		}
	}
	out := []string{args[0]}
	rest := args[1:]
	globals := 1         // where global flags found later are moved to
	var flags []cli.Flag // the command's flags
	inCommand := false
	// flag takes the flag at rest[0]. A global flag written after the
	// command (vnetsim validate --color never f) goes back in front of it.
	flag := func() {
		switch {
		case !inCommand:
			n := flagTokens(app.Flags, rest)
			out = append(out, rest[:n]...)
			globals = len(out)
			rest = rest[n:]
		case !defines(flags, rest[0]) && defines(app.Flags, rest[0]):
			n := flagTokens(app.Flags, rest)
			toks := rest[:n]
			if n == 1 && takesValue(flagNamed(app.Flags, rest[0])) && !strings.Contains(rest[0], "=") {
				// No value follows: give it an empty one, which the flag
				// refuses, rather than let it take the command's name.
				toks = []string{rest[0] + "="}
			}
			out = slices.Insert(out, globals, toks...)
			globals += n
			rest = rest[n:]
		default:
			n := flagTokens(flags, rest)
			out = append(out, rest[:n]...)
			rest = rest[n:]
		}
	}
	// Global flags, then the command and subcommand names.
	cmds := app.Commands
	for len(rest) > 0 {
		tok := rest[0]
		if inCommand && isHelp(tok) {
			return append(out, tok) // help for the command; see below
		}
		if isFlag(tok) {
			flag()
			continue
		}
		cmd := findCommand(cmds, tok)
		if cmd == nil {
			break
		}
		out = append(out, tok)
		rest = rest[1:]
		flags, cmds, inCommand = cmd.Flags, cmd.Subcommands, true
	}
	var positional []string
	for len(rest) > 0 {
		tok := rest[0]
		switch {
		case tok == "--":
			positional = append(positional, rest[1:]...)
			rest = nil
		case inCommand && isHelp(tok) && (len(cmds) == 0 || len(positional) == 0):
			// Help for the command, whatever its arguments: the library
			// would read the first one as a help topic. (A group's first
			// argument is an unknown subcommand: left to the library.)
			return append(out, tok)
		case isFlag(tok):
			flag()
		default:
			positional = append(positional, tok)
			rest = rest[1:]
		}
	}
	for _, p := range positional {
		if strings.HasPrefix(p, "-") && p != "-" {
			out = append(out, "--") // keep an argument that looks like a flag an argument
			break
		}
	}
	return append(out, positional...)
}

// defines reports whether one of flags is named by the flag token tok
// ("--name", "-n" or "--name=value").
func defines(flags []cli.Flag, tok string) bool { return flagNamed(flags, tok) != nil }

// flagNamed returns the flag of flags that the flag token tok names, or nil.
func flagNamed(flags []cli.Flag, tok string) cli.Flag {
	name, _, _ := strings.Cut(strings.TrimLeft(tok, "-"), "=")
	for _, f := range flags {
		if slices.Contains(f.Names(), name) {
			return f
		}
	}
	return nil
}

// takesValue reports whether flag f takes a value (--format json) rather
// than standing alone (--strict).
func takesValue(f cli.Flag) bool {
	tv, ok := f.(interface{ TakesValue() bool })
	return ok && tv.TakesValue()
}

func isFlag(tok string) bool { return len(tok) > 1 && tok[0] == '-' && tok != "--" }

func isHelp(tok string) bool { return tok == "-h" || tok == "--help" || tok == "-help" }

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// flagTokens returns how many tokens the flag at toks[0] uses: two when it
// takes a value given as the next token, else one.
func flagTokens(flags []cli.Flag, toks []string) int {
	if strings.Contains(toks[0], "=") || len(toks) < 2 {
		return 1
	}
	if f := flagNamed(flags, toks[0]); f != nil && takesValue(f) {
		return 2
	}
	return 1
}
