package topology

import (
	"bytes"
	"runtime"
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/topology/diag"
)

// TestLimits checks that hostile or broken input is refused with one
// yaml-syntax error at the right line, in bounded memory and without a
// network (docs/limits.md). The bound is on bytes allocated, not on time:
// the race detector and a busy machine make a wall-clock limit flaky, while
// an alias bomb or a parser that recursed would blow the allocation bound
// on any machine. BenchmarkLimits measures the time.
func TestLimits(t *testing.T) {
	for _, tt := range limitCases() {
		t.Run(tt.name, func(t *testing.T) {
			var n *Network
			var ds diag.Diagnostics
			if got, bound := allocated(func() { n, _, ds = Load("t.yaml", tt.data) }), loadAllocBound(len(tt.data)); got > bound {
				t.Errorf("Load allocated %d bytes for %d bytes of input, more than %d", got, len(tt.data), bound)
			}
			if n != nil {
				t.Errorf("Load returned a network")
			}
			if len(ds) != 1 {
				t.Fatalf("want one diagnostic, got:\n%s", formatDiags(ds))
			}
			d := ds[0]
			if d.Code != diag.YAMLSyntax || d.Severity != diag.Error || d.Subject.Start.Line != tt.line ||
				!strings.Contains(d.Summary, tt.contains) {
				t.Errorf("want yaml-syntax at line %d containing %q, got:\n%s", tt.line, tt.contains, formatDiags(ds))
			}
		})
	}
}

// limitCase is one hostile or broken input and the yaml-syntax error it
// gets: its line and part of its message.
type limitCase struct {
	name     string
	data     []byte
	line     int
	contains string
}

// limitCases are the inputs docs/limits.md promises to refuse.
func limitCases() []limitCase {
	aliasBomb := `name: bomb
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`
	var deepBlock strings.Builder
	deepBlock.WriteString("name: deep\n")
	for i := range 5000 {
		deepBlock.WriteString(strings.Repeat(" ", i) + "k:\n")
	}
	return []limitCase{
		{"alias bomb", []byte(aliasBomb), 2, "anchors and aliases"},
		{"single alias", []byte("name: x\nnetworkController: &nc nc1\nvirtualNetworks: {A: {addressSpace: [10.0.0.0/16], networkController: *nc}}\n"), 2, "anchors and aliases"},
		{"5000-deep flow nesting", []byte("name: deep\nvirtualNetworks: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n"), 2, "nesting deeper than 64"},
		{"5000-deep block lists", []byte("name: deep\nvirtualNetworks:\n" + strings.Repeat("- ", 5000) + "x\n"), 3, "nesting deeper than 64"},
		{"5000-deep block mappings", []byte(deepBlock.String()), 65, "nesting deeper than 64"},
		{"50 MB file", bytes.Repeat([]byte("# padding\n"), 5<<20), 1, "too big"},
		{"binary junk", []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00"), 1, "NUL byte"},
		{"non-UTF-8 on line 3", []byte("name: x\n# fine\n# caf\xe9\n"), 3, "invalid UTF-8 byte 0xe9"},
		{"UTF-16 byte order mark", []byte("\xff\xfen\x00a\x00"), 1, "invalid UTF-8"},
		{"empty file", nil, 1, "file is empty"},
		{"only comments", []byte("# nothing here\n"), 1, "file is empty"},
		{"only a null", []byte("~\n"), 1, "file is empty"},
		{"second document", []byte("name: a\n---\nname: b\n"), 2, "second YAML document"},
		{"control character", []byte("name: x\x01\n"), 1, "control characters"},
		{"unclosed flow list", []byte("name: x\nvirtualNetworks:\n  A:\n    addressSpace: [10.0.0.0/16\n"), 4, "expected ',' or ']'"},
		{"scanner error", []byte("name: x\nplatform: @azure\n"), 2, "cannot start any token"},
		{"bad indentation", []byte("name: x\nplatform: azure\n  networkController: nc1\n"), 3, "mapping values are not allowed"},
	}
}

// loadAllocBound is the most Load may allocate for size bytes of input:
// a few copies of the input (the parser's buffer, the node tree) plus a
// fixed 16 MiB for yaml.v3's own tables, and only the fixed part for a
// file over MaxFileSize, which is refused before it is parsed. Measured:
// the 12.5 MB of the 5000-deep block mappings allocate 19 MB, 10 kB of
// 5000-deep flow nesting 3 MB. An alias bomb expanded would need gigabytes.
func loadAllocBound(size int) uint64 {
	if size > MaxFileSize {
		size = 0
	}
	return 4*uint64(size) + 16<<20
}

// allocated returns the bytes allocated while f runs. The test must not be
// parallel: the count is the whole program's.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// BenchmarkLimits measures how long Load takes to refuse each hostile
// input: TestLimits bounds the memory, this shows the time.
func BenchmarkLimits(b *testing.B) {
	for _, tt := range limitCases() {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tt.data)))
			for b.Loop() {
				if n, _, _ := Load("t.yaml", tt.data); n != nil {
					b.Fatal("Load returned a network")
				}
			}
		})
	}
}

// TestNotAMapping checks that a document that is valid YAML but not a
// mapping is invalid-value at its start, and loads nothing.
func TestNotAMapping(t *testing.T) {
	for _, text := range []string{"hello\n", "- a\n- b\n", "42\n"} {
		n, _, ds := Load("t.yaml", []byte(text))
		if n != nil || len(ds) != 1 || ds[0].Code != diag.InvalidValue || ds[0].Subject.Start.Line != 1 {
			t.Errorf("Load(%q): want invalid-value at line 1 and no network, got:\n%s", text, formatDiags(ds))
		}
	}
}
