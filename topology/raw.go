package topology

import (
	"net/netip"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/vnetsim/vnetsim/topology/diag"
)

// field is one key an object of the topology format may hold.
type field struct {
	Key      string
	Required bool
	// Soft marks a required field whose absence is an error but still
	// leaves a usable network (the topology's name).
	Soft bool
}

// objectKind is the table of keys one kind of object accepts. The loader
// walks mappings against these tables, and the schema test compares them
// with topology/schema.json, so the two cannot drift apart.
type objectKind struct {
	Name   string // the kind's name, also its $defs name in schema.json
	Fields []field
}

func opt(keys ...string) []field {
	out := make([]field, len(keys))
	for i, k := range keys {
		out[i] = field{Key: k}
	}
	return out
}

func req(keys ...string) []field {
	out := opt(keys...)
	for i := range out {
		out[i].Required = true
	}
	return out
}

// soft is req for fields whose absence does not stop the load.
func soft(keys ...string) []field {
	out := req(keys...)
	for i := range out {
		out[i].Soft = true
	}
	return out
}

func kind(name string, groups ...[]field) *objectKind {
	k := &objectKind{Name: name}
	for _, g := range groups {
		k.Fields = append(k.Fields, g...)
	}
	return k
}

// The object kinds of the topology format (docs/reference/topology.md).
var (
	kindTopology = kind("topology", soft("name"),
		opt("platform", "networkController", "virtualNetworks", "routeTables", "accessControlLists", "onPremises"))
	kindVirtualNetwork = kind("virtualNetwork", req("addressSpace"),
		opt("networkController", "region", "subnets", "gateway", "virtualMachines", "loadBalancers", "peerings"))
	kindSubnet         = kind("subnet", req("addressPrefix"), opt("accessControlList", "routeTable"))
	kindGateway        = kind("gateway", req("type"), opt("name", "sku", "connections"))
	kindVirtualMachine = kind("virtualMachine", req("subnet", "ipAddress"),
		opt("ipForwarding", "accessControlList", "running", "bandwidthMbps"))
	kindLoadBalancer = kind("loadBalancer", req("subnet", "frontendIpAddress"), opt("sku", "backends", "rules"))
	kindLBRule       = kind("loadBalancerRule", req("protocol", "frontendPort"), opt("backendPort"))
	kindPeering      = kind("peering", req("remoteVirtualNetwork"), opt(PeeringFlagKeys()...),
		opt("peeringState", "remoteAddressSpace"))
	kindRouteTable = kind("routeTable", opt("disableGatewayRoutePropagation", "routes"))
	kindRoute      = kind("route", req("name", "addressPrefix", "nextHopType"), opt("nextHopIpAddress"))
	kindACL        = kind("accessControlList", opt("inboundDefaultAction", "outboundDefaultAction", "rules"))
	kindACLRule    = kind("aclRule", req("name", "priority", "type", "action"),
		opt("protocol", "sourceAddressPrefix", "sourceAddressPrefixes", "sourcePortRange", "sourcePortRanges",
			"destinationAddressPrefix", "destinationAddressPrefixes", "destinationPortRange", "destinationPortRanges"))
	kindOnPremises = kind("onPremises", req("addressSpace"), opt("hosts"))
)

// objectKinds lists every kind, for the schema test.
func objectKinds() []*objectKind {
	return []*objectKind{
		kindTopology, kindVirtualNetwork, kindSubnet, kindGateway, kindVirtualMachine, kindLoadBalancer,
		kindLBRule, kindPeering, kindRouteTable, kindRoute, kindACL, kindACLRule, kindOnPremises,
	}
}

func (k *objectKind) field(key string) (field, bool) {
	for _, f := range k.Fields {
		if f.Key == key {
			return f, true
		}
	}
	return field{}, false
}

// absentKeys returns the keys of k that the mapping did not write, the
// candidates a misspelt key may have meant.
func absentKeys(k *objectKind, written map[string]*yaml.Node) []string {
	var out []string
	for _, f := range k.Fields {
		if written[f.Key] == nil {
			out = append(out, f.Key)
		}
	}
	return out
}

func (k *objectKind) keys() []string {
	out := make([]string, len(k.Fields))
	for i, f := range k.Fields {
		out[i] = f.Key
	}
	return out
}

// obj is one mapping of the file, walked against its kind: the value node of
// every known key, by key. Absent keys are nil.
type obj struct {
	kind   *objectKind
	path   diag.Path
	values map[string]*yaml.Node
}

// get returns the value node of key, or nil when it is absent or null.
func (o obj) get(key string) *yaml.Node {
	n := o.values[key]
	if n == nil || isNull(n) {
		return nil
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// named is one entry of a mapping keyed by name.
type named struct {
	name  string
	value *yaml.Node
	path  diag.Path
}

// loader walks the as-written yaml.Node tree, records positions in the
// source map and gathers diagnostics. It holds no state beyond one Load.
type loader struct {
	file  string
	sm    *SourceMap
	diags diag.Diagnostics
	// fatal is set by problems that leave the model unusable: an unknown
	// reference, or a required value missing or invalid.
	fatal bool
}

// rangeOf returns the file range of n.
func (l *loader) rangeOf(n *yaml.Node) diag.Range { return NodeRange(l.file, n) }

// NodeRange returns the range of a node of a file read by ReadYAML: its
// line and column, and for a scalar on one line the column after its text.
// Scenarios locate their diagnostics with it too.
func NodeRange(filename string, n *yaml.Node) diag.Range {
	r := diag.Range{Filename: filename, Start: diag.Pos{Line: n.Line, Column: n.Column}}
	r.End = r.Start
	if n.Kind == yaml.ScalarNode && !strings.Contains(n.Value, "\n") {
		w := utf8.RuneCountInString(n.Value)
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			w += 2
		}
		r.End.Column += w
	}
	return r
}

func (l *loader) record(p diag.Path, n *yaml.Node) { l.sm.set(p, l.rangeOf(n)) }

// report appends d located at n; related, when given, locate d's Related
// entries in order.
func (l *loader) report(d diag.Diagnostic, n *yaml.Node, related ...*yaml.Node) {
	if n != nil {
		d = d.At(l.rangeOf(n))
	}
	for i, r := range related {
		if i < len(d.Related) && r != nil {
			d.Related[i].Subject = l.rangeOf(r)
		}
	}
	l.diags.Append(d)
}

// fail reports e, an error reading n, for what at p; fatal errors make
// Load return no network.
func (l *loader) fail(fatal bool, e *NodeError, p diag.Path, n *yaml.Node, what string) {
	l.report(e.Diagnostic(p, what), n)
	if fatal {
		l.fatal = true
	}
}

// errorf reports an error at n; fatal errors make Load return no network.
func (l *loader) errorf(fatal bool, code diag.Code, p diag.Path, n *yaml.Node, detail, format string, args ...any) {
	d := diag.Errorf(code, p, format, args...)
	if detail != "" {
		d.Detail = detail
	}
	l.report(d, n)
	if fatal {
		l.fatal = true
	}
}

// kindName describes a node's kind for the loader's messages.
func kindName(n *yaml.Node) string { return DescribeNode(n, "empty") }

// DescribeNode describes what a YAML node holds, for a message that says
// what was found instead of what was wanted: "a mapping", "a list", a
// quoted scalar, "an alias", or null for a null scalar.
func DescribeNode(n *yaml.Node, null string) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return null
		}
		return diag.Quote(n.Value)
	}
	return "an alias"
}

// mapping reports whether n is a mapping; otherwise it reports
// invalid-value for what at p.
func (l *loader) mapping(n *yaml.Node, p diag.Path, what string, fatal bool) bool {
	if n.Kind == yaml.MappingNode {
		return true
	}
	l.errorf(fatal, diag.InvalidValue, p, n, "", "%s: want a mapping, got %s", what, kindName(n))
	return false
}

// object walks a mapping of kind k at p: it reports unknown-field and
// duplicate-key at the key, missing-field at the mapping, and records the
// position of every field (a scalar's value node, else its key node).
func (l *loader) object(n *yaml.Node, p diag.Path, k *objectKind, what string) (obj, bool) {
	o := obj{kind: k, path: p}
	if !l.mapping(n, p, what, true) {
		return o, false
	}
	m := ReadMapping(n, func(key string) bool { _, ok := k.field(key); return ok })
	for _, d := range m.Duplicate {
		l.report(DuplicateKey(p.Child(d[0].Value), what, d[0].Value), d[0], d[1])
	}
	o.values = m.Values
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if m.Values[key.Value] != val {
			continue // not allowed, or written again
		}
		if val.Kind == yaml.ScalarNode && !isNull(val) {
			l.record(p.Child(key.Value), val)
		} else {
			l.record(p.Child(key.Value), key)
		}
	}
	// A misspelt required key is one unknown-field that names the key, not
	// also a missing-field for it.
	meant := map[string]bool{}
	required := func(key string) bool { f, _ := k.field(key); return f.Required }
	for _, key := range m.Unknown {
		d, s := UnknownKey(p.Child(key.Value), what, k.Name, key.Value, k.keys(), absentKeys(k, m.Values), required)
		l.report(d, key)
		if s != "" {
			meant[s] = true
		}
	}
	for _, f := range k.Fields {
		if f.Required && o.get(f.Key) == nil && meant[f.Key] {
			l.fatal = l.fatal || !f.Soft
			continue
		}
		if f.Required && o.get(f.Key) == nil {
			// A named object is reported at its name, the place a reader
			// looks for it, rather than at its first field.
			d := MissingKey(p, what, f.Key)
			if r, ok := l.sm.ranges[p.Key()]; ok {
				d = d.At(r)
			} else {
				d = d.At(l.rangeOf(n))
			}
			l.diags.Append(d)
			l.fatal = l.fatal || !f.Soft
		}
	}
	return o, true
}

// namedMap walks a mapping keyed by name (virtualNetworks, subnets, …) at p
// and returns its entries in file order. Each name is recorded at its key.
func (l *loader) namedMap(n *yaml.Node, p diag.Path, what string) []named {
	if n == nil || !l.mapping(n, p, what, true) {
		return nil
	}
	var out []named
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		np := p.Child(key.Value)
		if key.Kind != yaml.ScalarNode || isNull(key) {
			l.errorf(true, diag.InvalidValue, p, key, NameRule, "%s: a name must be a string, got %s", what, kindName(key))
			continue
		}
		if err := CheckName(key.Value); err != nil {
			l.errorf(true, diag.InvalidValue, np, key, NameRule, "%s: %v", what, err)
			continue
		}
		if first, dup := seen[key.Value]; dup {
			l.report(diag.Errorf(diag.DuplicateKey, np, "%s: %s is defined twice", what, diag.Quote(key.Value)).
				WithDetail("names are unique within their map; rename or remove one").
				WithRelated(np, "first defined here"), key, first)
			continue
		}
		seen[key.Value] = key
		l.record(np, key)
		out = append(out, named{name: key.Value, value: val, path: np})
	}
	return out
}

// list returns the items of a sequence at p, recording each item's
// position.
func (l *loader) list(n *yaml.Node, p diag.Path, what string, fatal bool) []*yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		l.errorf(fatal, diag.InvalidValue, p, n, "", "%s: want a list, got %s", what, kindName(n))
		return nil
	}
	for i, it := range n.Content {
		l.record(p.Index(i), it)
	}
	return n.Content
}

// scalar returns n's text when n is a scalar; otherwise it reports
// invalid-value.
func (l *loader) scalar(n *yaml.Node, p diag.Path, what string, fatal bool) (string, bool) {
	s, e := ReadString(n)
	if e != nil {
		l.fail(fatal, e, p, n, what)
		return "", false
	}
	return s, true
}

// str returns the string at key of o, or "" when absent.
func (l *loader) str(o obj, key, what string) string {
	n := o.get(key)
	if n == nil {
		return ""
	}
	f, _ := o.kind.field(key)
	s, _ := l.scalar(n, o.path.Child(key), what+" "+key, f.Required)
	return s
}

// name returns the name at key of o, or "" when it is absent or breaks the
// name rule (CheckName), which is invalid-value at the value, stopping the
// load when the field is required.
func (l *loader) name(o obj, key, what string) string {
	s := l.str(o, key, what)
	n := o.get(key)
	if n == nil || n.Kind != yaml.ScalarNode {
		return s // absent, or str reported it
	}
	if err := CheckName(s); err != nil {
		f, _ := o.kind.field(key)
		l.errorf(f.Required && !f.Soft, diag.InvalidValue, o.path.Child(key), n, NameRule, "%s %s: %v", what, key, err)
		return ""
	}
	return s
}

// boolean returns the bool at key of o, or def when absent.
func (l *loader) boolean(o obj, key, what string, def bool) bool {
	n := o.get(key)
	if n == nil {
		return def
	}
	b, e := ReadBool(n)
	if e != nil {
		l.fail(false, e, o.path.Child(key), n, what+" "+key)
		return def
	}
	return b
}

// integer returns the integer at key of o within [lo, hi].
func (l *loader) integer(o obj, key, what string, lo, hi int64, fatal bool) (int64, bool) {
	n := o.get(key)
	if n == nil {
		return 0, false
	}
	v, e := ReadInt(n, lo, hi)
	if e != nil {
		l.fail(fatal, e, o.path.Child(key), n, what+" "+key)
		return 0, false
	}
	return v, true
}

// enumValue parses the scalar at key of o with parse, returning def when
// the key is absent.
func enumValue[T any](l *loader, o obj, key, what string, def T, fatal bool, parse func(string) (T, error)) T {
	n := o.get(key)
	if n == nil {
		return def
	}
	v, e := ReadEnum(n, parse)
	if e != nil {
		l.fail(fatal, e, o.path.Child(key), n, what+" "+key)
		return def
	}
	return v
}

// prefix parses a prefix node at p. A prefix with host bits set is kept
// masked and warned about.
func (l *loader) prefix(n *yaml.Node, p diag.Path, what string) (netip.Prefix, bool) {
	pf, e := ReadPrefix(n)
	if e != nil {
		l.fail(true, e, p, n, what)
		return netip.Prefix{}, false
	}
	pf, w := MaskPrefix(pf, p, what)
	if w != nil {
		l.report(*w, n)
	}
	return pf, true
}

// addr parses an address node at p.
func (l *loader) addr(n *yaml.Node, p diag.Path, what string) (netip.Addr, bool) {
	a, e := ReadAddr(n)
	if e != nil {
		l.fail(true, e, p, n, what)
		return netip.Addr{}, false
	}
	return a, true
}

// prefixAt parses the prefix at key of o, if there is one.
func (l *loader) prefixAt(o obj, key, what string) netip.Prefix {
	if n := o.get(key); n != nil {
		pf, _ := l.prefix(n, o.path.Child(key), what+" "+key)
		return pf
	}
	return netip.Prefix{}
}

// addrAt parses the address at key of o, if there is one.
func (l *loader) addrAt(o obj, key, what string) netip.Addr {
	if n := o.get(key); n != nil {
		a, _ := l.addr(n, o.path.Child(key), what+" "+key)
		return a
	}
	return netip.Addr{}
}

// namedAt returns the entries of the mapping keyed by name at key of o.
func (l *loader) namedAt(o obj, key, what string) []named {
	return l.namedMap(o.get(key), o.path.Child(key), what+" "+key)
}

// prefixes parses a list of prefixes at key of o. An empty list is
// invalid-value: an address space holds at least one range.
func (l *loader) prefixes(o obj, key, what string) []netip.Prefix {
	p := o.path.Child(key)
	n := o.get(key)
	var out []netip.Prefix
	for i, it := range l.list(n, p, what+" "+key, true) {
		if pf, ok := l.prefix(it, p.Index(i), what+" "+key); ok {
			out = append(out, pf)
		}
	}
	if n != nil && n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		l.errorf(false, diag.InvalidValue, p, n, "add at least one prefix, e.g. [10.1.0.0/16]", "%s %s is empty", what, key)
	}
	return out
}
