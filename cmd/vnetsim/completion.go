package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/vnetsim/vnetsim/reports"

	"github.com/vnetsim/vnetsim/scenarios"
	"github.com/vnetsim/vnetsim/sim"
)

// Shell completion. The shells' scripts are one line each: they ask the
// hidden command `vnetsim __complete` for the completions of the line being
// typed (bash's and zsh's `complete -C` pass it in COMP_LINE and
// COMP_POINT), so what completes is always this binary's own commands,
// flags and values. An empty answer lets the shell complete file names.

// completionScripts are the scripts `vnetsim completion SHELL` prints.
var completionScripts = map[string]string{
	"bash": `# bash completion for vnetsim. Load it in ~/.bashrc with:
#   source <(vnetsim completion bash)
complete -o default -C 'vnetsim __complete' vnetsim
`,
	// zsh runs bash completions through bashcompinit, which exports
	// COMP_LINE and COMP_POINT to a -C command as bash does.
	"zsh": `# zsh completion for vnetsim. Load it in ~/.zshrc, after compinit, with:
#   source <(vnetsim completion zsh)
autoload -U +X bashcompinit && bashcompinit
complete -o default -C 'vnetsim __complete' vnetsim
`,
	"fish": `# fish completion for vnetsim. Load it with:
#   vnetsim completion fish | source
# or save it as ~/.config/fish/completions/vnetsim.fish.
function __vnetsim_complete
    set -l candidates (COMP_LINE=(commandline -cp) vnetsim __complete)
    if test (count $candidates) -eq 0
        __fish_complete_path (commandline -ct)
    else
        printf '%s\n' $candidates
    end
end
complete -c vnetsim -f -a '(__vnetsim_complete)'
`,
}

// shells lists the shells completion knows, in the order help gives them.
var shells = []string{"bash", "zsh", "fish"}

// completionCommand is `vnetsim completion bash|zsh|fish`.
func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script for bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		Description: "bash: source <(vnetsim completion bash) in ~/.bashrc\n" +
			"zsh:  source <(vnetsim completion zsh) in ~/.zshrc, after compinit\n" +
			"fish: vnetsim completion fish > ~/.config/fish/completions/vnetsim.fish\n" +
			"Commands, flags, formats and other fixed values complete; file arguments complete as files.\n" +
			"The text format is the script; json is {\"version\", \"shell\", \"script\"}.",
		Flags: []cli.Flag{formatFlag("text", "json")},
		Action: func(c *cli.Context) error {
			f, err := format(c, "text", "json")
			if err != nil {
				return err
			}
			shell := c.Args().First()
			if c.NArg() != 1 || completionScripts[shell] == "" {
				return usageError("completion: name one shell: %s", strings.Join(shells, ", "))
			}
			if f == "json" {
				return reports.WriteDocument(c.App.Writer, struct {
					Shell  string `json:"shell"`
					Script string `json:"script"`
				}{shell, completionScripts[shell]})
			}
			fmt.Fprint(c.App.Writer, completionScripts[shell])
			return nil
		},
	}
}

// completeCommand is the hidden `vnetsim __complete` the scripts call.
func completeCommand() *cli.Command {
	return &cli.Command{
		Name:            "__complete",
		Hidden:          true,
		SkipFlagParsing: true,
		Action: func(c *cli.Context) error {
			line := os.Getenv("COMP_LINE")
			if p, err := parsePoint(os.Getenv("COMP_POINT")); err == nil && p <= len(line) {
				line = line[:p]
			}
			for _, s := range completions(c.App, completionWords(line)) {
				fmt.Fprintln(c.App.Writer, s)
			}
			return nil
		},
	}
}

func parsePoint(s string) (int, error) {
	var p int
	_, err := fmt.Sscanf(s, "%d", &p)
	return p, err
}

// completionWords splits the line up to the cursor into words; the last
// is the word being completed, "" after a space.
func completionWords(line string) []string {
	words := strings.Fields(line)
	if line == "" || strings.HasSuffix(line, " ") || strings.HasSuffix(line, "\t") {
		words = append(words, "")
	}
	return words
}

// completions returns what may complete the last of words (words[0] is
// the program), sorted; none means "complete file names".
func completions(app *cli.App, words []string) []string {
	if len(words) < 2 {
		return nil
	}
	cur, typed := words[len(words)-1], words[1:len(words)-1]
	var path []string // the commands named so far
	cmds, flags := app.Commands, app.Flags
	var valueOf cli.Flag // set when cur is the value of this flag
	args := 0
	for i := 0; i < len(typed); i++ {
		w := typed[i]
		switch {
		case w == "--":
			args += len(typed) - i - 1
			i = len(typed)
		case isFlag(w):
			if f := flagNamed(append(slices.Clone(flags), app.Flags...), w); f != nil && !strings.Contains(w, "=") && takesValue(f) {
				if i == len(typed)-1 {
					valueOf = f
				}
				i++ // its value
			}
		default:
			if c := findCommand(cmds, w); c != nil && args == 0 {
				path, cmds, flags = append(path, c.Name), c.Subcommands, c.Flags
			} else {
				args++
			}
		}
	}
	var out []string
	switch {
	case valueOf != nil:
		out = flagChoices(valueOf)
	case strings.HasPrefix(cur, "-"):
		for _, f := range append(slices.Clone(flags), app.Flags...) {
			if !visible(f) {
				continue
			}
			for _, n := range f.Names() {
				if len(n) == 1 {
					out = append(out, "-"+n)
				} else {
					out = append(out, "--"+n)
				}
			}
		}
		out = append(out, "--help")
	case len(cmds) > 0 && args == 0:
		for _, c := range cmds {
			if !c.Hidden {
				out = append(out, c.Name)
			}
		}
	default:
		out = argChoices(strings.Join(path, " "), args)
	}
	out = slices.DeleteFunc(out, func(s string) bool { return !strings.HasPrefix(s, cur) })
	slices.Sort(out)
	return slices.Compact(out)
}

func visible(f cli.Flag) bool {
	v, ok := f.(cli.VisibleFlag)
	return !ok || v.IsVisible()
}

// Flags whose values complete from a fixed list, by flag name; --format's
// list is the command's own (see formatFlag). Flags that name a file get
// none, so the shell completes file names.
var (
	fixedChoices = map[string][]string{
		"protocol": {"TCP", "UDP", "ICMP", "All"},
		"level":    {"vnet", "subnet"},
		"color":    {"auto", "always", "never"},
		"platform": {"windows-sdn", "azure"},
		"expect":   {"delivered", "dropped", "exited"},
	}
	// fileFlags take a file name.
	fileFlags = []string{"output", "emit-scenario", "step-summary"}
	// freeFlags take a value no list holds: endpoint names, numbers.
	freeFlags = []string{"from", "to", "subnet", "port", "trace", "fold-above", "hubs", "spokes", "subnets", "name"}
)

// flagChoices returns the values that complete flag f.
func flagChoices(f cli.Flag) []string {
	name := f.Names()[0]
	switch {
	case name == "format":
		return formatChoices(f)
	case name == "reason":
		var out []string
		for _, r := range sim.Reasons {
			out = append(out, r.String())
		}
		return out
	}
	return fixedChoices[name]
}

// formatChoices reads a --format flag's formats back from the usage
// formatFlag writes: "output format: text, json".
func formatChoices(f cli.Flag) []string {
	sf, ok := f.(*cli.StringFlag)
	if !ok {
		return nil
	}
	list, ok := strings.CutPrefix(sf.Usage, formatUsage)
	if !ok {
		return nil
	}
	return strings.Split(list, ", ")
}

// argChoices returns the values that complete the n-th argument (from 0)
// of the command at path: lab names, shells; none for file arguments.
func argChoices(path string, n int) []string {
	if n > 0 {
		return nil
	}
	switch path {
	case "completion":
		return shells
	case "lab run", "lab export":
		var out []string
		for _, l := range scenarios.Labs() {
			out = append(out, l.Name)
		}
		return out
	}
	return nil
}
