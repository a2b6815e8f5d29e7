package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// write writes data to dir/name and returns the path.
func write(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func read(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func copyTestdata(t *testing.T, dir, name string) string {
	t.Helper()
	return write(t, dir, name, read(t, filepath.Join("testdata", name)))
}

// expectExit runs vnetsim and checks the exit code and that stderr holds
// want.
func expectExit(t *testing.T, code int, want string, args ...string) {
	t.Helper()
	got, stdout, stderr := vnetsim(t, args...)
	if got != code || !strings.Contains(stderr, want) {
		t.Errorf("vnetsim %s: exit %d, stderr %q; want exit %d and %q\nstdout: %.300s", strings.Join(args, " "), got, stderr, code, want, stdout)
	}
}

// No flag makes a command write a file it read: a run's topology that fails
// to load, an absolute topology path, validate's step summary, and an input
// under another name (a hard link, another spelling of its path).
func TestInputsNeverWritten(t *testing.T) {
	t.Setenv("GITHUB_STEP_SUMMARY", "")
	dir := t.TempDir()
	broken := write(t, dir, "broken-topo.yaml", "name: [unclosed\n")
	scn := write(t, dir, "scn.yaml", "name: s\ntopology: broken-topo.yaml\nsteps:\n  - name: a\n    expect:\n      - valid: {}\n")
	chain := copyTestdata(t, dir, "chain.yaml")
	abs := write(t, dir, "abs.yaml", "name: s\ntopology: "+chain+"\nsteps:\n  - name: a\n    expect:\n      - valid: {}\n")
	hard := filepath.Join(dir, "hard.yaml")
	if err := os.Link(chain, hard); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	before := map[string]string{}
	for _, f := range []string{broken, scn, chain, abs} {
		before[f] = read(t, f)
	}

	expectExit(t, 2, "refusing to overwrite", "run", scn, "-o", broken, "--force")
	expectExit(t, 2, "refusing to overwrite", "run", abs, "-o", chain, "--force")
	expectExit(t, 2, "refusing to overwrite", "run", dir, "-o", scn, "--force")
	expectExit(t, 2, "refusing to overwrite", "validate", chain, "--format", "github", "--step-summary", chain)
	expectExit(t, 2, "refusing to overwrite", "render", chain, "-o", hard, "--force")
	expectExit(t, 2, "refusing to overwrite", "render", hard, "-o", filepath.Join(dir, "sub", "..", "chain.yaml"), "--force")
	expectExit(t, 2, "refusing to overwrite", "diff", chain, hard, "--emit-scenario", chain, "--force")

	for f, want := range before {
		if got := read(t, f); got != want {
			t.Errorf("%s was changed", f)
		}
	}
}

// An output never replaces a link, named pipe or directory, even with
// --force; a dangling link counts as an existing name; a replaced file
// keeps its mode.
func TestOutputTargets(t *testing.T) {
	dir := t.TempDir()
	chain := copyTestdata(t, dir, "chain.yaml")
	target := write(t, dir, "target.dot", "keep")
	link := filepath.Join(dir, "link.dot")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(dir, "dangling.dot")
	if err := os.Symlink(filepath.Join(dir, "missing.dot"), dangling); err != nil {
		t.Fatal(err)
	}
	expectExit(t, 2, "is a symbolic link", "render", chain, "-o", link, "--force")
	expectExit(t, 2, "is a symbolic link", "render", chain, "-o", dangling)
	expectExit(t, 2, "is a symbolic link", "render", chain, "-o", dangling, "--force")
	expectExit(t, 2, "is a directory", "render", chain, "-o", filepath.Join(dir), "--force")
	if got := read(t, target); got != "keep" {
		t.Errorf("written through a link: %q", got)
	}
	if _, err := os.Lstat(filepath.Join(dir, "missing.dot")); !os.IsNotExist(err) {
		t.Errorf("the dangling link's target was created")
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced")
	}

	private := write(t, dir, "private.dot", "old")
	if err := os.Chmod(private, 0o600); err != nil {
		t.Fatal(err)
	}
	expectExit(t, 0, "", "render", chain, "-o", private, "--force")
	if info, _ := os.Stat(private); info.Mode().Perm() != 0o600 {
		t.Errorf("replaced file has mode %v, want the old -rw-------", info.Mode().Perm())
	}
	lab := filepath.Join(dir, "lab")
	if err := os.MkdirAll(lab, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(lab, "topology.yaml")); err != nil {
		t.Fatal(err)
	}
	expectExit(t, 2, "is a symbolic link", "lab", "export", "peering-basics", lab, "--force")
	if _, err := os.Stat(filepath.Join(lab, "scenario.yaml")); !os.IsNotExist(err) {
		t.Errorf("a refused lab export wrote scenario.yaml")
	}
	if got := read(t, target); got != "keep" {
		t.Errorf("lab export wrote through a link: %q", got)
	}
}

// -o - writes to standard output, and - reads a topology from standard
// input, named <stdin> in diagnostics.
func TestStandardStreams(t *testing.T) {
	chain := read(t, "testdata/chain.yaml")
	code, stdout, stderr := vnetsim(t, "render", "testdata/chain.yaml", "-o", "-")
	if code != 0 || !strings.HasPrefix(stdout, "digraph") {
		t.Errorf("render -o -: exit %d, stdout %.40q, stderr %s", code, stdout, stderr)
	}
	if _, err := os.Stat("-"); !os.IsNotExist(err) {
		t.Errorf("render -o - wrote a file named -")
	}
	for _, tc := range []struct {
		name, stdin string
		args        []string
		code        int
		want        string // in stdout
	}{
		{"validate", chain, []string{"validate", "-"}, 0, "0 errors, 0 warnings in 1 file"},
		{"validate errors", "name: x\nvirtualNetworks: {A: {addressSpace: [nope]}}\n", []string{"validate", "-", "--format", "json"}, 1, `"path": "<stdin>"`},
		{"validate unloadable", "name: [x\n", []string{"validate", "-"}, 1, "<stdin>:"},
		{"trace", chain, []string{"trace", "-", "--from", "a1", "--to", "b1"}, 0, "delivered"},
		{"routes", chain, []string{"routes", "-", "--subnet", "A/s1"}, 0, "VnetLocal"},
		{"reach", chain, []string{"reach", "-"}, 0, "A"},
		{"render", chain, []string{"render", "-"}, 0, "digraph"},
		{"diff before", chain, []string{"diff", "-", "testdata/chain.yaml"}, 0, ""},
		{"diff after", chain, []string{"diff", "testdata/chain.yaml", "-", "--format", "json"}, 0, `"<stdin>"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := vnetsimStdin(t, tc.stdin, tc.args...)
			if code != tc.code || !strings.Contains(stdout, tc.want) {
				t.Errorf("exit %d, want %d; stdout %.400q lacks %q; stderr %s", code, tc.code, stdout, tc.want, stderr)
			}
		})
	}
	code, _, stderr = vnetsimStdin(t, chain, "validate", "-", "-")
	if code != 2 || !strings.Contains(stderr, "only once") {
		t.Errorf("validate - -: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = vnetsimStdin(t, chain, "diff", "-", "testdata/chain.yaml", "--emit-scenario", filepath.Join(t.TempDir(), "s.yaml"))
	if code != 2 || !strings.Contains(stderr, "not standard input") {
		t.Errorf("diff - --emit-scenario: exit %d, stderr %q", code, stderr)
	}
}

// A scenario may name any file as its topology; when that file is a YAML
// scalar (a key file, a token), no report repeats more than an excerpt of
// it.
func TestReportsQuoteNoFile(t *testing.T) {
	dir := t.TempDir()
	const secret = "AKIAEXAMPLE-0123456789-the-rest-of-the-secret-must-not-leak"
	write(t, dir, "id_token", secret+"\n")
	scn := write(t, dir, "scn.yaml", "name: s\ntopology: id_token\nsteps:\n  - name: a\n    expect:\n      - valid: {}\n")
	for _, f := range []string{"text", "json", "sarif", "junit", "markdown"} { // html: a run with diagnostics fails to render on main (issue 10, owned elsewhere)
		code, stdout, stderr := vnetsim(t, "run", scn, "--format", f)
		if code != 1 || !strings.Contains(stdout, "want a mapping") {
			t.Errorf("%s: exit %d, stdout %.300q, stderr %s", f, code, stdout, stderr)
		}
		if strings.Contains(stdout, "must-not-leak") {
			t.Errorf("%s: the report repeats the file:\n%s", f, stdout)
		}
	}
}
