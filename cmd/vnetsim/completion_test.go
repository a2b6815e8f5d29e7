package main

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// What completes a command line, word by word.
func TestCompletions(t *testing.T) {
	app := quietApp()
	app.Setup()
	for _, tc := range []struct {
		name, line string
		want       []string
	}{
		{"commands", "vnetsim ", []string{"completion", "diff", "generate", "help", "import", "lab", "reach", "render", "routes", "run", "trace", "validate"}},
		{"a command's start", "vnetsim re", []string{"reach", "render"}},
		{"a file argument", "vnetsim validate ", nil},
		{"another file argument", "vnetsim validate a.yaml ", nil},
		{"flags", "vnetsim routes --", []string{"--color", "--format", "--help", "--subnet", "--version"}},
		{"a flag's start", "vnetsim trace f.yaml --fr", []string{"--from"}},
		{"the command's formats", "vnetsim validate --format ", []string{"github", "json", "junit", "markdown", "sarif", "text"}},
		{"formats by alias", "vnetsim trace -f ", []string{"json", "text"}},
		{"after the file", "vnetsim reach f.yaml --level ", []string{"subnet", "vnet"}},
		{"protocols", "vnetsim trace f.yaml --protocol ", []string{"All", "ICMP", "TCP", "UDP"}},
		{"a free value", "vnetsim trace f.yaml --from ", nil},
		{"an output file", "vnetsim render f.yaml -o ", nil},
		{"a global flag's values", "vnetsim --color ", []string{"always", "auto", "never"}},
		{"past a flag and its value", "vnetsim --color never val", []string{"validate"}},
		{"subcommands", "vnetsim lab ", []string{"export", "list", "run"}},
		{"import platforms", "vnetsim import ", []string{"azure", "windows-sdn"}},
		{"lab names", "vnetsim lab run p", []string{"peering-basics"}},
		{"a lab's folder", "vnetsim lab export acls ", nil},
		{"scenario files, not labs", "vnetsim run ", nil},
		{"shells", "vnetsim completion ", []string{"bash", "fish", "zsh"}},
		{"expected fates", "vnetsim trace f.yaml --expect d", []string{"delivered", "dropped"}},
		{"drop reasons", "vnetsim trace f.yaml --expect dropped --reason acl", []string{"acl-denied"}},
		{"nothing is hidden but the helper", "vnetsim __", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := completions(app, completionWords(tc.line)); !slices.Equal(got, tc.want) {
				t.Errorf("%q completes to %q, want %q", tc.line, got, tc.want)
			}
		})
	}
}

// Every flag that takes a value is sorted into one of the completion
// tables, so that a new flag completes its values or, deliberately, none.
func TestCompletionKnowsEveryFlag(t *testing.T) {
	app := quietApp()
	app.Setup()
	check := func(path string, flags []cli.Flag) {
		for _, f := range flags {
			name := f.Names()[0]
			if !takesValue(f) || name == "reason" {
				continue
			}
			switch {
			case name == "format":
				if len(formatChoices(f)) < 2 {
					t.Errorf("%s --format: completion reads no formats from %q", path, f.String())
				}
			case fixedChoices[name] != nil, slices.Contains(fileFlags, name), slices.Contains(freeFlags, name):
			default:
				t.Errorf("%s --%s: add it to fixedChoices, fileFlags or freeFlags in completion.go", path, name)
			}
		}
	}
	check("vnetsim", app.Flags)
	walkCommands(app.Commands, "vnetsim", func(path string, c *cli.Command) { check(path, c.Flags) })
}

// walkCommands calls fn for every visible command and subcommand, with its
// path ("vnetsim lab run").
func walkCommands(cmds []*cli.Command, parent string, fn func(path string, c *cli.Command)) {
	for _, c := range cmds {
		if c.Hidden || c.Name == "help" {
			continue
		}
		path := parent + " " + c.Name
		fn(path, c)
		walkCommands(c.Subcommands, path, fn)
	}
}

// vnetsim completion SHELL prints a script; an unknown shell is exit 2.
func TestCompletionCommand(t *testing.T) {
	for _, sh := range shells {
		code, stdout, _ := vnetsim(t, "completion", sh)
		if code != 0 || !strings.Contains(stdout, "vnetsim __complete") {
			t.Errorf("completion %s: exit %d:\n%s", sh, code, stdout)
		}
	}
	for _, args := range [][]string{{"completion"}, {"completion", "powershell"}, {"completion", "bash", "zsh"}} {
		if code, _, _ := vnetsim(t, args...); code != 2 {
			t.Errorf("vnetsim %s: exit %d, want 2", strings.Join(args, " "), code)
		}
	}
}

// The bash script, sourced by bash, registers a completion whose command,
// run as bash runs it (COMP_LINE and COMP_POINT set), completes.
func TestBashCompletionScript(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	_, script, _ := vnetsim(t, "completion", "bash")
	test := script + `
spec=$(complete -p vnetsim) || exit 1
echo "$spec"
cmd=${spec#*-C \'}; cmd=${cmd%%\'*}
COMP_LINE='vnetsim lab run non' COMP_POINT=19 eval "$cmd vnetsim non run"
COMP_LINE='vnetsim trace f.yaml --protocol T' COMP_POINT=33 eval "$cmd"
`
	cmd := exec.Command(bash, "--norc", "--noprofile", "-c", test)
	cmd.Env = append(os.Environ(), "PATH="+vnetsimOnPath(t)+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	want := "complete -o default -C 'vnetsim __complete' vnetsim\nnon-transitive\nTCP\n"
	if string(out) != want {
		t.Errorf("bash printed\n%s\nwant\n%s", out, want)
	}
}
