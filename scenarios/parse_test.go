package scenarios

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/vnetsim/vnetsim/topology/diag"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixture is a txtar test case: its files, written to a temporary folder,
// and its want.txt.
type fixture struct {
	dir, golden string
	archive     *txtar.Archive
	want        string
}

// loadFixture writes the archive's files (all but want.txt) to a fresh
// temporary folder.
func loadFixture(t *testing.T, golden string) fixture {
	t.Helper()
	a, err := txtar.ParseFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{dir: t.TempDir(), golden: golden, archive: a}
	for _, file := range a.Files {
		if file.Name == "want.txt" {
			f.want = string(file.Data)
			continue
		}
		if err := os.WriteFile(filepath.Join(f.dir, file.Name), file.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// check compares got with want.txt, or rewrites want.txt under -update.
func (f fixture) check(t *testing.T, got string) {
	t.Helper()
	if *update {
		var files []txtar.File
		for _, file := range f.archive.Files {
			if file.Name != "want.txt" {
				files = append(files, file)
			}
		}
		f.archive.Files = append(files, txtar.File{Name: "want.txt", Data: []byte(got)})
		if err := os.WriteFile(f.golden, txtar.Format(f.archive), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got != f.want {
		t.Errorf("%s: want.txt differs (-want +got):\n%s", f.golden, cmp.Diff(f.want, got))
	}
}

// formatDiags prints diagnostics one a line, file names relative to dir.
func formatDiags(dir string, ds diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		r := d.Subject
		r.Filename = strings.TrimPrefix(r.Filename, dir+string(filepath.Separator))
		fmt.Fprintf(&b, "%s %s %s: %s\n", r, d.Severity, d.Code, d.Message())
	}
	return b.String()
}

// TestParseDiagnostics parses each testdata/parse/*.txtar scenario and
// compares its diagnostics, with positions, with want.txt.
func TestParseDiagnostics(t *testing.T) {
	eachFixture(t, "parse", func(t *testing.T, f fixture, sc *Scenario, ds diag.Diagnostics) {
		got := formatDiags(f.dir, ds)
		if ds.HasErrors() != (sc == nil) {
			t.Errorf("scenario nil = %v with %d errors", sc == nil, ds.Errors())
		}
		for _, d := range ds {
			if !d.Valid() || !d.Subject.IsValid() {
				t.Errorf("diagnostic without a valid code, severity or position: %+v", d)
			}
		}
		if got == "" {
			got = "ok\n"
		}
		f.check(t, got)
	})
}

// eachFixture runs fn as one subtest per testdata/dir/*.txtar fixture, with
// the fixture's files written out and its scenario.yaml parsed.
func eachFixture(t *testing.T, dir string, fn func(t *testing.T, f fixture, sc *Scenario, ds diag.Diagnostics)) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.txtar"))
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, golden := range files {
		t.Run(strings.TrimSuffix(filepath.Base(golden), ".txtar"), func(t *testing.T) {
			f := loadFixture(t, golden)
			sc, ds := ParseFile(filepath.Join(f.dir, "scenario.yaml"))
			fn(t, f, sc, ds)
		})
	}
}
