package diff

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// ChangeKind says what happened to an object or field between two files.
type ChangeKind uint8

const (
	Added   ChangeKind = iota + 1 // present only in the after-file
	Removed                       // present only in the before-file
	Changed                       // present in both with a different value
)

var changeKindNames = [...]string{"", "added", "removed", "changed"}

// String returns "added", "removed" or "changed".
func (k ChangeKind) String() string {
	if k > 0 && int(k) < len(changeKindNames) {
		return changeKindNames[k]
	}
	return "invalid"
}

// MarshalText implements encoding.TextMarshaler.
func (k ChangeKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Change is one structural difference between a before and an after
// network. Path is the model path of the object or field; Subject is where
// it is written: in the after-file, or in the before-file for a removal.
type Change struct {
	Kind    ChangeKind
	Path    diag.Path
	Subject diag.Range
	Message string
}

// Changes compares two networks object by object and returns every
// structural difference: VNets and their address ranges, subnets, gateways,
// VMs, load balancers and peering objects with their flags; route tables
// and routes; ACLs and rules; on-premises sites. Changes come in model
// order (top-level fields, then VNets, route tables, ACLs and sites, each
// by name), so the output does not depend on map order. Subjects are left
// empty; Compare fills them from the source maps.
func Changes(before, after *topology.Network) []Change {
	var d differ
	d.fields(nil, "topology", topologyProps(before), topologyProps(after))
	diffMap(&d, diag.P("virtualNetworks"), "virtual network", before.VirtualNetworks, after.VirtualNetworks, vnetProps, d.vnet)
	diffMap(&d, diag.P("routeTables"), "route table", before.RouteTables, after.RouteTables, routeTableProps, d.routeTable)
	diffMap(&d, diag.P("accessControlLists"), "ACL", before.AccessControlLists, after.AccessControlLists, aclProps, d.acl)
	diffMap(&d, diag.P("onPremises"), "on-premises site", before.OnPremises, after.OnPremises, onPremProps, d.onPrem)
	return d.out
}

// differ gathers changes in the order it finds them.
type differ struct {
	out []Change
}

func (d *differ) add(kind ChangeKind, path diag.Path, format string, args ...any) {
	d.out = append(d.out, Change{Kind: kind, Path: path, Message: fmt.Sprintf(format, args...)})
}

// field is one property of an object, under its contract key, rendered as
// text. A describeOnly field appears in the summary of an added object but
// is not compared, because a finer comparison covers it (address ranges are
// compared one by one).
type field struct {
	key, value   string
	describeOnly bool
}

// fields reports each property whose value differs, as a change at the
// property's own path.
func (d *differ) fields(path diag.Path, what string, before, after []field) {
	for i, a := range after {
		if i < len(before) && !a.describeOnly && before[i].value != a.value {
			d.add(Changed, path.Child(a.key), "%s: %s %s → %s", what, a.key, quoteEmpty(before[i].value), quoteEmpty(a.value))
		}
	}
}

func quoteEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

// diffMap compares two maps of named objects: an object only in after is
// added, only in before removed, and one in both has its fields compared
// and then its children through more (which may be nil). V is a pointer or
// another comparable type, so that identical objects are skipped.
func diffMap[V any](d *differ, path diag.Path, what string, before, after map[string]V, fields func(V) []field, more func(diag.Path, string, V, V)) {
	for _, name := range unionNames(before, after) {
		b, inBefore := before[name]
		a, inAfter := after[name]
		p := path.Child(name)
		switch {
		case !inBefore:
			d.add(Added, p, "%s %s added%s", what, name, summary(fields(a)))
		case !inAfter:
			d.add(Removed, p, "%s %s removed", what, name)
		case any(b) == any(a):
			// The same object: plan states share what an event did not
			// touch, so most of a large estate is skipped here.
		default:
			label := what + " " + name
			d.fields(p, label, fields(b), fields(a))
			if more != nil {
				more(p, label, b, a)
			}
		}
	}
}

// summary renders the non-default fields of a new object, " (k v, k v)".
func summary(fs []field) string {
	var parts []string
	for _, f := range fs {
		if f.value != "" && f.value != "false" {
			parts = append(parts, f.key+" "+f.value)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// prefixes compares two address spaces as sets: each range added or
// removed is one change, at its index in the file that holds it.
func (d *differ) prefixes(path diag.Path, what string, before, after []netip.Prefix) {
	for i, p := range after {
		if !slices.Contains(before, p) {
			d.add(Added, path.Index(i), "%s: address range %s added", what, p)
		}
	}
	for i, p := range before {
		if !slices.Contains(after, p) {
			d.add(Removed, path.Index(i), "%s: address range %s removed", what, p)
		}
	}
}

// named is an element of a list whose items carry names (routes, ACL
// rules), with its index in the file.
type named[V any] struct {
	index int
	value V
}

// diffList compares two lists of named items by name. The path of each
// item is its index in the file that holds it. A later duplicate name (a
// validation error of its own) is ignored, so each name is compared once.
func diffList[V any](d *differ, path diag.Path, what string, before, after []V, name func(V) string, fields func(V) []field) {
	index := func(list []V) map[string]named[V] {
		m := make(map[string]named[V], len(list))
		for i, v := range list {
			if _, dup := m[name(v)]; !dup {
				m[name(v)] = named[V]{i, v}
			}
		}
		return m
	}
	bm, am := index(before), index(after)
	for _, n := range unionNames(bm, am) {
		b, inBefore := bm[n]
		a, inAfter := am[n]
		switch {
		case !inBefore:
			d.add(Added, path.Index(a.index), "%s %s added%s", what, n, summary(fields(a.value)))
		case !inAfter:
			d.add(Removed, path.Index(b.index), "%s %s removed", what, n)
		default:
			d.fields(path.Index(a.index), what+" "+n, fields(b.value), fields(a.value))
		}
	}
}

func (d *differ) vnet(path diag.Path, label string, b, a *topology.VirtualNetwork) {
	d.prefixes(path.Child("addressSpace"), label, b.AddressSpace, a.AddressSpace)
	diffMap(d, path.Child("subnets"), label+": subnet", b.Subnets, a.Subnets, subnetProps, nil)
	d.gateway(path.Child("gateway"), label, b.Gateway, a.Gateway)
	diffMap(d, path.Child("virtualMachines"), label+": VM", b.VirtualMachines, a.VirtualMachines, vmProps, nil)
	diffMap(d, path.Child("loadBalancers"), label+": load balancer", b.LoadBalancers, a.LoadBalancers, lbProps, nil)
	diffMap(d, path.Child("peerings"), label+": peering", b.Peerings, a.Peerings, peeringProps, nil)
}

func (d *differ) gateway(path diag.Path, label string, b, a *topology.Gateway) {
	switch {
	case b == nil && a == nil:
	case b == nil:
		d.add(Added, path, "%s: gateway added%s", label, summary(gatewayProps(a)))
	case a == nil:
		d.add(Removed, path, "%s: gateway %s removed", label, b.Name)
	default:
		d.fields(path, label+": gateway", gatewayProps(b), gatewayProps(a))
	}
}

func (d *differ) routeTable(path diag.Path, label string, b, a *topology.RouteTable) {
	diffList(d, path.Child("routes"), label+": route", b.Routes, a.Routes,
		func(r topology.Route) string { return r.Name }, routeProps)
}

func (d *differ) acl(path diag.Path, label string, b, a *topology.ACL) {
	diffList(d, path.Child("rules"), label+": rule", b.Rules, a.Rules,
		func(r topology.ACLRule) string { return r.Name }, ruleProps)
}

func (d *differ) onPrem(path diag.Path, label string, b, a *topology.OnPremises) {
	d.prefixes(path.Child("addressSpace"), label, b.AddressSpace, a.AddressSpace)
	diffMap(d, path.Child("hosts"), label+": host", b.Hosts, a.Hosts,
		func(a netip.Addr) []field { return []field{{key: "address", value: a.String()}} }, nil)
}

// The field lists below name each comparable property by its contract key.
// Two lists of one kind always have the same keys in the same order.

func topologyProps(n *topology.Network) []field {
	return []field{{key: "name", value: n.Name}, {key: "platform", value: n.Platform.String()}, {key: "networkController", value: n.NetworkController}}
}

func vnetProps(v *topology.VirtualNetwork) []field {
	return []field{
		{key: "addressSpace", value: strings.Join(topology.StringsOf(v.AddressSpace), ","), describeOnly: true},
		{key: "region", value: v.Region},
		{key: "networkController", value: v.NetworkController},
	}
}

func subnetProps(s *topology.Subnet) []field {
	return []field{
		{key: "addressPrefix", value: s.AddressPrefix.String()},
		{key: "accessControlList", value: aclName(s.AccessControlList)},
		{key: "routeTable", value: routeTableName(s.RouteTable)},
	}
}

func gatewayProps(g *topology.Gateway) []field {
	sites := make([]string, len(g.Connections))
	for i, o := range g.Connections {
		if o != nil {
			sites[i] = o.Name
		}
	}
	return []field{{key: "name", value: g.Name}, {key: "type", value: g.Type.String()}, {key: "sku", value: g.SKU}, {key: "connections", value: strings.Join(sites, ",")}}
}

func vmProps(vm *topology.VirtualMachine) []field {
	return []field{
		{key: "subnet", value: subnetName(vm.Subnet)},
		{key: "ipAddress", value: vm.IPAddress.String()},
		{key: "ipForwarding", value: strconv.FormatBool(vm.IPForwarding)},
		{key: "accessControlList", value: aclName(vm.AccessControlList)},
		{key: "running", value: strconv.FormatBool(vm.Running)},
		{key: "bandwidthMbps", value: bandwidth(vm.BandwidthMbps)},
	}
}

func bandwidth(mbps int) string {
	if mbps == 0 {
		return ""
	}
	return strconv.Itoa(mbps)
}

func lbProps(lb *topology.LoadBalancer) []field {
	backends := make([]string, len(lb.Backends))
	for i, b := range lb.Backends {
		if b != nil {
			backends[i] = b.Name
		}
	}
	var rules []string
	for _, r := range lb.Rules {
		rules = append(rules, fmt.Sprintf("%s/%d→%d", r.Protocol, r.FrontendPort, r.BackendPort))
	}
	return []field{
		{key: "subnet", value: subnetName(lb.Subnet)},
		{key: "frontendIpAddress", value: lb.FrontendIPAddress.String()},
		{key: "sku", value: lb.SKU.String()},
		{key: "backends", value: strings.Join(backends, ",")},
		{key: "rules", value: strings.Join(rules, ",")},
	}
}

func peeringProps(p *topology.Peering) []field {
	out := make([]field, 0, 2+topology.NumPeeringFlags)
	out = append(out, field{key: "remoteVirtualNetwork", value: p.RemoteVirtualNetwork})
	for _, f := range topology.PeeringFlags() {
		out = append(out, field{key: f.Key(), value: strconv.FormatBool(f.Of(p))})
	}
	return append(out, field{key: "peeringState", value: storedState(p)})
}

// storedState is the part of a peering's state a file stores: Disconnected,
// or "" when the state follows from which objects exist.
func storedState(p *topology.Peering) string {
	if p.Disconnected {
		return topology.Disconnected.String()
	}
	return ""
}

func routeTableProps(rt *topology.RouteTable) []field {
	return []field{{key: "disableGatewayRoutePropagation", value: strconv.FormatBool(rt.DisableGatewayRoutePropagation)}}
}

func routeProps(r topology.Route) []field {
	hop := ""
	if r.NextHopIPAddress.IsValid() {
		hop = r.NextHopIPAddress.String()
	}
	return []field{{key: "addressPrefix", value: r.AddressPrefix.String()}, {key: "nextHopType", value: r.NextHopType.String()}, {key: "nextHopIpAddress", value: hop}}
}

func aclProps(a *topology.ACL) []field {
	return []field{{key: "inboundDefaultAction", value: a.InboundDefaultAction.String()}, {key: "outboundDefaultAction", value: a.OutboundDefaultAction.String()}}
}

func ruleProps(r topology.ACLRule) []field {
	return []field{
		{key: "priority", value: strconv.Itoa(r.Priority)},
		{key: "type", value: r.Type.String()},
		{key: "action", value: r.Action.String()},
		{key: "protocol", value: r.Protocol.String()},
		{key: "sourceAddressPrefix", value: strings.Join(topology.StringsOf(r.SourceAddressPrefixes), ", ")},
		{key: "sourcePortRange", value: strings.Join(topology.StringsOf(r.SourcePortRanges), ", ")},
		{key: "destinationAddressPrefix", value: strings.Join(topology.StringsOf(r.DestinationAddressPrefixes), ", ")},
		{key: "destinationPortRange", value: strings.Join(topology.StringsOf(r.DestinationPortRanges), ", ")},
	}
}

func onPremProps(o *topology.OnPremises) []field {
	return []field{{key: "addressSpace", value: strings.Join(topology.StringsOf(o.AddressSpace), ","), describeOnly: true}}
}

func subnetName(s *topology.Subnet) string {
	if s == nil {
		return ""
	}
	return s.Name
}

func aclName(a *topology.ACL) string {
	if a == nil {
		return ""
	}
	return a.Name
}

func routeTableName(rt *topology.RouteTable) string {
	if rt == nil {
		return ""
	}
	return rt.Name
}
