package sim

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// maxHops bounds a walk; a packet that passes it is a loop (docs/semantics.md#walking-a-packet).
const maxHops = 32

// walk is the state of one packet's trip.
type walk struct {
	e *Engine
	f Flow
	t Trace

	visited  [maxHops + 2]visitKey // a fixed array keeps the walk off the heap
	nvisited int
	hops     int // hops visited, counted even when quiet
	// quiet skips recording hops, steps, facts and explanations: reach
	// needs only the result and reason, and strings are the walk's main cost.
	quiet bool

	// memo, when set (quiet reach walks), remembers and reuses the fates
	// of walk suffixes; log and checkpoints feed it.
	memo         *memo
	dst          target // where the destination lies, resolved once
	log          guardLog
	checkpoints  [4]checkpoint
	ncheckpoints int
	// viaGateway is the VNet whose VPN gateway last forwarded the packet,
	// nil once an appliance forwards it again: a crossing from there needs
	// no allowForwardedTraffic (docs/semantics.md#forwarded-traffic), for
	// traffic from on-premises (onPrem) only into a VNet that uses that
	// gateway through transit.
	viaGateway *topology.VirtualNetwork
	onPrem     bool
	// global is set when the packet came over a peering joining two
	// regions and no appliance or gateway has forwarded it since.
	global     bool
	fromRegion string
}

// visitKey is a (node, route table) pair; a packet that revisits one loops.
type visitKey struct{ node, table string }

// target is where a flow's destination lies when the destination names an
// object: a packet is delivered only there (a VM, a load balancer, an
// on-premises host or VNET/SUBNET). Overlapping address
// spaces can route the destination address to another VNet or site, which
// is never the endpoint asked for. The zero value, a literal address, is
// delivered wherever the routes take it.
type target struct {
	vnet   *topology.VirtualNetwork // the VNet of a VM, load balancer or subnet
	subnet *topology.Subnet         // a subnet destination (Flow.DstSubnet)
	held   holder                   // a VM or load balancer destination
	site   *topology.OnPremises     // the site of an on-premises host
}

// subnetTarget returns the target of a subnet destination.
func subnetTarget(s *topology.Subnet) target { return target{vnet: s.VirtualNetwork, subnet: s} }

// named reports whether the destination names an object rather than an
// address.
func (t target) named() bool { return t.vnet != nil || t.site != nil }

// target resolves where f's destination lies: the subnet Flow.DstSubnet
// names, else the VM, load balancer or host f.To names when it is reached
// at Dst.
func (e *Engine) target(f Flow) target {
	if s := e.subnetNamed(f.DstSubnet); s != nil {
		return subnetTarget(s)
	}
	if f.To == "" {
		return target{}
	}
	ep, err := e.Resolve(f.To)
	if err != nil || ep.Addr != f.Dst {
		return target{}
	}
	v := e.net.VirtualNetworks[ep.VirtualNetwork]
	switch {
	case ep.Kind == EndpointVM && v != nil:
		return target{vnet: v, held: holder{vm: v.VirtualMachines[ep.VM], vnet: v}}
	case ep.Kind == EndpointLoadBalancer && v != nil:
		return target{vnet: v, held: holder{lb: v.LoadBalancers[ep.Name], vnet: v}}
	case ep.Kind == EndpointHost:
		return target{site: e.net.OnPremises[ep.OnPremises]}
	}
	return target{}
}

// describe names the target for explanations: "b1 in B".
func (t target) describe(f Flow) string {
	switch {
	case t.subnet != nil:
		return "subnet " + f.DstSubnet
	case t.site != nil:
		return fmt.Sprintf("%s in on-premises site %s", f.To, t.site.Name)
	case t.vnet != nil:
		return fmt.Sprintf("%s in %s", t.held.name(), t.vnet.Name)
	}
	return f.Dst.String()
}

// Trace walks f hop by hop (docs/semantics.md#walking-a-packet) and returns its fate, the hops
// and steps that decided it, and facts about the path. It never panics;
// a flow whose source lies nowhere is dropped with an explanation.
func (e *Engine) Trace(f Flow) Trace {
	return e.trace(f, e.source(f), false, nil)
}

// trace walks f from src; quiet walks record only the result and reason,
// and with m they reuse the fates of suffixes other walks took.
func (e *Engine) trace(f Flow, src Endpoint, quiet bool, m *memo) Trace {
	return e.traceTo(f, src, e.target(f), quiet, m)
}

// traceTo is trace with the destination already resolved. Only walks to
// a subnet (reach's) may be remembered: the memo keys a walk's destination
// by its subnet alone.
func (e *Engine) traceTo(f Flow, src Endpoint, dst target, quiet bool, m *memo) Trace {
	w := &walk{e: e, f: f, t: Trace{Flow: f}, quiet: quiet, dst: dst}
	if quiet && (dst.subnet != nil || !dst.named()) {
		w.memo = m
	}
	w.start(src)
	w.finish()
	if w.memo != nil {
		w.memo.store(w)
	}
	return w.t
}

// subnetNamed returns the subnet "VNET/SUBNET" names, or nil.
func (e *Engine) subnetNamed(name string) *topology.Subnet {
	if name == "" {
		return nil
	}
	vn, sn, _ := strings.Cut(name, "/")
	if v := e.net.VirtualNetworks[vn]; v != nil {
		return v.Subnets[sn]
	}
	return nil
}

// guards returns the log to record source questions in, or nil when no
// suffix is being remembered.
func (w *walk) guards() *guardLog {
	if w.memo == nil || w.ncheckpoints == 0 {
		return nil
	}
	return &w.log
}

// recall ends the walk with a remembered fate of its suffix from here,
// or marks here as the start of a suffix worth remembering.
func (w *walk) recall(node string, table *RouteTable) bool {
	key := memoKey{node: node, table: table, dst: w.f.Dst, proto: w.f.Protocol, port: w.f.Port, dstSub: w.dst.subnet,
		viaGateway: w.viaGateway, onPrem: w.onPrem, global: w.global, fromRegion: w.fromRegion, hops: w.hops}
	if r, reason, ok := w.memo.lookup(key, w.f.Src, w.visited[:w.nvisited]); ok {
		w.t.Result, w.t.Reason = r, reason
		w.ncheckpoints = 0 // a remembered fate adds nothing new
		return true
	}
	if w.ncheckpoints < len(w.checkpoints) {
		w.checkpoints[w.ncheckpoints] = checkpoint{key: key, guards: len(w.log.guards), visited: w.nvisited}
		w.ncheckpoints++
	}
	return false
}

func (w *walk) start(src Endpoint) {
	e, f := w.e, w.f
	switch {
	case src.OnPremises != "":
		w.fromSite(e.net.OnPremises[src.OnPremises])
		return
	case !src.located():
		w.hop(HopEndpoint, nameOr(f.From, f.Src.String()), "", "")
		w.dropf(NoRoute, diag.Path{}, "source %s lies in no subnet or on-premises site (or in several overlapping VNets): send from a VM or VNET/SUBNET", f.Src)
		return
	}
	if err := CheckFamilies(f.Src, f.Dst); err != nil {
		// NewFlow refuses such a flow; one built by hand is never delivered.
		w.hop(HopEndpoint, nameOr(f.From, f.Src.String()), "", "")
		w.drop(NoRoute, diag.Path{}, err.Error())
		return
	}
	v := e.net.VirtualNetworks[src.VirtualNetwork]
	s := v.Subnets[src.Subnet]
	node, kind := src.Name, HopEndpoint
	var nic *topology.ACL
	if src.VM != "" {
		vm := v.VirtualMachines[src.VM]
		node, kind, nic = vm.Name, HopVM, vm.AccessControlList
		w.bandwidth(vm)
	}
	w.hop(kind, node, v.Name, s.Name)
	if !w.acl(v, topology.Outbound, nic, s.AccessControlList, f.Src, f.Dst, f.Port) {
		return
	}
	w.forward(v, e.subnetRoutes(s), node)
}

func nameOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// fromSite sends a packet from an on-premises site: it enters through the
// gateway that advertised the longest prefix containing the destination
// and follows that gateway VNet's routes (docs/semantics.md#gateways).
func (w *walk) fromSite(site *topology.OnPremises) {
	e, dst := w.e, w.f.Dst
	w.hop(HopSite, site.Name, "", "")
	idx := e.learnedBy(site.Name)
	var gws []*topology.VirtualNetwork
	var learned netip.Prefix
	if idx != nil {
		gws, learned = idx.longest(dst)
	}
	if len(gws) == 0 {
		if idx == nil {
			w.dropf(GatewayNotAvailable, diag.P("onPremises", site.Name),
				"no gateway connects on-premises site %s: add %s to a gateway's connections", site.Name, site.Name)
			return
		}
		fix := "no gateway advertises it to " + site.Name
		if vs := e.vnetsContaining(dst); len(vs) > 0 {
			fix = fmt.Sprintf("%s is not advertised to %s: give %s a gateway connected to %s, or let it use a hub's gateway (useRemoteGateways on its peering, allowGatewayTransit on the hub's)",
				vs[0].Name, site.Name, vs[0].Name, site.Name)
		}
		w.dropf(NoRoute, diag.P("onPremises", site.Name), "on-premises site %s has no route to %s: %s", site.Name, dst, fix)
		return
	}
	gwv := gws[0]
	if !w.quiet {
		w.stepf(StepGateway, diag.P("virtualNetworks", gwv.Name, "gateway"),
			"%s learned %s from gateway %s in %s", site.Name, learned, gwv.Gateway.Name, gwv.Name)
	}
	w.hop(HopGateway, gwv.Gateway.Name, gwv.Name, gatewaySubnet(gwv))
	w.viaGateway, w.onPrem = gwv, true
	w.forward(gwv, e.gatewayRoutes(gwv), gwv.Gateway.Name)
}

// gatewaySubnet returns "GatewaySubnet" when v has one, else "".
func gatewaySubnet(v *topology.VirtualNetwork) string {
	if v.Subnets["GatewaySubnet"] != nil {
		return "GatewaySubnet"
	}
	return ""
}

// forward routes the packet from node, using table, until it is delivered,
// exits or is dropped.
func (w *walk) forward(v *topology.VirtualNetwork, table *RouteTable, node string) {
	e, dst := w.e, w.f.Dst
	for first := true; ; first = false {
		// The first step depends on the source itself; later ones may
		// have been walked before.
		if !first && w.memo != nil && w.recall(node, table) {
			return
		}
		if w.visit(visitKey{node, table.Subnet}) || w.hops > maxHops {
			w.dropf(Loop, diag.Path{}, "the packet comes back to %s with the routes of %s, a forwarding loop: fix the user routes on the way so that one of them leads out", node, table.Subnet)
			return
		}
		r, ok := table.Lookup(dst)
		if !ok {
			w.unroutable(v, table, nil)
			return
		}
		if !w.quiet {
			w.step(StepRoute, r.Origin, "route "+r.String())
		}
		switch r.NextHopType {
		case topology.NextHopVnetLocal:
			w.deliverIn(v, v)
			return
		case topology.NextHopVNetPeering:
			x := e.net.VirtualNetworks[r.Remote]
			if x == nil || !w.cross(v, x, dst) {
				return
			}
			w.deliverIn(v, x)
			return
		case topology.NextHopVirtualAppliance:
			nv, nt, nn, ok := w.appliance(v, r)
			if !ok {
				return
			}
			v, table, node = nv, nt, nn
		case topology.NextHopVirtualNetworkGateway:
			nv, nt, nn, ok := w.gateway(v, r)
			if !ok {
				return
			}
			v, table, node = nv, nt, nn
		case topology.NextHopNone:
			if r.Source == SourceUser {
				w.dropf(NullRoute, r.Origin, "user route %s/%s sends %s to None: remove the route or give it a next hop", r.Origin[1], r.Name, r.AddressPrefix)
				return
			}
			w.unroutable(v, table, &r)
			return
		case topology.NextHopInternet:
			w.step(StepForward, r.Origin, "leaves through the Internet")
			w.t.Result = Exited
			if !w.quiet {
				w.t.Explanation = fmt.Sprintf("the packet leaves %s through the Internet route %s", table.Subnet, r.AddressPrefix)
			}
			return
		default:
			w.dropf(NoRoute, r.Origin, "route %s has an unknown next hop type", r.AddressPrefix)
			return
		}
	}
}

// unroutable drops a packet that matched no route, or a system None route,
// with the reason precedence of docs/semantics.md#drop-reason-precedence.
func (w *walk) unroutable(v *topology.VirtualNetwork, table *RouteTable, none *EffectiveRoute) {
	e, dst := w.e, w.f.Dst
	holders := e.vnetsContaining(dst)
	if d := w.dst.vnet; d != nil && slices.Contains(holders, d) {
		holders = []*topology.VirtualNetwork{d} // overlapping VNets: the one the destination names
	}
	for _, x := range holders {
		if x == v {
			continue
		}
		pvx, pxv := e.peeringTo(v.Name, x.Name), e.peeringTo(x.Name, v.Name)
		if e.rules.PeeringSync && e.connected(v.Name, x.Name) && !topology.SpaceContains(e.peeredRanges(pvx, x), dst) {
			w.dropf(AddressSpaceNotSynced, diag.P("virtualNetworks", v.Name, "peerings", pvx.Name),
				"%s has not synced %s's new address range holding %s: sync peering %s (syncPeering on %s)", v.Name, x.Name, dst, pvx.Name, v.Name)
			return
		}
		if pvx != nil || pxv != nil {
			w.drop(PeeringNotConnected, peeringPath(v, pvx, x, pxv), e.peeringFix(v, x))
			return
		}
		w.dropf(NotPeered, diag.P("virtualNetworks", v.Name),
			"%s and %s are not peered (peering is not transitive): create the peering from %s to %s and from %s to %s", v.Name, x.Name, v.Name, x.Name, x.Name, v.Name)
		return
	}
	if none != nil {
		w.dropf(NullRoute, none.Origin, "%s is in the private range %s, which azure drops (system route None) unless a VNet or peering covers it: peer with the VNet holding it or add a route", dst, none.AddressPrefix)
		return
	}
	w.dropf(NoRoute, diag.Path{}, "no route of %s matches %s: add a peering, a gateway or a user route that covers it", table.Subnet, dst)
}

// peeringPath returns the path of the object that exists between a and b.
func peeringPath(a *topology.VirtualNetwork, pab *topology.Peering, b *topology.VirtualNetwork, pba *topology.Peering) diag.Path {
	if pab != nil {
		return diag.P("virtualNetworks", a.Name, "peerings", pab.Name)
	}
	if pba != nil {
		return diag.P("virtualNetworks", b.Name, "peerings", pba.Name)
	}
	return diag.P("virtualNetworks", a.Name)
}

// peeringFix says why a and b are not Connected and what to change.
func (e *Engine) peeringFix(a, b *topology.VirtualNetwork) string {
	pab, pba := e.peeringTo(a.Name, b.Name), e.peeringTo(b.Name, a.Name)
	switch {
	case pab == nil && pba == nil:
		return fmt.Sprintf("%s and %s are not peered: create the peering from %s to %s and from %s to %s", a.Name, b.Name, a.Name, b.Name, b.Name, a.Name)
	case pab != nil && pab.Disconnected:
		return fmt.Sprintf("peering %s is Disconnected: update or re-create it, then make sure %s has a peering back to %s", pab.Name, b.Name, a.Name)
	case pba != nil && pba.Disconnected:
		return fmt.Sprintf("peering %s is Disconnected: update or re-create it, then make sure %s has a peering back to %s", pba.Name, a.Name, b.Name)
	case pba == nil:
		return fmt.Sprintf("peering %s is Initiated: create the peering from %s to %s", pab.Name, b.Name, a.Name)
	default:
		return fmt.Sprintf("peering %s is Initiated: create the peering from %s to %s", pba.Name, a.Name, b.Name)
	}
}

// cross checks a packet crossing from VNet y into VNet x toward addr, in
// the order of docs/semantics.md#walking-a-packet: both objects Connected, access allowed on
// both, (azure) addr in a synced range, and the forwarded-traffic rule on
// the receiving side's object P(x→y).
func (w *walk) cross(y, x *topology.VirtualNetwork, addr netip.Addr) bool {
	e, src := w.e, w.f.Src
	pyx, pxy := e.peeringOf(y, x), e.peeringOf(x, y)
	if pyx == nil || pxy == nil || pyx.Disconnected || pxy.Disconnected { // not Connected
		w.drop(PeeringNotConnected, peeringPath(y, pyx, x, pxy), e.peeringFix(y, x))
		return false
	}
	if owner, p := e.accessDisabled(y, x); p != nil {
		w.dropf(PeeringAccessDisabled, objPath(owner, p),
			"peering %s disables access between %s and %s: set allowVirtualNetworkAccess on %s", p.Name, y.Name, x.Name, p.Name)
		return false
	}
	if e.rules.PeeringSync && !topology.SpaceContains(e.peeredRanges(pyx, x), addr) {
		w.dropf(AddressSpaceNotSynced, objPath(y, pyx),
			"%s has not synced %s's address range holding %s: sync peering %s (syncPeering on %s)", y.Name, x.Name, addr, pyx.Name, y.Name)
		return false
	}
	if !pxy.AllowForwardedTraffic && !w.exemptFromGateway(x) && !w.srcIn(y) {
		w.dropf(ForwardedTrafficBlocked, objPath(x, pxy),
			"%s does not accept forwarded traffic from %s (source %s is outside %s): set allowForwardedTraffic on peering %s", x.Name, y.Name, src, y.Name, pxy.Name)
		return false
	}
	if !w.quiet {
		w.stepf(StepPeering, objPath(y, pyx), "crosses peering %s into %s", pyx.Name, x.Name)
	}
	w.global = y.Region != x.Region
	if w.global {
		w.fromRegion = y.Region
		if !w.quiet {
			w.factf("peering %s is global (%s to %s): it adds inter-region latency", pyx.Name, regionName(y.Region), regionName(x.Region))
		}
	} else {
		if !w.quiet {
			w.factf("peering %s is intra-region: it adds no latency", pyx.Name)
		}
	}
	return true
}

// routeName names a user route "TABLE/ROUTE".
func routeName(r EffectiveRoute) string {
	if len(r.Origin) > 1 {
		return r.Origin[1] + "/" + r.Name
	}
	return r.Name
}

// vmPath returns the path of a VM of v.
func vmPath(v *topology.VirtualNetwork, vm *topology.VirtualMachine) diag.Path {
	return diag.P("virtualNetworks", v.Name, "virtualMachines", vm.Name)
}

// lbPath returns the path of a load balancer.
func lbPath(lb *topology.LoadBalancer) diag.Path {
	return diag.P("virtualNetworks", lb.Subnet.VirtualNetwork.Name, "loadBalancers", lb.Name)
}

// gwPath returns the path of v's gateway.
func gwPath(v *topology.VirtualNetwork) diag.Path {
	return diag.P("virtualNetworks", v.Name, "gateway")
}

// exemptFromGateway reports whether a crossing into x needs no
// allowForwardedTraffic because a VPN gateway last forwarded the packet
// (docs/semantics.md#forwarded-traffic): spoke-to-spoke traffic through a
// hub's gateway always; traffic from on-premises only into a VNet that
// uses that gateway through transit, which is what the two transit flags
// allow.
func (w *walk) exemptFromGateway(x *topology.VirtualNetwork) bool {
	return w.viaGateway != nil && (!w.onPrem || w.e.transitHubOf(x) == w.viaGateway)
}

// srcIn reports whether the source lies in y's address space, noting the
// question for the memo.
func (w *walk) srcIn(y *topology.VirtualNetwork) bool {
	in := y.ContainsAddr(w.f.Src)
	w.guards().noteVNet(y, in)
	return in
}

// objPath returns the path of peering object p owned by v.
func objPath(v *topology.VirtualNetwork, p *topology.Peering) diag.Path {
	return diag.P("virtualNetworks", v.Name, "peerings", p.Name)
}

func regionName(r string) string {
	if r == "" {
		return "default region"
	}
	return r
}

// appliance sends the packet to a VirtualAppliance next hop (docs/semantics.md#appliances)
// and returns where routing continues: the appliance's VNet, its
// subnet's routes and its name.
func (w *walk) appliance(v *topology.VirtualNetwork, r EffectiveRoute) (*topology.VirtualNetwork, *RouteTable, string, bool) {
	e, ip := w.e, r.NextHopIPAddress
	h, ok := e.applianceHolder(v, ip)
	if !ok {
		if vs := e.holdingVNets(ip); len(vs) > 0 {
			w.dropf(NextHopUnreachable, r.Origin, "appliance %s is in %s, which is neither %s nor a Connected peer of it: peer %s with %s or change route %s", ip, vs[0], v.Name, v.Name, vs[0], routeName(r))
		} else {
			w.dropf(NextHopNotFound, r.Origin, "no VM or load balancer frontend holds %s: deploy the appliance or fix route %s", ip, routeName(r))
		}
		return nil, nil, "", false
	}
	hv := h.vnet
	if hv != v && !w.cross(v, hv, ip) {
		return nil, nil, "", false
	}
	vm := h.vm
	if h.lb != nil {
		w.hop(HopLoadBalancer, h.lb.Name, hv.Name, h.lb.Subnet.Name)
		if !w.lbReachable(hv, h.lb) {
			return nil, nil, "", false
		}
		b, ok := w.backend(h.lb, w.f.Port)
		if !ok {
			return nil, nil, "", false
		}
		vm = b
	}
	w.hop(HopVM, vm.Name, hv.Name, vm.Subnet.Name)
	w.bandwidth(vm)
	if !vm.Running {
		w.dropf(NextHopDown, vmPath(hv, vm),
			"appliance %s (%s) is not running: start it or change route %s", vm.Name, vm.IPAddress, routeName(r))
		return nil, nil, "", false
	}
	if !vm.IPForwarding {
		w.dropf(IPForwardingDisabled, vmPath(hv, vm),
			"appliance %s does not forward packets: set ipForwarding on %s", vm.Name, vm.Name)
		return nil, nil, "", false
	}
	if !w.acl(hv, topology.Inbound, vm.AccessControlList, vm.Subnet.AccessControlList, w.f.Src, w.f.Dst, w.f.Port) {
		return nil, nil, "", false
	}
	if !w.quiet {
		w.stepf(StepForward, vmPath(hv, vm),
			"%s forwards the packet, source %s unchanged", vm.Name, w.f.Src)
	}
	if !w.acl(hv, topology.Outbound, vm.AccessControlList, vm.Subnet.AccessControlList, w.f.Src, w.f.Dst, w.f.Port) {
		return nil, nil, "", false
	}
	w.forwardedBy(nil)
	return hv, e.subnetRoutes(vm.Subnet), vm.Name, true
}

// backend picks the load balancer backend for a packet to port: the first
// running backend in file order, when a rule balances the protocol and
// port. It drops the packet otherwise.
func (w *walk) backend(lb *topology.LoadBalancer, port uint16) (*topology.VirtualMachine, bool) {
	if _, ok := lbRule(lb, w.f.Protocol, port); !ok {
		what := w.f.Protocol.String()
		if w.f.Protocol.HasPorts() {
			what = fmt.Sprintf("%s port %d", w.f.Protocol, port)
		}
		w.dropf(LoadBalancerNoBackend, lbPath(lb).Child("rules"), "load balancer %s has no rule for %s: add one", lb.Name, what)
		return nil, false
	}
	for _, b := range lb.Backends {
		if b != nil && b.Running && b.Subnet != nil {
			if !w.quiet {
				w.stepf(StepForward, lbPath(lb), "%s balances to backend %s (%s)", lb.Name, b.Name, b.IPAddress)
			}
			return b, true
		}
	}
	w.dropf(LoadBalancerNoBackend, lbPath(lb).Child("backends"), "load balancer %s has no running backend: start one of its backends or add one", lb.Name)
	return nil, false
}

// lbRule returns the rule of lb that balances proto and port; a load
// balancer without rules balances everything, keeping the port.
func lbRule(lb *topology.LoadBalancer, proto topology.Protocol, port uint16) (topology.LoadBalancerRule, bool) {
	if lb.Rules == nil {
		return topology.LoadBalancerRule{Protocol: topology.ProtocolAll, FrontendPort: port, BackendPort: port}, true
	}
	for _, r := range lb.Rules {
		if (r.Protocol == topology.ProtocolAll || r.Protocol == proto) && (!proto.HasPorts() || r.FrontendPort == port) {
			return r, true
		}
	}
	return topology.LoadBalancerRule{}, false
}

// gateway sends the packet to a VirtualNetworkGateway next hop (docs/semantics.md#gateways):
// the VNet's own gateway or its hub's through transit. Destinations
// in the gateway's on-premises prefixes are delivered there; a VPN gateway
// re-routes other destinations with its own VNet's routes.
func (w *walk) gateway(v *topology.VirtualNetwork, r EffectiveRoute) (*topology.VirtualNetwork, *RouteTable, string, bool) {
	e, dst := w.e, w.f.Dst
	gwv := v
	if v.Gateway == nil {
		gwv = e.transitHubOf(v)
	}
	if gwv == nil {
		w.dropf(GatewayNotAvailable, r.Origin, "%s has no gateway and uses none through transit: add a gateway to %s, or set useRemoteGateways on its peering to a hub whose peering back allows gateway transit", v.Name, v.Name)
		return nil, nil, "", false
	}
	gw := gwv.Gateway
	if gwv != v {
		// The transit hub is Connected; access may still be disabled.
		if owner, p := e.accessDisabled(v, gwv); p != nil {
			w.dropf(PeeringAccessDisabled, objPath(owner, p),
				"peering %s disables access to the hub gateway: set allowVirtualNetworkAccess on %s", p.Name, p.Name)
			return nil, nil, "", false
		}
		if !w.quiet {
			w.stepf(StepGateway, gwPath(gwv), "uses gateway %s of %s through gateway transit", gw.Name, gwv.Name)
		}
	}
	w.hop(HopGateway, gw.Name, gwv.Name, gatewaySubnet(gwv))
	if site := w.siteVia(gw); site != nil {
		if w.dst.named() && w.dst.site != site {
			w.missed(v, nil, site)
			return nil, nil, "", false
		}
		if !w.quiet {
			w.stepf(StepGateway, gwPath(gwv), "%s gateway %s sends the packet to on-premises site %s", gw.Type, gw.Name, site.Name)
		}
		w.hop(HopSite, site.Name, "", "")
		if w.quiet {
			w.t.Result = Delivered
		} else {
			w.deliverf(diag.P("onPremises", site.Name), "delivered to %s in on-premises site %s", dst, site.Name)
		}
		return nil, nil, "", false
	}
	if gw.Type != topology.Vpn {
		w.dropf(NoRoute, gwPath(gwv), "%s gateway %s has no on-premises route to %s and does not route between virtual networks: change the route that sends %s to it", gw.Type, gw.Name, dst, dst)
		return nil, nil, "", false
	}
	if !w.quiet {
		w.stepf(StepGateway, gwPath(gwv), "VPN gateway %s re-routes %s with the routes of %s", gw.Name, dst, gwv.Name)
	}
	w.forwardedBy(gwv)
	return gwv, e.gatewayRoutes(gwv), gw.Name, true
}

// siteVia returns the on-premises site gw connects to whose address space
// holds the destination, the destination's own site first; or nil.
func (w *walk) siteVia(gw *topology.Gateway) *topology.OnPremises {
	var found *topology.OnPremises
	for _, site := range gw.Connections {
		if site != nil && topology.SpaceContains(site.AddressSpace, w.f.Dst) {
			if site == w.dst.site {
				return site
			}
			if found == nil {
				found = site
			}
		}
	}
	return found
}

// deliverIn delivers the packet inside VNet x (docs/semantics.md#delivery),
// where the routes of VNet from sent it: into the destination subnet, to a running
// VM or to a load balancer backend, after the destination's inbound ACLs.
// A named destination outside x is missed: its address is inside x's
// ranges too.
func (w *walk) deliverIn(from, x *topology.VirtualNetwork) {
	e, f, t := w.e, w.f, w.dst
	if t.named() && t.vnet != x {
		w.missed(from, x, nil)
		return
	}
	s := e.subnetOf(x, f.Dst)
	if t.subnet != nil && t.subnet.AddressPrefix.Contains(f.Dst) {
		s = t.subnet
		w.hop(HopEndpoint, f.DstSubnet, x.Name, s.Name)
		if w.acl(x, topology.Inbound, nil, s.AccessControlList, f.Src, f.Dst, f.Port) {
			if w.quiet {
				w.t.Result = Delivered
			} else {
				w.deliverf(diag.P("virtualNetworks", x.Name, "subnets", s.Name), "delivered into subnet %s", f.DstSubnet)
			}
		}
		return
	}
	// A named VM or load balancer is the holder even when a duplicate
	// address (an error) gives another one the same address.
	h, ok := t.held, t.held.name() != ""
	if !ok {
		h, ok = e.holdersOf(x)[f.Dst]
	}
	if !ok {
		// The packet reached x: its last hop is the address, named as a
		// literal address no VM holds is, in the VNet that holds it.
		where, sub := x.Name, ""
		if s != nil {
			where, sub = x.Name+"/"+s.Name, s.Name
		}
		w.hop(HopEndpoint, f.Dst.String(), x.Name, sub)
		w.dropf(DestinationNotFound, diag.P("virtualNetworks", x.Name),
			"no VM or load balancer frontend in %s holds %s: check the destination address", where, f.Dst)
		return
	}
	if h.lb != nil {
		w.deliverLB(x, h.lb)
		return
	}
	w.deliverVM(x, h.vm, f.Dst, f.Port)
}

// missed drops a packet whose named destination lies elsewhere than where
// the routes of VNet from take it: into VNet x, or to on-premises site
// site. The destination's address is inside x's or site's ranges too
// (overlapping address spaces), so the packet never reaches the endpoint
// asked for. The reason follows the precedence of unroutable for the pair
// of from and the destination's VNet: address-space-not-synced, peering-not-connected or
// not-peered; no-route when they are Connected (their overlap is then an
// error the platform refuses) or the destination is on premises.
func (w *walk) missed(from, x *topology.VirtualNetwork, site *topology.OnPremises) {
	e, dst, d := w.e, w.f.Dst, w.dst.vnet
	if w.quiet {
		w.drop(e.missedReason(from, d, dst), nil, "")
		return
	}
	var how string
	what := w.dst.describe(w.f)
	switch {
	case site != nil:
		how = fmt.Sprintf("the routes of %s send %s to on-premises site %s, so the packet never reaches %s", from.Name, dst, site.Name, what)
	case x == from:
		how = fmt.Sprintf("%s is inside %s's own range %s, so the packet stays in %s and never reaches %s", dst, x.Name, rangeOf(x.AddressSpace, dst), x.Name, what)
	default:
		how = fmt.Sprintf("%s is inside %s's range %s, so %s sends the packet to %s and it never reaches %s", dst, x.Name, rangeOf(x.AddressSpace, dst), from.Name, x.Name, what)
	}
	r := e.missedReason(from, d, dst)
	switch r {
	case AddressSpaceNotSynced:
		p := e.peeringOf(from, d)
		w.dropf(r, objPath(from, p), "%s: %s has not synced %s's address range holding %s: sync peering %s (syncPeering on %s)", how, from.Name, d.Name, dst, p.Name, from.Name)
	case PeeringNotConnected:
		w.dropf(r, peeringPath(from, e.peeringOf(from, d), d, e.peeringOf(d, from)), "%s: %s%s", how, e.peeringFix(from, d), overlapNote(from, d))
	case NotPeered:
		w.dropf(r, diag.P("virtualNetworks", from.Name), "%s: %s and %s are not peered: create the peering from %s to %s and from %s to %s%s",
			how, from.Name, d.Name, from.Name, d.Name, d.Name, from.Name, overlapNote(from, d))
	default:
		w.dropf(r, diag.Path{}, "%s: no route of %s leads there; give the two places address ranges that do not overlap", how, from.Name)
	}
}

// missedReason is the reason a packet from VNet from misses destination
// VNet d (see missed); d is nil for an on-premises destination.
func (e *Engine) missedReason(from, d *topology.VirtualNetwork, dst netip.Addr) Reason {
	if d == nil || d == from {
		return NoRoute
	}
	pfd, pdf := e.peeringOf(from, d), e.peeringOf(d, from)
	switch {
	case pfd == nil && pdf == nil:
		return NotPeered
	case pfd == nil || pdf == nil || pfd.Disconnected || pdf.Disconnected:
		return PeeringNotConnected
	case e.rules.PeeringSync && !topology.SpaceContains(e.peeredRanges(pfd, d), dst):
		return AddressSpaceNotSynced
	}
	return NoRoute
}

// overlapNote warns that the platform refuses to peer a and b while their
// address spaces overlap; "" when they do not.
func overlapNote(a, b *topology.VirtualNetwork) string {
	if i, j, ok := topology.SpacesOverlap(a.AddressSpace, b.AddressSpace); ok {
		return fmt.Sprintf(", after giving them address spaces that do not overlap (%s and %s do)", a.AddressSpace[i], b.AddressSpace[j])
	}
	return ""
}

// rangeOf returns the prefix of ps that contains a, the longest first.
func rangeOf(ps []netip.Prefix, a netip.Addr) netip.Prefix {
	var best netip.Prefix
	for _, p := range ps {
		if p.Contains(a) && (!best.IsValid() || p.Bits() > best.Bits()) {
			best = p
		}
	}
	return best
}

func (w *walk) deliverVM(x *topology.VirtualNetwork, vm *topology.VirtualMachine, dst netip.Addr, port uint16) {
	w.hop(HopVM, vm.Name, x.Name, vm.Subnet.Name)
	w.bandwidth(vm)
	if !vm.Running {
		w.dropf(DestinationNotFound, vmPath(x, vm), "VM %s is not running: start it", vm.Name)
		return
	}
	if !w.acl(x, topology.Inbound, vm.AccessControlList, vm.Subnet.AccessControlList, w.f.Src, dst, port) {
		return
	}
	if w.quiet {
		w.t.Result = Delivered
	} else {
		w.deliverf(vmPath(x, vm), "delivered to %s (%s) in %s/%s", vm.Name, vm.IPAddress, x.Name, vm.Subnet.Name)
	}
}

func (w *walk) deliverLB(x *topology.VirtualNetwork, lb *topology.LoadBalancer) {
	w.hop(HopLoadBalancer, lb.Name, x.Name, lb.Subnet.Name)
	if !w.lbReachable(x, lb) {
		return
	}
	rule, _ := lbRule(lb, w.f.Protocol, w.f.Port)
	b, ok := w.backend(lb, w.f.Port)
	if !ok {
		return
	}
	port := w.f.Port
	if w.f.Protocol.HasPorts() {
		port = rule.BackendPort
	}
	w.deliverVM(x, b, b.IPAddress, port)
}

// lbReachable reports whether the packet may reach the frontend of lb in
// x, and drops it when not: azure does not reach a Basic internal load
// balancer over global peering (docs/semantics.md#delivery), whether the packet is sent
// to the frontend or routed to it as a next hop.
func (w *walk) lbReachable(x *topology.VirtualNetwork, lb *topology.LoadBalancer) bool {
	if !w.e.rules.BasicILBNotOverGlobalPeering || lb.SKU != topology.Basic || !w.global {
		return true
	}
	w.dropf(LoadBalancerUnreachable, lbPath(lb),
		"Basic load balancer %s in %s is not reachable over global peering from %s: use the Standard SKU or a source in %s", lb.Name, regionName(x.Region), regionName(w.fromRegion), regionName(x.Region))
	return false
}

// forwardedBy records that an appliance or, with gwv, the VPN gateway of
// gwv forwards the packet on from its own VNet: crossing a peering from
// there needs allowForwardedTraffic unless the gateway forwards it
// (exemptFromGateway), and the packet no longer comes over the peering it
// arrived by.
func (w *walk) forwardedBy(gwv *topology.VirtualNetwork) {
	w.viaGateway = gwv
	w.global, w.fromRegion = false, ""
}

// acl applies the ACLs a packet meets leaving or entering a VM or subnet;
// replies skip them (docs/semantics.md#replies). It reports whether the packet passes.
func (w *walk) acl(v *topology.VirtualNetwork, dir topology.Direction, nic, subnet *topology.ACL, src, dst netip.Addr, port uint16) bool {
	if w.f.Reply {
		return true
	}
	ok, steps := w.e.filter(v, dir, nic, subnet, packet{src: src, dst: dst, proto: w.f.Protocol, port: port, guards: w.guards()}, w.quiet)
	for _, s := range steps {
		w.stepS(s)
	}
	if !ok && w.quiet {
		w.drop(ACLDenied, nil, "")
	} else if !ok {
		last := steps[len(steps)-1]
		what := w.f.Protocol.String()
		if w.f.Protocol.HasPorts() {
			what = fmt.Sprintf("%s port %d", w.f.Protocol, port)
		}
		w.dropf(ACLDenied, last.Source, "%s %s %s from %s to %s: allow it with a rule of higher priority (lower number) or change the rule", last.Detail, dirWord(dir), what, src, dst)
	}
	return ok
}

func (w *walk) hop(kind HopKind, node, vnet, subnet string) {
	w.hops++
	if w.quiet {
		return
	}
	w.t.Hops = append(w.t.Hops, Hop{Node: node, VirtualNetwork: vnet, Subnet: subnet, Kind: kind})
}

func (w *walk) step(kind StepKind, src diag.Path, detail string) {
	if w.quiet {
		return
	}
	w.stepS(Step{Kind: kind, Detail: detail, Source: src})
}

// stepf adds a step whose detail is formatted only when the walk records
// its steps.
func (w *walk) stepf(kind StepKind, src diag.Path, format string, args ...any) {
	if w.quiet {
		return
	}
	w.stepS(Step{Kind: kind, Detail: fmt.Sprintf(format, args...), Source: src})
}

func (w *walk) stepS(s Step) {
	if w.quiet {
		return
	}
	if len(w.t.Hops) == 0 {
		w.hop(HopEndpoint, nameOr(w.f.From, w.f.Src.String()), "", "")
	}
	h := &w.t.Hops[len(w.t.Hops)-1]
	h.Steps = append(h.Steps, s)
}

// drop ends the walk: the packet is dropped for r. The explanation names
// what to change; it is also the drop step's detail.
func (w *walk) drop(r Reason, src diag.Path, explanation string) {
	w.t.Result, w.t.Reason = Dropped, r
	if w.quiet {
		return
	}
	w.t.Explanation = explanation
	w.step(StepDrop, src, string(r)+": "+explanation)
}

// dropf is drop with the explanation formatted only when the walk records
// it.
func (w *walk) dropf(r Reason, src diag.Path, format string, args ...any) {
	if w.quiet {
		w.drop(r, src, "")
		return
	}
	w.drop(r, src, fmt.Sprintf(format, args...))
}

func (w *walk) deliverf(src diag.Path, format string, args ...any) {
	w.t.Result = Delivered
	if w.quiet {
		return
	}
	w.t.Explanation = fmt.Sprintf(format, args...)
	w.step(StepDeliver, src, w.t.Explanation)
}

func (w *walk) factf(format string, args ...any) {
	if w.quiet {
		return
	}
	w.t.Facts = append(w.t.Facts, fmt.Sprintf(format, args...))
}

// visit records a (node, route table) pair and reports whether the packet
// had been there before.
func (w *walk) visit(k visitKey) bool {
	if slices.Contains(w.visited[:w.nvisited], k) {
		return true
	}
	if w.nvisited < len(w.visited) {
		w.visited[w.nvisited] = k
		w.nvisited++
	}
	return false
}

// bandwidth lowers the path's bandwidth bound to vm's, when declared.
func (w *walk) bandwidth(vm *topology.VirtualMachine) {
	if vm.BandwidthMbps > 0 && (w.t.BandwidthMbps == 0 || vm.BandwidthMbps < w.t.BandwidthMbps) {
		w.t.BandwidthMbps = vm.BandwidthMbps
	}
}

func (w *walk) finish() {
	if w.t.Result == Undecided {
		w.drop(NoRoute, diag.Path{}, "the simulator could not decide this packet's fate")
	}
	if w.t.BandwidthMbps > 0 && !w.quiet {
		w.factf("the path is bounded by %d Mbps, the smallest bandwidth a VM on it declares", w.t.BandwidthMbps)
	}
}

// TraceReturn walks the reply of a delivered trace: from the destination
// back to the source, with ACLs skipped because they are stateful
// (docs/semantics.md#replies). The reply's Asymmetry says when its path does not mirror
// the request's, e.g. when it bypasses the appliance the request went
// through. A trace that was not delivered has no reply: the result is a
// dropped trace whose explanation says so.
func (e *Engine) TraceReturn(t Trace) Trace {
	f := t.Flow
	r := Flow{From: f.To, To: f.From, Src: f.Dst, Dst: f.Src, Protocol: f.Protocol, Reply: true}
	if f.Protocol.HasPorts() {
		r.Port = EphemeralPort
	}
	if ep, err := e.Resolve(f.From); err == nil && ep.Kind == EndpointSubnet {
		r.DstSubnet = ep.VirtualNetwork + "/" + ep.Subnet
	}
	if t.Result != Delivered {
		return Trace{Flow: r, Result: Dropped, Reason: t.Reason,
			Explanation: "the request was not delivered, so there is no reply"}
	}
	rt := e.Trace(r)
	rt.Asymmetry = asymmetry(t, rt)
	return rt
}

// asymmetry compares the nodes between the ends of a request and its
// reply. Load balancers are left out: the platform returns their replies
// itself, so they hold no state that a reply could bypass.
func asymmetry(req, rep Trace) string {
	middle := func(t Trace) []string {
		var out []string
		for i := 1; i < len(t.Hops)-1; i++ {
			if h := t.Hops[i]; h.Kind != HopLoadBalancer {
				out = append(out, h.Node)
			}
		}
		return out
	}
	a, b := middle(req), middle(rep)
	for _, n := range a {
		if !slices.Contains(b, n) {
			return fmt.Sprintf("the reply bypasses %s, which the request went through: a stateful appliance drops such replies; route the return traffic through %s too", n, n)
		}
	}
	for _, n := range b {
		if !slices.Contains(a, n) {
			return fmt.Sprintf("the reply goes through %s, which the request bypassed: a stateful appliance drops such replies; route both directions the same way", n)
		}
	}
	return ""
}
