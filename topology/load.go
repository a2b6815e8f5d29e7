package topology

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/vnetsim/vnetsim/internal/fileio"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// Limits on what Load accepts, so that a hostile or broken file is refused
// in bounded time and memory (docs/limits.md).
const (
	// MaxFileSize is the largest file Load parses, in bytes. Larger input
	// is refused before parsing.
	MaxFileSize = 32 << 20
	// MaxDepth is the deepest nesting of mappings and lists Load accepts;
	// the format itself needs six levels.
	MaxDepth = 64
)

// SourceMap turns model paths into file ranges and keeps the source text,
// so that renderers can quote the offending line.
//
// Paths use the model's keys, one segment per map key, field name or list
// index, exactly as the file spells them:
//
//	virtualNetworks.hub                         a named object: its key ("hub:")
//	virtualNetworks.hub.peerings.hub-to-spoke1  a named object: its key
//	virtualNetworks.hub.addressSpace            a list field: its key
//	virtualNetworks.hub.addressSpace[1]         a list item: the item
//	virtualNetworks.hub.gateway                 a mapping field: its key
//	virtualNetworks.hub.subnets.nva.addressPrefix  a scalar field: its value
//	routeTables.rt.routes[2]                    a list item: the item
//	routeTables.rt.routes[2].nextHopIpAddress   a scalar field: its value
//	accessControlLists.web-acl.rules[0].priority
//	onPremises.dc1.hosts.op1                    a host: its address value
//
// Build paths with diag.P and Path.Child and Path.Index. The empty path is
// the document itself.
type SourceMap struct {
	Filename string
	Source   []byte
	ranges   map[string]diag.Range // by diag.Path.Key
	lines    []int                 // byte offset of each line's start, built on first use
}

// newSourceMap returns an empty source map for data. The line index is
// built here, so that Line only reads and a loaded map is safe to share
// between goroutines.
func newSourceMap(filename string, data []byte) *SourceMap {
	m := &SourceMap{Filename: filename, Source: data}
	if len(data) <= MaxFileSize { // a refused file is not indexed
		m.lines = lineStarts(data)
	}
	// About one object or field is recorded per line: sizing the map once
	// saves rehashing it a dozen times on a large estate.
	m.ranges = make(map[string]diag.Range, len(m.lines))
	return m
}

// lineStarts returns the byte offset at which each line of data starts.
func lineStarts(data []byte) []int {
	out := make([]int, 1, bytes.Count(data, []byte("\n"))+1)
	for i := 0; ; {
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 {
			return out
		}
		i += j + 1
		out = append(out, i)
	}
}

// NewSourceMap returns an empty source map of a file that is not a topology
// file, for a front end that builds a Network from another format (the
// importers): it records where each model path came from with Set, so that
// diagnostics about the model point into that file. paths is about how
// many paths will be recorded, to size the index once.
func NewSourceMap(filename string, data []byte, paths int) *SourceMap {
	m := &SourceMap{Filename: filename, Source: data, ranges: make(map[string]diag.Range, paths)}
	if len(data) <= MaxFileSize {
		m.lines = lineStarts(data)
	}
	return m
}

// Set records that the object or field at p was read from r.
func (m *SourceMap) Set(p diag.Path, r diag.Range) { m.set(p, r) }

func (m *SourceMap) set(p diag.Path, r diag.Range) {
	if m.ranges == nil {
		m.ranges = map[string]diag.Range{}
	}
	m.ranges[p.Key()] = r
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

// LocateAll fills the Subject of every diagnostic in ds whose Subject is
// not yet valid, and the Subject of each of its Related entries, from their
// Paths. Diagnostics that already carry a position are left alone.
func (m *SourceMap) LocateAll(ds diag.Diagnostics) {
	if m == nil {
		return
	}
	for i := range ds {
		d := &ds[i]
		if !d.Subject.IsValid() {
			d.Subject, _ = m.Locate(d.Path)
		}
		for j := range d.Related {
			if r := &d.Related[j]; !r.Subject.IsValid() {
				r.Subject, _ = m.Locate(r.Path)
			}
		}
	}
}

// Line returns the text of line n (1-based) without its line ending, or ""
// when the file has no such line.
func (m *SourceMap) Line(n int) string {
	if m == nil || n < 1 {
		return ""
	}
	if m.lines == nil {
		m.lines = lineStarts(m.Source)
	}
	if n > len(m.lines) {
		return ""
	}
	start, end := m.lines[n-1], len(m.Source)
	if n < len(m.lines) {
		end = m.lines[n] - 1
	}
	return string(bytes.TrimSuffix(m.Source[start:end], []byte("\r")))
}

// Load parses and resolves a topology file. Every diagnostic it returns has
// its Subject set. The *Network is nil only when the file cannot be loaded
// at all: it is not YAML, not UTF-8, too big or too deep, not a mapping, or
// it holds an unknown reference or a missing or invalid required value.
// Otherwise the Network is usable even when diagnostics hold errors; the
// semantic checks are Validate's (see Check for both).
func Load(filename string, data []byte) (*Network, *SourceMap, diag.Diagnostics) {
	sm := newSourceMap(filename, data)
	l := &loader{file: filename, sm: sm}
	root := l.parse(data)
	if root == nil {
		return nil, sm, l.diags
	}
	return l.loadRoot(root), sm, l.diags
}

// loadRoot resolves the root mapping of a topology, adds the structural
// model checks, and returns the network, or nil after a fatal problem. The
// loader's diagnostics are sorted.
func (l *loader) loadRoot(root *yaml.Node) *Network {
	l.sm.set(nil, l.rangeOf(root))
	n := l.resolve(root)
	if n != nil && !l.fatal {
		l.diags.Append(locate(l.sm, structuralChecks(n))...)
	}
	if l.fatal {
		n = nil
	}
	l.diags.Sort()
	return n
}

// Check loads a topology file and, when it loads, validates it: Load's
// diagnostics plus Validate's semantic ones, located and sorted. Structural
// checks that Validate repeats are reported once.
func Check(filename string, data []byte) (*Network, *SourceMap, diag.Diagnostics) {
	n, sm, ds := Load(filename, data)
	if n != nil {
		ds = append(ds, locate(sm, semanticChecks(n))...)
	}
	ds.Sort()
	return n, sm, ds
}

// FileDiagnostics returns the diagnostics of ds, which Load or Check
// reported for a file that loaded as n, that Validate cannot find in n: the
// loader's own, about the file's text (an unknown field, an invalid
// optional value, a non-canonical prefix). No change to the network
// removes them, only an edit of the file.
func FileDiagnostics(ds diag.Diagnostics, n *Network) diag.Diagnostics {
	if len(ds) == 0 {
		return nil
	}
	return ds.Without(Validate(n))
}

// locate fills the Subjects of ds from sm and returns ds.
func locate(sm *SourceMap, ds diag.Diagnostics) diag.Diagnostics {
	sm.LocateAll(ds)
	return ds
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// parse checks the limits, parses data and returns the root mapping, or nil
// after reporting why the file cannot be loaded.
func (l *loader) parse(data []byte) *yaml.Node {
	root, ds := ReadYAML(l.file, data, "a topology file is a mapping with at least a name")
	l.diags = append(l.diags, ds...)
	if root == nil {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		l.errorf(true, diag.InvalidValue, nil, root, "a topology file is a mapping with at least a name",
			"topology: want a mapping, got %s", kindName(root))
		return nil
	}
	return root
}

// ReadYAML is the YAML front end of every vnetsim file, topologies and
// scenarios alike, so that both report a broken file at the same line and
// column. It checks data against the input limits (docs/limits.md), parses
// it as one YAML document, refuses anchors, aliases and deep nesting, and
// returns the document's root node. When the file cannot be read it returns
// nil and one yaml-syntax error; shape, the help of an empty file, says
// what the file should hold.
func ReadYAML(filename string, data []byte, shape string) (*yaml.Node, diag.Diagnostics) {
	failAt := func(line, col int, detail, format string, args ...any) (*yaml.Node, diag.Diagnostics) {
		pos := diag.Pos{Line: max(line, 1), Column: max(col, 1)}
		r := diag.Range{Filename: filename, Start: pos, End: pos}
		return nil, diag.Diagnostics{diag.Errorf(diag.YAMLSyntax, nil, format, args...).WithDetail("%s", detail).At(r)}
	}
	fail := func(line int, detail, format string, args ...any) (*yaml.Node, diag.Diagnostics) {
		return failAt(line, 1, detail, format, args...)
	}
	if len(data) > MaxFileSize {
		return fail(1, fmt.Sprintf("files are limited to %d MiB (docs/limits.md)", MaxFileSize>>20),
			"file is too big: %d bytes", len(data))
	}
	if !utf8.Valid(data) {
		line, off := badUTF8(data)
		return fail(line, "save the file as UTF-8", "invalid UTF-8 byte 0x%02x", data[off])
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return fail(1+bytes.Count(data[:i], []byte("\n")), "this looks like a binary file, not YAML", "NUL byte in file")
	}
	lines := bytes.Count(data, []byte("\n")) + 1
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return fail(1, shape, "file is empty")
		}
		return fail(min(errLine(err), lines), "fix the YAML syntax", "%s", cleanYAMLError(err))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return failAt(extra.Line, extra.Column, "a file holds one YAML document; remove the \"---\" separator", "second YAML document")
	} else if !errors.Is(err, io.EOF) {
		return fail(min(errLine(err), lines), "fix the YAML syntax", "%s", cleanYAMLError(err))
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return fail(1, shape, "file is empty")
	}
	if bad, why := checkTree(doc.Content[0]); bad != nil {
		return failAt(bad.Line, bad.Column, why.detail, "%s", why.summary)
	}
	return doc.Content[0], nil
}

type treeProblem struct{ summary, detail string }

// checkTree enforces MaxDepth and rejects anchors and aliases, without
// recursion so that deep input cannot exhaust the stack.
func checkTree(root *yaml.Node) (*yaml.Node, treeProblem) {
	type item struct {
		n     *yaml.Node
		depth int
	}
	stack := []item{{root, 1}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch {
		case it.n.Kind == yaml.AliasNode || it.n.Anchor != "":
			return it.n, treeProblem{"YAML anchors and aliases are not supported",
				"write the value out; anchors are refused so that a small file cannot expand into a huge one (docs/limits.md)"}
		case it.depth > MaxDepth:
			return it.n, treeProblem{fmt.Sprintf("nesting deeper than %d levels", MaxDepth),
				"a topology file needs only a few levels (docs/limits.md)"}
		}
		// Push in reverse so that the first problem in file order is found.
		for i := len(it.n.Content) - 1; i >= 0; i-- {
			stack = append(stack, item{it.n.Content[i], it.depth + 1})
		}
	}
	return nil, treeProblem{}
}

// badUTF8 returns the 1-based line and the offset of the first byte of
// data that is not UTF-8.
func badUTF8(data []byte) (line, off int) {
	line = 1
	for off < len(data) {
		r, size := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && size <= 1 {
			return line, off
		}
		if r == '\n' {
			line++
		}
		off += size
	}
	return line, 0
}

// parserProblems are the messages of yaml.v3's parser (parserc.go), as
// opposed to its scanner. yaml.v3 prints a parser error's line 0-based and a
// scanner error's 1-based.
var parserProblems = []string{
	"did not find expected <stream-start>", "did not find expected <document start>",
	"found undefined tag handle", "did not find expected node content", "did not find expected '-' indicator",
	"did not find expected key", "did not find expected ',' or ']'", "did not find expected ',' or '}'",
	"found duplicate %YAML directive", "found incompatible YAML document", "found duplicate %TAG directive",
}

// errLine returns the 1-based line a yaml.v3 error names, or 1.
func errLine(err error) int {
	m := yamlLine.FindStringSubmatch(err.Error())
	if m == nil {
		return 1
	}
	n, convErr := strconv.Atoi(m[1])
	if convErr != nil || n < 1 {
		return 1
	}
	if slices.Contains(parserProblems, cleanYAMLError(err)) {
		n++
	}
	return n
}

var yamlPrefix = regexp.MustCompile(`^yaml: (line \d+: )?`)

// cleanYAMLError strips yaml.v3's "yaml: line N:" prefix, since the line
// is in the diagnostic's position.
func cleanYAMLError(err error) string { return yamlPrefix.ReplaceAllString(err.Error(), "") }

// ReadFile reads a topology or scenario file for Load: a regular file (a
// symbolic link is followed) of at most MaxFileSize bytes. Anything else
// is refused before it is read: a directory, a device such as /dev/zero,
// a named pipe, a larger file (docs/limits.md).
func ReadFile(name string) ([]byte, error) { return fileio.ReadFile(name, MaxFileSize) }

// Read reads a topology from r, standard input for example, refusing more
// than MaxFileSize bytes.
func Read(r io.Reader) ([]byte, error) { return fileio.ReadAll(r, MaxFileSize) }
