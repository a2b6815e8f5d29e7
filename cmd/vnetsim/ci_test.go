package main

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
	"gopkg.in/yaml.v3"
)

// The CI integrations at the repository root (action.yml,
// .pre-commit-hooks.yaml, Dockerfile) are parsed, their vnetsim command
// lines checked against the CLI itself, and their commands run.

// commandPath returns the command that words name ("lab", "run", …) and
// how many words that took; nil when the first word is no command.
func commandPath(app *cli.App, words []string) (*cli.Command, int) {
	var cmd *cli.Command
	cmds := app.Commands
	n := 0
	for _, w := range words {
		c := findCommand(cmds, w)
		if c == nil {
			break
		}
		cmd, cmds = c, c.Subcommands
		n++
	}
	return cmd, n
}

// checkInvocation checks a vnetsim command line (without the program
// name): the command exists, and so does every flag, with an allowed
// value for --format. Words that are shell variables are arguments.
func checkInvocation(t *testing.T, where string, words []string) {
	t.Helper()
	app := quietApp()
	app.Setup()
	if len(words) > 0 && (words[0] == "--version" || words[0] == "--help") {
		return
	}
	cmd, n := commandPath(app, words)
	if cmd == nil {
		t.Errorf("%s: vnetsim %s: no such command", where, strings.Join(words, " "))
		return
	}
	flags := append(slices.Clone(cmd.Flags), app.Flags...)
	for i := n; i < len(words); i++ {
		w := words[i]
		if w == "--" {
			break
		}
		if !isFlag(w) {
			continue
		}
		f := flagNamed(flags, w)
		if f == nil {
			t.Errorf("%s: vnetsim %s: %s has no flag %s", where, strings.Join(words, " "), cmd.Name, w)
			continue
		}
		if takesValue(f) && !strings.Contains(w, "=") && i+1 < len(words) {
			value := words[i+1]
			if f.Names()[0] == "format" && !strings.HasPrefix(value, "$") && !slices.Contains(formatChoices(f), value) {
				t.Errorf("%s: vnetsim %s: %s takes no format %s", where, cmd.Name, w, value)
			}
			i++
		}
	}
}

// shellWords splits a shell command line into words, dropping quotes; it
// is enough for the simple lines the integrations hold.
func shellWords(line string) []string {
	var out []string
	for _, w := range strings.Fields(line) {
		out = append(out, strings.Trim(w, `"'`))
	}
	return out
}

// action is the part of action.yml the tests read.
type action struct {
	Name, Description string
	Inputs            map[string]struct {
		Description string
		Default     string
	}
	Outputs map[string]struct {
		Description, Value string
	}
	Runs struct {
		Using string
		Steps []actionStep
	}
}

type actionStep struct {
	Name, ID, Uses, Shell, Run, If string
	WorkingDirectory               string `yaml:"working-directory"`
	Env                            map[string]string
	With                           map[string]string
}

func readAction(t *testing.T) action {
	t.Helper()
	var a action
	if err := yaml.Unmarshal([]byte(readDoc(t, "action.yml")), &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return a
}

var expression = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// TestActionDefinition checks action.yml's shape: a composite action whose
// inputs are described, whose expressions name declared inputs and earlier
// steps, whose actions are pinned to a major version, whose build sets the
// version through the real variable, and whose vnetsim command lines use
// commands, flags and formats the CLI has.
func TestActionDefinition(t *testing.T) {
	a := readAction(t)
	if a.Name == "" || a.Description == "" || a.Runs.Using != "composite" {
		t.Fatalf("action.yml is not a described composite action: %+v", a)
	}
	for name, in := range a.Inputs {
		if in.Description == "" {
			t.Errorf("input %s has no description", name)
		}
	}
	ids := map[string]bool{}
	var uses []string
	invocations := 0
	for _, s := range a.Runs.Steps {
		texts := []string{s.Run, s.If, s.WorkingDirectory}
		for _, v := range s.Env {
			texts = append(texts, v)
		}
		for _, v := range s.With {
			texts = append(texts, v)
		}
		for _, text := range texts {
			for _, m := range expression.FindAllStringSubmatch(text, -1) {
				checkExpression(t, s.Name, m[1], a, ids)
			}
		}
		if s.Run != "" && expression.MatchString(s.Run) {
			t.Errorf("step %q: pass ${{ }} values through env, not into the script", s.Name)
		}
		if s.ID != "" {
			ids[s.ID] = true
		}
		if s.Uses != "" {
			uses = append(uses, s.Uses)
			if !regexp.MustCompile(`^[\w.-]+/[\w./-]+@v\d+$`).MatchString(s.Uses) {
				t.Errorf("step %q: %s is not pinned to a major version", s.Name, s.Uses)
			}
			continue
		}
		if s.Shell != "bash" {
			t.Errorf("step %q: shell %q, want bash", s.Name, s.Shell)
		}
		for _, line := range strings.Split(s.Run, "\n") {
			words := shellWords(line)
			if len(words) > 0 && (words[0] == "$VNETSIM" || words[0] == "$bin") {
				checkInvocation(t, "action.yml step "+s.Name, words[1:])
				invocations++
			}
			if slices.Contains(words, "build") && words[0] == "go" {
				if !strings.Contains(line, "-X github.com/vnetsim/vnetsim/internal/buildinfo.version=") || !strings.HasSuffix(line, "./cmd/vnetsim") {
					t.Errorf("action.yml builds vnetsim without setting its version: %s", line)
				}
			}
		}
	}
	for _, want := range []string{"actions/setup-go@v5", "github/codeql-action/upload-sarif@v3"} {
		if !slices.Contains(uses, want) {
			t.Errorf("action.yml does not use %s", want)
		}
	}
	if invocations < 3 {
		t.Errorf("found %d vnetsim command lines in action.yml; the scan is broken", invocations)
	}
	for name, out := range a.Outputs {
		for _, m := range expression.FindAllStringSubmatch(out.Value, -1) {
			checkExpression(t, "output "+name, m[1], a, ids)
		}
	}
	// The variable the build sets exists.
	src := readDoc(t, "internal/buildinfo/buildinfo.go")
	if !strings.Contains(src, "\nvar version string\n") {
		t.Error("internal/buildinfo has no `var version string` for -X to set")
	}
}

// checkExpression checks one ${{ }} expression: inputs it names are
// declared, steps it names come earlier, contexts are github's or runner's.
func checkExpression(t *testing.T, where, expr string, a action, ids map[string]bool) {
	t.Helper()
	for _, ref := range regexp.MustCompile(`[a-z]+(?:\.[\w-]+)+`).FindAllString(expr, -1) {
		parts := strings.Split(ref, ".")
		switch parts[0] {
		case "inputs":
			if _, ok := a.Inputs[parts[1]]; !ok {
				t.Errorf("%s: %s names no input", where, ref)
			}
		case "steps":
			if !ids[parts[1]] {
				t.Errorf("%s: %s names no earlier step", where, ref)
			}
		case "github", "runner":
		default:
			t.Errorf("%s: unknown context in %s", where, ref)
		}
	}
}

// runActionSteps runs action.yml's shell steps after the build, as a runner
// would, in repo with inputs, vnetsim being this test binary. It returns
// each step's outputs, the step summary and the combined output, and the
// exit code of the last step run.
func runActionSteps(t *testing.T, repo string, inputs map[string]string, base string) (outputs map[string]map[string]string, summary, log string, code int) {
	t.Helper()
	a := readAction(t)
	temp := t.TempDir()
	summaryFile := filepath.Join(temp, "summary.md")
	outputs = map[string]map[string]string{}
	env := append(os.Environ(),
		"PATH="+vnetsimOnPath(t)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"RUNNER_TEMP="+temp, "GITHUB_STEP_SUMMARY="+summaryFile, "GITHUB_ENV="+filepath.Join(temp, "env"))
	env = append(env, "VNETSIM=vnetsim")
	value := func(expr string) string {
		switch {
		case strings.HasPrefix(expr, "inputs."):
			name := strings.TrimPrefix(expr, "inputs.")
			if v, ok := inputs[name]; ok {
				return v
			}
			return a.Inputs[name].Default
		case strings.HasPrefix(expr, "steps."):
			parts := strings.Split(expr, ".")
			return outputs[parts[1]][parts[3]]
		case expr == "github.event.pull_request.base.sha || github.event.before":
			return base
		}
		t.Fatalf("the test does not know the value of ${{ %s }}", expr)
		return ""
	}
	var logs strings.Builder
	for _, s := range a.Runs.Steps {
		if s.Uses != "" || s.ID == "build" {
			continue // setting up Go and building: the Dockerfile test builds
		}
		stepEnv := slices.Clone(env)
		for k, v := range s.Env {
			stepEnv = append(stepEnv, k+"="+expression.ReplaceAllStringFunc(v, func(m string) string {
				return value(expression.FindStringSubmatch(m)[1])
			}))
		}
		outFile := filepath.Join(temp, "output-"+s.Name)
		stepEnv = append(stepEnv, "GITHUB_OUTPUT="+outFile)
		cmd := exec.Command("bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", s.Run)
		cmd.Dir, cmd.Env = repo, stepEnv
		out, err := cmd.CombinedOutput()
		logs.Write(out)
		code = cmd.ProcessState.ExitCode()
		if err != nil && code < 0 {
			t.Fatalf("step %q: %v", s.Name, err)
		}
		if s.ID != "" {
			outputs[s.ID] = readOutputs(t, outFile)
		}
		if code != 0 {
			break
		}
	}
	b, _ := os.ReadFile(summaryFile)
	return outputs, string(b), logs.String(), code
}

func readOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	out := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			out[k] = v
		}
	}
	return out
}

// git runs git in dir.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestActionSteps runs the action's shell steps on a scratch repository: a
// pull request that changes a valid topology, adds a broken one and one
// found by its contents, and touches YAML that is no topology.
func TestActionSteps(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	chain := readDoc(t, "examples/chain.yaml")
	broken := readDoc(t, "cmd/vnetsim/testdata/broken.yaml")
	repo := t.TempDir()
	git(t, repo, "init", "-q", "-b", "main")
	writeFiles(t, repo, map[string]string{
		"topologies/prod.yaml":     chain,
		".github/workflows/ci.yml": "on: push\n",
	})
	git(t, repo, "add", ".")
	git(t, repo, "commit", "-q", "-m", "base")
	base := git(t, repo, "rev-parse", "HEAD")
	writeFiles(t, repo, map[string]string{
		"topologies/prod.yaml":      chain + "# a change\n",
		"net/edge.topology.yml":     broken,
		"lab/hub.yaml":              chain, // found by its virtualNetworks key
		"deploy/values.yaml":        "replicas: 3\n",
		".github/workflows/ci.yml":  "on: [push]\n",
		"topologies/untouched.yaml": chain,
	})
	git(t, repo, "add", ".")
	git(t, repo, "commit", "-q", "-m", "head")

	t.Run("a pull request with a broken topology", func(t *testing.T) {
		outputs, summary, log, code := runActionSteps(t, repo, nil, base)
		list, _ := os.ReadFile(outputs["files"]["list"])
		if got, want := string(list), "lab/hub.yaml\nnet/edge.topology.yml\ntopologies/prod.yaml\ntopologies/untouched.yaml\n"; got != want {
			t.Errorf("files to validate:\n%s\nwant:\n%s", got, want)
		}
		if outputs["validate"]["result"] != "1" || code != 1 {
			t.Errorf("result %q, last step exit %d; want 1 and 1\n%s", outputs["validate"]["result"], code, log)
		}
		if !strings.Contains(log, "::error file=net/edge.topology.yml,line=") {
			t.Errorf("no annotation on the broken file:\n%s", log)
		}
		if !strings.Contains(summary, "net/edge.topology.yml") {
			t.Errorf("the step summary does not name the broken file:\n%s", summary)
		}
		var sarif struct {
			Runs []struct {
				Results []struct{ RuleID string }
			}
		}
		b, err := os.ReadFile(outputs["validate"]["sarif"])
		if err != nil || json.Unmarshal(b, &sarif) != nil || len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) == 0 {
			t.Errorf("no SARIF results (%v):\n%.300s", err, b)
		}
	})
	t.Run("files given", func(t *testing.T) {
		outputs, _, log, code := runActionSteps(t, repo, map[string]string{"files": "topologies/*.yaml"}, base)
		if outputs["files"]["count"] != "2" || outputs["validate"]["result"] != "0" || code != 0 {
			t.Errorf("count %q, result %q, exit %d; want 2, 0, 0\n%s", outputs["files"]["count"], outputs["validate"]["result"], code, log)
		}
	})
	t.Run("nothing changed", func(t *testing.T) {
		head := git(t, repo, "rev-parse", "HEAD")
		outputs, summary, log, code := runActionSteps(t, repo, nil, head)
		if outputs["files"]["count"] != "0" || code != 0 || !strings.Contains(summary, "No topology file changed") {
			t.Errorf("count %q, exit %d, summary %q\n%s", outputs["files"]["count"], code, summary, log)
		}
	})
	t.Run("fail: false reports without failing", func(t *testing.T) {
		outputs, _, log, code := runActionSteps(t, repo, map[string]string{"fail": "false"}, base)
		if outputs["validate"]["result"] != "1" || code != 0 {
			t.Errorf("result %q, exit %d; want 1 and 0\n%s", outputs["validate"]["result"], code, log)
		}
	})
}

// TestPreCommitHook checks .pre-commit-hooks.yaml: the hook's entry is the
// binary go install builds from cmd/vnetsim and a real command, its files
// pattern picks topology files, and the entry validates them.
func TestPreCommitHook(t *testing.T) {
	var hooks []struct {
		ID, Name, Entry, Language, Files string
	}
	if err := yaml.Unmarshal([]byte(readDoc(t, ".pre-commit-hooks.yaml")), &hooks); err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 1 {
		t.Fatalf("%d hooks, want 1", len(hooks))
	}
	h := hooks[0]
	if h.ID != "vnetsim-validate" || h.Language != "golang" || h.Name == "" {
		t.Errorf("hook: %+v", h)
	}
	words := strings.Fields(h.Entry)
	if words[0] != "vnetsim" {
		t.Errorf("entry %q does not run vnetsim", h.Entry)
	}
	// go install ./... names the binary after its main package's folder.
	if src, err := os.ReadFile(filepath.Join(repoRoot(t), "cmd", words[0], "main.go")); err != nil || !bytes.Contains(src, []byte("package main")) {
		t.Errorf("no main package cmd/%s for go install to build: %v", words[0], err)
	}
	checkInvocation(t, ".pre-commit-hooks.yaml", words[1:])
	files, err := regexp.Compile(h.Files)
	if err != nil {
		t.Fatalf("files: %v", err)
	}
	for path, want := range map[string]bool{
		"topology.yaml": true, "net/topology.yml": true, "topologies/hub.yaml": true,
		"env/prod.topology.yaml": true, "labs/acls/topology.yaml": true,
		".github/workflows/ci.yaml": false, "labs/acls/scenario.yaml": false, "topologies/readme.md": false,
		"docker-compose.yml": false,
	} {
		if files.MatchString(path) != want {
			t.Errorf("files pattern matches %s: %v, want %v", path, !want, want)
		}
	}
	// pre-commit runs the entry with the matching files as arguments.
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"topologies/ok.yaml": readDoc(t, "examples/chain.yaml"),
		"topology.yaml":      readDoc(t, "cmd/vnetsim/testdata/broken.yaml"),
	})
	for files, want := range map[string]int{"topologies/ok.yaml": 0, "topologies/ok.yaml topology.yaml": 1} {
		cmd := exec.Command("sh", "-c", h.Entry+" "+files)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH="+vnetsimOnPath(t)+string(os.PathListSeparator)+os.Getenv("PATH"), "GITHUB_STEP_SUMMARY=")
		out, _ := cmd.CombinedOutput()
		if got := cmd.ProcessState.ExitCode(); got != want {
			t.Errorf("%s %s: exit %d, want %d\n%s", h.Entry, files, got, want, out)
		}
	}
}

// dockerfile is a Dockerfile read into stages of instructions, with line
// continuations joined.
type dockerStage struct {
	from, name   string
	instructions [][2]string // keyword, arguments
}

func readDockerfile(t *testing.T) (args map[string]string, stages []*dockerStage) {
	t.Helper()
	args = map[string]string{}
	text := strings.ReplaceAll(readDoc(t, "Dockerfile"), "\\\n", " ")
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		kw, rest, _ := strings.Cut(line, " ")
		kw = strings.ToUpper(kw)
		switch {
		case kw == "FROM":
			f := strings.Fields(rest)
			st := &dockerStage{from: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				st.name = f[2]
			}
			stages = append(stages, st)
		case len(stages) == 0 && kw == "ARG":
			name, def, _ := strings.Cut(rest, "=")
			args[name] = def
		case len(stages) > 0:
			st := stages[len(stages)-1]
			st.instructions = append(st.instructions, [2]string{kw, rest})
		}
	}
	return args, stages
}

// TestDockerfile checks the Dockerfile builds in two stages with the
// go.mod Go version, copies only the binary into a scratch or distroless
// image that runs as a non-root user, and runs its build command: the
// result is a static ELF (no program interpreter, no dynamic section) that
// prints the version it was given.
func TestDockerfile(t *testing.T) {
	args, stages := readDockerfile(t)
	if len(stages) != 2 || stages[0].name == "" {
		t.Fatalf("want a named build stage and a final stage, got %d stages", len(stages))
	}
	goMod := readDoc(t, "go.mod")
	if m := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(goMod); m == nil || args["GO_VERSION"] != m[1] {
		t.Errorf("GO_VERSION %q differs from go.mod's go %v", args["GO_VERSION"], m)
	}
	final := stages[1]
	if final.from != "scratch" && !strings.HasPrefix(final.from, "gcr.io/distroless/static") {
		t.Errorf("final image %s is neither scratch nor distroless static", final.from)
	}
	var user, entrypoint, buildCmd string
	var buildEnv []string
	buildArgs := map[string]string{}
	for _, in := range stages[0].instructions {
		switch in[0] {
		case "ENV":
			buildEnv = append(buildEnv, strings.Fields(in[1])...)
		case "ARG":
			k, v, _ := strings.Cut(in[1], "=")
			buildArgs[k] = v
		case "RUN":
			if strings.HasPrefix(in[1], "go build") {
				buildCmd = in[1]
			}
		}
	}
	for _, in := range final.instructions {
		switch in[0] {
		case "USER":
			user = in[1]
		case "ENTRYPOINT":
			entrypoint = in[1]
		case "COPY":
			if !strings.HasPrefix(in[1], "--from="+stages[0].name+" ") {
				t.Errorf("the final stage copies %s from outside the build stage", in[1])
			}
		case "RUN":
			t.Errorf("the final stage runs %s; it has no shell", in[1])
		}
	}
	if uid, _, _ := strings.Cut(user, ":"); uid == "" || uid == "0" || uid == "root" {
		t.Errorf("the image runs as %q, want a non-root user", user)
	}
	if entrypoint != `["/vnetsim"]` {
		t.Errorf("ENTRYPOINT %s, want [\"/vnetsim\"]", entrypoint)
	}
	if !slices.Contains(buildEnv, "CGO_ENABLED=0") {
		t.Errorf("the build stage does not set CGO_ENABLED=0: %v", buildEnv)
	}
	if buildCmd == "" {
		t.Fatal("the build stage has no go build")
	}
	if testing.Short() {
		t.Skip("building vnetsim")
	}

	// Run the build command here: the output path moves to a temporary
	// folder and ${VERSION} takes a test value.
	out := filepath.Join(t.TempDir(), "vnetsim")
	line := strings.ReplaceAll(buildCmd, "${VERSION}", "v0.0.0-dockerfile-test")
	line = strings.ReplaceAll(line, "-o /out/vnetsim", "-o "+out)
	if strings.Contains(line, "/out/") || strings.Contains(line, "$") {
		t.Fatalf("cannot rewrite the build command for a test: %s", line)
	}
	cmd := exec.Command("sh", "-c", line)
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), buildEnv...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", line, err, b)
	}
	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("the binary is not static: it has a %s program header", p.Type)
		}
	}
	if v, err := exec.Command(out, "--version").Output(); err != nil || string(v) != "vnetsim version v0.0.0-dockerfile-test\n" {
		t.Errorf("the built binary says %q (%v)", v, err)
	}
}
