package topology

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/vnetsim/vnetsim/topology/diag"
)

// MarshalOptions adjust what MarshalWith writes besides the network.
type MarshalOptions struct {
	// Header is written as comment lines at the top of the file.
	Header string
	// Comment, when set, returns a comment for the named object at a model
	// path (a VNet, a subnet, a VM, a peering, a route table, ...), written
	// on the line above it; "" writes none.
	Comment func(diag.Path) string
}

// Marshal writes n in the topology file format (docs/reference/topology.md), so that
// Load(Marshal(n)) gives n back. Keys follow the contract's order, maps are
// written in name order and values equal to their defaults are left out, so
// the same network always gives the same bytes. Leaf objects (a subnet, a
// VM, a peering, a rule) are written on one line each.
//
// A Disconnected peering is written with peeringState: Disconnected, and
// SyncedRemote as remoteAddressSpace when it differs from the remote's
// address space, so that Load gives both back.
func Marshal(n *Network) ([]byte, error) { return MarshalWith(n, MarshalOptions{}) }

// MarshalWith is Marshal with a header and comments.
func MarshalWith(n *Network, o MarshalOptions) ([]byte, error) {
	var buf bytes.Buffer
	if err := Encode(&buf, n, o); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Encode writes n to w as MarshalWith does, object by object as it goes:
// no document tree is built, so an estate of a million subnets costs the
// network itself and a small buffer. The text is what yaml.v3 writes for
// the same document (two-space indentation, block mappings down to the
// leaf objects, which are flow mappings, comments on the line above the
// object they are about).
func Encode(w io.Writer, n *Network, o MarshalOptions) error {
	return encodeTo(w, n, o, func(bw *bufio.Writer) docFinisher { return &yamlWriter{w: bw} })
}

// EncodeJSON writes n to w as the same document in JSON, which Load also
// reads: objects keep the order of the YAML keys, indented two spaces,
// ints and booleans as JSON numbers and booleans. It streams like Encode.
func EncodeJSON(w io.Writer, n *Network) error {
	return encodeTo(w, n, MarshalOptions{}, func(bw *bufio.Writer) docFinisher { return &jsonWriter{w: bw} })
}

// docFinisher is a docWriter that reports, once the document is written,
// the first error it met, after flushing.
type docFinisher interface {
	docWriter
	finish() error
}

// encodeTo writes n through the docWriter newWriter makes over a buffer on w.
func encodeTo(w io.Writer, n *Network, o MarshalOptions, newWriter func(*bufio.Writer) docFinisher) error {
	if n == nil {
		return fmt.Errorf("marshal topology: nil network")
	}
	d := newWriter(bufio.NewWriter(w))
	d.comment(commentLines(o.Header))
	encodeNetwork(&encoder{d, o.Comment}, n)
	if err := d.finish(); err != nil {
		return fmt.Errorf("marshal topology %s: %w", n.Name, err)
	}
	return nil
}

// docWriter is what encodeNetwork writes the document through: YAML or
// JSON. A mapping's entries are key then value; flow asks YAML for a flow
// collection ({a: 1} rather than a block), which JSON ignores, as it
// ignores comments.
type docWriter interface {
	// comment writes lines already prefixed by "# " above the next key of
	// a block mapping, or, before the document, as its header.
	comment(lines string)
	openMap(flow bool)
	openSeq(flow bool)
	close()
	key(k string)
	str(s string)
	// quoted writes a string YAML must quote to keep it one ("*", "22").
	quoted(s string)
	int(i int)
	bool(b bool)
}

// encoder writes a network through a docWriter, with the comments of
// MarshalOptions.Comment.
type encoder struct {
	docWriter
	commentOf func(diag.Path) string
}

// commentOn writes the comment for the object at p, if any.
func (d *encoder) commentOn(p diag.Path) {
	if d.commentOf != nil {
		d.comment(commentLines(d.commentOf(p)))
	}
}

// commentLines prefixes each line of text with "# ".
func commentLines(text string) string {
	if text == "" {
		return ""
	}
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight("# "+l, " ")
	}
	return strings.Join(lines, "\n")
}

func encodeNetwork(d *encoder, n *Network) {
	d.openMap(false)
	strEntry(d, "name", n.Name)
	strEntry(d, "platform", n.Platform.String())
	if n.NetworkController != "" {
		strEntry(d, "networkController", n.NetworkController)
	}
	encNamed(d, nil, "virtualNetworks", n.SortedVirtualNetworks(), func(v *VirtualNetwork) string { return v.Name }, func(v *VirtualNetwork) {
		encodeVNet(d, n, v)
	})
	encNamed(d, nil, "routeTables", n.SortedRouteTables(), func(rt *RouteTable) string { return rt.Name }, func(rt *RouteTable) {
		d.openMap(false)
		if rt.DisableGatewayRoutePropagation {
			d.key("disableGatewayRoutePropagation")
			d.bool(true)
		}
		d.key("routes")
		d.openSeq(false)
		for _, r := range rt.Routes {
			d.openMap(true)
			strEntry(d, "name", r.Name)
			strEntry(d, "addressPrefix", r.AddressPrefix.String())
			strEntry(d, "nextHopType", r.NextHopType.String())
			if r.NextHopIPAddress.IsValid() {
				strEntry(d, "nextHopIpAddress", r.NextHopIPAddress.String())
			}
			d.close()
		}
		d.close()
		d.close()
	})
	encNamed(d, nil, "accessControlLists", n.SortedACLs(), func(a *ACL) string { return a.Name }, func(a *ACL) {
		d.openMap(false)
		if a.InboundDefaultAction != Allow {
			strEntry(d, "inboundDefaultAction", a.InboundDefaultAction.String())
		}
		if a.OutboundDefaultAction != Allow {
			strEntry(d, "outboundDefaultAction", a.OutboundDefaultAction.String())
		}
		d.key("rules")
		d.openSeq(false)
		for _, r := range a.Rules {
			d.openMap(true)
			strEntry(d, "name", r.Name)
			d.key("priority")
			d.int(r.Priority)
			strEntry(d, "type", r.Type.String())
			strEntry(d, "action", r.Action.String())
			strEntry(d, "protocol", r.Protocol.String())
			encOneOrMany(d, "sourceAddressPrefix", "sourceAddressPrefixes", r.SourceAddressPrefixes)
			encOneOrMany(d, "sourcePortRange", "sourcePortRanges", r.SourcePortRanges)
			encOneOrMany(d, "destinationAddressPrefix", "destinationAddressPrefixes", r.DestinationAddressPrefixes)
			encOneOrMany(d, "destinationPortRange", "destinationPortRanges", r.DestinationPortRanges)
			d.close()
		}
		d.close()
		d.close()
	})
	encNamed(d, nil, "onPremises", n.SortedOnPremises(), func(o *OnPremises) string { return o.Name }, func(o *OnPremises) {
		d.openMap(true)
		d.key("addressSpace")
		encPrefixes(d, o.AddressSpace)
		if len(o.Hosts) > 0 {
			d.key("hosts")
			d.openMap(true)
			for _, h := range sortedKeys(o.Hosts) {
				strEntry(d, h, o.Hosts[h].String())
			}
			d.close()
		}
		d.close()
	})
	d.close()
}

func encodeVNet(d *encoder, n *Network, v *VirtualNetwork) {
	d.openMap(false)
	if v.NetworkController != "" && v.NetworkController != n.NetworkController {
		strEntry(d, "networkController", v.NetworkController)
	}
	if v.Region != "" {
		strEntry(d, "region", v.Region)
	}
	d.key("addressSpace")
	encPrefixes(d, v.AddressSpace)
	encNamed(d, vnetPath(v.Name), "subnets", v.SortedSubnets(), func(s *Subnet) string { return s.Name }, func(s *Subnet) {
		d.openMap(true)
		strEntry(d, "addressPrefix", s.AddressPrefix.String())
		if s.AccessControlList != nil {
			strEntry(d, "accessControlList", s.AccessControlList.Name)
		}
		if s.RouteTable != nil {
			strEntry(d, "routeTable", s.RouteTable.Name)
		}
		d.close()
	})
	if g := v.Gateway; g != nil {
		d.commentOn(vnetPath(v.Name).Child("gateway"))
		d.key("gateway")
		d.openMap(true)
		strEntry(d, "name", g.Name)
		strEntry(d, "type", g.Type.String())
		if g.SKU != "" {
			strEntry(d, "sku", g.SKU)
		}
		d.key("connections")
		encNames(d, g.Connections, func(o *OnPremises) string { return o.Name })
		d.close()
	}
	encNamed(d, vnetPath(v.Name), "virtualMachines", v.SortedVirtualMachines(), func(vm *VirtualMachine) string { return vm.Name }, func(vm *VirtualMachine) {
		d.openMap(true)
		if vm.Subnet != nil {
			strEntry(d, "subnet", vm.Subnet.Name)
		}
		strEntry(d, "ipAddress", vm.IPAddress.String())
		if vm.IPForwarding {
			d.key("ipForwarding")
			d.bool(true)
		}
		if vm.AccessControlList != nil {
			strEntry(d, "accessControlList", vm.AccessControlList.Name)
		}
		if !vm.Running {
			d.key("running")
			d.bool(false)
		}
		if vm.BandwidthMbps > 0 {
			d.key("bandwidthMbps")
			d.int(vm.BandwidthMbps)
		}
		d.close()
	})
	encNamed(d, vnetPath(v.Name), "loadBalancers", v.SortedLoadBalancers(), func(lb *LoadBalancer) string { return lb.Name }, func(lb *LoadBalancer) {
		d.openMap(true)
		if lb.Subnet != nil {
			strEntry(d, "subnet", lb.Subnet.Name)
		}
		strEntry(d, "frontendIpAddress", lb.FrontendIPAddress.String())
		if lb.SKU != Standard {
			strEntry(d, "sku", lb.SKU.String())
		}
		d.key("backends")
		encNames(d, lb.Backends, func(b *VirtualMachine) string { return b.Name })
		if lb.Rules != nil {
			d.key("rules")
			d.openSeq(true)
			for _, r := range lb.Rules {
				d.openMap(true)
				strEntry(d, "protocol", r.Protocol.String())
				d.key("frontendPort")
				d.int(int(r.FrontendPort))
				d.key("backendPort")
				d.int(int(r.BackendPort))
				d.close()
			}
			d.close()
		}
		d.close()
	})
	encNamed(d, vnetPath(v.Name), "peerings", v.SortedPeerings(), func(p *Peering) string { return p.Name }, func(p *Peering) {
		d.openMap(true)
		strEntry(d, "remoteVirtualNetwork", p.RemoteVirtualNetwork)
		for _, f := range PeeringFlags() {
			if v := f.Of(p); v != f.Default() {
				d.key(f.Key())
				d.bool(v)
			}
		}
		if p.Disconnected {
			strEntry(d, "peeringState", Disconnected.String())
		}
		if r := n.VirtualNetworks[p.RemoteVirtualNetwork]; p.SyncedRemote != nil && (r == nil || !samePrefixes(p.SyncedRemote, r.AddressSpace)) {
			d.key("remoteAddressSpace")
			encPrefixes(d, p.SyncedRemote)
		}
		d.close()
	})
	d.close()
}

// encOneOrMany writes a rule field under its singular key when it holds
// one entry, else under its plural key as a list. Entries are quoted: "*"
// and "22" must stay strings.
func encOneOrMany[T fmt.Stringer](d docWriter, one, many string, items []T) {
	if len(items) == 1 {
		d.key(one)
		d.quoted(items[0].String())
		return
	}
	d.key(many)
	d.openSeq(true)
	for _, it := range items {
		d.quoted(it.String())
	}
	d.close()
}

// strEntry writes a mapping entry whose value is a string.
func strEntry(d docWriter, key, value string) {
	d.key(key)
	d.str(value)
}

// encNamed writes key as a block mapping of items, each under its name and
// written by enc, with the comment for it, unless there are no items. path
// is the model path of the mapping key goes in.
func encNamed[T any](d *encoder, path diag.Path, key string, items []T, name func(T) string, enc func(T)) {
	if len(items) == 0 {
		return
	}
	d.key(key)
	d.openMap(false)
	for _, it := range items {
		if d.commentOf != nil {
			d.commentOn(path.Child(key, name(it)))
		}
		d.key(name(it))
		enc(it)
	}
	d.close()
}

// encNames writes a flow sequence of the names of the items that are not
// nil.
func encNames[T any](d docWriter, items []*T, name func(*T) string) {
	d.openSeq(true)
	for _, it := range items {
		if it != nil {
			d.str(name(it))
		}
	}
	d.close()
}

func encPrefixes(d docWriter, ps []netip.Prefix) {
	d.openSeq(true)
	for _, p := range ps {
		d.str(p.String())
	}
	d.close()
}

// yamlWriter writes the document as YAML, laid out the way yaml.v3 lays
// it out with two-space indentation. The root is a block mapping; a block
// collection is only ever a block mapping's value; everything inside a flow
// collection or a block sequence is flow.
type yamlWriter struct {
	w       *bufio.Writer
	stack   []yamlFrame
	pending string // comment lines for the next block key
	err     error
}

// comment keeps lines for the next key, or writes them as the header
// before the document.
func (y *yamlWriter) comment(lines string) {
	if lines == "" {
		return
	}
	if len(y.stack) == 0 {
		y.write(lines + "\n\n")
		return
	}
	y.pending = lines
}

// yamlFrame is an open collection.
type yamlFrame struct {
	seq, flow bool
	indent    int    // of a block collection's entries
	items     int    // entries written so far
	end       string // written after a flow collection's closing bracket
}

func (y *yamlWriter) write(s string) {
	if y.err == nil {
		_, y.err = y.w.WriteString(s)
	}
}

// spaces is indentation to slice from: deeper than this format nests.
const spaces = "                                "

func (y *yamlWriter) indent(n int) { y.write(spaces[:min(n, len(spaces))]) }

// begin writes what goes before a value in its parent (after its key in a
// mapping, as the next item of a sequence) and returns what goes after it.
func (y *yamlWriter) begin() (end string) {
	p := &y.stack[len(y.stack)-1]
	switch {
	case p.flow && p.seq:
		if p.items++; p.items > 1 {
			y.write(", ")
		}
		return ""
	case p.flow:
		return ""
	case p.seq:
		y.blockEntry(p)
		y.write("- ")
		return "\n"
	}
	y.write(" ")
	return "\n"
}

// blockEntry starts the next entry of a block collection on its own line,
// ending the line of its parent's key before the first one.
func (y *yamlWriter) blockEntry(p *yamlFrame) {
	if p.items++; p.items == 1 && len(y.stack) > 1 {
		y.write("\n")
	}
	y.indent(p.indent)
}

func (y *yamlWriter) scalar(text string) {
	end := y.begin()
	y.write(text)
	y.write(end)
}

func (y *yamlWriter) str(s string)    { y.scalar(yamlString(s)) }
func (y *yamlWriter) quoted(s string) { y.scalar(jsonString(s)) }
func (y *yamlWriter) int(i int)       { y.scalar(strconv.Itoa(i)) }
func (y *yamlWriter) bool(b bool)     { y.scalar(strconv.FormatBool(b)) }

func (y *yamlWriter) key(k string) {
	p := &y.stack[len(y.stack)-1]
	text := yamlString(k)
	if utf8.RuneCountInString(text) > 1024 && y.err == nil {
		// YAML limits implicit keys to 1024 characters, and Load reads
		// no other kind.
		y.err = fmt.Errorf("name %.40q… is longer than a YAML key may be", k)
	}
	if p.flow {
		if p.items++; p.items > 1 {
			y.write(", ")
		}
		y.write(text)
		y.write(": ")
		return
	}
	y.blockEntry(p)
	if y.pending != "" {
		// The comment goes above the key, at its indentation.
		for _, line := range strings.Split(y.pending, "\n") {
			y.write(line)
			y.write("\n")
			y.indent(p.indent)
		}
		y.pending = ""
	}
	y.write(text)
	y.write(":")
}

func (y *yamlWriter) openMap(flow bool) { y.open(false, flow) }
func (y *yamlWriter) openSeq(flow bool) { y.open(true, flow) }

func (y *yamlWriter) open(seq, flow bool) {
	if len(y.stack) == 0 {
		y.stack = append(y.stack, yamlFrame{seq: seq})
		return
	}
	p := y.stack[len(y.stack)-1]
	if !flow && !p.flow && !p.seq {
		// Its entries start on the next line, at its first one.
		y.stack = append(y.stack, yamlFrame{seq: seq, indent: p.indent + 2})
		return
	}
	end := y.begin()
	if seq {
		y.write("[")
	} else {
		y.write("{")
	}
	y.stack = append(y.stack, yamlFrame{seq: seq, flow: true, end: end})
}

func (y *yamlWriter) close() {
	f := y.stack[len(y.stack)-1]
	y.stack = y.stack[:len(y.stack)-1]
	switch {
	case f.flow && f.seq:
		y.write("]")
		y.write(f.end)
	case f.flow:
		y.write("}")
		y.write(f.end)
	case f.items == 0 && len(y.stack) > 0 && f.seq:
		// An empty block collection is written as an empty flow one.
		y.write(" []\n")
	case f.items == 0 && len(y.stack) > 0:
		y.write(" {}\n")
	}
}

func (y *yamlWriter) finish() error {
	if y.err != nil {
		return y.err
	}
	return y.w.Flush()
}

// yamlString returns s as a YAML scalar that reads back as the string s.
// Names, IPv4 addresses and prefixes are written plain, as yaml.v3 writes
// them; anything else is left to yaml.v3 itself, as an item of a flow
// sequence, the strictest place a string goes in this format. That is rare
// enough to cost nothing.
func yamlString(s string) string {
	if plainSafe(s) {
		return s
	}
	out, err := yaml.Marshal(&yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle,
		Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}}})
	text := strings.TrimSuffix(strings.TrimPrefix(string(out), "["), "]\n")
	if err != nil || strings.Contains(text, "\n") || len(text)+3 != len(out) {
		return jsonString(s) // folded over lines, or not what was expected
	}
	return text
}

// plainSafe reports whether s is a plain scalar that yaml.v3 writes as it
// is and reads back as a string: a name that starts with a letter and
// holds only letters, digits and ._/- (and is not one of YAML's words for
// booleans and null), or an IPv4 address or prefix.
func plainSafe(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '/':
		case (c == '-' || c == '_') && i > 0:
		default:
			return false
		}
	}
	switch c := s[0]; {
	case c >= '0' && c <= '9':
		// Digits first: only an IPv4 address or prefix, which no YAML
		// number or date looks like.
		addr, _, _ := strings.Cut(s, "/")
		_, err := netip.ParseAddr(addr)
		return err == nil && strings.Count(addr, ".") == 3
	case c == '.' || c == '/':
		return false
	}
	switch strings.ToLower(s) {
	case "y", "yes", "n", "no", "on", "off", "true", "false", "null":
		return false
	}
	return true
}

// jsonString double-quotes s the way JSON does, which YAML reads as the
// same string.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// jsonWriter writes the document as JSON indented two spaces, laid out the
// way json.Indent lays it out.
type jsonWriter struct {
	w     *bufio.Writer
	stack []jsonFrame
	err   error
}

// jsonFrame is an open object or array.
type jsonFrame struct {
	items  int
	keyed  bool   // a key is written, its value is not
	closer string // } or ]
}

func (j *jsonWriter) write(s string) {
	if j.err == nil {
		_, j.err = j.w.WriteString(s)
	}
}

// start begins a value: an array item on its own line, an object's value
// after its key.
func (j *jsonWriter) start() {
	if len(j.stack) == 0 {
		return
	}
	if p := &j.stack[len(j.stack)-1]; p.keyed {
		p.keyed = false
		return
	}
	j.entry()
}

// entry starts the next entry of the innermost collection on its own line.
func (j *jsonWriter) entry() {
	p := &j.stack[len(j.stack)-1]
	if p.items++; p.items > 1 {
		j.write(",")
	}
	j.write("\n" + strings.Repeat("  ", len(j.stack)))
}

func (j *jsonWriter) key(k string) {
	j.entry()
	j.write(htmlJSONString(k) + ": ")
	j.stack[len(j.stack)-1].keyed = true
}

func (j *jsonWriter) comment(string)     {}
func (j *jsonWriter) scalar(text string) { j.start(); j.write(text) }
func (j *jsonWriter) str(s string)       { j.scalar(htmlJSONString(s)) }
func (j *jsonWriter) quoted(s string)    { j.str(s) }
func (j *jsonWriter) int(i int)          { j.scalar(strconv.Itoa(i)) }
func (j *jsonWriter) bool(b bool)        { j.scalar(strconv.FormatBool(b)) }
func (j *jsonWriter) openMap(bool)       { j.open("{", "}") }
func (j *jsonWriter) openSeq(bool)       { j.open("[", "]") }

func (j *jsonWriter) open(opener, closer string) {
	j.start()
	j.write(opener)
	j.stack = append(j.stack, jsonFrame{closer: closer})
}

func (j *jsonWriter) close() {
	f := j.stack[len(j.stack)-1]
	j.stack = j.stack[:len(j.stack)-1]
	if f.items > 0 {
		j.write("\n" + strings.Repeat("  ", len(j.stack)))
	}
	j.write(f.closer)
}

func (j *jsonWriter) finish() error {
	j.write("\n")
	if j.err != nil {
		return j.err
	}
	return j.w.Flush()
}

// htmlJSONString is json.Marshal of s, which escapes <, > and &.
func htmlJSONString(s string) string {
	b, _ := json.Marshal(s) // a string always encodes
	return string(b)
}
