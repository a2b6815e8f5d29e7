package topology

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/vnetsim/vnetsim/topology/diag"
)

// resolve turns the root mapping into a Network. References are resolved
// by name; a name that refers to nothing is unknown-reference and fatal.
func (l *loader) resolve(root *yaml.Node) *Network {
	top, ok := l.object(root, nil, kindTopology, "topology")
	if !ok {
		return nil
	}
	n := &Network{
		VirtualNetworks:    map[string]*VirtualNetwork{},
		RouteTables:        map[string]*RouteTable{},
		AccessControlLists: map[string]*ACL{},
		OnPremises:         map[string]*OnPremises{},
	}
	n.Name = l.name(top, "name", "topology")
	n.Platform = enumValue(l, top, "platform", "topology", WindowsSDN, false, ParsePlatform)
	n.NetworkController = l.str(top, "networkController", "topology")

	for _, e := range l.namedMap(top.get("routeTables"), diag.P("routeTables"), "routeTables") {
		if rt := l.routeTable(e); rt != nil {
			n.RouteTables[rt.Name] = rt
		}
	}
	for _, e := range l.namedMap(top.get("accessControlLists"), diag.P("accessControlLists"), "accessControlLists") {
		if a := l.acl(e); a != nil {
			n.AccessControlLists[a.Name] = a
		}
	}
	for _, e := range l.namedMap(top.get("onPremises"), diag.P("onPremises"), "onPremises") {
		if o := l.onPremises(e); o != nil {
			n.OnPremises[o.Name] = o
		}
	}
	vnets := l.namedMap(top.get("virtualNetworks"), diag.P("virtualNetworks"), "virtualNetworks")
	names := make(map[string]bool, len(vnets))
	for _, e := range vnets {
		names[e.name] = true
	}
	for _, e := range vnets {
		if v := l.vnet(n, e, names); v != nil {
			n.VirtualNetworks[v.Name] = v
		}
	}
	// SyncedRemote starts as the remote's space as loaded, unless the file
	// writes the ranges the object synced (remoteAddressSpace).
	for _, v := range n.VirtualNetworks {
		for _, p := range v.Peerings {
			if r := n.VirtualNetworks[p.RemoteVirtualNetwork]; r != nil && p.SyncedRemote == nil {
				p.SyncedRemote = slices.Clone(r.AddressSpace)
			}
		}
	}
	return n
}

func (l *loader) routeTable(e named) *RouteTable {
	what := "route table " + e.name
	o, ok := l.object(e.value, e.path, kindRouteTable, what)
	if !ok {
		return nil
	}
	rt := &RouteTable{Name: e.name, DisableGatewayRoutePropagation: l.boolean(o, "disableGatewayRoutePropagation", what, false)}
	rp := e.path.Child("routes")
	for i, it := range l.list(o.get("routes"), rp, what+" routes", true) {
		ip := rp.Index(i)
		ro, ok := l.object(it, ip, kindRoute, fmt.Sprintf("%s route %d", what, i))
		if !ok {
			continue
		}
		r := Route{Name: l.name(ro, "name", what+" route")}
		rwhat := fmt.Sprintf("route %s/%s", e.name, r.Name)
		r.AddressPrefix = l.prefixAt(ro, "addressPrefix", rwhat)
		r.NextHopType = enumValue(l, ro, "nextHopType", rwhat, NextHopNone, true, ParseNextHopType)
		r.NextHopIPAddress = l.addrAt(ro, "nextHopIpAddress", rwhat)
		rt.Routes = append(rt.Routes, r)
	}
	return rt
}

func (l *loader) acl(e named) *ACL {
	what := "access control list " + e.name
	o, ok := l.object(e.value, e.path, kindACL, what)
	if !ok {
		return nil
	}
	a := &ACL{
		Name:                  e.name,
		InboundDefaultAction:  enumValue(l, o, "inboundDefaultAction", what, Allow, false, ParseAction),
		OutboundDefaultAction: enumValue(l, o, "outboundDefaultAction", what, Allow, false, ParseAction),
	}
	rp := e.path.Child("rules")
	for i, it := range l.list(o.get("rules"), rp, what+" rules", true) {
		ip := rp.Index(i)
		ro, ok := l.object(it, ip, kindACLRule, fmt.Sprintf("%s rule %d", what, i))
		if !ok {
			continue
		}
		r := ACLRule{Name: l.name(ro, "name", what+" rule")}
		rwhat := fmt.Sprintf("rule %s/%s", e.name, r.Name)
		// The platform range is checked by Validate (acl-priority-invalid);
		// here only "is it an integer" is decided.
		if pr, ok := l.integer(ro, "priority", rwhat, math.MinInt, math.MaxInt, true); ok {
			r.Priority = int(pr)
		}
		r.Type = enumValue(l, ro, "type", rwhat, Inbound, true, ParseDirection)
		r.Action = enumValue(l, ro, "action", rwhat, Deny, true, ParseAction)
		r.Protocol = enumValue(l, ro, "protocol", rwhat, ProtocolAll, true, ParseProtocol)
		r.SourceAddressPrefixes = oneOrMany(l, ro, "sourceAddressPrefix", "sourceAddressPrefixes", rwhat, AnyAddress, l.addressMatch)
		r.SourcePortRanges = oneOrMany(l, ro, "sourcePortRange", "sourcePortRanges", rwhat, AnyPort, l.portRange)
		r.DestinationAddressPrefixes = oneOrMany(l, ro, "destinationAddressPrefix", "destinationAddressPrefixes", rwhat, AnyAddress, l.addressMatch)
		r.DestinationPortRanges = oneOrMany(l, ro, "destinationPortRange", "destinationPortRanges", rwhat, AnyPort, l.portRange)
		a.Rules = append(a.Rules, r)
	}
	return a
}

// oneOrMany reads a rule field that the file writes either under its
// singular key (one entry) or under its plural key (a list), as Azure's
// securityRules do; parse reads one entry. An absent field, or an empty
// plural list beside no singular key, is def: az prints the unused key of
// the pair as an empty list. Both keys with entries is invalid-value,
// because the platform takes one or the other; the rule then holds the
// entries of both, so that it still loads.
func oneOrMany[T any](l *loader, o obj, one, many, what string, def T, parse func(*yaml.Node, diag.Path, string) (T, bool)) []T {
	var out []T
	if n := o.get(one); n != nil {
		if v, ok := parse(n, o.path.Child(one), what+" "+one); ok {
			out = append(out, v)
		}
	}
	if n := o.get(many); n != nil {
		p := o.path.Child(many)
		items := l.list(n, p, what+" "+many, true)
		if len(items) > 0 && o.get(one) != nil {
			l.errorf(false, diag.InvalidValue, p, n, fmt.Sprintf("write %s for one entry or %s for several, not both", one, many),
				"%s: both %s and %s are given", what, one, many)
		}
		for i, it := range items {
			if v, ok := parse(it, p.Index(i), what+" "+many); ok {
				out = append(out, v)
			}
		}
	}
	if len(out) == 0 {
		out = []T{def}
	}
	return out
}

// portRange reads one port range entry: "*", "N" or "N-M", or an unquoted
// integer.
func (l *loader) portRange(n *yaml.Node, p diag.Path, what string) (PortRange, bool) {
	s, ok := l.scalar(n, p, what, true)
	if !ok {
		return PortRange{}, false
	}
	r, err := ParsePortRange(strings.TrimSpace(s))
	if err != nil {
		l.errorf(true, diag.InvalidValue, p, n, "", "%s: %v", what, err)
		return PortRange{}, false
	}
	return r, true
}

// addressMatch reads one ACL rule address entry: "*", a service tag or a
// prefix (invalid-prefix when it is none of them; host bits are warned
// about).
func (l *loader) addressMatch(n *yaml.Node, p diag.Path, what string) (AddressMatch, bool) {
	s, ok := l.scalar(n, p, what, true)
	if !ok {
		return AddressMatch{}, false
	}
	m, err := ParseAddressMatch(strings.TrimSpace(s))
	if err != nil {
		l.errorf(true, diag.InvalidPrefix, p, n, `write "*", a service tag (VirtualNetwork, Internet, AzureLoadBalancer) or a prefix such as 10.2.0.0/16`,
			"%s: %s is not an address prefix", what, diag.Quote(s))
		return AddressMatch{}, false
	}
	if m.Prefix.IsValid() {
		m.Prefix, ok = l.prefix(n, p, what)
	}
	return m, ok
}

func (l *loader) onPremises(e named) *OnPremises {
	what := "on-premises site " + e.name
	o, ok := l.object(e.value, e.path, kindOnPremises, what)
	if !ok {
		return nil
	}
	op := &OnPremises{Name: e.name, AddressSpace: l.prefixes(o, "addressSpace", what), Hosts: map[string]netip.Addr{}}
	for _, h := range l.namedAt(o, "hosts", what) {
		l.record(h.path, h.value)
		if a, ok := l.addr(h.value, h.path, "host "+h.name); ok {
			op.Hosts[h.name] = a
		}
	}
	return op
}

// ref resolves the name at key of o in m, reporting unknown-reference for
// a name that is not there. targetKind names what m holds ("subnet of A").
func ref[V any](l *loader, o obj, key, what, targetKind string, m map[string]V) (V, bool) {
	var zero V
	n := o.get(key)
	if n == nil {
		return zero, false
	}
	p := o.path.Child(key)
	s, ok := l.scalar(n, p, what+" "+key, true)
	if !ok {
		return zero, false
	}
	return refNode(l, n, p, s, what, targetKind, m)
}

// refsAt resolves each name of the list at key of o in m, as ref does one,
// and returns those found in list order. item names one entry ("backend").
func refsAt[V any](l *loader, o obj, key, what, item, targetKind string, m map[string]V) []V {
	p := o.path.Child(key)
	var out []V
	for i, it := range l.list(o.get(key), p, what+" "+key, true) {
		if s, ok := l.scalar(it, p.Index(i), what+" "+item, true); ok {
			if v, ok := refNode(l, it, p.Index(i), s, what, targetKind, m); ok {
				out = append(out, v)
			}
		}
	}
	return out
}

// refNode resolves name, written at n, in m.
func refNode[V any](l *loader, n *yaml.Node, p diag.Path, name, what, targetKind string, m map[string]V) (V, bool) {
	v, ok := m[name]
	if !ok {
		kind, scope, _ := strings.Cut(targetKind, " of ")
		if scope != "" {
			scope = " in " + scope
		}
		l.errorf(true, diag.UnknownReference, p, n, fmt.Sprintf("define %s %s%s or fix the name%s", kind, diag.Quote(name), scope, candidates(m)),
			"%s: unknown %s %s", what, kind, diag.Quote(name))
	}
	return v, ok
}

// candidates lists the names a reference could have meant.
func candidates[V any](m map[string]V) string {
	keys := sortedKeys(m)
	switch {
	case len(keys) == 0:
		return ""
	case len(keys) > 8:
		keys = append(keys[:8], "…")
	}
	return " (known: " + strings.Join(keys, ", ") + ")"
}

func (l *loader) vnet(n *Network, e named, vnetNames map[string]bool) *VirtualNetwork {
	what := "virtual network " + e.name
	o, ok := l.object(e.value, e.path, kindVirtualNetwork, what)
	if !ok {
		return nil
	}
	v := &VirtualNetwork{
		Name:              e.name,
		NetworkController: l.str(o, "networkController", what),
		Region:            l.str(o, "region", what),
		AddressSpace:      l.prefixes(o, "addressSpace", what),
		Subnets:           map[string]*Subnet{},
		VirtualMachines:   map[string]*VirtualMachine{},
		LoadBalancers:     map[string]*LoadBalancer{},
		Peerings:          map[string]*Peering{},
	}
	if v.NetworkController == "" {
		v.NetworkController = n.NetworkController
	}
	for _, se := range l.namedAt(o, "subnets", what) {
		swhat := fmt.Sprintf("subnet %s/%s", e.name, se.name)
		so, ok := l.object(se.value, se.path, kindSubnet, swhat)
		if !ok {
			continue
		}
		s := &Subnet{Name: se.name, VirtualNetwork: v}
		s.AddressPrefix = l.prefixAt(so, "addressPrefix", swhat)
		s.AccessControlList, _ = ref(l, so, "accessControlList", swhat, "access control list", n.AccessControlLists)
		s.RouteTable, _ = ref(l, so, "routeTable", swhat, "route table", n.RouteTables)
		v.Subnets[s.Name] = s
	}
	if gn := o.get("gateway"); gn != nil {
		v.Gateway = l.gateway(n, gn, e.path.Child("gateway"), e.name)
	}
	for _, me := range l.namedAt(o, "virtualMachines", what) {
		mwhat := "virtual machine " + me.name
		mo, ok := l.object(me.value, me.path, kindVirtualMachine, mwhat)
		if !ok {
			continue
		}
		vm := &VirtualMachine{
			Name:         me.name,
			IPForwarding: l.boolean(mo, "ipForwarding", mwhat, false),
			Running:      l.boolean(mo, "running", mwhat, true),
		}
		vm.Subnet, _ = ref(l, mo, "subnet", mwhat, "subnet of "+e.name, v.Subnets)
		vm.IPAddress = l.addrAt(mo, "ipAddress", mwhat)
		vm.AccessControlList, _ = ref(l, mo, "accessControlList", mwhat, "access control list", n.AccessControlLists)
		if bw, ok := l.integer(mo, "bandwidthMbps", mwhat, 0, math.MaxInt32, false); ok {
			vm.BandwidthMbps = int(bw)
		}
		v.VirtualMachines[vm.Name] = vm
	}
	for _, be := range l.namedAt(o, "loadBalancers", what) {
		if lb := l.loadBalancer(v, be); lb != nil {
			v.LoadBalancers[lb.Name] = lb
		}
	}
	for _, pe := range l.namedAt(o, "peerings", what) {
		pwhat := "peering " + pe.name
		po, ok := l.object(pe.value, pe.path, kindPeering, pwhat)
		if !ok {
			continue
		}
		p := &Peering{Name: pe.name}
		for _, f := range PeeringFlags() {
			f.Set(p, l.boolean(po, f.Key(), pwhat, f.Default()))
		}
		p.Disconnected = enumValue(l, po, "peeringState", pwhat, Initiated, false, parseObservedState) == Disconnected
		if po.get("remoteAddressSpace") != nil {
			p.SyncedRemote = l.prefixes(po, "remoteAddressSpace", pwhat)
		}
		if rn := po.get("remoteVirtualNetwork"); rn != nil {
			rp := pe.path.Child("remoteVirtualNetwork")
			if s, ok := l.scalar(rn, rp, pwhat+" remoteVirtualNetwork", true); ok {
				if vnetNames[s] {
					p.RemoteVirtualNetwork = s
				} else {
					l.errorf(true, diag.UnknownReference, rp, rn, fmt.Sprintf("define virtual network %s or fix the name", diag.Quote(s)),
						"%s: remote virtual network %s is not in the file", pwhat, diag.Quote(s))
				}
			}
		}
		v.Peerings[p.Name] = p
	}
	return v
}

// parseObservedState parses a peering's peeringState, the state the
// platform reported for the object. Only Disconnected is stored: Initiated
// and Connected follow from which objects the file holds, so they are
// accepted (a pasted az or Get-AzVirtualNetworkPeering value loads) and
// peering-not-connected reports an object that is not Connected.
func parseObservedState(s string) (PeeringState, error) {
	st, err := ParsePeeringState(s)
	if err != nil || st == Absent {
		return 0, fmt.Errorf("%q is not a peering state (want Initiated, Connected or Disconnected)", s)
	}
	return st, nil
}

func (l *loader) gateway(n *Network, gn *yaml.Node, p diag.Path, vnet string) *Gateway {
	what := "gateway of " + vnet
	o, ok := l.object(gn, p, kindGateway, what)
	if !ok {
		return nil
	}
	g := &Gateway{
		Name: l.name(o, "name", what),
		Type: enumValue(l, o, "type", what, Vpn, true, ParseGatewayType),
		SKU:  l.str(o, "sku", what),
	}
	if g.Name == "" {
		g.Name = vnet + "-gw"
	}
	g.Connections = refsAt(l, o, "connections", what, "connection", "on-premises site", n.OnPremises)
	return g
}

func (l *loader) loadBalancer(v *VirtualNetwork, e named) *LoadBalancer {
	what := "load balancer " + e.name
	o, ok := l.object(e.value, e.path, kindLoadBalancer, what)
	if !ok {
		return nil
	}
	lb := &LoadBalancer{Name: e.name, SKU: enumValue(l, o, "sku", what, Standard, false, ParseLoadBalancerSKU)}
	lb.Subnet, _ = ref(l, o, "subnet", what, "subnet of "+v.Name, v.Subnets)
	lb.FrontendIPAddress = l.addrAt(o, "frontendIpAddress", what)
	lb.Backends = refsAt(l, o, "backends", what, "backend", "virtual machine of "+v.Name, v.VirtualMachines)
	rp := e.path.Child("rules")
	if rn := o.get("rules"); rn != nil {
		lb.Rules = []LoadBalancerRule{} // written, even if empty: balance nothing
	}
	for i, it := range l.list(o.get("rules"), rp, what+" rules", true) {
		rwhat := fmt.Sprintf("%s rule %d", what, i)
		ro, ok := l.object(it, rp.Index(i), kindLBRule, rwhat)
		if !ok {
			continue
		}
		r := LoadBalancerRule{Protocol: enumValue(l, ro, "protocol", rwhat, TCP, true, ParseProtocol)}
		if fp, ok := l.integer(ro, "frontendPort", rwhat, 0, math.MaxUint16, true); ok {
			r.FrontendPort = uint16(fp)
		}
		r.BackendPort = r.FrontendPort
		if bp, ok := l.integer(ro, "backendPort", rwhat, 0, math.MaxUint16, true); ok {
			r.BackendPort = uint16(bp)
		}
		lb.Rules = append(lb.Rules, r)
	}
	return lb
}
