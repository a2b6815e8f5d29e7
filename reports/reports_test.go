package reports

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/topology/diag"
)

// Every format of every report is a golden file; each golden is named
// after its subtest.

func TestValidateFormats(t *testing.T) {
	files := validateFiles()
	for _, tc := range []struct {
		name   string
		render func(w io.Writer) error
	}{
		{"text", func(w io.Writer) error { return ValidateText(w, files, Options{}) }},
		{"text-color", func(w io.Writer) error { return ValidateText(w, files, Options{Color: true}) }},
		{"json", func(w io.Writer) error { return ValidateJSON(w, files) }},
		{"sarif", func(w io.Writer) error { return ValidateSARIF(w, files) }},
		{"github", func(w io.Writer) error { return ValidateGitHub(w, files) }},
		{"markdown", func(w io.Writer) error { return ValidateMarkdown(w, files) }},
		{"junit", func(w io.Writer) error { return ValidateJUnit(w, files, Options{}) }},
		{"junit-strict", func(w io.Writer) error { return ValidateJUnit(w, files, Options{Strict: true}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, "validate-"+tc.name, render(t, func(w *bytes.Buffer) error { return tc.render(w) }))
		})
	}
}

func TestRunFormats(t *testing.T) {
	res := runFixture()
	for _, tc := range []struct {
		name   string
		render func(w io.Writer) error
	}{
		{"text", func(w io.Writer) error { return RunText(w, res, Options{}) }},
		{"json", func(w io.Writer) error { return RunJSON(w, res) }},
		{"junit", func(w io.Writer) error { return RunJUnit(w, res) }},
		{"markdown", func(w io.Writer) error { return RunMarkdown(w, res) }},
		{"sarif", func(w io.Writer) error { return RunSARIF(w, res) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, "run-"+tc.name, render(t, func(w *bytes.Buffer) error { return tc.render(w) }))
		})
	}
}

func TestTraceFormats(t *testing.T) {
	tr := traceFixture()
	t.Run("text", func(t *testing.T) {
		golden(t, "trace-text", render(t, func(w *bytes.Buffer) error { return TraceText(w, tr, nil, Options{}) }))
	})
	t.Run("json", func(t *testing.T) {
		golden(t, "trace-json", render(t, func(w *bytes.Buffer) error { return TraceJSON(w, tr, nil) }))
	})
}

// The text report quotes the line and puts the caret under the column,
// keeping tabs so that the caret lines up in a terminal; a long line is cut
// to a window around the column, and control characters are escaped with
// the caret still under the right character.
func TestSnippet(t *testing.T) {
	long := strings.Repeat("a", 100) + "X" + strings.Repeat("b", 100)
	for _, tc := range []struct {
		name, line string
		col        int
		text, ind  string
	}{
		{"first column", "name: x", 1, "name: x", ""},
		{"spaces", "    addressSpace: [x]", 5, "    addressSpace: [x]", "    "},
		{"tab kept", "\taddressSpace: [x]", 2, "\taddressSpace: [x]", "\t"},
		{"past the end", "ab", 9, "ab", "  "},
		{"multibyte counted once", "é: x", 3, "é: x", "  "},
		{"escape and bell escaped", "a\x1b[2Jb\x07: x", 8, `a\x1b[2Jb\x07: x`, strings.Repeat(" ", 13)},
		{"bidi override escaped", "\u202eab: x", 2, `\u202eab: x`, strings.Repeat(" ", 6)},
		{"not UTF-8", "a\xffb", 3, `a\xffb`, "     "},
		{"window around the column", long, 101, "…" + strings.Repeat("a", 60) + "X" + strings.Repeat("b", 59) + "…", strings.Repeat(" ", 61)},
		{"window at the start", long, 1, strings.Repeat("a", 100) + "X" + strings.Repeat("b", 19) + "…", ""},
		{"window at the end", long, 201, "…" + strings.Repeat("a", 19) + "X" + strings.Repeat("b", 100), strings.Repeat(" ", 120)},
		{"a line of the width is whole", strings.Repeat("c", 120), 120, strings.Repeat("c", 120), strings.Repeat(" ", 119)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text, ind := snippet(tc.line, tc.col)
			if text != tc.text || ind != tc.ind {
				t.Errorf("snippet(%q, %d) = %q, %q; want %q, %q", tc.line, tc.col, text, ind, tc.text, tc.ind)
			}
		})
	}
}

// GitHub workflow commands escape %, CR and LF in data, and also : and ,
// in properties; otherwise a message could end the command early.
func TestGitHubEscaping(t *testing.T) {
	var b bytes.Buffer
	files := []File{{Path: "dir,with:odd%name.yaml", Diagnostics: diag.Diagnostics{{
		Severity: diag.Error, Code: diag.InvalidValue, Summary: "100% wrong\r\nsecond: line, too",
		Subject: at("", 3, 4)}}}}
	if err := ValidateGitHub(&b, files); err != nil {
		t.Fatal(err)
	}
	want := "::error file=dir%2Cwith%3Aodd%25name.yaml,line=3,col=4,title=invalid-value::100%25 wrong\\x0d%0Asecond: line, too\n"
	if got := b.String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// Colour is off unless asked for: no escape codes reach a file or a pipe.
func TestNoColorByDefault(t *testing.T) {
	var b bytes.Buffer
	if err := ValidateText(&b, validateFiles(), Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "\x1b[") {
		t.Error("plain text output contains ANSI escapes")
	}
}

func TestTotalsText(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    Totals
		want string
	}{
		{"none", Totals{}, "0 errors, 0 warnings"},
		{"singular", Totals{1, 1}, "1 error, 1 warning"},
		{"plural", Totals{2, 3}, "2 errors, 3 warnings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.t.String(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// Every contract code has help, and no help is the generic fallback.
func TestEveryCodeHasHelp(t *testing.T) {
	for _, list := range [][]diag.Code{diag.ErrorCodes, diag.WarningCodes, diag.RefusalCodes} {
		for _, c := range list {
			h := Help(c)
			if h.Help == "See the vnetsim documentation." || h.Short == "" {
				t.Errorf("code %s has no help", c)
			}
			if !strings.HasSuffix(h.URI(), "#"+string(c)) {
				t.Errorf("code %s: help URI %s does not end in its anchor", c, h.URI())
			}
		}
	}
}

// A fingerprint ignores the line, so a finding keeps its identity when the
// file is edited above it.
func TestFingerprintIgnoresLine(t *testing.T) {
	d := validateFiles()[0].Diagnostics[0]
	moved := d
	moved.Subject = at("overlap.yaml", 60, 3)
	a, b := diagnosticResult("overlap.yaml", d), diagnosticResult("overlap.yaml", moved)
	if a.PartialFingerprints[fingerprintKey] != b.PartialFingerprints[fingerprintKey] {
		t.Error("fingerprint changed with the line")
	}
	other := d
	other.Code = diag.SubnetOverlap
	if c := diagnosticResult("overlap.yaml", other); c.PartialFingerprints[fingerprintKey] == a.PartialFingerprints[fingerprintKey] {
		t.Error("fingerprint ignores the code")
	}
}

// docs/codes.md, which SARIF help links point into, is generated from the
// help table and kept in sync by this test (-update rewrites it).
func TestCodesPage(t *testing.T) {
	got := render(t, func(w *bytes.Buffer) error { return CodesMarkdown(w) })
	path := filepath.Join("..", "docs", "codes.md")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, got) {
		t.Error("docs/codes.md is out of date; run go test ./reports -update")
	}
}

// A renderer given nothing returns an error; it never panics.
func TestNilInputs(t *testing.T) {
	var b bytes.Buffer
	for name, err := range map[string]error{
		"DOT":         DOT(&b, nil, DiagramOptions{}),
		"DiagramJSON": DiagramJSON(&b, nil, DiagramOptions{}),
		"RunText":     RunText(&b, nil, Options{}),
		"RunJSON":     RunJSON(&b, nil),
		"RunJUnit":    RunJUnit(&b, nil),
		"RunMarkdown": RunMarkdown(&b, nil),
		"RunHTML":     RunHTML(&b, nil, nil),
		"RunSARIF":    RunSARIF(&b, nil),
		"ReachText":   ReachText(&b, nil, false),
		"ReachJSON":   ReachJSON(&b, nil, true),
		"ReachCSV":    ReachCSV(&b, nil, false),
		"RoutesText":  RoutesText(&b, nil),
		"RoutesJSON":  RoutesJSON(&b, nil),
		"TraceText":   TraceText(&b, nil, nil, Options{}),
		"TraceJSON":   TraceJSON(&b, nil, nil),
	} {
		if err == nil {
			t.Errorf("%s(nil) returned no error", name)
		}
	}
}

func TestLines(t *testing.T) {
	l := newLines([]byte("a\r\nbb\n\nlast"))
	for _, tc := range []struct {
		n    int
		want string
		ok   bool
	}{
		{0, "", false}, {1, "a", true}, {2, "bb", true}, {3, "", true}, {4, "last", true}, {5, "", false},
	} {
		if got, ok := l.line(tc.n); got != tc.want || ok != tc.ok {
			t.Errorf("line(%d) = %q, %v; want %q, %v", tc.n, got, ok, tc.want, tc.ok)
		}
	}
	if _, ok := newLines(nil).line(1); ok {
		t.Error("a file without source has lines")
	}
}
