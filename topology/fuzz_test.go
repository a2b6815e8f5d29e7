package topology

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad checks that Check never panics and that every diagnostic it
// returns has a contract code, a severity, and a subject inside the file.
// Seeds are the examples and the broken examples.
func FuzzLoad(f *testing.F) {
	for _, pattern := range []string{"../examples/*.yaml", "../examples/broken/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, path := range files {
			data, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte("name: x\na: &a [1]\nb: *a\n"))
	f.Add([]byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, sm, ds := Check("f.yaml", data)
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, d := range ds {
			if !d.Valid() {
				t.Errorf("invalid diagnostic (severity %v, code %q): %s", d.Severity, d.Code, d.Summary)
			}
			if l := d.Subject.Start.Line; l < 1 || l > lines+1 || d.Subject.Filename != "f.yaml" {
				t.Errorf("subject %v outside the file's %d lines: %s", d.Subject, lines, d.Summary)
			}
			for _, r := range d.Related {
				if l := r.Subject.Start.Line; l < 1 || l > lines+1 {
					t.Errorf("related subject %v outside the file's %d lines: %s", r.Subject, lines, d.Summary)
				}
			}
		}
		if n != nil {
			// A network that loaded can be validated and cloned again.
			Validate(n)
			Validate(n.Clone())
		}
		sm.Line(1)
	})
}
