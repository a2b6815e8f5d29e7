package sim

import (
	"net/netip"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// Lint returns the warnings that need the forwarding engine, in model
// order (route tables by name, routes in file order, then remote VNets by
// name):
//
//   - forwarded-traffic-blocked: a user route sends traffic to an appliance
//     across a peering, the appliance forwards it over another peering of its
//     VNet, and the VNet on the far side does not set allowForwardedTraffic on
//     its peering back, so it will refuse the packets (docs/semantics.md#forwarded-traffic).
func Lint(n *topology.Network) diag.Diagnostics {
	if n == nil {
		return nil
	}
	return New(n).Lint()
}

// Lint is the package-level Lint on the engine's network.
func (e *Engine) Lint() diag.Diagnostics {
	e.indexAll() // every VNet is read
	var ds diag.Diagnostics
	type key struct {
		route      string
		index      int
		applianceV string
		far        string
	}
	seen := map[key]bool{}
	// The far VNets that would refuse a route's traffic depend on the
	// route and the appliance's VNet, not on the subnet using the route:
	// they are found once per (route, appliance VNet), not once for each
	// of a hub's hundreds of spokes.
	type refusal struct {
		x    *topology.VirtualNetwork
		back *topology.Peering
	}
	type routeAt struct {
		table string
		index int
		hub   *topology.VirtualNetwork
	}
	refusals := map[routeAt][]refusal{}
	refusing := func(rt *topology.RouteTable, i int, r topology.Route, h holder) []refusal {
		k := routeAt{rt.Name, i, h.vnet}
		if found, ok := refusals[k]; ok {
			return found
		}
		var found []refusal
		hub := h.vnet
		if sub := e.holderSubnet(h); sub != nil {
			table := e.subnetRoutes(sub)
			for _, far := range e.peeringListOf(hub) {
				x := e.net.VirtualNetworks[far.RemoteVirtualNetwork]
				if x == nil || !e.connected(hub.Name, x.Name) {
					continue
				}
				back := e.peeringTo(x.Name, hub.Name)
				if back.AllowForwardedTraffic {
					continue
				}
				target, ok := overlapAddr(r.AddressPrefix, x.AddressSpace)
				if !ok {
					continue
				}
				// The appliance must hand the packet straight to x.
				fr, ok := table.Lookup(target)
				if !ok || fr.NextHopType != topology.NextHopVNetPeering || fr.Remote != x.Name {
					continue
				}
				found = append(found, refusal{x, back})
			}
		}
		refusals[k] = found
		return found
	}
	for _, v := range e.sortedVNets() {
		for _, s := range v.SortedSubnets() {
			rt := s.RouteTable
			if rt == nil {
				continue
			}
			for i, r := range rt.Routes {
				if r.NextHopType != topology.NextHopVirtualAppliance {
					continue
				}
				h, ok := e.applianceHolder(v, r.NextHopIPAddress)
				if !ok || h.vnet == v {
					continue // not found, unreachable, or local: other checks speak
				}
				hub := h.vnet
				for _, f := range refusing(rt, i, r, h) {
					x, back := f.x, f.back
					if x == v {
						continue
					}
					k := key{rt.Name, i, hub.Name, x.Name}
					if seen[k] {
						continue
					}
					seen[k] = true
					ds = append(ds, diag.Warningf(diag.ForwardedTrafficBlocked, diag.P("routeTables", rt.Name, "routes").Index(i),
						"route %s/%s sends traffic for %s through appliance %s in %s, but %s does not accept forwarded traffic from %s",
						rt.Name, r.Name, x.Name, h.name(), hub.Name, x.Name, hub.Name).
						WithDetail("set allowForwardedTraffic on peering %s of %s", back.Name, x.Name).
						WithRelated(objPath(x, back), "%s's peering to %s, without allowForwardedTraffic", x.Name, hub.Name))
				}
			}
		}
	}
	return ds
}

// applianceHolder finds the VM or frontend holding ip in v or a Connected
// peer of v, the way the packet walk does.
func (e *Engine) applianceHolder(v *topology.VirtualNetwork, ip netip.Addr) (holder, bool) {
	x := e.vx(v)
	if h, ok := x.holders[ip]; ok {
		return h, true
	}
	for _, pr := range e.peerRefsOf(v) {
		if !e.connectedV(v, pr.remote) {
			continue
		}
		if h, ok := e.holdersOf(pr.remote)[ip]; ok {
			return h, true
		}
	}
	return holder{}, false
}

// holderSubnet returns the subnet the holder's traffic is routed from: the
// VM's, or the first backend's for a load balancer.
func (e *Engine) holderSubnet(h holder) *topology.Subnet {
	if h.vm != nil {
		return h.vm.Subnet
	}
	if h.lb != nil {
		for _, b := range h.lb.Backends {
			if b != nil && b.Subnet != nil {
				return b.Subnet
			}
		}
	}
	return nil
}

// overlapAddr returns an address both in p and in one of ranges.
func overlapAddr(p netip.Prefix, ranges []netip.Prefix) (netip.Addr, bool) {
	for _, r := range ranges {
		if !p.Overlaps(r) {
			continue
		}
		if p.Bits() >= r.Bits() {
			return p.Masked().Addr(), true
		}
		return r.Masked().Addr(), true
	}
	return netip.Addr{}, false
}
