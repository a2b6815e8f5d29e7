package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/vnetsim/vnetsim/internal/fileio"
)

var update = flag.Bool("update", false, "rewrite golden files")

var junitTime = regexp.MustCompile(`time="[0-9.]+"`)

// vnetsim runs the app in-process, as the binary would, and returns its
// exit code, stdout and stderr. Standard input is empty.
func vnetsim(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return vnetsimStdin(t, "", args...)
}

// vnetsimStdin is vnetsim with stdin as standard input.
func vnetsimStdin(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(append([]string{"vnetsim"}, args...), strings.NewReader(stdin), &out, &errOut, &fileio.Files{})
	return code, out.String(), errOut.String()
}

// goldenRun compares "exit N", stdout and stderr with testdata/cli/NAME.golden.
func goldenRun(t *testing.T, name string, code int, stdout, stderr string) {
	t.Helper()
	// JUnit durations are wall time; everything else is deterministic.
	stdout = junitTime.ReplaceAllString(stdout, `time="0.000"`)
	got := fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", code, stdout, stderr)
	path := filepath.Join("testdata", "cli", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/vnetsim -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (run go test ./cmd/vnetsim -update and review git diff):\n%s", path, got)
	}
}

// Every command, its formats and its exit codes: 0 ok, 1 analysed and
// failed, 2 could not run. Rows name their golden file.
func TestCLI(t *testing.T) {
	t.Setenv("GITHUB_STEP_SUMMARY", "") // the github format must not write a summary during tests
	t.Setenv("NO_COLOR", "")
	const (
		hub    = "testdata/hub-spoke.yaml"
		chain  = "testdata/chain.yaml"
		broken = "testdata/broken.yaml"
	)
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		// validate
		{"validate-ok", []string{"validate", hub, chain}, 0},
		{"validate-errors", []string{"validate", broken}, 1},
		{"validate-warning-only", []string{"validate", "testdata/warn.yaml"}, 0},
		{"validate-warning-strict", []string{"validate", "--strict", "testdata/warn.yaml"}, 1},
		{"validate-json", []string{"validate", "--format", "json", broken}, 1},
		{"validate-sarif", []string{"validate", "--format", "sarif", broken}, 1},
		{"validate-github", []string{"validate", "--format", "github", broken}, 1},
		{"validate-junit", []string{"validate", "--format", "junit", broken, chain}, 1},
		{"validate-engine-lint", []string{"validate", "testdata/fwd-blocked.yaml"}, 0},
		{"validate-unloadable", []string{"validate", "testdata/unloadable.yaml"}, 1},
		{"validate-missing-file", []string{"validate", "testdata/nope.yaml"}, 2},
		{"validate-no-files", []string{"validate"}, 2},
		{"validate-bad-format", []string{"validate", "--format", "xml", chain}, 2},
		{"validate-unknown-flag", []string{"validate", "--bogus", chain}, 2},
		{"validate-misspelt-flag", []string{"validate", chain, "--stirct"}, 2},

		// trace: the answer is exit 0 whatever the packet's fate
		{"trace-delivered-via-appliance", []string{"trace", hub, "--from", "app1", "--to", "app2"}, 0},
		{"trace-dropped-acl", []string{"trace", hub, "--from", "app2", "--to", "app1", "--port", "22"}, 0},
		{"trace-json", []string{"trace", "--format", "json", chain, "--from", "a1", "--to", "c1"}, 0},
		{"trace-return", []string{"trace", hub, "--from", "app1", "--to", "op1", "--return"}, 0},
		{"trace-icmp", []string{"trace", chain, "--from", "a1", "--to", "b1", "--protocol", "ICMP"}, 0},
		{"trace-protocol-any-case", []string{"trace", chain, "--from", "a1", "--to", "b1", "--protocol", "udp", "--port", "53"}, 0},
		{"trace-semantic-errors-still-answer", []string{"trace", broken, "--from", "o1", "--to", "hub/s1"}, 0},
		{"trace-unknown-endpoint", []string{"trace", chain, "--from", "a1", "--to", "zz"}, 2},
		{"trace-misspelt-endpoint", []string{"trace", chain, "--from", "a1", "--to", "c2"}, 2},
		{"trace-unloadable", []string{"trace", "testdata/unloadable.yaml", "--from", "a", "--to", "b"}, 1},
		{"trace-missing-flag", []string{"trace", chain, "--from", "a1"}, 2},
		{"trace-bad-protocol", []string{"trace", chain, "--from", "a1", "--to", "b1", "--protocol", "SCTP"}, 2},
		{"trace-expect-met", []string{"trace", hub, "--from", "app2", "--to", "app1", "--port", "22", "--expect", "dropped", "--reason", "acl-denied"}, 0},
		{"trace-expect-delivered-met", []string{"trace", chain, "--from", "a1", "--to", "b1", "--expect", "delivered"}, 0},
		{"trace-expect-wrong-result", []string{"trace", chain, "--from", "a1", "--to", "c1", "--expect", "delivered"}, 1},
		{"trace-expect-wrong-reason", []string{"trace", hub, "--from", "app2", "--to", "app1", "--port", "22", "--expect", "dropped", "--reason", "no-route", "--format", "json"}, 1},
		{"trace-expect-bad-value", []string{"trace", chain, "--from", "a1", "--to", "b1", "--expect", "lost"}, 2},
		{"trace-expect-bad-reason", []string{"trace", chain, "--from", "a1", "--to", "b1", "--expect", "dropped", "--reason", "gremlins"}, 2},
		{"trace-reason-without-expect", []string{"trace", chain, "--from", "a1", "--to", "b1", "--reason", "acl-denied"}, 2},
		{"trace-reason-with-delivered", []string{"trace", chain, "--from", "a1", "--to", "b1", "--expect", "delivered", "--reason", "acl-denied"}, 2},
		{"trace-port-without-ports", []string{"trace", chain, "--from", "a1", "--to", "b1", "--protocol", "ICMP", "--port", "80"}, 2},
		{"diff-port-without-protocol", []string{"diff", chain, chain, "--port", "22"}, 2},
		{"trace-port-zero", []string{"trace", chain, "--from", "a1", "--to", "b1", "--port", "0"}, 2},
		{"trace-port-too-high", []string{"trace", chain, "--from", "a1", "--to", "b1", "--protocol", "UDP", "--port", "65536"}, 2},

		// routes
		{"routes-text", []string{"routes", hub, "--subnet", "spoke1/app"}, 0},
		{"routes-json", []string{"routes", hub, "--subnet", "hub/nva", "--format", "json"}, 0},
		{"routes-unknown-subnet", []string{"routes", hub, "--subnet", "spoke1/nope"}, 2},
		{"routes-misspelt-subnet", []string{"routes", hub, "--subnet", "spok1/ap"}, 2},
		{"routes-not-vnet-subnet", []string{"routes", hub, "--subnet", "spoke1"}, 2},

		// reach
		{"reach-matrix", []string{"reach", chain}, 0},
		{"reach-json", []string{"reach", chain, "--format", "json"}, 0},
		{"reach-csv-subnet", []string{"reach", hub, "--level", "subnet", "--format", "csv"}, 0},
		{"reach-summary", []string{"reach", chain, "--summary", "--format", "json"}, 0},
		{"reach-summary-text", []string{"reach", chain, "--summary", "--level", "subnet"}, 0},
		{"reach-bad-level", []string{"reach", chain, "--level", "region"}, 2},
		{"reach-port-zero", []string{"reach", chain, "--port", "0"}, 2},
		{"reach-port-without-ports", []string{"reach", chain, "--protocol", "All", "--port", "443"}, 2},

		// run
		{"run-pass", []string{"run", "testdata/pass.yaml"}, 0},
		{"run-fail", []string{"run", "testdata/pass.yaml", "testdata/fail.yaml"}, 1},
		{"run-json", []string{"run", "--format", "json", "testdata/fail.yaml"}, 1},
		{"run-junit", []string{"run", "--format", "junit", "testdata/pass.yaml", "testdata/fail.yaml"}, 1},
		{"run-markdown", []string{"run", "--format", "markdown", "testdata/fail.yaml"}, 1},
		{"run-sarif", []string{"run", "--format", "sarif", "testdata/fail.yaml"}, 1},
		{"run-missing", []string{"run", "testdata/nope.yaml"}, 2},
		{"run-no-args", []string{"run"}, 2},

		// render
		{"render-dot", []string{"render", chain}, 0},
		{"render-trace", []string{"render", chain, "--trace", "a1,c1"}, 0},
		{"render-trace-port-zero", []string{"render", chain, "--trace", "a1,c1", "--port", "0"}, 2},
		{"render-trace-three-names", []string{"render", chain, "--trace", "a1,b1,c1"}, 2},
		{"render-json", []string{"render", chain, "--format", "json"}, 0},
		{"render-bad-trace", []string{"render", chain, "--trace", "a1"}, 2},
		{"render-unknown-trace-endpoint", []string{"render", chain, "--trace", "a1,zz"}, 2},

		// lab
		{"lab-list", []string{"lab", "list"}, 0},
		{"lab-list-json", []string{"lab", "list", "--format", "json"}, 0},
		{"lab-run-pass", []string{"lab", "run", "non-transitive"}, 0},
		{"lab-run-troubleshoot-fails", []string{"lab", "run", "troubleshoot", "--format", "markdown"}, 1},
		{"lab-run-unknown", []string{"lab", "run", "nope"}, 2},
		{"lab-unknown-subcommand", []string{"lab", "bogus"}, 2},
		{"generate-unknown-kind", []string{"generate", "mesh"}, 2},

		// generate
		{"generate-yaml", []string{"generate", "hub-spoke", "--hubs", "1", "--spokes", "2", "--subnets", "1"}, 0},
		{"generate-json", []string{"generate", "hub-spoke", "--spokes", "1", "--subnets", "1", "--format", "json"}, 0},
		{"generate-bad-hubs", []string{"generate", "hub-spoke", "--hubs", "0"}, 2},
		{"generate-too-many-spokes", []string{"generate", "hub-spoke", "--hubs", "3", "--spokes", "4097"}, 2},
		{"generate-bad-platform", []string{"generate", "hub-spoke", "--platform", "aws"}, 2},
		{"generate-bad-name", []string{"generate", "hub-spoke", "--name", "estate,2"}, 2},

		// import, and exports read directly
		{"import-azure", []string{"import", "azure", "../../examples/exports/azure-before.json"}, 0},
		{"import-azure-warnings", []string{"import", "azure", "--name", "specs", "../../topology/importer/testdata/azure-rest-peerings/vnets.json",
			"../../topology/importer/testdata/azure-rest-api-specs/VirtualNetworkPeeringList.json"}, 0},
		{"import-windows-sdn", []string{"import", "windows-sdn", "../../topology/importer/testdata/windows-sdn-peered/virtualNetworks.json"}, 0},
		{"import-wrong-platform", []string{"import", "windows-sdn", "../../examples/exports/azure-before.json"}, 1},
		{"import-topology-file", []string{"import", "azure", chain}, 1},
		{"import-no-files", []string{"import", "azure"}, 2},
		{"import-missing-file", []string{"import", "azure", "testdata/nope.json"}, 2},
		{"validate-export", []string{"validate", "../../examples/exports/azure-after.json", "../../topology/importer/testdata/windows-sdn-peered/virtualNetworks.json"}, 1},
		{"trace-export", []string{"trace", "../../examples/exports/azure-after.json", "--from", "app1", "--to", "app2", "--port", "22"}, 0},
		{"diff-exports", []string{"diff", "../../examples/exports/azure-before.json", "../../examples/exports/azure-after.json"}, 0},

		// the app itself
		{"help", []string{"--help"}, 0},
		{"help-command", []string{"help", "trace"}, 0},
		{"unknown-command", []string{"frobnicate"}, 2},
		{"misspelt-command", []string{"valdate", chain}, 2},
		{"misspelt-subcommand", []string{"lab", "lsit"}, 2},
		{"bad-flag-subcommand", []string{"lab", "list", "--bogus"}, 2},
		{"global-flag-after-command", []string{"validate", "--color", "never", chain}, 0},
		{"bad-color", []string{"--color", "rainbow", "validate", chain}, 2},
		{"help-after-arguments", []string{"validate", chain, "--help"}, 0},
		{"help-unknown-topic", []string{"help", "bogus"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := vnetsim(t, tc.args...)
			if code != tc.code {
				t.Errorf("vnetsim %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(tc.args, " "), code, tc.code, stdout, stderr)
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic:") {
				t.Errorf("stack trace on stderr:\n%s", stderr)
			}
			goldenRun(t, tc.name, code, stdout, stderr)
		})
	}
}

// Outputs go to files atomically, never replace a file without --force and
// never replace an input.
func TestOutputFiles(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "chain.dot")
	input := filepath.Join(dir, "chain.yaml")
	data, err := os.ReadFile("testdata/chain.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(input, data, 0o644); err != nil {
		t.Fatal(err)
	}
	scenario := "name: s\ntopology: chain.yaml\nsteps:\n  - name: a\n    expect:\n      - valid: {}\n"
	if err := os.WriteFile(filepath.Join(dir, "scenario.yaml"), []byte(scenario), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"first write", []string{"render", input, "-o", out}, 0},
		{"exists without force", []string{"render", input, "-o", out}, 2},
		{"exists with force", []string{"render", input, "-o", out, "--force"}, 0},
		{"input never overwritten", []string{"render", input, "-o", input, "--force"}, 2},
		{"run report to a file", []string{"run", "testdata/pass.yaml", "-o", filepath.Join(dir, "report.json"), "--format", "json"}, 0},
		{"a run's topology never overwritten", []string{"run", filepath.Join(dir, "scenario.yaml"), "-o", input, "--force"}, 2},
		{"missing folder", []string{"render", input, "-o", filepath.Join(dir, "no", "such", "x.dot")}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := vnetsim(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tc.code, stderr)
			}
		})
	}
	if got, _ := os.ReadFile(input); !bytes.Equal(got, data) {
		t.Error("the input file was changed")
	}
	if got, _ := os.ReadFile(out); !bytes.HasPrefix(got, []byte("digraph")) {
		t.Errorf("output is not DOT: %.40q", got)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

// SVG and PNG come out of render and are byte-identical between runs.
func TestRenderImages(t *testing.T) {
	if testing.Short() {
		t.Skip("graphviz in WebAssembly")
	}
	dir := t.TempDir()
	for _, ext := range []string{"svg", "png"} {
		a, b := filepath.Join(dir, "a."+ext), filepath.Join(dir, "b."+ext)
		for _, out := range []string{a, b} {
			if code, _, stderr := vnetsim(t, "render", "testdata/hub-spoke.yaml", "--trace", "app2,app1", "--port", "22", "-o", out); code != 0 {
				t.Fatalf("render %s: exit %d: %s", ext, code, stderr)
			}
		}
		da, _ := os.ReadFile(a)
		db, _ := os.ReadFile(b)
		if len(da) == 0 || !bytes.Equal(da, db) {
			t.Errorf("%s: two renders differ or are empty (%d and %d bytes)", ext, len(da), len(db))
		}
	}
}

// lab export writes the lab's files, refuses to overwrite them, and the
// exported scenario runs.
func TestLabExport(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := vnetsim(t, "lab", "export", "non-transitive", dir); code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	if code, _, _ := vnetsim(t, "lab", "export", "non-transitive", dir); code != 2 {
		t.Errorf("second export without --force: exit %d, want 2", code)
	}
	if code, _, stderr := vnetsim(t, "lab", "export", "non-transitive", dir, "--force"); code != 0 {
		t.Errorf("export --force: exit %d: %s", code, stderr)
	}
	if code, stdout, _ := vnetsim(t, "lab", "export", "non-transitive", dir, "--force", "--format", "json"); code != 0 || !strings.Contains(stdout, `"files"`) {
		t.Errorf("export --format json: exit %d: %s", code, stdout)
	}
	if code, stdout, stderr := vnetsim(t, "run", dir); code != 0 {
		t.Errorf("run the exported lab: exit %d\n%s%s", code, stdout, stderr)
	}
}

// quietApp returns the app with empty input and discarded output, for tests
// that walk its commands and flags.
func quietApp() *cli.App {
	return newApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, &fileio.Files{})
}

// Flags may come after the arguments, as the contract writes commands.
func TestInterspersedFlags(t *testing.T) {
	app := quietApp()
	for _, tc := range []struct {
		name string
		in   string
		want string
	}{
		{"flags after the file", "vnetsim trace f.yaml --from a --to b", "vnetsim trace --from a --to b f.yaml"},
		{"bool flag takes no value", "vnetsim validate a.yaml --strict b.yaml", "vnetsim validate --strict a.yaml b.yaml"},
		{"flag=value", "vnetsim reach f.yaml --level=subnet", "vnetsim reach --level=subnet f.yaml"},
		{"double dash ends flags", "vnetsim validate -- --odd.yaml", "vnetsim validate -- --odd.yaml"},
		{"subcommand", "vnetsim lab run hub-spoke -o r.html --format html", "vnetsim lab run -o r.html --format html hub-spoke"},
		{"global flag first", "vnetsim --color never validate a.yaml", "vnetsim --color never validate a.yaml"},
		{"global flag after the command", "vnetsim validate a.yaml --color never --strict", "vnetsim --color never validate --strict a.yaml"},
		{"global flag=value after a subcommand", "vnetsim lab run x --color=always", "vnetsim --color=always lab run x"},
		{"global flag right after the command", "vnetsim validate --color never a.yaml", "vnetsim --color never validate a.yaml"},
		{"global flag after a subcommand, nothing else", "vnetsim lab list --color never", "vnetsim --color never lab list"},
		{"help for a subcommand", "vnetsim help lab run", "vnetsim lab help run"},
		{"help for a subcommand after a global flag", "vnetsim --color never help lab run", "vnetsim --color never lab help run"},
		{"help for an unknown subcommand", "vnetsim help lab bogus", "vnetsim lab help bogus"},
		{"help after the arguments", "vnetsim validate a.yaml --strict --help", "vnetsim validate --strict --help"},
		{"help before the arguments", "vnetsim validate --help a.yaml", "vnetsim validate --help"},
		{"help before a subcommand's arguments", "vnetsim lab run --help hub-spoke", "vnetsim lab run --help"},
		{"help after an unknown command", "vnetsim bogus --help", "vnetsim --help bogus"}, // no help topic bogus: exit 2
		{"a global flag missing its value", "vnetsim lab list --color", "vnetsim --color= lab list"},
		{"help for a command", "vnetsim help trace", "vnetsim help trace"},
		{"global flags both sides", "vnetsim --color never trace -v f --from a", "vnetsim --color never -v trace --from a f"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(interspersed(app, strings.Fields(tc.in)), " ")
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// A generated estate, as YAML or JSON, loads back and validates without
// errors.
func TestGenerateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			out := filepath.Join(dir, "estate-"+format+".yaml")
			if code, _, stderr := vnetsim(t, "generate", "hub-spoke", "--hubs", "2", "--spokes", "20", "--format", format, "-o", out); code != 0 {
				t.Fatalf("generate: exit %d: %s", code, stderr)
			}
			if code, stdout, stderr := vnetsim(t, "validate", out); code != 0 {
				t.Errorf("validate the generated estate: exit %d\n%s%s", code, stdout, stderr)
			}
		})
	}
}

// run --format html writes one page with the scenario's topology drawn in.
func TestRunHTMLReport(t *testing.T) {
	if testing.Short() {
		t.Skip("graphviz in WebAssembly")
	}
	out := filepath.Join(t.TempDir(), "report.html")
	if code, _, stderr := vnetsim(t, "run", "testdata/pass.yaml", "testdata/fail.yaml", "--format", "html", "-o", out); code != 1 {
		t.Fatalf("exit %d, want 1 (a scenario fails): %s", code, stderr)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(page), "<svg"); got != 2 {
		t.Errorf("%d diagrams, want one per scenario", got)
	}
	for _, bad := range []string{"<script", "<link", "src="} {
		if strings.Contains(string(page), bad) {
			t.Errorf("the page fetches something: %q", bad)
		}
	}
}

// A scenario that cannot be loaded (its topology is missing, its YAML is
// broken) fails the run, exit 1, and every format reports its diagnostics,
// -o included.
func TestRunBrokenScenariosEveryFormat(t *testing.T) {
	dir := t.TempDir()
	missing, syntax := filepath.Join(dir, "missing.yaml"), filepath.Join(dir, "syntax.yaml")
	if err := os.WriteFile(missing, []byte("name: missing\ntopology: nope.yaml\nsteps:\n  - expect:\n      - valid: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(syntax, []byte("name: [broken\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range runFormats {
		t.Run(f, func(t *testing.T) {
			out := filepath.Join(dir, "report."+f)
			code, stdout, stderr := vnetsim(t, "run", "--format", f, "-o", out, missing, syntax)
			if code != 1 || stdout != "" || stderr != "" {
				t.Fatalf("exit %d, want 1 with nothing printed\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			report, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"nope.yaml", "yaml-syntax"} {
				if !strings.Contains(string(report), want) {
					t.Errorf("the %s report lacks %q:\n%s", f, want, report)
				}
			}
		})
	}
}

// run DIR: a folder without scenarios cannot run (exit 2, saying so); a
// scenario with a misspelled steps key fails (exit 1) at its line.
func TestRunFolders(t *testing.T) {
	empty, typo := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "topo.yaml"), []byte("name: t\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(typo, "lab.yaml"), []byte("name: lab\ntopology: {name: t}\nsetps:\n  - expect: [{valid: {}}]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := vnetsim(t, "run", empty)
	if code != 2 || !strings.Contains(stderr, "no scenario files") {
		t.Errorf("empty folder: exit %d, want 2 with \"no scenario files\"\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = vnetsim(t, "run", typo)
	if code != 1 || !strings.Contains(stdout, "lab.yaml:3:1: error[unknown-field]") ||
		!strings.Contains(stdout, `did you mean "steps" (required)`) || strings.Contains(stdout, "missing-field") {
		t.Errorf("misspelled steps: exit %d, want 1 with one unknown-field at line 3 suggesting steps\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

func TestUseColor(t *testing.T) {
	for _, tc := range []struct {
		name, mode, noColor string
		terminal, want      bool
	}{
		{"auto on a terminal", "auto", "", true, true},
		{"auto into a pipe or file", "auto", "", false, false},
		{"NO_COLOR set", "auto", "1", true, false},
		{"always beats NO_COLOR and pipes", "always", "1", false, true},
		{"never on a terminal", "never", "", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := useColor(tc.mode, tc.noColor, tc.terminal); got != tc.want {
				t.Errorf("useColor(%q, %q, %v) = %v, want %v", tc.mode, tc.noColor, tc.terminal, got, tc.want)
			}
		})
	}
}
