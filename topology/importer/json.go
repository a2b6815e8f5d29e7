package importer

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/vnetsim/vnetsim/topology/diag"
)

// The exports are read by a small JSON parser of our own rather than
// encoding/json, which keeps no positions, or yaml.v3, which does but
// builds a far heavier tree: every value keeps its byte offset (turned into
// a line and column only when a diagnostic or the source map needs one),
// and strings without escapes are slices of one copy of the file.

// Limits on what an import reads (docs/import.md).
const (
	// MaxFileSize is the largest export read, in bytes: an export of
	// 10,000 VNets with their NICs is about 60 MB.
	MaxFileSize = 256 << 20
	// MaxDepth is the deepest nesting accepted; exports need about ten
	// levels (ConvertTo-Json -Depth 20 writes at most 20).
	MaxDepth = 64
)

// kind is a JSON value's type.
type kind uint8

const (
	jNull kind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

func (k kind) String() string {
	return [...]string{"null", "a boolean", "a number", "a string", "a list", "an object"}[k]
}

// node is one JSON value. An object keeps its keys in file order beside
// its values; parent and slot locate the node in its parent, so that its
// JSON path is built only when a diagnostic needs it.
type node struct {
	kind     kind
	shadowed bool   // its key is given again later in its object, whose value is read
	off      int32  // byte offset of the value's first byte
	str      string // a string's value, a number's text, "true" or "false"
	keys     []string
	kids     []*node
	parent   *node
	slot     int32 // index in parent.kids
}

// doc is one parsed file.
type doc struct {
	file   string
	text   string // the file, as one string that strings slice into
	root   *node
	values int // how many JSON values the file holds
	pos    *positions
	empty  bool     // a list of resources with nothing in it
	dups   []dupKey // keys given again in their object
}

// dupKey is a key given a second time in one object, at byte offset off;
// value is the value read for it, the last.
type dupKey struct {
	off   int
	key   string
	value *node
}

// parseError is a syntax error at a byte offset.
type parseError struct {
	off int
	msg string
}

func (e *parseError) Error() string { return e.msg }

// parser reads one file. Nodes, and the lists of children and keys of
// containers, are cut from slabs, to spare the allocator and the garbage
// collector a million small objects on a large estate.
type parser struct {
	s       string
	i       int
	depth   int
	count   int // values read
	slab    []node
	kidSlab []*node
	keySlab []string
	stack   []*node // children of the containers being read
	keys    []string
	dups    []dupKey
}

// kidsOf returns a copy of kids cut from the slab.
func (p *parser) kidsOf(kids []*node) []*node {
	if len(kids) > len(p.kidSlab) {
		p.kidSlab = make([]*node, max(4096, len(kids)))
	}
	out := p.kidSlab[:len(kids):len(kids)]
	p.kidSlab = p.kidSlab[len(kids):]
	copy(out, kids)
	return out
}

// keysOf returns a copy of keys cut from the slab.
func (p *parser) keysOf(keys []string) []string {
	if len(keys) > len(p.keySlab) {
		p.keySlab = make([]string, max(4096, len(keys)))
	}
	out := p.keySlab[:len(keys):len(keys)]
	p.keySlab = p.keySlab[len(keys):]
	copy(out, keys)
	return out
}

// parseJSON parses text, which must hold exactly one JSON value.
func parseJSON(text string) (*node, error) {
	p := &parser{s: text}
	return p.parse()
}

// parseDoc parses text into a doc: its root, how many values it holds and
// the keys it gives twice.
func parseDoc(text string) (*doc, error) {
	p := &parser{s: text}
	root, err := p.parse()
	if err != nil {
		return nil, err
	}
	return &doc{text: text, root: root, values: p.count, dups: p.dups}, nil
}

// parse reads the one JSON value of p.s.
func (p *parser) parse() (*node, error) {
	p.skipSpace()
	if strings.HasPrefix(p.s[p.i:], "\uFEFF") { // a UTF-8 byte order mark, as PowerShell 5 writes
		p.i += 3
		p.skipSpace()
	}
	n, err := p.value(nil, 0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.i < len(p.s) {
		return nil, p.fail("unexpected %s after the JSON value", p.describe())
	}
	return n, nil
}

func (p *parser) fail(format string, args ...any) error {
	return &parseError{off: p.i, msg: fmt.Sprintf(format, args...)}
}

func (p *parser) describe() string {
	if p.i >= len(p.s) {
		return "end of file"
	}
	r, _ := utf8.DecodeRuneInString(p.s[p.i:])
	return strconv.QuoteRune(r)
}

func (p *parser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) newNode(k kind, parent *node, slot int) *node {
	if len(p.slab) == 0 {
		p.slab = make([]node, 1024)
	}
	n := &p.slab[0]
	p.slab = p.slab[1:]
	p.count++
	n.kind, n.off, n.parent, n.slot = k, int32(p.i), parent, int32(slot)
	return n
}

func (p *parser) value(parent *node, slot int) (*node, error) {
	if p.i >= len(p.s) {
		return nil, p.fail("unexpected end of file: want a value")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(parent, slot)
	case c == '[':
		return p.array(parent, slot)
	case c == '"':
		n := p.newNode(jString, parent, slot)
		s, err := p.string()
		n.str = s
		return n, err
	case c == 't' || c == 'f' || c == 'n':
		for _, lit := range []string{"true", "false", "null"} {
			if strings.HasPrefix(p.s[p.i:], lit) {
				n := p.newNode(jBool, parent, slot)
				if lit == "null" {
					n.kind = jNull
				}
				n.str = lit
				p.i += len(lit)
				return n, nil
			}
		}
	case c == '-' || c >= '0' && c <= '9':
		n := p.newNode(jNumber, parent, slot)
		start := p.i
		for p.i < len(p.s) && strings.IndexByte("+-0123456789.eE", p.s[p.i]) >= 0 {
			p.i++
		}
		n.str = p.s[start:p.i]
		if _, err := strconv.ParseFloat(n.str, 64); err != nil {
			p.i = start
			return nil, p.fail("%q is not a number", n.str)
		}
		return n, nil
	}
	return nil, p.fail("unexpected %s: want a value", p.describe())
}

// maxScannedKeys is how many keys of one object the parser compares a new
// key with, one by one, before it indexes them.
const maxScannedKeys = 8

func (p *parser) object(parent *node, slot int) (*node, error) {
	n := p.newNode(jObject, parent, slot)
	base, kbase := len(p.stack), len(p.keys)
	// index holds the object's keys, lower-cased, once it has more than a
	// few: finding a repeated key by comparing with every earlier one made
	// an object of 100,000 keys take 18 s.
	var index map[string]int
	err := p.elements('}', func() error {
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return p.fail("unexpected %s: want a key in double quotes", p.describe())
		}
		at := p.i
		k, err := p.string()
		if err != nil {
			return err
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return p.fail("unexpected %s: want ':' after key %q", p.describe(), k)
		}
		p.i++
		p.skipSpace()
		v, err := p.value(n, len(p.stack)-base)
		if err != nil {
			return err
		}
		// Keys are read without regard to case, so "name" and "Name" are
		// one key. The last value is read, as jq and JSON.parse read it.
		pos := len(p.keys) - kbase
		if index == nil && pos >= maxScannedKeys {
			index = make(map[string]int, 2*pos)
			for i, seen := range p.keys[kbase:] {
				if !p.stack[base+i].shadowed {
					index[strings.ToLower(seen)] = i
				}
			}
		}
		shadow := func(i int) {
			p.stack[base+i].shadowed = true
			p.dups = append(p.dups, dupKey{off: at, key: k, value: v})
		}
		if index != nil {
			lk := strings.ToLower(k)
			if i, ok := index[lk]; ok {
				shadow(i)
			}
			index[lk] = pos
		} else {
			for i, seen := range p.keys[kbase:] {
				if strings.EqualFold(seen, k) && !p.stack[base+i].shadowed {
					shadow(i)
				}
			}
		}
		p.keys = append(p.keys, k)
		p.stack = append(p.stack, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	n.kids = p.kidsOf(p.stack[base:])
	n.keys = p.keysOf(p.keys[kbase:])
	p.stack, p.keys = p.stack[:base], p.keys[:kbase]
	return n, nil
}

func (p *parser) array(parent *node, slot int) (*node, error) {
	n := p.newNode(jArray, parent, slot)
	base := len(p.stack)
	err := p.elements(']', func() error {
		v, err := p.value(n, len(p.stack)-base)
		if err != nil {
			return err
		}
		p.stack = append(p.stack, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	n.kids = p.kidsOf(p.stack[base:])
	p.stack = p.stack[:base]
	return n, nil
}

// elements reads a container whose opening byte is at p.i: item reads one
// element at a time, separated by commas, up to close.
func (p *parser) elements(close byte, item func() error) error {
	p.depth++
	if p.depth > MaxDepth {
		return p.fail("nesting deeper than %d levels", MaxDepth)
	}
	p.i++
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == close {
		p.i++
		p.depth--
		return nil
	}
	for {
		p.skipSpace()
		if err := item(); err != nil {
			return err
		}
		p.skipSpace()
		switch {
		case p.i < len(p.s) && p.s[p.i] == ',':
			p.i++
		case p.i < len(p.s) && p.s[p.i] == close:
			p.i++
			p.depth--
			return nil
		default:
			return p.fail("unexpected %s: want ',' or '%c'", p.describe(), close)
		}
	}
}

// string reads a string at p.i, which holds its opening quote. A string
// without escapes is a slice of the file.
func (p *parser) string() (string, error) {
	start := p.i + 1
	for j := start; j < len(p.s); j++ {
		switch c := p.s[j]; {
		case c == '"':
			p.i = j + 1
			return p.s[start:j], nil
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			p.i = j
			return "", p.fail("control character %q in a string", c)
		}
	}
	p.i = len(p.s)
	return "", p.fail("unexpected end of file in a string")
}

// escaped reads the rest of a string that holds escapes.
func (p *parser) escaped(start int) (string, error) {
	var b strings.Builder
	j := start
	for j < len(p.s) {
		c := p.s[j]
		switch {
		case c == '"':
			p.i = j + 1
			return b.String(), nil
		case c < 0x20:
			p.i = j
			return "", p.fail("control character %q in a string", c)
		case c != '\\':
			b.WriteByte(c)
			j++
			continue
		}
		if j+1 >= len(p.s) {
			break
		}
		e := p.s[j+1]
		j += 2
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := hex4(p.s, j)
			if !ok {
				p.i = j - 2
				return "", p.fail(`bad \u escape`)
			}
			j += 4
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(p.s, j+2); ok && strings.HasPrefix(p.s[j:], `\u`) {
					r = utf16.DecodeRune(r, r2)
					j += 6
				}
			}
			b.WriteRune(r)
		default:
			p.i = j - 2
			return "", p.fail("bad escape \\%c", e)
		}
	}
	p.i = len(p.s)
	return "", p.fail("unexpected end of file in a string")
}

func hex4(s string, at int) (rune, bool) {
	if at+4 > len(s) {
		return 0, false
	}
	v, err := strconv.ParseUint(s[at:at+4], 16, 32)
	return rune(v), err == nil
}

// Accessors. Keys are matched without regard to case: az writes camelCase,
// PowerShell's ConvertTo-Json PascalCase, and Resource Graph lower-cases
// resource types.

// get returns the value at key, or nil.
func (n *node) get(key string) *node {
	if n == nil || n.kind != jObject {
		return nil
	}
	for i, k := range n.keys { // most exports spell keys as asked: look for that first
		if k == key && !n.kids[i].shadowed {
			return n.kids[i]
		}
	}
	for i, k := range n.keys {
		if strings.EqualFold(k, key) && !n.kids[i].shadowed {
			return n.kids[i]
		}
	}
	return nil
}

// prop returns a resource's property: under "properties" when the resource
// has them there (the REST API, Resource Graph, Network Controller), else at
// the top level (az and Get-Az* flatten them).
func (n *node) prop(key string) *node {
	if v := n.get("properties").get(key); v != nil {
		return v
	}
	return n.get(key)
}

// at follows a chain of properties: n.at("addressSpace", "addressPrefixes").
func (n *node) at(keys ...string) *node {
	for i, k := range keys {
		if i == 0 {
			n = n.prop(k)
		} else {
			n = n.get(k)
		}
	}
	return n
}

// text returns a string value, or "" for anything else.
func (n *node) text() string {
	if n == nil || n.kind != jString {
		return ""
	}
	return n.str
}

// items returns a list's values; a single value is a list of one
// (ConvertTo-Json writes a one-item list as the item on PowerShell 5).
func (n *node) items() []*node {
	switch {
	case n == nil || n.kind == jNull:
		return nil
	case n.kind == jArray:
		return n.kids
	}
	return []*node{n}
}

// isNull reports whether n is absent or null.
func (n *node) isNull() bool { return n == nil || n.kind == jNull }

// boolean returns a boolean value and whether n is one.
func (n *node) boolean() (bool, bool) {
	if n == nil || n.kind != jBool {
		return false, false
	}
	return n.str == "true", true
}

// integer returns an integer value (a number, or a string of digits, as
// Network Controller writes some) and whether n is one.
func (n *node) integer() (int, bool) {
	if n == nil || n.kind != jNumber && n.kind != jString {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(n.str), 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
		return 0, false
	}
	return int(f), true
}

// jqPath returns n's JSON path as jq writes it, so that
// jq '.value[3].properties.subnets[0]' FILE shows the value: keys that are
// not identifiers are quoted, the root is ".".
func (n *node) jqPath() string {
	var parts []string
	for c := n; c != nil && c.parent != nil; c = c.parent {
		switch k := c.parent.keys; {
		case c.parent.kind == jArray:
			parts = append(parts, "["+strconv.Itoa(int(c.slot))+"]")
		case isIdentifier(k[c.slot]):
			parts = append(parts, "."+k[c.slot])
		default:
			parts = append(parts, "."+strconv.Quote(k[c.slot]))
		}
	}
	if len(parts) == 0 {
		return "."
	}
	slices.Reverse(parts)
	if strings.HasPrefix(parts[0], "[") {
		return "." + strings.Join(parts, "") // jq writes .[0] for the root's first item
	}
	return strings.Join(parts, "")
}

func isIdentifier(s string) bool {
	for i, r := range s {
		if r != '_' && !unicode.IsLetter(r) && (i == 0 || !unicode.IsDigit(r)) {
			return false
		}
	}
	return s != ""
}

// path returns n's JSON path as segments, the keys and indexes from the
// root, for a diagnostic's Path.
func (n *node) path() diag.Path {
	var rev []string
	for c := n; c != nil && c.parent != nil; c = c.parent {
		if c.parent.kind == jObject {
			rev = append(rev, c.parent.keys[c.slot])
		} else {
			rev = append(rev, strconv.Itoa(int(c.slot)))
		}
	}
	out := make(diag.Path, len(rev))
	for i, s := range rev {
		out[len(rev)-1-i] = s
	}
	return out
}

// positions turns byte offsets into lines and columns. Columns count
// characters, as the YAML loader's do. On a line longer than a checkpoint
// (a minified export is one line) the column at every 4 KiB is noted the
// first time the line is asked about, so that a column costs at most 4 KiB
// of counting.
type positions struct {
	text  string
	lines []int         // offset of each line's start
	long  map[int][]int // line → column (0-based) at each checkpoint from its start
}

const checkpoint = 4096

func newPositions(text string) *positions {
	p := &positions{text: text, lines: make([]int, 1, strings.Count(text, "\n")+1)}
	for i := 0; ; {
		j := strings.IndexByte(text[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		p.lines = append(p.lines, i)
	}
	return p
}

// runeStarts counts the characters of s by their first bytes.
func runeStarts(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if utf8.RuneStart(s[i]) {
			n++
		}
	}
	return n
}

// at returns the 1-based line and column of byte offset off.
func (p *positions) at(off int) diag.Pos {
	line := sort.Search(len(p.lines), func(i int) bool { return p.lines[i] > off }) // 1-based
	start := p.lines[line-1]
	col, from := 0, start
	if off-start > checkpoint {
		cps := p.long[line]
		if cps == nil {
			end := len(p.text)
			if line < len(p.lines) {
				end = p.lines[line]
			}
			for c, at := 0, start; at < end; at += checkpoint {
				cps = append(cps, c)
				c += runeStarts(p.text[at:min(at+checkpoint, end)])
			}
			if p.long == nil {
				p.long = map[int][]int{}
			}
			p.long[line] = cps
		}
		k := (off - start) / checkpoint
		col, from = cps[k], start+k*checkpoint
	}
	return diag.Pos{Line: line, Column: col + runeStarts(p.text[from:off]) + 1}
}

// rangeOf returns the file range of n: a scalar's range ends after its
// text when the text is on one line.
func (d *doc) rangeOf(n *node) diag.Range {
	start := d.pos.at(int(n.off))
	r := diag.Range{Filename: d.file, Start: start, End: start}
	switch n.kind {
	case jString:
		if !strings.Contains(n.str, "\n") {
			r.End.Column += utf8.RuneCountInString(n.str) + 2
		}
	case jNumber, jBool, jNull:
		r.End.Column += len(n.str)
	}
	return r
}
