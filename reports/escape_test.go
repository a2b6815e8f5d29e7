package reports

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/netip"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vnetsim/vnetsim/scenarios"
	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// hostile is text from a file that tries to drive a terminal: clear the
// screen, set the window title, ring the bell, reverse the line.
const hostile = "x\x1b[2J\x1b]0;pwned\x07\u202ey"

// controls returns the control characters (but for tab, newline and CR)
// and bidirectional overrides in s.
func controls(s string) []rune {
	var out []rune
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f || r == '\u202e' {
			out = append(out, r)
		}
	}
	return out
}

// No report passes control characters from a file through, in the source
// snippet or in a message; text and Markdown show them escaped.
func TestReportsEscapeControls(t *testing.T) {
	src := "name: " + hostile + ": [\n"
	files := []File{{Path: "t.yaml", Source: []byte(src), Diagnostics: diag.Diagnostics{
		diag.Errorf(diag.YAMLSyntax, nil, "mapping values are not allowed: %s", hostile).
			WithDetail("fix %s", hostile).At(at("", 1, 7)),
	}}}
	for _, tc := range []struct {
		name   string
		render func(io.Writer) error
	}{
		{"text", func(w io.Writer) error { return ValidateText(w, files, Options{}) }},
		{"github", func(w io.Writer) error { return ValidateGitHub(w, files) }},
		{"markdown", func(w io.Writer) error { return ValidateMarkdown(w, files) }},
		{"junit", func(w io.Writer) error { return ValidateJUnit(w, files, Options{}) }},
		{"sarif", func(w io.Writer) error { return ValidateSARIF(w, files) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.render(&b); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if c := controls(out); len(c) > 0 {
				t.Errorf("control characters %q reach the output:\n%q", c, out)
			}
			if tc.name == "text" && !strings.Contains(out, ` 1 | name: x\x1b[2J\x1b]0;pwned\x07\u202ey: [`) {
				t.Errorf("the snippet does not show the escapes:\n%s", out)
			}
			if tc.name == "junit" {
				if err := xml.Unmarshal(b.Bytes(), new(any)); err != nil {
					t.Errorf("not well-formed XML: %v", err)
				}
			}
		})
	}
}

// A snippet of a long line is a window around the column: a one-line file
// of 362 KB printed 96 MB of diagnostics when each quoted the whole line.
func TestSnippetOfLongLine(t *testing.T) {
	line := strings.Repeat("a", 200_000) + "!" + strings.Repeat("b", 200_000)
	files := []File{{Path: "long.yaml", Source: []byte(line), Diagnostics: diag.Diagnostics{
		diag.Errorf(diag.YAMLSyntax, nil, "bad").At(at("", 1, 200_001)),
	}}}
	var b bytes.Buffer
	if err := ValidateText(&b, files, Options{}); err != nil {
		t.Fatal(err)
	}
	if b.Len() > 600 {
		t.Errorf("%d bytes for one diagnostic on a long line", b.Len())
	}
	lines := strings.Split(b.String(), "\n")
	col := func(s, sub string) int { return utf8.RuneCountInString(s[:strings.Index(s, sub)]) }
	if len(lines) < 3 || col(lines[1], "!") != col(lines[2], "^") {
		t.Errorf("the caret is not under the column:\n%s", b.String())
	}
}

// A snippet decodes only its window: a minified export is one line of
// megabytes, quoted by every diagnostic on it (a 6.9 MB line with 20
// warnings took 24 s and 977 MB when each snippet decoded the whole line).
func TestSnippetCostsItsWindow(t *testing.T) {
	line := strings.Repeat("é", 500_000) + "\x1b" + strings.Repeat("b", 500_000)
	var text, indent string
	allocs := testing.AllocsPerRun(3, func() { text, indent = snippet(line, 500_001) })
	if allocs > 4*snippetWidth {
		t.Errorf("a snippet of a line of a million characters makes %.0f allocations", allocs)
	}
	if want := "…" + strings.Repeat("é", snippetWidth/2) + `\x1b` + strings.Repeat("b", snippetWidth/2-1) + "…"; text != want {
		t.Errorf("snippet = %q, want %q", text, want)
	}
	if indent != " "+strings.Repeat(" ", snippetWidth/2) {
		t.Errorf("indent is %d characters, want %d", len(indent), snippetWidth/2+1)
	}
}

// The Markdown report escapes what a scenario says about itself, so that a
// description cannot add links, images, HTML or headings to a pull request
// comment.
func TestRunMarkdownEscapes(t *testing.T) {
	res := &scenarios.Result{Scenarios: []scenarios.ScenarioResult{{
		Name: "n <b>bold</b> [x](http://evil.example)", Path: "a`b.yaml",
		Description: "# Heading\n<img src=x onerror=alert(1)>\n![i](http://evil.example/i.png) **loud** | cell",
		Steps: []scenarios.StepResult{{Name: "s <script>", Passed: false, Events: []scenarios.EventResult{
			{Event: "createPeering", Code: "peering-exists", Message: "m [y](http://evil.example) <i>"}}}},
	}}}
	var b bytes.Buffer
	if err := RunMarkdown(&b, res); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"<b>", "<img", "<script>", "<i>", "[x](", "[y](", "[i](", "\n# Heading", "**loud**", "\n`a`b.yaml`", "* | cell"} {
		if strings.Contains(out, bad) {
			t.Errorf("the report holds %q unescaped:\n%s", bad, out)
		}
	}
}

// A flow's endpoint given as its address is not repeated in brackets.
func TestFlowText(t *testing.T) {
	f := sim.Flow{From: "A/s1", To: "10.2.1.99", Src: netip.MustParseAddr("10.1.1.2"), Dst: netip.MustParseAddr("10.2.1.99"), Protocol: topology.TCP, Port: 443}
	if got, want := flowText(f), "A/s1 (10.1.1.2) → 10.2.1.99, TCP 443"; got != want {
		t.Errorf("flowText = %q, want %q", got, want)
	}
}
