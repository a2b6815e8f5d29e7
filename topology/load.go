package topology

import "github.com/vnetsim/vnetsim/topology/diag"

// SourceMap turns model paths into file ranges and keeps the source text,
// so that renderers can quote the offending line.
type SourceMap struct {
	Filename string
	Source   []byte
	ranges   map[string]diag.Range // by diag.Path.Key
}

// Locate returns the range of the object or field at p. When p itself was
// not written in the file (a defaulted field), the nearest written ancestor
// is returned. The boolean reports whether any range was found.
func (m *SourceMap) Locate(p diag.Path) (diag.Range, bool) {
	if m == nil {
		return diag.Range{}, false
	}
	for q := p; ; q = q.Parent() {
		if r, ok := m.ranges[q.Key()]; ok {
			return r, true
		}
		if len(q) == 0 {
			return diag.Range{Filename: m.Filename}, false
		}
	}
}

// Load parses and resolves a topology file. TODO(issue 2): implemented by the loader.
func Load(filename string, data []byte) (*Network, *SourceMap, diag.Diagnostics) {
	return nil, &SourceMap{Filename: filename, Source: data}, nil
}
