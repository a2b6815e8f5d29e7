package scenarios

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/tools/txtar"
)

// FuzzParse feeds arbitrary bytes to Parse (and runs what parses, with an
// inline topology): it never panics, and every diagnostic has a valid
// severity, a contract code and a position.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/*.txtar")
	for _, s := range seeds {
		a, err := txtar.ParseFile(s)
		if err != nil {
			continue
		}
		for _, file := range a.Files {
			if file.Name == "scenario.yaml" {
				f.Add(file.Data)
			}
		}
	}
	for _, name := range labNames() {
		if b, err := labFS.ReadFile("labs/" + name + "/scenario.yaml"); err == nil {
			f.Add(b)
		}
	}
	if b, err := os.ReadFile("testdata/every-event.yaml"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, ds := Parse("testdata/fuzz.yaml", data)
		for _, d := range ds {
			if !d.Valid() || !d.Subject.IsValid() {
				t.Fatalf("invalid diagnostic %+v", d)
			}
		}
		if sc != nil && sc.Topology != nil && len(sc.Steps) < 50 {
			Run(context.Background(), sc, Options{})
			if _, err := Encode(sc); err != nil && sc.TopologyPath != "" {
				t.Fatalf("encode: %v", err)
			}
		}
	})
}
