package topology

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vnetsim/vnetsim/topology/diag"
)

// exampleFiles returns the files matching pattern under ../examples.
func exampleFiles(t *testing.T, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "examples", pattern))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples match %s: %v", pattern, err)
	}
	return files
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestGoodExamples checks that every example topology loads and validates
// with no diagnostic at all, and carries the schema comment on its first
// line.
func TestGoodExamples(t *testing.T) {
	for _, path := range exampleFiles(t, "*.yaml") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data := readFile(t, path)
			if !bytes.HasPrefix(data, []byte("# yaml-language-server: $schema=../topology/schema.json\n")) {
				t.Errorf("first line is not the yaml-language-server schema comment")
			}
			n, _, ds := Check(path, data)
			if n == nil {
				t.Fatalf("Check returned no network:\n%s", formatDiags(ds))
			}
			if len(ds) > 0 {
				t.Errorf("want no diagnostics, got:\n%s", formatDiags(ds))
			}
		})
	}
}

// wantCodes returns the "code@line:col" expectations written as
// "# want: …" comments in a broken example.
func wantCodes(data []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "# want:"); ok {
			out = append(out, strings.Fields(rest)...)
		}
	}
	slices.Sort(out)
	return out
}

// TestBrokenExamples checks that each file in examples/broken reports
// exactly the codes, at the lines and columns, that its "# want:" comments
// list, and pins the full text of its diagnostics in a golden file.
func TestBrokenExamples(t *testing.T) {
	for _, path := range exampleFiles(t, "broken/*.yaml") {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data := readFile(t, path)
			want := wantCodes(data)
			if len(want) == 0 {
				t.Fatal("no # want: comment")
			}
			_, _, ds := Check("broken/"+name, data)
			if diff := cmp.Diff(want, codesAtCol(ds)); diff != "" {
				t.Errorf("codes (-want +got):\n%s\n%s", diff, formatDiags(ds))
			}
			golden := filepath.Join("testdata", "broken", strings.TrimSuffix(name, ".yaml")+".golden")
			got := formatDiags(ds)
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if diff := cmp.Diff(string(readFile(t, golden)), got); diff != "" {
				t.Errorf("diagnostics differ from %s (-want +got); rerun with -update if intended:\n%s", golden, diff)
			}
		})
	}
}

// TestEveryStaticCodeIsExercised checks that every contract error and
// warning that topology can report appears in some broken example.
// forwarded-traffic-blocked needs the forwarding engine, so sim owns it;
// the import codes are the importers', whose tests exercise them.
func TestEveryStaticCodeIsExercised(t *testing.T) {
	seen := map[diag.Code]bool{}
	for _, path := range exampleFiles(t, "broken/*.yaml") {
		for _, w := range wantCodes(readFile(t, path)) {
			code, _, _ := strings.Cut(w, "@")
			seen[diag.Code(code)] = true
		}
	}
	for _, c := range slices.Concat(diag.ErrorCodes, diag.WarningCodes) {
		owned := c == diag.ForwardedTrafficBlocked || c == diag.ImportUnsupported || c == diag.ImportIncomplete
		if !owned && !seen[c] {
			t.Errorf("no broken example expects %s", c)
		}
	}
}
