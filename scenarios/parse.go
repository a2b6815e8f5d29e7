package scenarios

import (
	"fmt"
	"io/fs"
	"math"
	"net/netip"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/vnetsim/vnetsim/internal/fileio"
	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/sim/event"
	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
	"github.com/vnetsim/vnetsim/topology/importer"
)

// MaxFileSize is the largest scenario file Parse reads, in bytes.
const MaxFileSize = topology.MaxFileSize

// ReadFunc reads a file for the parser and the runner: a scenario file or
// the topology file a scenario names. topology.ReadFile is the default.
type ReadFunc func(name string) ([]byte, error)

// Parse parses a scenario file and loads its topology: an inline mapping,
// or a path read from the operating system's file system, relative to the
// scenario file's folder unless absolute. Diagnostics carry file
// positions; those of a topology file are located in that file. The
// Scenario is nil when a diagnostic is an error.
func Parse(filename string, data []byte) (*Scenario, diag.Diagnostics) {
	return parse(filename, data, osTopology(filename, topology.ReadFile))
}

// ParseFile reads and parses a scenario file.
func ParseFile(filename string) (*Scenario, diag.Diagnostics) {
	return parseFile(filename, topology.ReadFile)
}

// parseFile reads filename with read and parses it, reading the topology
// it names with read too.
func parseFile(filename string, read ReadFunc) (*Scenario, diag.Diagnostics) {
	data, err := read(filename)
	if err != nil {
		return nil, diag.Diagnostics{fileError(filename, err)}
	}
	return parse(filename, data, osTopology(filename, read))
}

// osTopology reads the topology paths written in the scenario file
// filename: relative to its folder, or absolute.
func osTopology(filename string, read ReadFunc) topologyReader {
	return func(rel string) (string, []byte, error) {
		name := rel
		if !filepath.IsAbs(rel) {
			name = filepath.Join(filepath.Dir(filename), filepath.FromSlash(rel))
		}
		b, err := read(name)
		return name, b, err
	}
}

// ParseFS parses the scenario file name of fsys; a topology path is read
// from fsys too, relative to name. Built-in labs are parsed this way.
func ParseFS(fsys fs.FS, name string) (*Scenario, diag.Diagnostics) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, diag.Diagnostics{fileError(name, err)}
	}
	return parse(name, data, func(rel string) (string, []byte, error) {
		full := path.Join(path.Dir(name), rel)
		b, err := fs.ReadFile(fsys, full)
		return full, b, err
	})
}

func fileError(name string, err error) diag.Diagnostic {
	return diag.Errorf(diag.YAMLSyntax, nil, "cannot read %s: %s", name, fileio.Message(err)).
		At(diag.Range{Filename: name})
}

// topologyReader reads a topology path written in a scenario and returns
// the name its diagnostics use.
type topologyReader func(rel string) (name string, data []byte, err error)

func parse(filename string, data []byte, read topologyReader) (*Scenario, diag.Diagnostics) {
	p := &parser{file: filename}
	root := p.document(data)
	if root == nil {
		return nil, p.diags
	}
	sc := p.scenario(root)
	if sc != nil && !p.diags.HasErrors() {
		p.topology(sc, data, root, read)
	}
	p.diags.Sort()
	if p.diags.HasErrors() {
		return nil, p.diags
	}
	return sc, p.diags
}

// parser walks a scenario's yaml.Node tree and gathers diagnostics.
type parser struct {
	file  string
	diags diag.Diagnostics
}

func (p *parser) rangeOf(n *yaml.Node) diag.Range { return topology.NodeRange(p.file, n) }

func (p *parser) errorf(code diag.Code, at diag.Path, n *yaml.Node, format string, args ...any) {
	d := diag.Errorf(code, at, format, args...)
	if n != nil {
		d = d.At(p.rangeOf(n))
	} else {
		d = d.At(diag.Range{Filename: p.file})
	}
	p.diags.Append(d)
}

// fail reports e, an error reading n, for what at at.
func (p *parser) fail(e *topology.NodeError, at diag.Path, n *yaml.Node, what string) {
	p.diags.Append(e.Diagnostic(at, what).At(p.rangeOf(n)))
}

// document parses data into its root node, or reports why it cannot. The
// topology loader's front end reads it, so a broken scenario is reported
// at the same line and column as the same bytes in a topology file.
func (p *parser) document(data []byte) *yaml.Node {
	root, ds := topology.ReadYAML(p.file, data, "a scenario file is a mapping with name, topology and steps")
	p.diags = append(p.diags, ds...)
	return root
}

// object is one mapping walked against its allowed keys: the value node of
// every present key.
type object struct {
	node *yaml.Node
	path diag.Path
	what string
	vals map[string]*yaml.Node
}

// object walks n as a mapping with the required and optional keys,
// reporting a wrong kind, duplicate keys, unknown keys and missing keys. A
// null node is an empty mapping.
func (p *parser) object(n *yaml.Node, at diag.Path, what string, required, optional []string) (object, bool) {
	o := object{node: n, path: at, what: what}
	if isNull(n) {
		n = &yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Column: n.Column}
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(diag.InvalidValue, at, n, "%s: want a mapping, got %s", what, kindName(n))
		return o, false
	}
	all := slices.Concat(required, optional)
	m := topology.ReadMapping(n, func(key string) bool { return slices.Contains(all, key) })
	o.vals = m.Values
	ok := len(m.Duplicate) == 0 && len(m.Unknown) == 0
	for _, d := range m.Duplicate {
		dd := topology.DuplicateKey(at.Child(d[0].Value), what, d[0].Value).At(p.rangeOf(d[0]))
		dd.Related[0].Subject = p.rangeOf(d[1])
		p.diags.Append(dd)
	}
	// A misspelt required key is one unknown-field that names the key, not
	// also a missing-field for it.
	var absent []string
	for _, k := range all {
		if o.vals[k] == nil {
			absent = append(absent, k)
		}
	}
	meant := map[string]bool{}
	for _, k := range m.Unknown {
		d, s := topology.UnknownKey(at.Child(k.Value), what, what, k.Value, all, absent, func(key string) bool { return slices.Contains(required, key) })
		p.diags.Append(d.At(p.rangeOf(k)))
		meant[s] = s != ""
	}
	for _, k := range required {
		if meant[k] {
			continue
		}
		if v := o.vals[k]; v == nil || isNull(v) {
			p.diags.Append(topology.MissingKey(at.Child(k), what, k).At(p.rangeOf(n)))
			ok = false
		}
	}
	return o, ok
}

// get returns the value node of key, or nil when absent or null.
func (o object) get(key string) *yaml.Node {
	if n := o.vals[key]; n != nil && !isNull(n) {
		return n
	}
	return nil
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// kindName describes a node's kind for the scenario parser's messages.
func kindName(n *yaml.Node) string { return topology.DescribeNode(n, "nothing") }

// scalar returns n's text, or reports that n is not a scalar.
func (p *parser) scalar(n *yaml.Node, at diag.Path, what string) (string, bool) {
	s, e := topology.ReadString(n)
	if e != nil {
		p.fail(e, at, n, what)
		return "", false
	}
	return s, true
}

// str returns the string at key, or "" when absent.
func (p *parser) str(o object, key string) string {
	n := o.get(key)
	if n == nil {
		return ""
	}
	s, _ := p.scalar(n, o.path.Child(key), o.what+" "+key)
	return s
}

// boolean returns the bool at key, or nil when absent.
func (p *parser) boolean(o object, key string) *bool {
	n := o.get(key)
	if n == nil {
		return nil
	}
	b, e := topology.ReadBool(n)
	if e != nil {
		p.fail(e, o.path.Child(key), n, o.what+" "+key)
		return nil
	}
	return &b
}

// integer returns the integer at key within [lo, hi].
func (p *parser) integer(o object, key string, lo, hi int64) (int64, bool) {
	n := o.get(key)
	if n == nil {
		return 0, false
	}
	v, e := topology.ReadInt(n, lo, hi)
	if e != nil {
		p.fail(e, o.path.Child(key), n, o.what+" "+key)
		return 0, false
	}
	return v, true
}

// enum parses the scalar at key with parse; def when absent.
func enum[T any](p *parser, o object, key string, def T, parse func(string) (T, error)) T {
	n := o.get(key)
	if n == nil {
		return def
	}
	v, e := topology.ReadEnum(n, parse)
	if e != nil {
		p.fail(e, o.path.Child(key), n, o.what+" "+key)
		return def
	}
	return v
}

// prefixNode parses one prefix node; host bits are masked with a warning,
// as the topology loader does.
func (p *parser) prefixNode(n *yaml.Node, at diag.Path, what string) netip.Prefix {
	pf, e := topology.ReadPrefix(n)
	if e != nil {
		p.fail(e, at, n, what)
		return netip.Prefix{}
	}
	pf, w := topology.MaskPrefix(pf, at, what)
	if w != nil {
		p.diags.Append(w.At(p.rangeOf(n)))
	}
	return pf
}

func (p *parser) prefix(o object, key string) netip.Prefix {
	if n := o.get(key); n != nil {
		return p.prefixNode(n, o.path.Child(key), o.what+" "+key)
	}
	return netip.Prefix{}
}

func (p *parser) addr(o object, key string) netip.Addr {
	n := o.get(key)
	if n == nil {
		return netip.Addr{}
	}
	a, e := topology.ReadAddr(n)
	if e != nil {
		p.fail(e, o.path.Child(key), n, o.what+" "+key)
		return netip.Addr{}
	}
	return a
}

// list returns the items of the list at key; nil when absent.
func (p *parser) list(o object, key string) []*yaml.Node {
	n := o.get(key)
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(diag.InvalidValue, o.path.Child(key), n, "%s %s: want a list, got %s", o.what, key, kindName(n))
		return nil
	}
	return n.Content
}

// strings returns the list of strings at key; nil when absent, non-nil
// (possibly empty) when present.
func (p *parser) strings(o object, key string) []string {
	if o.get(key) == nil {
		return nil
	}
	out := []string{}
	for i, it := range p.list(o, key) {
		if s, ok := p.scalar(it, o.path.Child(key).Index(i), o.what+" "+key); ok {
			out = append(out, s)
		}
	}
	return out
}

// codes returns the list of contract codes at key.
func (p *parser) codes(o object, key string) []diag.Code {
	if o.get(key) == nil {
		return nil
	}
	out := []diag.Code{}
	for i, it := range p.list(o, key) {
		s, ok := p.scalar(it, o.path.Child(key).Index(i), o.what+" "+key)
		if !ok {
			continue
		}
		if c := diag.Code(s); !checkable(c) {
			p.errorf(diag.InvalidValue, o.path.Child(key).Index(i), it, "%s %s: %s", o.what, key, notACode(s))
			continue
		}
		out = append(out, diag.Code(s))
	}
	return out
}

// checkable reports whether a scenario can expect c: a diagnostic or a
// refusal code, not the code of a report about the run.
func checkable(c diag.Code) bool { return c.Known() && !c.IsReport() }

// notACode says that s is no diagnostic or refusal code, and which code it
// most likely misspells.
func notACode(s string) string {
	msg := fmt.Sprintf("%s is not a diagnostic or refusal code (docs/reference/vocabularies.md)", diag.Quote(s))
	var codes []string
	for _, c := range slices.Concat(diag.ErrorCodes, diag.WarningCodes, diag.RefusalCodes) {
		codes = append(codes, string(c))
	}
	if sug := diag.Suggest(s, codes); sug != "" {
		msg += fmt.Sprintf("; did you mean %q?", sug)
	}
	return msg
}

// named walks a mapping keyed by name, in file order.
func (p *parser) named(o object, key string, fn func(name string, n *yaml.Node, at diag.Path)) {
	n := o.get(key)
	if n == nil {
		return
	}
	at := o.path.Child(key)
	if n.Kind != yaml.MappingNode {
		p.errorf(diag.InvalidValue, at, n, "%s %s: want a mapping keyed by name, got %s", o.what, key, kindName(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if seen[k.Value] {
			p.errorf(diag.DuplicateKey, at.Child(k.Value), k, "%s %s: %s is written twice", o.what, key, diag.Quote(k.Value))
			continue
		}
		seen[k.Value] = true
		fn(k.Value, n.Content[i+1], at.Child(k.Value))
	}
}

// single reads a one-key mapping such as `- createPeering: {...}` and
// returns its key and value nodes.
func (p *parser) single(n *yaml.Node, at diag.Path, what string, keys []string) (string, *yaml.Node, *yaml.Node, bool) {
	if n.Kind != yaml.MappingNode || len(n.Content) != 2 {
		p.errorf(diag.InvalidValue, at, n, "%s: want a mapping with one key (%s), got %s", what, strings.Join(keys, ", "), kindName(n))
		return "", nil, nil, false
	}
	k, v := n.Content[0], n.Content[1]
	if !slices.Contains(keys, k.Value) {
		d, _ := topology.UnknownKey(at.Child(k.Value), what, what, k.Value, keys, keys, func(string) bool { return false })
		p.diags.Append(d.At(p.rangeOf(k)))
		return "", nil, nil, false
	}
	return k.Value, k, v, true
}

func (p *parser) scenario(root *yaml.Node) *Scenario {
	o, ok := p.object(root, nil, "scenario", []string{"name", "topology", "steps"}, []string{"description", "hints"})
	if !ok && root.Kind != yaml.MappingNode {
		return nil
	}
	sc := &Scenario{
		Name:        p.str(o, "name"),
		Description: p.str(o, "description"),
		Hints:       p.strings(o, "hints"),
		Filename:    p.file,
	}
	for i, it := range p.list(o, "steps") {
		if st, ok := p.step(it, diag.P("steps").Index(i), i); ok {
			sc.Steps = append(sc.Steps, st)
		}
	}
	if o.get("steps") != nil && len(p.list(o, "steps")) == 0 && !p.diags.HasErrors() {
		p.errorf(diag.MissingField, diag.P("steps"), o.get("steps"), "scenario: steps is empty; write at least one step")
	}
	return sc
}

func (p *parser) step(n *yaml.Node, at diag.Path, i int) (Step, bool) {
	// A step with a bad key is still walked, so that every problem in it
	// is reported in one pass.
	if isNull(n) {
		p.errorf(diag.InvalidValue, at, n, "step %d is empty; write its name, do and expect", i+1)
		return Step{}, false
	}
	o, _ := p.object(n, at, fmt.Sprintf("step %d", i+1), nil, []string{"name", "do", "expect", "expectRejected", "hints"})
	if n.Kind != yaml.MappingNode {
		return Step{}, false
	}
	st := Step{Name: p.str(o, "name"), Line: n.Line, Hints: p.strings(o, "hints")}
	if st.Name == "" {
		st.Name = fmt.Sprintf("step %d", i+1)
	}
	o.what = "step " + diag.Quote(st.Name)
	if rn := o.get("expectRejected"); rn != nil {
		if s, ok := p.scalar(rn, at.Child("expectRejected"), o.what+" expectRejected"); ok {
			if c := diag.Code(s); checkable(c) {
				st.ExpectRejected = c
			} else {
				p.errorf(diag.InvalidValue, at.Child("expectRejected"), rn, "%s expectRejected: %s", o.what, notACode(s))
			}
		}
	}
	for j, it := range p.list(o, "do") {
		jat := at.Child("do").Index(j)
		kind, _, v, ok := p.single(it, jat, o.what+" event", eventKinds)
		if !ok {
			continue
		}
		if ev := eventParsers[kind](p, v, jat.Child(kind), kind); ev != nil {
			st.Do = append(st.Do, Do{Event: ev, Line: it.Line})
		}
	}
	for j, it := range p.list(o, "expect") {
		jat := at.Child("expect").Index(j)
		kind, _, v, ok := p.single(it, jat, o.what+" expectation", expectationKinds)
		if !ok {
			continue
		}
		if ex := expectationParsers[kind](p, v, jat.Child(kind)); ex != nil {
			st.Expect = append(st.Expect, Check{Expectation: ex, Line: it.Line})
		}
	}
	return st, true
}

// topology loads the scenario's topology: an inline mapping, loaded with
// the scenario file's positions, or a path read with read.
func (p *parser) topology(sc *Scenario, data []byte, root *yaml.Node, read topologyReader) {
	var tn *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "topology" {
			tn = root.Content[i+1]
		}
	}
	if tn == nil {
		return
	}
	var (
		n  *topology.Network
		sm *topology.SourceMap
		ds diag.Diagnostics
	)
	switch tn.Kind {
	case yaml.MappingNode:
		sc.inline = tn
		n, sm, ds = topology.LoadNode(p.file, data, tn)
	case yaml.ScalarNode:
		sc.TopologyPath = tn.Value
		name, b, err := read(tn.Value)
		if err != nil {
			p.errorf(diag.InvalidValue, diag.P("topology"), tn, "cannot read topology %s: %s", diag.Quote(tn.Value), fileio.Message(err))
			return
		}
		n, sm, ds = importer.Load(name, b) // a topology file, or a platform's export
	default:
		p.errorf(diag.InvalidValue, diag.P("topology"), tn, "topology: want a file path or an inline mapping, got %s", kindName(tn))
		return
	}
	sc.Topology, sc.TopologySource = n, sm
	if n == nil {
		// Only what stops the scenario is reported; a topology that loads
		// with semantic errors still runs, and `valid` checks grade it.
		for _, d := range ds {
			if d.Severity == diag.Error {
				p.diags.Append(d)
			}
		}
		return
	}
	sc.fileDiags = topology.FileDiagnostics(ds, n)
}

// eventParsers reads each event kind's arguments (docs/reference/scenarios.md).
var eventParsers = map[string]eventParser{
	"createPeering": eventOf([]string{"vnet", "name", "remoteVirtualNetwork"}, topology.PeeringFlagKeys(), func(p *parser, o object) event.Event {
		return event.CreatePeering{VNet: p.str(o, "vnet"), Name: p.str(o, "name"), RemoteVirtualNetwork: p.str(o, "remoteVirtualNetwork"), Flags: p.flags(o)}
	}),
	"updatePeering": peeringEventOf(topology.PeeringFlagKeys(), func(p *parser, o object, ref event.PeeringRef) event.Event {
		return event.UpdatePeering{Peering: ref, Flags: p.flags(o)}
	}),
	"deletePeering": peeringEventOf(nil, func(_ *parser, _ object, ref event.PeeringRef) event.Event {
		return event.DeletePeering{Peering: ref}
	}),
	"syncPeering": peeringEventOf(nil, func(_ *parser, _ object, ref event.PeeringRef) event.Event {
		return event.SyncPeering{Peering: ref}
	}),
	"addAddressPrefix": eventOf([]string{"vnet", "prefix"}, nil, func(p *parser, o object) event.Event {
		return event.AddAddressPrefix{VNet: p.str(o, "vnet"), Prefix: p.prefix(o, "prefix")}
	}),
	"removeAddressPrefix": eventOf([]string{"vnet", "prefix"}, nil, func(p *parser, o object) event.Event {
		return event.RemoveAddressPrefix{VNet: p.str(o, "vnet"), Prefix: p.prefix(o, "prefix")}
	}),
	"createVirtualNetwork": func(p *parser, n *yaml.Node, at diag.Path, kind string) event.Event {
		o, ok := p.object(n, at, kind, []string{"name", "addressSpace"}, []string{"networkController", "region", "subnets", "gateway", "virtualMachines"})
		if !ok {
			return nil
		}
		ev := event.CreateVirtualNetwork{Name: p.str(o, "name"), NetworkController: p.str(o, "networkController"), Region: p.str(o, "region")}
		for i, it := range p.list(o, "addressSpace") {
			ev.AddressSpace = append(ev.AddressSpace, p.prefixNode(it, at.Child("addressSpace").Index(i), kind+" addressSpace"))
		}
		p.named(o, "subnets", func(name string, n *yaml.Node, at diag.Path) {
			if so, ok := p.object(n, at, "subnet "+name, []string{"addressPrefix"}, []string{"accessControlList", "routeTable"}); ok {
				ev.Subnets = append(ev.Subnets, p.subnet(name, so))
			}
		})
		if gn := o.get("gateway"); gn != nil {
			if g, ok := p.gateway(gn, at.Child("gateway")); ok {
				ev.Gateway = &g
			}
		}
		p.named(o, "virtualMachines", func(name string, n *yaml.Node, at diag.Path) {
			vo, ok := p.object(n, at, "virtual machine "+name, []string{"subnet", "ipAddress"}, []string{"ipForwarding", "accessControlList", "running"})
			if !ok {
				return
			}
			vm := event.VirtualMachineSpec{Name: name, Subnet: p.str(vo, "subnet"), IPAddress: p.addr(vo, "ipAddress"),
				AccessControlList: p.str(vo, "accessControlList"), Running: true}
			if b := p.boolean(vo, "ipForwarding"); b != nil {
				vm.IPForwarding = *b
			}
			if b := p.boolean(vo, "running"); b != nil {
				vm.Running = *b
			}
			ev.VirtualMachines = append(ev.VirtualMachines, vm)
		})
		return ev
	},
	"deleteVirtualNetwork": eventOf([]string{"name"}, nil, func(p *parser, o object) event.Event {
		return event.DeleteVirtualNetwork{Name: p.str(o, "name")}
	}),
	"addSubnet": eventOf([]string{"vnet", "name", "addressPrefix"}, []string{"accessControlList", "routeTable"}, func(p *parser, o object) event.Event {
		return event.AddSubnet{VNet: p.str(o, "vnet"), Subnet: p.subnet(p.str(o, "name"), o)}
	}),
	"removeSubnet": eventOf([]string{"vnet", "name"}, nil, func(p *parser, o object) event.Event {
		return event.RemoveSubnet{VNet: p.str(o, "vnet"), Name: p.str(o, "name")}
	}),
	"setGateway": eventOf([]string{"vnet", "type"}, []string{"name", "sku", "connections"}, func(p *parser, o object) event.Event {
		return event.SetGateway{VNet: p.str(o, "vnet"), Gateway: p.gatewayFields(o)}
	}),
	"removeGateway": eventOf([]string{"vnet"}, nil, func(p *parser, o object) event.Event {
		return event.RemoveGateway{VNet: p.str(o, "vnet")}
	}),
	"addRoute": eventOf(append([]string{"routeTable"}, routeRequired...), routeOptional, func(p *parser, o object) event.Event {
		return event.AddRoute{RouteTable: p.str(o, "routeTable"), Route: p.route(o)}
	}),
	"removeRoute": eventOf([]string{"routeTable", "name"}, nil, func(p *parser, o object) event.Event {
		return event.RemoveRoute{RouteTable: p.str(o, "routeTable"), Name: p.str(o, "name")}
	}),
	"addAclRule": eventOf(append([]string{"accessControlList"}, ruleRequired...), ruleOptional, func(p *parser, o object) event.Event {
		return event.AddACLRule{AccessControlList: p.str(o, "accessControlList"), Rule: p.rule(o)}
	}),
	"removeAclRule": eventOf([]string{"accessControlList", "name"}, nil, func(p *parser, o object) event.Event {
		return event.RemoveACLRule{AccessControlList: p.str(o, "accessControlList"), Name: p.str(o, "name")}
	}),
	"setVirtualMachine": eventOf([]string{"vnet", "name"}, []string{"running", "ipForwarding", "ipAddress", "subnet"}, func(p *parser, o object) event.Event {
		return event.SetVirtualMachine{VNet: p.str(o, "vnet"), Name: p.str(o, "name"), Running: p.boolean(o, "running"),
			IPForwarding: p.boolean(o, "ipForwarding"), IPAddress: p.addr(o, "ipAddress"), Subnet: p.str(o, "subnet")}
	}),
	"setLoadBalancer": eventOf([]string{"vnet", "name", "subnet", "frontendIpAddress"}, []string{"sku", "backends", "rules"}, func(p *parser, o object) event.Event {
		ev := event.SetLoadBalancer{VNet: p.str(o, "vnet"), Name: p.str(o, "name"), Subnet: p.str(o, "subnet"),
			FrontendIPAddress: p.addr(o, "frontendIpAddress"), SKU: enum(p, o, "sku", topology.Standard, topology.ParseLoadBalancerSKU),
			Backends: p.strings(o, "backends")}
		if o.get("rules") != nil {
			ev.Rules = []topology.LoadBalancerRule{} // written, even if empty: balance nothing
		}
		p.objects(o, "rules", "load balancer rule", []string{"protocol", "frontendPort"}, []string{"backendPort"}, func(ro object) {
			r := topology.LoadBalancerRule{Protocol: enum(p, ro, "protocol", topology.TCP, topology.ParseProtocol)}
			if fp, ok := p.integer(ro, "frontendPort", 0, math.MaxUint16); ok {
				r.FrontendPort, r.BackendPort = uint16(fp), uint16(fp)
			}
			if bp, ok := p.integer(ro, "backendPort", 0, math.MaxUint16); ok {
				r.BackendPort = uint16(bp)
			}
			ev.Rules = append(ev.Rules, r)
		})
		return ev
	}),
	"removeLoadBalancer": eventOf([]string{"vnet", "name"}, nil, func(p *parser, o object) event.Event {
		return event.RemoveLoadBalancer{VNet: p.str(o, "vnet"), Name: p.str(o, "name")}
	}),
	"createRouteTable": eventOf([]string{"name"}, []string{"disableGatewayRoutePropagation", "routes"}, func(p *parser, o object) event.Event {
		ev := event.CreateRouteTable{Name: p.str(o, "name")}
		if b := p.boolean(o, "disableGatewayRoutePropagation"); b != nil {
			ev.DisableGatewayRoutePropagation = *b
		}
		p.objects(o, "routes", "route", routeRequired, routeOptional, func(ro object) { ev.Routes = append(ev.Routes, p.route(ro)) })
		return ev
	}),
	"createAccessControlList": eventOf([]string{"name"}, []string{"inboundDefaultAction", "outboundDefaultAction", "rules"}, func(p *parser, o object) event.Event {
		ev := event.CreateAccessControlList{Name: p.str(o, "name"),
			InboundDefaultAction:  enum(p, o, "inboundDefaultAction", topology.Allow, topology.ParseAction),
			OutboundDefaultAction: enum(p, o, "outboundDefaultAction", topology.Allow, topology.ParseAction)}
		p.objects(o, "rules", "rule", ruleRequired, ruleOptional, func(ro object) { ev.Rules = append(ev.Rules, p.rule(ro)) })
		return ev
	}),
	"setSubnet": eventOf([]string{"vnet", "name"}, []string{"accessControlList", "routeTable"}, func(p *parser, o object) event.Event {
		return event.SetSubnet{VNet: p.str(o, "vnet"), Name: p.str(o, "name"),
			AccessControlList: p.optString(o, "accessControlList"), RouteTable: p.optString(o, "routeTable")}
	}),
}

// eventParser reads one event kind's arguments from n, reporting at at; kind
// names the event in messages.
type eventParser func(p *parser, n *yaml.Node, at diag.Path, kind string) event.Event

// eventOf is the parser of an event whose arguments are one mapping with
// the required and optional keys: build makes the event from it.
func eventOf(required, optional []string, build func(p *parser, o object) event.Event) eventParser {
	return func(p *parser, n *yaml.Node, at diag.Path, kind string) event.Event {
		o, ok := p.object(n, at, kind, required, optional)
		if !ok {
			return nil
		}
		return build(p, o)
	}
}

// peeringEventOf is the parser of an event that names one peering object
// (vnet, and name or remoteVirtualNetwork) and takes the optional keys
// extra: build makes the event from them.
func peeringEventOf(extra []string, build func(p *parser, o object, ref event.PeeringRef) event.Event) eventParser {
	return func(p *parser, n *yaml.Node, at diag.Path, kind string) event.Event {
		o, ref, ok := p.peeringRef(n, at, kind, extra...)
		if !ok {
			return nil
		}
		return build(p, o, ref)
	}
}

// Keys of a route and an ACL rule, as in the topology file.
var (
	routeRequired = []string{"name", "addressPrefix", "nextHopType"}
	routeOptional = []string{"nextHopIpAddress"}
	ruleRequired  = []string{"name", "priority", "type", "action"}
	ruleOptional  = []string{"protocol", "sourceAddressPrefix", "sourceAddressPrefixes", "sourcePortRange", "sourcePortRanges",
		"destinationAddressPrefix", "destinationAddressPrefixes", "destinationPortRange", "destinationPortRanges"}
)

func (p *parser) route(o object) topology.Route {
	return topology.Route{
		Name:             p.str(o, "name"),
		AddressPrefix:    p.prefix(o, "addressPrefix"),
		NextHopType:      enum(p, o, "nextHopType", topology.NextHopNone, topology.ParseNextHopType),
		NextHopIPAddress: p.addr(o, "nextHopIpAddress"),
	}
}

func (p *parser) rule(o object) topology.ACLRule {
	// The platform's priority range is Validate's (acl-priority-invalid);
	// here only "is it an integer" is decided, as in the loader.
	pr, _ := p.integer(o, "priority", math.MinInt32, math.MaxInt32)
	return topology.ACLRule{
		Name:                       p.str(o, "name"),
		Priority:                   int(pr),
		Type:                       enum(p, o, "type", topology.Inbound, topology.ParseDirection),
		Action:                     enum(p, o, "action", topology.Deny, topology.ParseAction),
		Protocol:                   enum(p, o, "protocol", topology.ProtocolAll, topology.ParseProtocol),
		SourceAddressPrefixes:      oneOrMany(p, o, "sourceAddressPrefix", "sourceAddressPrefixes", topology.AnyAddress, topology.ParseAddressMatch),
		SourcePortRanges:           oneOrMany(p, o, "sourcePortRange", "sourcePortRanges", topology.AnyPort, topology.ParsePortRange),
		DestinationAddressPrefixes: oneOrMany(p, o, "destinationAddressPrefix", "destinationAddressPrefixes", topology.AnyAddress, topology.ParseAddressMatch),
		DestinationPortRanges:      oneOrMany(p, o, "destinationPortRange", "destinationPortRanges", topology.AnyPort, topology.ParsePortRange),
	}
}

// oneOrMany reads a rule field written under its singular key or, as a
// list, under its plural key, as the topology loader does: absent or an
// empty list is def, and both keys with entries is invalid-value.
func oneOrMany[T any](p *parser, o object, one, many string, def T, parse func(string) (T, error)) []T {
	var out []T
	if o.get(one) != nil {
		out = append(out, enum(p, o, one, def, parse))
	}
	items := p.strings(o, many)
	if len(items) > 0 && out != nil {
		p.errorf(diag.InvalidValue, o.path.Child(many), o.get(many), "%s: both %s and %s are given; write one or the other", o.what, one, many)
	}
	for i, s := range items {
		v, err := parse(strings.TrimSpace(s))
		if err != nil {
			p.errorf(diag.InvalidValue, o.path.Child(many).Index(i), o.get(many).Content[i], "%s %s: %v", o.what, many, err)
			continue
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		out = []T{def}
	}
	return out
}

// objects walks the list at key, each item a mapping with the given keys.
func (p *parser) objects(o object, key, what string, required, optional []string, fn func(object)) {
	for i, it := range p.list(o, key) {
		if io, ok := p.object(it, o.path.Child(key).Index(i), what, required, optional); ok {
			fn(io)
		}
	}
}

// optString returns nil when key is absent, and a pointer to "" when it is
// written empty or null (which setSubnet reads as "detach").
func (p *parser) optString(o object, key string) *string {
	n, present := o.vals[key]
	if !present {
		return nil
	}
	s := ""
	if !isNull(n) {
		s, _ = p.scalar(n, o.path.Child(key), o.what+" "+key)
	}
	return &s
}

// flags reads the peering flags given in o.
func (p *parser) flags(o object) event.PeeringFlags {
	var out event.PeeringFlags
	for _, f := range topology.PeeringFlags() {
		out[f] = p.boolean(o, f.Key())
	}
	return out
}

// peeringRef reads {vnet, name|remoteVirtualNetwork, extra...}.
func (p *parser) peeringRef(n *yaml.Node, at diag.Path, what string, extra ...string) (object, event.PeeringRef, bool) {
	o, ok := p.object(n, at, what, []string{"vnet"}, append([]string{"name", "remoteVirtualNetwork"}, extra...))
	if !ok {
		return o, event.PeeringRef{}, false
	}
	ref := event.PeeringRef{VNet: p.str(o, "vnet"), Name: p.str(o, "name"), RemoteVirtualNetwork: p.str(o, "remoteVirtualNetwork")}
	if ref.Name == "" && ref.RemoteVirtualNetwork == "" {
		p.errorf(diag.MissingField, at.Child("name"), n, "%s: name the peering by name or remoteVirtualNetwork", what)
		return o, ref, false
	}
	return o, ref, true
}

func (p *parser) subnet(name string, o object) event.SubnetSpec {
	return event.SubnetSpec{Name: name, AddressPrefix: p.prefix(o, "addressPrefix"),
		AccessControlList: p.str(o, "accessControlList"), RouteTable: p.str(o, "routeTable")}
}

func (p *parser) gateway(n *yaml.Node, at diag.Path) (event.GatewaySpec, bool) {
	o, ok := p.object(n, at, "gateway", []string{"type"}, []string{"name", "sku", "connections"})
	if !ok {
		return event.GatewaySpec{}, false
	}
	return p.gatewayFields(o), true
}

func (p *parser) gatewayFields(o object) event.GatewaySpec {
	return event.GatewaySpec{Name: p.str(o, "name"), Type: enum(p, o, "type", topology.Vpn, topology.ParseGatewayType),
		SKU: p.str(o, "sku"), Connections: p.strings(o, "connections")}
}

// eventKinds are the contract's event keys and this project's extensions.
var eventKinds = slices.Concat(event.Kinds, event.ExtensionKinds)

var expectationKinds = []string{"peering", "trace", "valid", "routes", "reach"}

// expectationParsers reads each expectation kind (docs/reference/scenarios.md).
var expectationParsers = map[string]func(p *parser, n *yaml.Node, at diag.Path) Expectation{
	"peering": func(p *parser, n *yaml.Node, at diag.Path) Expectation {
		o, ref, ok := p.peeringRef(n, at, "peering", "state", "syncLevel")
		if !ok {
			return nil
		}
		if o.get("state") == nil {
			p.diags.Append(topology.MissingKey(at.Child("state"), "peering", "state").At(p.rangeOf(n)))
			return nil
		}
		e := PeeringExpectation{Peering: ref, State: enum(p, o, "state", topology.Absent, topology.ParsePeeringState)}
		if o.get("syncLevel") != nil {
			l := enum(p, o, "syncLevel", topology.FullyInSync, topology.ParseSyncLevel)
			e.SyncLevel = &l
		}
		return e
	},
	"trace": func(p *parser, n *yaml.Node, at diag.Path) Expectation {
		o, ok := p.object(n, at, "trace", []string{"from", "to", "result"}, []string{"protocol", "port", "reason", "via"})
		if !ok {
			return nil
		}
		e := TraceExpectation{From: p.str(o, "from"), To: p.str(o, "to"),
			Protocol: enum(p, o, "protocol", topology.TCP, topology.ParseProtocol),
			Result:   enum(p, o, "result", sim.Undecided, ParseResult),
			Reason:   enum(p, o, "reason", sim.Reason(""), ParseReason),
			Via:      p.strings(o, "via")}
		if e.Protocol.HasPorts() {
			e.Port = 443
		}
		if o.get("port") == nil {
			return e
		}
		if !e.Protocol.HasPorts() {
			_, err := sim.CheckPort(e.Protocol, 0, true)
			p.errorf(diag.InvalidValue, at.Child("port"), o.get("port"), "trace port: %v", err)
			return nil
		}
		port, ok := p.integer(o, "port", sim.MinPort, sim.MaxPort)
		if !ok {
			return nil
		}
		e.Port = uint16(port)
		return e
	},
	"valid": func(p *parser, n *yaml.Node, at diag.Path) Expectation {
		o, ok := p.object(n, at, "valid", nil, []string{"errors", "warnings"})
		if !ok {
			return nil
		}
		return ValidExpectation{Errors: p.codes(o, "errors"), Warnings: p.codes(o, "warnings")}
	},
	"routes": func(p *parser, n *yaml.Node, at diag.Path) Expectation {
		o, ok := p.object(n, at, "routes", []string{"vnet", "subnet", "contains"}, nil)
		if !ok {
			return nil
		}
		e := RoutesExpectation{VNet: p.str(o, "vnet"), Subnet: p.str(o, "subnet")}
		for i, it := range p.list(o, "contains") {
			ro, ok := p.object(it, at.Child("contains").Index(i), "route", []string{"addressPrefix", "nextHopType"}, []string{"nextHopIpAddress"})
			if !ok {
				continue
			}
			e.Contains = append(e.Contains, RouteSpec{AddressPrefix: p.prefix(ro, "addressPrefix"),
				NextHopType: enum(p, ro, "nextHopType", topology.NextHopNone, parseEffectiveNextHop), NextHopIPAddress: p.addr(ro, "nextHopIpAddress")})
		}
		return e
	},
	"reach": func(p *parser, n *yaml.Node, at diag.Path) Expectation {
		o, ok := p.object(n, at, "reach", []string{"from", "to", "result"}, nil)
		if !ok {
			return nil
		}
		return ReachExpectation{From: p.str(o, "from"), To: p.str(o, "to"), Result: enum(p, o, "result", sim.OutcomeUnknown, sim.ParseOutcome)}
	},
}

// ParseResult parses a trace result: delivered, exited or dropped.
func ParseResult(s string) (sim.Result, error) {
	for _, r := range []sim.Result{sim.Delivered, sim.Exited, sim.Dropped} {
		if r.String() == s {
			return r, nil
		}
	}
	return 0, fmt.Errorf("%s is not a trace result (want delivered, exited or dropped)", diag.Quote(s))
}

// ParseReason parses a drop reason.
func ParseReason(s string) (sim.Reason, error) {
	if r := sim.Reason(s); slices.Contains(sim.Reasons, r) {
		return r, nil
	}
	names := make([]string, len(sim.Reasons))
	for i, r := range sim.Reasons {
		names[i] = string(r)
	}
	if near := diag.Suggest(s, names); near != "" {
		return "", fmt.Errorf("%s is not a drop reason; did you mean %q?", diag.Quote(s), near)
	}
	return "", fmt.Errorf("%s is not a drop reason (docs/reference/vocabularies.md#drop-reasons)", diag.Quote(s))
}

// parseEffectiveNextHop parses an effective route's next hop type, which,
// unlike a user route's, may be VNetPeering.
func parseEffectiveNextHop(s string) (topology.NextHopType, error) {
	if s == topology.NextHopVNetPeering.String() {
		return topology.NextHopVNetPeering, nil
	}
	return topology.ParseNextHopType(s)
}
