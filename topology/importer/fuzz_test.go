package importer

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// formatCodes are the loader's codes for a file it cannot read as written.
var formatCodes = []diag.Code{diag.YAMLSyntax, diag.UnknownField, diag.DuplicateKey, diag.MissingField,
	diag.InvalidValue, diag.InvalidPrefix, diag.InvalidAddress, diag.UnknownReference}

// FuzzImport: no input panics an import; every diagnostic has a known code,
// a severity and a position inside the file; and whatever is imported
// writes a topology file the loader reads without a format error (the
// estate's own faults, such as a subnet outside its VNet, are Validate's
// and reported for the export too).
//
//	go test -run '^$' -fuzz FuzzImport -fuzztime 1m ./topology/importer
func FuzzImport(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*/*.json")
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`[{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/a,b/c", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/8"]}}}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []Format{Azure, WindowsSDN} {
			r := Import(format, []Input{{Filename: "f.json", Data: data}}, Options{})
			lines := strings.Count(string(data), "\n") + 1
			for _, d := range r.Diagnostics {
				if !d.Valid() || d.Subject.Start.Line < 1 || d.Subject.Start.Line > lines {
					t.Fatalf("bad diagnostic %+v in a file of %d lines", d, lines)
				}
			}
			if r.Network == nil || r.Diagnostics.HasErrors() {
				continue
			}
			out, err := r.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			n, _, ds := topology.Load("imported.yaml", out)
			if n != nil {
				// The structural checks Validate shares with the loader
				// (overlapping ranges, say) are the estate's faults too.
				ds = topology.FileDiagnostics(ds, n)
			}
			for _, d := range ds {
				if n == nil || slices.Contains(formatCodes, d.Code) {
					t.Fatalf("the imported topology does not load: %v\n%s", ds.Err(), out)
				}
			}
		}
	})
}
