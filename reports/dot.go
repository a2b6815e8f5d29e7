package reports

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/encoding"
	"gonum.org/v1/gonum/graph/encoding/dot"
	"gonum.org/v1/gonum/graph/multi"

	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/topology"
)

// DefaultFoldAbove is the number of VNets above which a diagram folds the
// spokes of each hub into one group node: beyond it, graphviz layouts stop
// being readable (and fast).
const DefaultFoldAbove = 150

// MaxLayoutSize is the most nodes and edges a diagram may have for
// graphviz to lay it out as SVG or PNG. Graphviz runs in 32-bit
// WebAssembly, at most 4 GB, and its memory grows faster than the diagram:
// a chain of 2,000 VNets drawn in full (8,000 nodes and edges) took 630 MB
// and 3 s, one of 10,000 (40,000) 10.8 GB and two minutes where the host
// allowed it, and died where it did not. A diagram folds further until it
// fits (see DiagramOptions), and RenderDiagram refuses a larger one, which
// only FoldAbove < 0 can ask for.
const MaxLayoutSize = 10000

// maxVNetDetail is the most subnets, VMs and load balancers a VNet's box
// draws one by one; a VNet with more draws one node that counts them.
const maxVNetDetail = 40

// DiagramOptions tune a topology diagram.
//
// A diagram of more than FoldAbove VNets, or of more than MaxLayoutSize
// nodes and edges, folds in steps until it has neither: first each hub's
// spokes into one node; then each chain of VNets with two peers at most
// into one node; then each set of VNets peered with one another (a
// connected component) into one node, with the VNets that have no peering
// in one more; and at last the whole estate into one node.
type DiagramOptions struct {
	// Trace, when set, is overlaid: its hops are highlighted and joined in
	// order, and a drop is marked with its reason.
	Trace *sim.Trace
	// FoldAbove overrides DefaultFoldAbove; a negative value never folds.
	FoldAbove int
}

// Fold levels, each folding more than the one before.
const (
	foldNothing = iota
	foldSpokes
	foldChains
	foldComponents
	foldEstate
)

// The diagram is a gonum multigraph: dot.MarshalMulti walks nodes in ID
// order and asks each for DOTID and Attributes. IDs are handed out in a
// fixed order (VNets by name, then each VNet's subnets, gateway, VMs and
// load balancers by name, then on-premises sites), so the DOT text is the
// same on every run. Each VNet is a "cluster_" subgraph (dot.MultiStructurer);
// edges inside a VNet live in its cluster, edges between VNets (peerings,
// gateway connections, the trace overlay) at the top level, whose nodes are
// bare references (no attributes) to nodes declared in their clusters.

// dotNode is one node of the diagram: a dot.Node with DOT attributes.
type dotNode struct {
	id    int64
	dotID string
	attrs []encoding.Attribute
}

func (n *dotNode) ID() int64                        { return n.id }
func (n *dotNode) DOTID() string                    { return n.dotID }
func (n *dotNode) Attributes() []encoding.Attribute { return n.attrs }
func (n *dotNode) set(key, value string)            { n.attrs = setAttr(n.attrs, key, value) }
func (n *dotNode) get(key string) (string, bool)    { return getAttr(n.attrs, key) }
func (n *dotNode) ref() *refNode                    { return &refNode{n.id, n.dotID} }
func (n *dotNode) appendLabel(line string)          { l, _ := n.get("label"); n.set("label", l+"\n"+line) }

// refNode stands at the top level for a node declared inside a cluster:
// the same ID and DOTID, no attributes.
type refNode struct {
	id    int64
	dotID string
}

func (n *refNode) ID() int64     { return n.id }
func (n *refNode) DOTID() string { return n.dotID }

// dotLine is one edge, a graph.Line of the multigraph with DOT attributes.
type dotLine struct {
	from, to graph.Node
	id       int64
	attrs    []encoding.Attribute
}

func (l *dotLine) From() graph.Node                 { return l.from }
func (l *dotLine) To() graph.Node                   { return l.to }
func (l *dotLine) ID() int64                        { return l.id }
func (l *dotLine) Attributes() []encoding.Attribute { return l.attrs }
func (l *dotLine) ReversedLine() graph.Line         { return &dotLine{l.to, l.from, l.id, l.attrs} }

// attrList is a fixed list of attributes.
type attrList []encoding.Attribute

func (a attrList) Attributes() []encoding.Attribute { return a }

// cluster is one VNet's box: a subgraph whose DOT ID starts with "cluster_".
type cluster struct {
	*multi.DirectedGraph
	dotID string
	attrs attrList
}

func (c *cluster) DOTID() string { return c.dotID }

// DOTAttributers returns the cluster's graph attributes (label, style).
func (c *cluster) DOTAttributers() (g, n, e encoding.Attributer) { return c.attrs, nil, nil }

// diagramGraph is the whole diagram: top-level nodes and edges, and the
// clusters it structures.
type diagramGraph struct {
	*multi.DirectedGraph
	label    string
	clusters []*cluster
}

func (c *diagramGraph) DOTID() string { return "vnetsim" }

// DOTAttributers returns the diagram's graph, node and edge defaults.
func (c *diagramGraph) DOTAttributers() (g, n, e encoding.Attributer) {
	return attrList{{Key: "rankdir", Value: "LR"}, {Key: "fontname", Value: "Helvetica"}, {Key: "newrank", Value: "true"},
			{Key: "label", Value: c.label}, {Key: "labelloc", Value: "t"}},
		attrList{{Key: "fontname", Value: "Helvetica"}, {Key: "fontsize", Value: "10"}},
		attrList{{Key: "fontname", Value: "Helvetica"}, {Key: "fontsize", Value: "9"}}
}

// Structure returns the VNet clusters in ID order.
func (c *diagramGraph) Structure() []dot.Multigraph {
	out := make([]dot.Multigraph, len(c.clusters))
	for i, cl := range c.clusters {
		out[i] = cl
	}
	return out
}

var (
	_ dot.Node            = (*dotNode)(nil)
	_ encoding.Attributer = (*dotNode)(nil)
	_ graph.Line          = (*dotLine)(nil)
	_ dot.Multigraph      = (*cluster)(nil)
	_ dot.Attributers     = (*cluster)(nil)
	_ dot.MultiStructurer = (*diagramGraph)(nil)
)

func setAttr(attrs []encoding.Attribute, key, value string) []encoding.Attribute {
	for i, a := range attrs {
		if a.Key == key {
			attrs[i].Value = value
			return attrs
		}
	}
	return append(attrs, encoding.Attribute{Key: key, Value: value})
}

func getAttr(attrs []encoding.Attribute, key string) (string, bool) {
	for _, a := range attrs {
		if a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}

func attrs(kv ...string) []encoding.Attribute {
	out := make([]encoding.Attribute, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, encoding.Attribute{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

// builder assembles a diagram.
type builder struct {
	n       *topology.Network
	top     *diagramGraph
	nextID  int64
	lineID  int64
	byName  map[string]*dotNode // VNets, VNET/SUBNET, sites, hosts and (by inVNet) VMs, load balancers and gateways → node, for the trace overlay
	vnets   map[string]*dotNode
	folded  map[string]*dotNode // folded VNet → the node that stands for it
	groups  map[*dotNode]bool   // the nodes of hubs' spokes, which draw their own edges
	inTop   map[int64]bool      // nodes declared at the top level
	cluster map[int64]*cluster  // node → the cluster that declares it
}

func (b *builder) node(dotID string, kv ...string) *dotNode {
	n := &dotNode{id: b.nextID, dotID: dotID, attrs: attrs(kv...)}
	b.nextID++
	return n
}

// link adds an edge inside c, or at the top level when c is nil.
func (b *builder) link(c *cluster, from, to *dotNode, kv ...string) {
	b.lineID++
	l := &dotLine{id: b.lineID, attrs: attrs(kv...)}
	if c != nil {
		l.from, l.to = from, to
		c.SetLine(l)
		return
	}
	l.from, l.to = b.topNode(from), b.topNode(to)
	b.top.SetLine(l)
}

// topNode returns n itself when it is declared at the top level, else a
// bare reference to its cluster's declaration.
func (b *builder) topNode(n *dotNode) graph.Node {
	if b.inTop[n.id] {
		return n
	}
	return n.ref()
}

func (b *builder) declareTop(n *dotNode) {
	b.inTop[n.id] = true
	b.top.AddNode(n)
}

// DOT writes the network as a Graphviz DOT diagram: a cluster per VNet
// with its subnets, gateway, VMs and load balancers; on-premises sites as
// house shapes; one edge per peering pair, styled by the derived state
// (Connected solid, Initiated dashed one-way, Disconnected red dotted) and
// labelled with the flags of each side.
func DOT(w io.Writer, n *topology.Network, opt DiagramOptions) error {
	if n == nil {
		return errNothing("network")
	}
	return marshalDOT(w, buildDiagram(n, opt).top)
}

// marshalDOT writes g as DOT.
func marshalDOT(w io.Writer, g *diagramGraph) error {
	b, err := dot.MarshalMulti(g, "", "", "  ")
	if err != nil {
		return fmt.Errorf("render dot: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("render dot: %w", err)
	}
	return nil
}

func buildDiagram(n *topology.Network, opt DiagramOptions) *builder {
	limit := cmp.Or(opt.FoldAbove, DefaultFoldAbove)
	level := foldNothing
	if limit > 0 && len(n.VirtualNetworks) > limit {
		level = foldSpokes
	}
	for {
		b := buildAt(n, opt, level)
		if limit <= 0 || level == foldEstate || len(b.vnets) <= limit && b.size() <= MaxLayoutSize {
			return b
		}
		level++
	}
}

// DiagramSize returns the number of nodes and edges of the diagram DOT
// would draw: what graphviz lays out for SVG and PNG.
func DiagramSize(n *topology.Network, opt DiagramOptions) int {
	if n == nil {
		return 0
	}
	return buildDiagram(n, opt).size()
}

// size is the number of nodes and edges built so far.
func (b *builder) size() int { return int(b.nextID + b.lineID) }

// buildAt builds the diagram folded at level.
func buildAt(n *topology.Network, opt DiagramOptions, level int) *builder {
	label := fmt.Sprintf("%s (%s)", n.Name, n.Platform)
	b := &builder{
		n:      n,
		top:    &diagramGraph{DirectedGraph: multi.NewDirectedGraph(), label: label},
		byName: map[string]*dotNode{}, vnets: map[string]*dotNode{}, folded: map[string]*dotNode{}, groups: map[*dotNode]bool{},
		inTop: map[int64]bool{}, cluster: map[int64]*cluster{},
	}
	groups := map[string][]string{}
	if level == foldSpokes || level == foldChains {
		groups = foldableSpokes(n)
	}
	folds := foldsAt(n, level, groups)
	for _, f := range folds {
		b.addFold(f.id, f.label, f.members)
	}
	for _, v := range n.SortedVirtualNetworks() {
		if _, isSpoke := spokeOf(groups, v.Name); isSpoke || b.folded[v.Name] != nil {
			continue
		}
		b.addVNet(v)
		if spokes := groups[v.Name]; len(spokes) > 0 {
			b.addGroup(v.Name, spokes)
		}
	}
	if level >= foldChains {
		b.top.label += fmt.Sprintf("\n(%d VNets, folded to fit: --fold-above -1 draws every one)", len(n.VirtualNetworks))
	}
	sites := map[string]*dotNode{}
	for _, o := range n.SortedOnPremises() {
		lines := []string{o.Name + " (on-premises)", prefixesText(o.AddressSpace)}
		for _, h := range slices.Sorted(maps.Keys(o.Hosts)) {
			lines = append(lines, h+" "+o.Hosts[h].String())
		}
		s := b.node("onprem:"+o.Name, "shape", "house", "style", "filled", "fillcolor", "#eeeeee", "label", strings.Join(lines, "\n"))
		b.declareTop(s)
		sites[o.Name] = s
		b.byName[o.Name] = s
		for h := range o.Hosts {
			b.byName[h] = s
		}
	}
	linked := map[[2]int64]bool{}
	for _, v := range n.SortedVirtualNetworks() {
		gwNode := b.byName["gateway:"+v.Name]
		if v.Gateway == nil || gwNode == nil {
			continue
		}
		for _, site := range v.Gateway.Connections {
			// A fold stands for several gateways: one edge per site.
			if s := sites[site.Name]; s != nil && !linked[[2]int64{gwNode.id, s.id}] {
				linked[[2]int64{gwNode.id, s.id}] = true
				b.link(nil, gwNode, s, "label", v.Gateway.Type.String(), "style", "bold", "dir", "both")
			}
		}
	}
	b.addPeerings()
	b.addFoldLinks()
	if opt.Trace != nil {
		b.overlay(opt.Trace)
	}
	return b
}

// fold is a node standing for several VNets.
type fold struct {
	id, label string
	members   []string // sorted
}

// foldsAt returns the folds of level beyond the hubs' spokes (groups):
// chains of VNets with two peers at most and no gateway, of three VNets
// or more; or the sets of VNets peered with one another, with the VNets
// that have no peering in one more; or the whole estate.
func foldsAt(n *topology.Network, level int, groups map[string][]string) []fold {
	peers := peersOf(n)
	switch level {
	case foldChains:
		inGroups := map[string]bool{}
		for hub, spokes := range groups {
			inGroups[hub] = true
			for _, s := range spokes {
				inGroups[s] = true
			}
		}
		var out []fold
		for _, c := range components(n, peers, func(v *topology.VirtualNetwork) bool {
			return !inGroups[v.Name] && v.Gateway == nil && len(peers[v.Name]) <= 2
		}) {
			if len(c) >= 3 {
				out = append(out, fold{"chain:" + c[0], fmt.Sprintf("%d VNets in a chain\n%s … %s", len(c), c[0], c[len(c)-1]), c})
			}
		}
		return out
	case foldComponents:
		var out []fold
		var alone []string
		for _, c := range components(n, peers, func(*topology.VirtualNetwork) bool { return true }) {
			if len(c) == 1 {
				alone = append(alone, c[0])
				continue
			}
			out = append(out, fold{"peered:" + c[0], fmt.Sprintf("%d VNets peered with one another\n%s … %s", len(c), c[0], c[len(c)-1]), c})
		}
		if len(alone) > 1 {
			out = append(out, fold{"unpeered", fmt.Sprintf("%d VNets without a peering\n%s … %s", len(alone), alone[0], alone[len(alone)-1]), alone})
		}
		return out
	case foldEstate:
		all := slices.Sorted(maps.Keys(n.VirtualNetworks))
		if len(all) == 0 {
			return nil
		}
		return []fold{{"estate", fmt.Sprintf("%d VNets\n%s … %s", len(all), all[0], all[len(all)-1]), all}}
	}
	return nil
}

// peersOf maps each VNet to the other existing VNets it shares a peering
// object with, in either direction.
func peersOf(n *topology.Network) map[string]map[string]bool {
	peers := map[string]map[string]bool{}
	add := func(a, b string) {
		if peers[a] == nil {
			peers[a] = map[string]bool{}
		}
		peers[a][b] = true
	}
	for _, v := range n.VirtualNetworks {
		for _, p := range v.Peerings {
			if _, ok := n.VirtualNetworks[p.RemoteVirtualNetwork]; ok && p.RemoteVirtualNetwork != v.Name {
				add(v.Name, p.RemoteVirtualNetwork)
				add(p.RemoteVirtualNetwork, v.Name)
			}
		}
	}
	return peers
}

// components returns the connected components, over peers, of the VNets
// that keep accepts, each sorted, in the order of their first VNet.
func components(n *topology.Network, peers map[string]map[string]bool, keep func(*topology.VirtualNetwork) bool) [][]string {
	seen := map[string]bool{}
	var out [][]string
	for _, v := range n.SortedVirtualNetworks() {
		if seen[v.Name] || !keep(v) {
			continue
		}
		var c []string
		stack := []string{v.Name}
		seen[v.Name] = true
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			c = append(c, x)
			for y := range peers[x] {
				if !seen[y] && keep(n.VirtualNetworks[y]) {
					seen[y] = true
					stack = append(stack, y)
				}
			}
		}
		slices.Sort(c)
		out = append(out, c)
	}
	return out
}

// addFold adds a node standing for the VNets of members: the trace
// overlay finds their endpoints, subnets and gateways at it.
func (b *builder) addFold(id, label string, members []string) *dotNode {
	g := b.node(id, "shape", "folder", "style", "filled", "fillcolor", "#dde7f3", "label", label)
	b.declareTop(g)
	for _, vn := range members {
		v := b.n.VirtualNetworks[vn]
		b.folded[vn] = g
		b.byName[vn] = g
		for _, m := range v.SortedVirtualMachines() {
			b.byName[inVNet(sim.HopVM, vn, m.Name)] = g
		}
		for _, lb := range v.SortedLoadBalancers() {
			b.byName[inVNet(sim.HopLoadBalancer, vn, lb.Name)] = g
		}
		for _, s := range v.SortedSubnets() {
			b.byName[vn+"/"+s.Name] = g
		}
		if v.Gateway != nil {
			b.byName["gateway:"+vn] = g
			b.byName[inVNet(sim.HopGateway, vn, v.Gateway.Name)] = g
		}
	}
	return g
}

// addFoldLinks draws, between two nodes of which one stands for folded
// VNets (other than a hub's spokes, which draw their own), one edge for
// every peering object between them, labelled with their number: solid
// when every pair they join is Connected.
func (b *builder) addFoldLinks() {
	type link struct {
		objects   int
		connected bool
	}
	links := map[[2]*dotNode]*link{}
	var order [][2]*dotNode
	drawn := func(vn string) *dotNode {
		if f := b.folded[vn]; f != nil {
			return f
		}
		return b.vnets[vn]
	}
	for _, v := range b.n.SortedVirtualNetworks() {
		for _, p := range v.SortedPeerings() {
			from, to := drawn(v.Name), drawn(p.RemoteVirtualNetwork)
			if from == nil || to == nil || from == to || b.folded[v.Name] == nil && b.folded[p.RemoteVirtualNetwork] == nil ||
				b.groups[from] || b.groups[to] {
				continue
			}
			key := [2]*dotNode{from, to}
			if to.id < from.id {
				key = [2]*dotNode{to, from}
			}
			l := links[key]
			if l == nil {
				l = &link{connected: true}
				links[key] = l
				order = append(order, key)
			}
			l.objects++
			l.connected = l.connected && b.pairState(v.Name, p.RemoteVirtualNetwork) == topology.Connected
		}
	}
	for _, key := range order {
		l := links[key]
		style := "solid"
		if !l.connected {
			style = "dashed"
		}
		b.link(nil, key[0], key[1], "dir", "both", "style", style, "label", Plural(l.objects, "peering object"))
	}
}

func prefixesText[P fmt.Stringer](ps []P) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}

// addVNet declares the VNet's cluster and everything inside it.
func (b *builder) addVNet(v *topology.VirtualNetwork) {
	title := v.Name
	if v.Region != "" {
		title += " · " + v.Region
	}
	c := &cluster{DirectedGraph: multi.NewDirectedGraph(), dotID: "cluster_" + v.Name,
		attrs: attrList(attrs("label", title, "style", "rounded", "color", "#4a6fa5"))}
	b.top.clusters = append(b.top.clusters, c)
	vn := b.node("vnet:"+v.Name, "shape", "box", "style", "rounded,bold", "label", v.Name+"\n"+prefixesText(v.AddressSpace))
	c.AddNode(vn)
	b.vnets[v.Name] = vn
	b.byName[v.Name] = vn
	if len(v.Subnets)+len(v.VirtualMachines)+len(v.LoadBalancers) > maxVNetDetail {
		b.addVNetSummary(c, v, vn)
		return
	}
	subnets := map[string]*dotNode{}
	for _, s := range v.SortedSubnets() {
		lines := []string{s.Name, s.AddressPrefix.String()}
		if s.RouteTable != nil {
			lines = append(lines, "routes: "+s.RouteTable.Name)
		}
		if s.AccessControlList != nil {
			lines = append(lines, "acl: "+s.AccessControlList.Name)
		}
		sn := b.node("subnet:"+v.Name+"/"+s.Name, "shape", "box", "label", strings.Join(lines, "\n"))
		c.AddNode(sn)
		subnets[s.Name] = sn
		b.byName[v.Name+"/"+s.Name] = sn
		b.link(c, vn, sn, "arrowhead", "none", "color", "#999999")
	}
	if s := subnets["GatewaySubnet"]; s != nil {
		b.addGateway(c, v, s)
	} else {
		b.addGateway(c, v, vn)
	}
	for _, m := range v.SortedVirtualMachines() {
		lines := []string{m.Name, addrString(m.IPAddress)}
		if m.IPForwarding {
			lines = append(lines, "ip forwarding")
		}
		kv := []string{"shape", "ellipse", "label", strings.Join(lines, "\n")}
		if !m.Running {
			kv = append(kv, "style", "dashed", "fontcolor", "#888888")
		}
		mn := b.node("vm:"+v.Name+"/"+m.Name, kv...)
		c.AddNode(mn)
		b.byName[inVNet(sim.HopVM, v.Name, m.Name)] = mn
		if m.Subnet != nil && subnets[m.Subnet.Name] != nil {
			b.link(c, subnets[m.Subnet.Name], mn, "arrowhead", "none", "color", "#999999")
		}
	}
	for _, lb := range v.SortedLoadBalancers() {
		ln := b.node("lb:"+v.Name+"/"+lb.Name, "shape", "trapezium", "label", lb.Name+"\n"+addrString(lb.FrontendIPAddress)+"\n"+lb.SKU.String()+" ILB")
		c.AddNode(ln)
		b.byName[inVNet(sim.HopLoadBalancer, v.Name, lb.Name)] = ln
		if lb.Subnet != nil && subnets[lb.Subnet.Name] != nil {
			b.link(c, subnets[lb.Subnet.Name], ln, "arrowhead", "none", "color", "#999999")
		}
		for _, be := range lb.Backends {
			if bn := b.byName[inVNet(sim.HopVM, v.Name, be.Name)]; bn != nil {
				b.link(c, ln, bn, "style", "dashed", "color", "#6a9955")
			}
		}
	}
}

// hopNode returns the node of a trace hop's object: by its kind, or for a
// hop that does not say (HopEndpoint, as a hand-made trace has) a VM, a
// load balancer or a gateway of that name in the hop's VNet, in the order
// endpoints resolve; else a site or host of that name, or nil.
func (b *builder) hopNode(h sim.Hop) *dotNode {
	kinds := []sim.HopKind{h.Kind}
	if h.Kind == sim.HopEndpoint {
		kinds = []sim.HopKind{sim.HopVM, sim.HopLoadBalancer, sim.HopGateway}
	}
	for _, k := range kinds {
		if n := b.byName[inVNet(k, h.VirtualNetwork, h.Node)]; n != nil {
			return n
		}
	}
	return b.byName[h.Node] // an on-premises site or host
}

// inVNet is the byName key of the VM, load balancer or gateway (kind)
// called name in VNet vnet: names repeat across VNets and kinds (a VM and
// a load balancer may share one), so these are found by both.
func inVNet(kind sim.HopKind, vnet, name string) string {
	return fmt.Sprintf("%d\x00%s\x00%s", kind, vnet, name)
}

// addVNetSummary draws, for a VNet with more than maxVNetDetail objects,
// one node counting its subnets, VMs and load balancers instead of a node
// each (its gateway still gets its own, for the sites it connects).
func (b *builder) addVNetSummary(c *cluster, v *topology.VirtualNetwork, vn *dotNode) {
	sn := b.node("contents:"+v.Name, "shape", "note", "label", fmt.Sprintf("%s\n%s\n%s",
		Plural(len(v.Subnets), "subnet"), Plural(len(v.VirtualMachines), "virtual machine"), Plural(len(v.LoadBalancers), "load balancer")))
	c.AddNode(sn)
	b.link(c, vn, sn, "arrowhead", "none", "color", "#999999")
	for _, s := range v.SortedSubnets() {
		b.byName[v.Name+"/"+s.Name] = sn
	}
	for _, m := range v.SortedVirtualMachines() {
		b.byName[inVNet(sim.HopVM, v.Name, m.Name)] = sn
	}
	for _, lb := range v.SortedLoadBalancers() {
		b.byName[inVNet(sim.HopLoadBalancer, v.Name, lb.Name)] = sn
	}
	b.addGateway(c, v, vn)
}

// addGateway draws v's gateway, if any, in its box, joined to parent.
func (b *builder) addGateway(c *cluster, v *topology.VirtualNetwork, parent *dotNode) {
	gw := v.Gateway
	if gw == nil {
		return
	}
	label := gw.Name + "\n" + gw.Type.String()
	if gw.SKU != "" {
		label += " " + gw.SKU
	}
	gn := b.node("gateway:"+v.Name+"/"+gw.Name, "shape", "hexagon", "style", "filled", "fillcolor", "#fff2cc", "label", label)
	c.AddNode(gn)
	b.byName["gateway:"+v.Name] = gn
	b.byName[inVNet(sim.HopGateway, v.Name, gw.Name)] = gn
	b.link(c, parent, gn, "arrowhead", "none", "color", "#999999")
}

// foldableSpokes returns, per hub, the VNets whose only peer is that hub
// and that have no gateway of their own; hubs with fewer than two such
// spokes are left alone.
func foldableSpokes(n *topology.Network) map[string][]string {
	peers := map[string]map[string]bool{}
	addPeer := func(a, b string) {
		if peers[a] == nil {
			peers[a] = map[string]bool{}
		}
		peers[a][b] = true
	}
	for _, v := range n.SortedVirtualNetworks() {
		for _, p := range v.SortedPeerings() {
			if _, ok := n.VirtualNetworks[p.RemoteVirtualNetwork]; ok && p.RemoteVirtualNetwork != v.Name {
				addPeer(v.Name, p.RemoteVirtualNetwork)
				addPeer(p.RemoteVirtualNetwork, v.Name)
			}
		}
	}
	groups := map[string][]string{}
	for _, v := range n.SortedVirtualNetworks() {
		if len(peers[v.Name]) != 1 || v.Gateway != nil {
			continue
		}
		for hub := range peers[v.Name] {
			if len(peers[hub]) > 1 {
				groups[hub] = append(groups[hub], v.Name)
			}
		}
	}
	for hub, spokes := range groups {
		if len(spokes) < 2 {
			delete(groups, hub)
		}
	}
	return groups
}

// spokeOf returns the hub a VNet is folded into.
func spokeOf(groups map[string][]string, vnet string) (string, bool) {
	for hub, spokes := range groups {
		if _, found := slices.BinarySearch(spokes, vnet); found {
			return hub, true
		}
	}
	return "", false
}

// addGroup adds the node standing for a hub's folded spokes, with counts
// of their peering states.
func (b *builder) addGroup(hub string, spokes []string) {
	counts := map[topology.PeeringState]int{}
	for _, s := range spokes {
		counts[b.pairState(hub, s)]++
	}
	var parts []string
	for _, st := range []topology.PeeringState{topology.Connected, topology.Initiated, topology.Disconnected} {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
		}
	}
	g := b.addFold("group:"+hub, fmt.Sprintf("%d spokes of %s\n%s\n%s … %s", len(spokes), hub, strings.Join(parts, ", "), spokes[0], spokes[len(spokes)-1]), spokes)
	b.groups[g] = true
	style := "solid"
	if counts[topology.Connected] != len(spokes) {
		style = "dashed"
	}
	b.link(nil, b.vnets[hub], g, "dir", "both", "style", style, "label", Plural(len(spokes), "peering"))
}

// pairState is the state of the weaker side of a peering pair: Connected
// only when both objects are.
func (b *builder) pairState(x, y string) topology.PeeringState {
	vx, vy := b.n.VirtualNetworks[x], b.n.VirtualNetworks[y]
	sx := b.n.PeeringState(x, vx.PeeringTo(y))
	var sy topology.PeeringState
	if vy != nil {
		sy = b.n.PeeringState(y, vy.PeeringTo(x))
	}
	if sx == topology.Connected && sy == topology.Connected {
		return topology.Connected
	}
	if sx == topology.Disconnected || sy == topology.Disconnected {
		return topology.Disconnected
	}
	return topology.Initiated
}

// flagsText is the short label of a peering object's flags.
func flagsText(p *topology.Peering) string {
	var labels []string
	for _, f := range topology.PeeringFlags() {
		if f.Of(p) != f.Default() {
			labels = append(labels, f.Label())
		}
	}
	return strings.Join(labels, ",")
}

// addPeerings draws one edge per VNet pair when both objects are
// Connected, else one edge per object from its owner.
func (b *builder) addPeerings() {
	n := b.n
	for _, v := range n.SortedVirtualNetworks() {
		for _, p := range v.SortedPeerings() {
			remote := p.RemoteVirtualNetwork
			from, to := b.vnets[v.Name], b.vnets[remote]
			if from == nil || b.folded[remote] != nil {
				continue // a folded spoke's pair is drawn by its group
			}
			state := n.PeeringState(v.Name, p)
			back := n.Reverse(v.Name, p)
			if state == topology.Connected && n.PeeringState(remote, back) == topology.Connected {
				if remote < v.Name {
					continue // drawn once, from the smaller name
				}
				// One label at the middle of the edge, one line per side with
				// flags: per-end labels pile up around a hub.
				var lines []string
				transitOn := b.transitHub(v.Name) == remote || b.transitHub(remote) == v.Name
				if transitOn {
					lines = append(lines, "gateway transit")
				}
				if f := flagsText(p); f != "" {
					lines = append(lines, v.Name+": "+f)
				}
				if f := flagsText(back); f != "" {
					lines = append(lines, remote+": "+f)
				}
				kv := []string{"dir", "both", "style", "solid", "tooltip", fmt.Sprintf("%s ↔ %s: Connected", p.Name, back.Name)}
				if len(lines) > 0 {
					kv = append(kv, "label", strings.Join(lines, "\n"))
				}
				if !p.AllowVirtualNetworkAccess || !back.AllowVirtualNetworkAccess {
					kv = append(kv, "color", "#999999") // Connected, but no traffic crosses
				}
				if transitOn {
					kv = append(kv, "color", "#1f5fbf", "penwidth", "2")
				}
				if to != nil {
					b.link(nil, from, to, kv...)
				}
				continue
			}
			if to == nil {
				// The remote VNet was deleted: draw the dangling object to a
				// placeholder so that the Disconnected state stays visible.
				to = b.node("missing:"+remote, "shape", "box", "style", "dashed", "color", "#c00000", "label", remote+"\n(deleted)")
				b.declareTop(to)
				b.vnets[remote] = to
			}
			label := p.Name + ": " + state.String()
			if f := flagsText(p); f != "" {
				label += "\n" + f
			}
			kv := []string{"label", label}
			switch state {
			case topology.Disconnected:
				kv = append(kv, "style", "dotted", "color", "#c00000", "fontcolor", "#c00000", "penwidth", "2")
			default:
				kv = append(kv, "style", "dashed")
			}
			b.link(nil, from, to, kv...)
		}
	}
}

// transitHub returns the name of the hub whose gateway the VNet called
// spoke uses through gateway transit (topology.Network.TransitHub), or "".
func (b *builder) transitHub(spoke string) string {
	if hub := b.n.TransitHub(b.n.VirtualNetworks[spoke], nil); hub != nil {
		return hub.Name
	}
	return ""
}

// traceColor marks the overlaid path.
const traceColor = "#e07000"

// overlay highlights the hops of t in order and marks how it ended.
func (b *builder) overlay(t *sim.Trace) {
	var path []*dotNode
	for _, h := range t.Hops {
		n := b.hopNode(h)
		if n == nil && h.VirtualNetwork != "" {
			if n = b.byName[h.VirtualNetwork+"/"+h.Subnet]; n == nil {
				n = b.byName[h.VirtualNetwork]
			}
		}
		if n == nil || len(path) > 0 && path[len(path)-1] == n {
			continue
		}
		path = append(path, n)
	}
	for i, n := range path {
		n.set("color", traceColor)
		n.set("penwidth", "2.5")
		if i > 0 {
			b.link(nil, path[i-1], n, "color", traceColor, "penwidth", "2.5", "label", fmt.Sprint(i),
				"fontcolor", traceColor, "constraint", "false")
		}
	}
	if len(path) == 0 {
		return
	}
	last := path[len(path)-1]
	switch t.Result {
	case sim.Dropped:
		detail := string(t.Reason)
		if t.Explanation != "" {
			detail += "\n" + wrap(t.Explanation, 40)
		}
		drop := b.node("trace:dropped", "shape", "octagon", "style", "filled", "fillcolor", "#f4cccc",
			"color", "#c00000", "fontcolor", "#c00000", "label", "dropped: "+detail)
		b.declareTop(drop)
		b.link(nil, last, drop, "color", "#c00000", "penwidth", "2.5", "style", "bold")
	default:
		last.appendLabel(t.Result.String())
	}
	b.top.label += fmt.Sprintf("\ntrace %s → %s: %s", t.Flow.From, t.Flow.To, traceVerdict(t))
}

// wrap breaks s into lines of about width characters at spaces.
func wrap(s string, width int) string {
	var out, line []string
	n := 0
	for _, w := range strings.Fields(s) {
		if n > 0 && n+len(w) > width {
			out = append(out, strings.Join(line, " "))
			line, n = nil, 0
		}
		line = append(line, w)
		n += len(w) + 1
	}
	if len(line) > 0 {
		out = append(out, strings.Join(line, " "))
	}
	return strings.Join(out, "\n")
}

// Diagram JSON: the nodes and edges DOT draws, for tools that lay out
// diagrams themselves.
type (
	jsonDiagram struct {
		Nodes []jsonDiagramNode `json:"nodes"`
		Edges []jsonDiagramEdge `json:"edges"`
	}
	jsonDiagramNode struct {
		ID         string            `json:"id"`
		Cluster    string            `json:"cluster,omitempty"` // the VNet whose box holds the node
		Attributes map[string]string `json:"attributes"`
	}
	jsonDiagramEdge struct {
		From       string            `json:"from"`
		To         string            `json:"to"`
		Attributes map[string]string `json:"attributes"`
	}
)

// DiagramJSON writes the diagram DOT would draw as JSON: every node with
// its VNet and DOT attributes, every edge with its attributes, in the DOT
// output's order.
func DiagramJSON(w io.Writer, n *topology.Network, opt DiagramOptions) error {
	if n == nil {
		return errNothing("network")
	}
	g := buildDiagram(n, opt).top
	doc := jsonDiagram{Nodes: []jsonDiagramNode{}, Edges: []jsonDiagramEdge{}}
	add := func(gr graph.Multigraph, cluster string) {
		nodes := graph.NodesOf(gr.Nodes())
		slices.SortFunc(nodes, func(a, b graph.Node) int { return cmp.Compare(a.ID(), b.ID()) })
		for _, nd := range nodes {
			if dn, ok := nd.(*dotNode); ok {
				doc.Nodes = append(doc.Nodes, jsonDiagramNode{dn.dotID, cluster, attrMap(dn.attrs)})
			}
		}
		for _, from := range nodes {
			to := graph.NodesOf(gr.From(from.ID()))
			slices.SortFunc(to, func(a, b graph.Node) int { return cmp.Compare(a.ID(), b.ID()) })
			for _, t := range to {
				lines := graph.LinesOf(gr.Lines(from.ID(), t.ID()))
				slices.SortFunc(lines, func(a, b graph.Line) int { return cmp.Compare(a.ID(), b.ID()) })
				for _, l := range lines {
					dl := l.(*dotLine)
					doc.Edges = append(doc.Edges, jsonDiagramEdge{from.(dot.Node).DOTID(), t.(dot.Node).DOTID(), attrMap(dl.attrs)})
				}
			}
		}
	}
	for _, c := range g.clusters {
		add(c, strings.TrimPrefix(c.dotID, "cluster_"))
	}
	add(g, "")
	return WriteDocument(w, doc)
}

func attrMap(attrs []encoding.Attribute) map[string]string {
	m := make(map[string]string, len(attrs))
	for _, a := range attrs {
		m[a.Key] = a.Value
	}
	return m
}
