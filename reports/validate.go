package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/vnetsim/vnetsim/topology/diag"
)

// File is one checked input file: its name as the user gave it, its text
// (so that text reports can quote the offending line) and its diagnostics,
// already located by the loader's source map.
type File struct {
	Path        string
	Source      []byte // nil: lines are not quoted
	Diagnostics diag.Diagnostics
}

// lines indexes a file's source once, so that quoting many diagnostics of
// a large file does not rescan it for each one.
type lines struct {
	src    []byte
	starts []int // byte offset of each line
}

func newLines(src []byte) *lines {
	l := &lines{src: src, starts: []int{0}}
	for i, c := range src {
		if c == '\n' {
			l.starts = append(l.starts, i+1)
		}
	}
	return l
}

// line returns line n (1-based) without its line ending, and whether the
// file has it.
func (l *lines) line(n int) (string, bool) {
	if l.src == nil || n < 1 || n > len(l.starts) {
		return "", false
	}
	start, end := l.starts[n-1], len(l.src)
	if n < len(l.starts) {
		end = l.starts[n] - 1
	}
	if start > end {
		return "", false
	}
	return strings.TrimRight(string(l.src[start:end]), "\r"), true
}

// Totals counts errors and warnings over files.
type Totals struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
}

// CountFiles returns the errors and warnings of every file.
func CountFiles(files []File) Totals {
	var t Totals
	for _, f := range files {
		t.Errors += f.Diagnostics.Errors()
		t.Warnings += f.Diagnostics.Warnings()
	}
	return t
}

// Failed reports whether the totals fail a run: any error, or with strict
// any warning.
func (t Totals) Failed(strict bool) bool { return t.Errors > 0 || strict && t.Warnings > 0 }

// String returns "2 errors, 1 warning".
func (t Totals) String() string {
	return Plural(t.Errors, "error") + ", " + Plural(t.Warnings, "warning")
}

// Plural returns n and the noun, plural unless n is 1: "1 error", "2 errors".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// fileOf returns the file r is in, or file when r names none (the loader
// could not locate it, or it is in the file being reported).
func fileOf(r diag.Range, file string) string {
	if r.Filename == "" {
		return file
	}
	return r.Filename
}

// location returns where r is, falling back to f's path for the file.
func location(f File, r diag.Range) string {
	r.Filename = fileOf(r, f.Path)
	return r.String()
}

// ValidateText writes diagnostics like a compiler: file:line:col, severity
// and code, the message, the source line with a caret under the column, the
// fix as help and related locations as notes; then a summary line.
func ValidateText(w io.Writer, files []File, opt Options) error {
	ew := &errWriter{w: w}
	st := styles(opt.Color)
	for _, f := range files {
		src := newLines(f.Source)
		for _, d := range f.Diagnostics {
			sev := st.warning
			if d.Severity == diag.Error {
				sev = st.err
			}
			ew.printf("%s: %s: %s\n", st.bold(printable(location(f, d.Subject))),
				sev(fmt.Sprintf("%s[%s]", d.Severity, d.Code)), st.bold(printable(d.Summary)))
			quote(ew, st, src, d.Subject)
			if d.Detail != "" {
				ew.printf("  %s %s\n", st.help("help:"), printable(d.Detail))
			}
			for _, r := range d.Related {
				ew.printf("%s: %s %s\n", st.bold(printable(location(f, r.Subject))), st.note("note:"), printable(r.Message))
				if r.Subject.Filename == "" || r.Subject.Filename == f.Path {
					quote(ew, st, src, r.Subject)
				}
			}
		}
	}
	ew.printf("%s in %s\n", CountFiles(files), Plural(len(files), "file"))
	return ew.err
}

// quote writes the source line of r with a caret under its column: a
// window of the line around the column, escaped (see snippet).
func quote(ew *errWriter, st style, src *lines, r diag.Range) {
	line, ok := src.line(r.Start.Line)
	if !ok {
		return
	}
	text, indent := snippet(line, r.Start.Column)
	num := fmt.Sprint(r.Start.Line)
	gutter := strings.Repeat(" ", len(num))
	ew.printf(" %s | %s\n", st.dim(num), text)
	ew.printf(" %s | %s%s\n", gutter, indent, st.caret("^"))
}

// jsonValidate is the "validate" document of docs/reference/json.md.
type jsonValidate struct {
	Files   []jsonFile `json:"files"`
	Summary Totals     `json:"summary"`
}

type jsonFile struct {
	Path        string           `json:"path"`
	Diagnostics []jsonDiagnostic `json:"diagnostics"`
}

type jsonDiagnostic struct {
	Severity string        `json:"severity"`
	Code     string        `json:"code"`
	Message  string        `json:"message"`
	Detail   string        `json:"detail,omitempty"`
	Path     string        `json:"path,omitempty"` // model path, e.g. virtualNetworks.hub.peerings.p1
	Line     int           `json:"line"`
	Column   int           `json:"column"`
	Related  []jsonRelated `json:"related"`
}

type jsonRelated struct {
	Path    string `json:"path"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

// jsonDiagnostics converts diagnostics to their contract JSON shape; file
// names related locations without a file of their own.
func jsonDiagnostics(file string, ds diag.Diagnostics) []jsonDiagnostic {
	out := make([]jsonDiagnostic, 0, len(ds))
	for _, d := range ds {
		jd := jsonDiagnostic{
			Severity: d.Severity.String(), Code: string(d.Code), Message: d.Summary, Detail: d.Detail,
			Path: d.Path.String(), Line: d.Subject.Start.Line, Column: d.Subject.Start.Column,
			Related: make([]jsonRelated, 0, len(d.Related)),
		}
		for _, r := range d.Related {
			jd.Related = append(jd.Related, jsonRelated{fileOf(r.Subject, file), r.Subject.Start.Line, r.Subject.Start.Column, r.Message})
		}
		out = append(out, jd)
	}
	return out
}

// ValidateJSON writes the "validate" document of docs/reference/json.md.
func ValidateJSON(w io.Writer, files []File) error {
	doc := jsonValidate{Files: make([]jsonFile, 0, len(files)), Summary: CountFiles(files)}
	for _, f := range files {
		doc.Files = append(doc.Files, jsonFile{Path: f.Path, Diagnostics: jsonDiagnostics(f.Path, f.Diagnostics)})
	}
	return WriteDocument(w, doc)
}
