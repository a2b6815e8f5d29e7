package importer

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vnetsim/vnetsim/topology/diag"
)

// TestParseJSON covers the parser's values, escapes and errors; an error's
// offset is where the problem is.
func TestParseJSON(t *testing.T) {
	t.Run("values", func(t *testing.T) {
		n, err := parseJSON("\uFEFF {\"a\": [1, -2.5e3, true, false, null, \"x\\u00e9\\n\\\"\\ud83d\\ude00\"], \"B\": {}}")
		if err != nil {
			t.Fatal(err)
		}
		a := n.get("a").kids
		if got := []string{a[0].str, a[1].str, a[2].str, a[3].str, a[4].str, a[5].str}; strings.Join(got, "|") != "1|-2.5e3|true|false|null|xé\n\"😀" {
			t.Errorf("values %q", got)
		}
		if a[4].kind != jNull || !a[4].isNull() || a[2].kind != jBool {
			t.Errorf("kinds %v %v", a[4].kind, a[2].kind)
		}
		if n.get("b") == nil || n.get("b") != n.get("B") {
			t.Error("keys are not matched without regard to case")
		}
	})
	for _, tt := range []struct {
		name, text string
		off        int
		msg        string
	}{
		{"missing value", `{"a": }`, 6, "unexpected '}': want a value"},
		{"trailing comma", `[1, 2,]`, 6, "unexpected ']': want a value"},
		{"unquoted key", `{a: 1}`, 1, "want a key in double quotes"},
		{"missing colon", `{"a" 1}`, 5, "want ':' after key"},
		{"unterminated string", `["abc`, 5, "unexpected end of file in a string"},
		{"control character", "[\"a\tb\"]", 3, "control character"},
		{"bad escape", `["a\qb"]`, 3, `bad escape \q`},
		{"not a number", `[1.2.3]`, 1, `"1.2.3" is not a number`},
		{"two values", `{} {}`, 3, "after the JSON value"},
		{"empty", ``, 0, "unexpected end of file"},
		{"too deep", strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), MaxDepth, "nesting deeper than 64 levels"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseJSON(tt.text)
			pe, ok := err.(*parseError)
			if !ok {
				t.Fatalf("got %v, want a parse error", err)
			}
			if pe.off != tt.off || !strings.Contains(pe.msg, tt.msg) {
				t.Errorf("got %q at %d, want %q at %d", pe.msg, pe.off, tt.msg, tt.off)
			}
		})
	}
}

// naivePos is the line and column of off, counted the slow way.
func naivePos(text string, off int) diag.Pos {
	line, col := 1, 1
	for _, r := range text[:off] {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return diag.Pos{Line: line, Column: col}
}

// TestPositions checks lines and columns, in characters, against a plain
// count: on short lines, on a line longer than many checkpoints (a
// minified export) and with multi-byte characters on both sides of a
// checkpoint.
func TestPositions(t *testing.T) {
	long := strings.Repeat("ab€d", 3*checkpoint) // a 3-byte character, so checkpoints fall inside characters
	text := "{\n  \"é\": 1,\n" + long + "\n\"x\"}"
	p := newPositions(text)
	for off := 0; off <= len(text); off += 7 {
		if !utf8.RuneStart(text[min(off, len(text)-1)]) {
			continue
		}
		if got, want := p.at(off), naivePos(text, off); got != want {
			t.Fatalf("offset %d: got %+v, want %+v", off, got, want)
		}
	}
}

// TestJQPath checks that a diagnostic's JSON path is one jq reads.
func TestJQPath(t *testing.T) {
	n, err := parseJSON(`{"value": [{"properties": {"a-b": [0, {"ok_1": 2}]}}], "200": {"body": 3}}`)
	if err != nil {
		t.Fatal(err)
	}
	inner := n.get("value").kids[0].get("properties").get("a-b").kids[1].get("ok_1")
	if got := inner.jqPath(); got != `.value[0].properties."a-b"[1].ok_1` {
		t.Errorf("got %s", got)
	}
	if got := n.get("200").get("body").jqPath(); got != `."200".body` {
		t.Errorf("got %s", got)
	}
	if got := n.jqPath(); got != "." {
		t.Errorf("root: got %s", got)
	}
	list, _ := parseJSON(`[{"a": 1}]`)
	if got := list.kids[0].get("a").jqPath(); got != ".[0].a" {
		t.Errorf("a list's item: got %s", got)
	}
	if got := inner.path().String(); got != "value[0].properties.a-b[1].ok_1" {
		t.Errorf("segments: got %s", got)
	}
}
