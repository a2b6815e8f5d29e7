// Package importer is part of stage one, beside the topology loader: it
// reads what a platform exports (Azure resource JSON as the REST API, az,
// Get-Az* | ConvertTo-Json and Resource Graph give it; Network Controller
// REST JSON) and builds the same *topology.Network the loader builds from
// a topology file, with a source map into the JSON files and a diagnostic,
// at the JSON path and line, for everything the model cannot hold.
//
// It imports only topology and topology/diag. docs/import.md describes the
// formats, the mappings and every choice the importers make.
package importer

import (
	"bytes"
	"cmp"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// Format is what a file holds.
type Format uint8

const (
	// Topology is vnetsim's own topology file: YAML, or JSON as generate
	// writes it. The topology loader reads it.
	Topology Format = iota
	// Azure is Azure resource JSON.
	Azure
	// WindowsSDN is Network Controller REST JSON.
	WindowsSDN
)

var formatNames = []string{"topology", "azure", "windows-sdn"}

// String returns the format's name as the import command spells it.
func (f Format) String() string { return formatNames[f] }

// ParseFormat parses an export format's name: azure or windows-sdn.
func ParseFormat(s string) (Format, error) {
	switch s {
	case "azure":
		return Azure, nil
	case "windows-sdn":
		return WindowsSDN, nil
	}
	return 0, fmt.Errorf("%q is not an export format (want azure or windows-sdn)", s)
}

// Detect decides what data holds from its content: Azure resource JSON
// (resources with an id under /providers/ or a type), Network Controller
// REST JSON (resources with a resourceRef), or anything else, which is a
// topology file for the loader to read or refuse.
func Detect(data []byte) Format {
	f, _ := exportOf(data)
	return f
}

// looksJSON reports whether data starts, after a byte order mark and
// white space, with an object or a list.
func looksJSON(data []byte) bool {
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\uFEFF")), " \t\r\n")
	return len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') && len(data) <= MaxFileSize
}

// detect is Detect for text, returning the parsed JSON of an export.
func detect(text string) (Format, *doc) {
	d, err := parseDoc(text)
	if err != nil {
		return Topology, nil // not JSON: YAML, or broken; the loader says which
	}
	f, empty := classify(d.root)
	if f == Topology {
		return Topology, nil
	}
	d.empty = empty
	return f, d
}

// classify says which export root holds, by its first resource: one with a
// resourceRef is the Network Controller's, one with an id under
// /providers/ or a type is Azure's. An empty page of resources (`[]`,
// `{"value": []}`, what a list command prints when there is nothing to
// list) could be either; empty reports it (as Azure). Any other JSON is not
// an export.
func classify(root *node) (f Format, empty bool) {
	rs := resources(root)
	if len(rs) == 0 {
		if emptyPage(root) {
			return Azure, true
		}
		return Topology, false
	}
	n := rs[0]
	switch {
	case strings.HasPrefix(n.get("resourceRef").text(), "/"):
		return WindowsSDN, false
	case strings.Contains(strings.ToLower(n.get("id").text()), "/providers/") || strings.Contains(n.get("type").text(), "/"):
		return Azure, false
	}
	return Topology, false
}

// emptyPage reports whether n is a list of resources with nothing in it:
// an empty list, a `value` or `data` page holding one, or a list of those.
func emptyPage(n *node) bool {
	switch n.kind {
	case jArray:
		for _, it := range n.kids {
			if !emptyPage(it) {
				return false
			}
		}
		return true
	case jObject:
		for _, key := range []string{"value", "data"} {
			if v := n.get(key); v != nil && v.kind == jArray {
				return emptyPage(v)
			}
		}
	}
	return false
}

// Input is one file to import.
type Input struct {
	Filename string
	Data     []byte
}

// Options adjust an import.
type Options struct {
	// Name is the topology's name; "" is imported-azure or
	// imported-windows-sdn.
	Name string
}

// Result is an import's outcome.
type Result struct {
	// Network is the estate; nil when no input could be read at all.
	Network *topology.Network
	// Source locates model paths in the inputs. Its Filename and Source are
	// the first input's; each range names its own file.
	Source *topology.SourceMap
	// Diagnostics are the import's own: JSON syntax, values it cannot read
	// (errors) and what the model cannot hold (warnings), located in the
	// inputs and sorted. Validation is Check's.
	Diagnostics diag.Diagnostics

	format   Format
	files    []string
	comments map[string]string
}

// Import reads the exports of one platform (f is Azure or WindowsSDN)
// into one network: several files are one estate, as a vnet list, an nsg
// list and a route-table list are.
func Import(f Format, inputs []Input, opts Options) *Result {
	return importParsed(f, inputs, nil, opts)
}

// importParsed is Import with the first input already parsed by detect
// (first), or not (nil).
func importParsed(f Format, inputs []Input, first *doc, opts Options) *Result {
	r := &Result{format: f, comments: map[string]string{}}
	if len(inputs) == 0 {
		return r
	}
	var docs []*doc
	values := 0
	for i, in := range inputs {
		r.files = append(r.files, in.Filename)
		d := first
		if i > 0 || first == nil {
			var ds diag.Diagnostics
			d, ds = parseInput(in.Filename, string(in.Data), f)
			r.Diagnostics = append(r.Diagnostics, ds...)
		}
		if d != nil {
			d.file, d.pos = in.Filename, newPositions(d.text)
			docs = append(docs, d)
			values += d.values
		}
	}
	// An export holds four to five JSON values for each path the model
	// records; sizing the source map once saves rehashing it.
	r.Source = topology.NewSourceMap(inputs[0].Filename, inputs[0].Data, values/4)
	if len(docs) == 0 {
		r.Diagnostics.Sort()
		return r
	}
	b := &builder{platform: topology.Azure, sm: r.Source, comments: r.comments}
	for _, d := range docs {
		for _, k := range d.dups {
			b.duplicate(d, k)
		}
		if d.empty {
			b.incomplete(d, nil, "check the subscription, resource group or filter of the export command (docs/import.md)",
				"the export lists no resources; nothing was imported from it")
		}
	}
	var recs *records
	if f == WindowsSDN {
		b.platform = topology.WindowsSDN
		recs = readWindowsSDN(b, docs)
	} else {
		recs = readAzure(b, docs)
	}
	b.build(recs)
	// Two exports of one estate get one name, so that a diff of them does
	// not report a rename.
	b.net.Name = cmp.Or(opts.Name, "imported-"+f.String())
	r.Network = b.net
	r.Diagnostics = append(r.Diagnostics, b.diags...)
	r.Diagnostics.Sort()
	return r
}

// parseInput checks an input's limits and parses it; a file that cannot be
// read is one yaml-syntax error (the contract's code for a file that is
// not well formed), an export of the other platform or no export at all
// one invalid-value error.
func parseInput(file, text string, f Format) (*doc, diag.Diagnostics) {
	failWith := func(code diag.Code, off int, detail, format string, args ...any) (*doc, diag.Diagnostics) {
		pos := newPositions(text[:min(off, len(text))]).at(min(off, len(text)))
		d := diag.Errorf(code, nil, format, args...).WithDetail("%s", detail)
		return nil, diag.Diagnostics{d.At(diag.Range{Filename: file, Start: pos, End: pos})}
	}
	fail := func(off int, detail, format string, args ...any) (*doc, diag.Diagnostics) {
		return failWith(diag.YAMLSyntax, off, detail, format, args...)
	}
	what := map[Format]string{Azure: "Azure resource JSON", WindowsSDN: "Network Controller REST JSON"}[f]
	switch {
	case len(text) > MaxFileSize:
		return fail(0, fmt.Sprintf("exports are limited to %d MiB (docs/import.md)", MaxFileSize>>20), "file is too big: %d bytes", len(text))
	case !utf8.ValidString(text):
		off := 0
		for off < len(text) {
			r, size := utf8.DecodeRuneInString(text[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		return fail(off, "save the export as UTF-8 (PowerShell 5: Out-File -Encoding utf8)", "invalid UTF-8 byte 0x%02x", text[off])
	}
	d, err := parseDoc(text)
	if err != nil {
		pe, _ := err.(*parseError)
		off := 0
		if pe != nil {
			off = pe.off
		}
		return fail(off, "the file must be "+what+"; a topology file needs no import", "not valid JSON: %v", err)
	}
	switch got, empty := classify(d.root); {
	case empty || got == f:
		d.empty = empty
		return d, nil
	case got == Topology:
		return failWith(diag.InvalidValue, 0, "export resources with az, Get-Az* | ConvertTo-Json or Get-NetworkController* | ConvertTo-Json (docs/import.md)",
			"this is not %s: it holds no resource with an id or a resourceRef", what)
	default:
		return failWith(diag.InvalidValue, 0, "import it with vnetsim import "+got.String(), "this is %s, not %s", map[Format]string{Azure: "Azure resource JSON", WindowsSDN: "Network Controller REST JSON"}[got], what)
	}
}

// DiagnosticsOf returns the diagnostics located in file, in order.
func (r *Result) DiagnosticsOf(file string) diag.Diagnostics {
	var out diag.Diagnostics
	for _, d := range r.Diagnostics {
		if d.Subject.Filename == file {
			out = append(out, d)
		}
	}
	return out
}

// Marshal writes the network as a topology file, with a header naming the
// inputs and, above each object read from a resource, a comment naming the
// resource's id.
func (r *Result) Marshal() ([]byte, error) {
	if r.Network == nil {
		return nil, fmt.Errorf("import: nothing was imported")
	}
	header := fmt.Sprintf("Imported by vnetsim import %s from %s.\n"+
		"The comment above each object names the resource it was read from (docs/import.md).",
		r.format, strings.Join(r.files, ", "))
	return topology.MarshalWith(r.Network, topology.MarshalOptions{Header: header, Comment: func(p diag.Path) string {
		return r.comments[p.Key()]
	}})
}

// Load is topology.Load for any file vnetsim reads: a topology file is
// loaded, an export (detected by content) imported, with the import's
// diagnostics. The network is nil when the file cannot be loaded: an
// export that is not JSON, or that holds a value the importer cannot read
// (an error), as the import command writes nothing for it and the loader
// loads nothing from a topology file with an invalid prefix.
func Load(filename string, data []byte) (*topology.Network, *topology.SourceMap, diag.Diagnostics) {
	f, first := exportOf(data)
	if f == Topology {
		return topology.Load(filename, data)
	}
	return loadExport(filename, data, f, first)
}

// loadExport is Load for an export of format f, whose first document is
// parsed.
func loadExport(filename string, data []byte, f Format, first *doc) (*topology.Network, *topology.SourceMap, diag.Diagnostics) {
	r := importParsed(f, []Input{{Filename: filename, Data: data}}, first, Options{})
	if r.Diagnostics.HasErrors() {
		return nil, r.Source, r.Diagnostics
	}
	return r.Network, r.Source, r.Diagnostics
}

// Check is topology.Check for any file vnetsim reads: Load, then, when the
// file loads, Validate's diagnostics, located in the file and sorted with
// the others.
func Check(filename string, data []byte) (*topology.Network, *topology.SourceMap, diag.Diagnostics) {
	f, first := exportOf(data)
	if f == Topology {
		return topology.Check(filename, data)
	}
	n, sm, ds := loadExport(filename, data, f, first)
	if n != nil {
		ds = append(ds, topology.Validate(n)...)
	}
	sm.LocateAll(ds)
	ds.Sort()
	return n, sm, ds
}

// exportOf is Detect, returning an export's parsed first document.
func exportOf(data []byte) (Format, *doc) {
	if !looksJSON(data) {
		return Topology, nil
	}
	return detect(string(data))
}
