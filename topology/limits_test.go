package topology

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/vnetsim/vnetsim/topology/diag"
)

// TestLimits checks that hostile or broken input is refused with one
// yaml-syntax error at the right line, quickly and without a network
// (docs/limits.md).
func TestLimits(t *testing.T) {
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
	tests := []struct {
		name     string
		data     []byte
		line     int
		contains string
	}{
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
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			n, _, ds := Load("t.yaml", tt.data)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("Load took %v", d)
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
