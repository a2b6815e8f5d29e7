// Package diag is the diagnostic vocabulary that every vnetsim stage shares:
// severities, codes, model paths, file positions and the Diagnostic itself.
//
// It is a leaf: it imports only the standard library, so the loader, the
// simulator, the scenario runner and the renderers can all produce and
// consume the same values. Logic finds a problem against a model Path; the
// loader's source map turns that Path into a file Range before rendering.
package diag

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Severity says how bad a diagnostic is. The zero value is invalid on
// purpose, so a Diagnostic built without one is caught by Valid.
type Severity uint8

const (
	// Error marks a design the platform refuses or that cannot be analysed.
	Error Severity = iota + 1
	// Warning marks a design that loads and runs but is probably wrong.
	Warning
)

// String returns "error" or "warning", the contract's spelling.
func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "invalid"
}

// MarshalText implements encoding.TextMarshaler with the contract's spelling.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Pos is a 1-based line and column in a file. The zero Pos means "unknown".
type Pos struct {
	Line, Column int
}

// IsValid reports whether p names a real position.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Range is a span of a file. End may equal Start for a point.
type Range struct {
	Filename   string
	Start, End Pos
}

// IsValid reports whether r has a known start position.
func (r Range) IsValid() bool { return r.Start.IsValid() }

// String formats r as file:line:col, the way compilers do.
func (r Range) String() string {
	if !r.Start.IsValid() {
		return r.Filename
	}
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}

// Path names an object or field of the topology model, one segment per map
// key, field name or list index: {"virtualNetworks", "hub", "peerings",
// "hub-to-spoke1"}. Segments are kept apart rather than joined with dots
// because names may themselves contain dots.
type Path []string

// P builds a Path from its segments.
func P(segments ...string) Path { return Path(segments) }

// Child returns a new Path with segments appended; p itself is not changed.
func (p Path) Child(segments ...string) Path {
	out := make(Path, 0, len(p)+len(segments))
	return append(append(out, p...), segments...)
}

// Index returns a new Path with the list index i appended.
func (p Path) Index(i int) Path { return p.Child(strconv.Itoa(i)) }

// Parent returns p without its last segment, or nil for an empty Path.
func (p Path) Parent() Path {
	if len(p) == 0 {
		return nil
	}
	return p[: len(p)-1 : len(p)-1]
}

// String joins the segments with dots, writing list indexes as [i]:
// "virtualNetworks.hub.addressSpace[1]".
func (p Path) String() string {
	var b strings.Builder
	for i, s := range p {
		if _, err := strconv.Atoi(s); err == nil && i > 0 {
			b.WriteString("[" + s + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

// Key returns a string that identifies p exactly, for use as a map key.
func (p Path) Key() string { return strings.Join(p, "\x00") }

// Related points at another place that explains a diagnostic: the other
// overlapping VNet, the first definition of a duplicate, the peering object
// on the other side.
type Related struct {
	Path    Path
	Subject Range
	Message string
}

// Diagnostic is one problem found in an input, with a contract code, the
// place it was found and what to do about it.
//
// Summary is the one-line message (the JSON "message"); Detail, when set,
// says how to fix it. Path is where logic found the problem; Subject is the
// file range the loader's source map gives for Path, filled before rendering.
//
// A diagnostic may stand for a set of objects with one problem, such as
// 2,000 subnets with the same prefix: it is reported once, at Path, and
// Also holds the paths of the other objects of the set that have the
// problem in their own right, each of which a check of pairs would have
// reported on its own. Renderers show Related, never Also; Also lets the
// simulator tell an error an event introduces from one the network
// already had, object by object (see Paths).
type Diagnostic struct {
	Severity Severity
	Code     Code
	Summary  string
	Detail   string
	Path     Path
	Subject  Range
	Related  []Related
	Also     []Path
}

// Paths returns the objects d reports: Path, then Also.
func (d Diagnostic) Paths() []Path {
	return append([]Path{d.Path}, d.Also...)
}

// Valid reports whether d has a severity and a contract code of a
// diagnostic or a refusal (not a report code).
func (d Diagnostic) Valid() bool {
	return (d.Severity == Error || d.Severity == Warning) && d.Code.Known() && !d.Code.IsReport()
}

// Message returns the Summary followed by the Detail, if any.
func (d Diagnostic) Message() string {
	if d.Detail == "" {
		return d.Summary
	}
	return d.Summary + ": " + d.Detail
}

// Errorf returns an error Diagnostic for the object at path.
func Errorf(code Code, path Path, format string, args ...any) Diagnostic {
	return Diagnostic{Severity: Error, Code: code, Path: path, Summary: fmt.Sprintf(format, args...)}
}

// Warningf returns a warning Diagnostic for the object at path.
func Warningf(code Code, path Path, format string, args ...any) Diagnostic {
	return Diagnostic{Severity: Warning, Code: code, Path: path, Summary: fmt.Sprintf(format, args...)}
}

// WithDetail returns d with its Detail set to the formatted fix.
func (d Diagnostic) WithDetail(format string, args ...any) Diagnostic {
	d.Detail = fmt.Sprintf(format, args...)
	return d
}

// WithRelated returns d with one more related location.
func (d Diagnostic) WithRelated(path Path, format string, args ...any) Diagnostic {
	d.Related = append(slices.Clip(d.Related), Related{Path: path, Message: fmt.Sprintf(format, args...)})
	return d
}

// At returns d with its Subject set to r.
func (d Diagnostic) At(r Range) Diagnostic {
	d.Subject = r
	return d
}

// Diagnostics is a list of diagnostics, gathered in one pass.
type Diagnostics []Diagnostic

// Append adds ds to the list.
func (l *Diagnostics) Append(ds ...Diagnostic) { *l = append(*l, ds...) }

// Errors returns how many diagnostics are errors.
func (l Diagnostics) Errors() int { return l.count(Error) }

// Warnings returns how many diagnostics are warnings.
func (l Diagnostics) Warnings() int { return l.count(Warning) }

func (l Diagnostics) count(s Severity) int {
	n := 0
	for _, d := range l {
		if d.Severity == s {
			n++
		}
	}
	return n
}

// HasErrors reports whether any diagnostic is an error.
func (l Diagnostics) HasErrors() bool { return l.Errors() > 0 }

// Codes returns the distinct codes of the given severity, sorted.
func (l Diagnostics) Codes(s Severity) []Code {
	var out []Code
	for _, d := range l {
		if d.Severity == s && !slices.Contains(out, d.Code) {
			out = append(out, d.Code)
		}
	}
	slices.Sort(out)
	return out
}

// Without returns the diagnostics of l that other does not hold: none of
// other has the same code, path and summary. It keeps l's order.
func (l Diagnostics) Without(other Diagnostics) Diagnostics {
	if len(l) == 0 {
		return nil
	}
	key := func(d Diagnostic) string { return string(d.Code) + "\x00" + d.Path.Key() + "\x00" + d.Summary }
	held := make(map[string]bool, len(other))
	for _, d := range other {
		held[key(d)] = true
	}
	var out Diagnostics
	for _, d := range l {
		if !held[key(d)] {
			out = append(out, d)
		}
	}
	return out
}

// Sort orders the list by file, line, column, code and message, so that
// output does not depend on the order in which checks ran.
func (l Diagnostics) Sort() {
	slices.SortStableFunc(l, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.Subject.Filename, b.Subject.Filename),
			cmp.Compare(a.Subject.Start.Line, b.Subject.Start.Line),
			cmp.Compare(a.Subject.Start.Column, b.Subject.Start.Column),
			cmp.Compare(a.Code, b.Code),
			cmp.Compare(a.Summary, b.Summary),
		)
	})
}

// Err returns the list as an error, or a real nil when it holds no error.
func (l Diagnostics) Err() error {
	if !l.HasErrors() {
		return nil
	}
	return listError(l)
}

type listError Diagnostics

func (e listError) Error() string {
	var msgs []string
	for _, d := range e {
		if d.Severity == Error {
			msgs = append(msgs, fmt.Sprintf("%s: %s [%s]", d.Subject, d.Message(), d.Code))
		}
	}
	return strings.Join(msgs, "\n")
}
