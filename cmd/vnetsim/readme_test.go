package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// consoleBlock is a README example: "$ vnetsim ARGS" and the output below it.
var consoleBlock = regexp.MustCompile("(?s)```console\n\\$ vnetsim ([^\n]*)\n(.*?)```")

// The README's tour shows real output: each "$ vnetsim …" block is run from
// the repository root and must print what the README says (-update
// rewrites the blocks).
func TestREADME(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	t.Setenv("GITHUB_STEP_SUMMARY", "")
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "README.md")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	readme := string(data)
	blocks := consoleBlock.FindAllStringSubmatchIndex(readme, -1)
	if len(blocks) == 0 {
		t.Fatal("README has no console examples")
	}
	var out strings.Builder
	last := 0
	for _, m := range blocks {
		args := readme[m[2]:m[3]]
		want := readme[m[4]:m[5]]
		_, stdout, stderr := vnetsim(t, strings.Fields(args)...)
		got := stdout + stderr
		if got != "" && !strings.HasSuffix(got, "\n") {
			got += "\n"
		}
		if got != want && !*update {
			t.Errorf("README: vnetsim %s prints something else now (go test ./cmd/vnetsim -update):\n%s", args, got)
		}
		out.WriteString(readme[last:m[4]])
		out.WriteString(got)
		last = m[5]
	}
	out.WriteString(readme[last:])
	checkREADMEPicture(t)
	if *update {
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readmePictures are the README's pictures and the commands that draw them.
var readmePictures = []struct {
	path string
	args []string
}{
	{"docs/concepts.svg", []string{"render", "docs/tour/concepts.yaml"}},
	{"docs/hub-spoke-trace.svg", []string{"render", "examples/hub-spoke.yaml", "--trace", "app2,app1", "--port", "22"}},
}

// checkREADMEPicture renders the README's pictures and compares each with
// the file committed (rewritten with -update).
func checkREADMEPicture(t *testing.T) {
	t.Helper()
	if testing.Short() {
		return
	}
	for _, p := range readmePictures {
		tmp := filepath.Join(t.TempDir(), "picture.svg")
		args := append(slices.Clone(p.args), "-o", tmp)
		if code, _, stderr := vnetsim(t, args...); code != 0 {
			t.Fatalf("render %s: exit %d: %s", p.path, code, stderr)
		}
		got, err := os.ReadFile(tmp)
		if err != nil {
			t.Fatal(err)
		}
		if *update {
			if err := os.WriteFile(p.path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if want, err := os.ReadFile(p.path); err != nil || string(want) != string(got) {
			t.Errorf("%s is not what vnetsim %s -o %s draws now (go test ./cmd/vnetsim -update)", p.path, strings.Join(p.args, " "), p.path)
		}
	}
}
