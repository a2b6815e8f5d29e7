package event

import (
	"cmp"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// newError validates the neighbourhood of the touched VNets before and
// after the event, and returns a refusal for the first error the event
// introduced. Validating only that neighbourhood keeps an event on a large
// estate cheap (a hub with 500 peers is not re-checked pair by pair for a
// change to one spoke); see neighbourhood for what it holds and why.
func (t *tx) newError() *Refusal {
	near := t.neighbourhood()
	before := map[string]bool{}
	for _, e := range modelErrors(restrictVNets(t.old, near, t.touched)) {
		before[e.key()] = true
	}
	after := modelErrors(restrictVNets(t.n, near, t.touched))
	for _, e := range after {
		if !before[e.key()] {
			return &Refusal{Code: e.d.Code, Message: e.d.Message()}
		}
	}
	return nil
}

// objectError is an error of one object: a diagnostic that stands for a
// set of objects (2,000 overlapping subnets) is an error of each object it
// reports (diag.Diagnostic.Paths), so that adding one more subnet to the
// set is a new error even though the set already had one.
type objectError struct {
	path diag.Path
	d    diag.Diagnostic
}

// key identifies an error for telling new ones from old. An appliance
// route's reachability is checked once per VNet using the route, and every
// such error sits on the route itself; the message, which names the VNet's
// subnets, tells them apart, so that attaching a route table to one more
// VNet that cannot reach the appliance is a new error even while another
// VNet already has one on the same route.
func (e objectError) key() string {
	k := string(e.d.Code) + "\x00" + e.path.Key()
	if e.d.Code == diag.RouteNextHopUnreachable {
		k += "\x00" + e.d.Summary
	}
	return k
}

// neighbourhood returns the VNets whose checks could gain an error from
// the event, with every VNet those checks read, in the old or the new
// network:
//
//   - the touched VNets (their own objects changed) and the related ones
//     (the far ends of changed peering objects);
//   - each VNet peered with a touched or related VNet c, or peered with
//     one of c's peers, whose address space overlaps c's
//     (peering-address-overlap and peered-overlaps-hub-peer), with the peer
//     in between;
//   - the VNets holding an address that a touched VNet's route tables use
//     as an appliance (route-next-hop-unreachable).
//
// Every other check reads only the VNet it reports on, which is then
// touched itself. VNets left out are left out before and after alike, so
// the errors their absence causes are not new; restrictVNets keeps those
// absences from costing time.
func (t *tx) neighbourhood() map[string]bool {
	base := maps.Clone(t.touched)
	for vn := range t.related {
		base[vn] = true
	}
	near := maps.Clone(base)
	for _, n := range []*topology.Network{t.old, t.n} {
		// A changed peering object makes its two VNets adjacent: each may
		// now overlap the other's peers, so both ends are expanded. Only a
		// VNet whose address space changed (or that was created) may
		// overlap the peers of every VNet it is peered with; any other is
		// newly adjacent only to VNets of the change, so a hub given one
		// more spoke is not expanded over its thousand others.
		for c := range base {
			cv := n.VirtualNetworks[c]
			if cv == nil {
				continue
			}
			ov, nv := t.old.VirtualNetworks[c], t.n.VirtualNetworks[c]
			var hs []string
			if ov == nil || nv == nil || !slices.Equal(ov.AddressSpace, nv.AddressSpace) {
				hs = slices.Collect(n.Peers(c))
			} else {
				for h := range base {
					if h != c && linked(n, c, h) {
						hs = append(hs, h)
					}
				}
			}
			if len(hs) == 0 {
				continue
			}
			// The VNets overlapping c come from the index of address
			// ranges, not from every peer of every h.
			var over []string
			for _, p := range cv.AddressSpace {
				for y := range n.Overlapping(p) {
					if y != c && !slices.Contains(over, y) {
						over = append(over, y)
					}
				}
			}
			for _, h := range hs {
				if overlapsVNet(n.VirtualNetworks[h], cv) {
					near[h] = true
				}
				for _, y := range over {
					if linked(n, h, y) {
						near[h], near[y] = true, true
					}
				}
			}
		}
		for vn := range applianceHolders(n, t.touched) {
			near[vn] = true
		}
	}
	return near
}

// linked reports whether a and b hold a peering object toward each other,
// in either direction, whatever its state.
func linked(n *topology.Network, a, b string) bool {
	return n.HoldsPeering(a, b) || n.HoldsPeering(b, a)
}

// overlapsVNet reports whether any range of a overlaps any range of b.
func overlapsVNet(a, b *topology.VirtualNetwork) bool {
	if a == nil || b == nil {
		return false
	}
	_, _, ok := topology.SpacesOverlap(a.AddressSpace, b.AddressSpace)
	return ok
}

// applianceHolders returns the VNets holding, as a VM or a load balancer
// frontend, an address that a subnet of one of vnets routes to as an
// appliance.
func applianceHolders(n *topology.Network, vnets map[string]bool) map[string]bool {
	ips := map[netip.Addr]bool{}
	for vn := range vnets {
		v := n.VirtualNetworks[vn]
		if v == nil {
			continue
		}
		for _, s := range v.Subnets {
			if s.RouteTable == nil {
				continue
			}
			for _, r := range s.RouteTable.Routes {
				if r.NextHopType == topology.NextHopVirtualAppliance && r.NextHopIPAddress.IsValid() {
					ips[r.NextHopIPAddress] = true
				}
			}
		}
	}
	out := map[string]bool{}
	for ip := range ips {
		for vn := range n.AddressHolders(ip) {
			out[vn] = true
		}
	}
	return out
}

// restrictVNets returns a view of n for validating the neighbourhood
// near: the VNets of near, each holding only its peering objects toward
// near, except that a touched VNet also keeps up to two objects per
// transit flag toward VNets out of it, which its own counting checks read (remote-gateway-multiple,
// remote-gateway-with-local-gateway, gateway-transit-unsupported-sku). The
// remotes of those objects join the view as stubs: their address space,
// gateway and objects toward the view, without subnets or VMs. Route
// tables, ACLs and on-premises sites are all kept. The view shares every
// object with n except the VNets it trims, which are shallow copies.
func restrictVNets(n *topology.Network, near, touched map[string]bool) *topology.Network {
	r := n.ShallowCopy()
	r.VirtualNetworks = make(map[string]*topology.VirtualNetwork, len(near))
	stubs := map[string]bool{}
	for name := range near {
		v := n.VirtualNetworks[name]
		if v == nil {
			continue
		}
		kept := objectsToward(n, name, near)
		if touched[name] {
			for _, p := range transitObjects(v, near) {
				kept = append(kept, p.Name)
				stubs[p.RemoteVirtualNetwork] = true
			}
		}
		r.VirtualNetworks[name] = withPeerings(v, kept)
	}
	for name := range stubs {
		x := n.VirtualNetworks[name]
		if x == nil || near[name] {
			continue
		}
		stub := *x
		stub.Subnets, stub.VirtualMachines, stub.LoadBalancers = nil, nil, nil
		r.VirtualNetworks[name] = withPeerings(&stub, objectsToward(n, name, near))
	}
	return r
}

// objectsToward returns the names of owner's peering objects toward the
// VNets of near, from n's index: a hub's thousand other objects cost
// nothing.
func objectsToward(n *topology.Network, owner string, near map[string]bool) []string {
	var names []string
	for remote := range near {
		names = append(names, n.PeeringsBetween(owner, remote)...)
	}
	return names
}

// transitObjects returns the peering objects of v toward VNets out of
// near that its counting checks read: the first two by name that set
// useRemoteGateways and the first two that set allowGatewayTransit.
func transitObjects(v *topology.VirtualNetwork, near map[string]bool) []*topology.Peering {
	var use, offer []*topology.Peering
	firstTwo := func(list []*topology.Peering, p *topology.Peering) []*topology.Peering {
		list = append(list, p)
		slices.SortFunc(list, func(a, b *topology.Peering) int { return strings.Compare(a.Name, b.Name) })
		return list[:min(len(list), 2)]
	}
	for _, p := range v.Peerings {
		if near[p.RemoteVirtualNetwork] {
			continue
		}
		if p.UseRemoteGateways {
			use = firstTwo(use, p)
		}
		if p.AllowGatewayTransit {
			offer = firstTwo(offer, p)
		}
	}
	out := use
	for _, p := range offer {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// withPeerings returns v, or a shallow copy of v holding only the peering
// objects named.
func withPeerings(v *topology.VirtualNetwork, names []string) *topology.VirtualNetwork {
	if len(names) == len(v.Peerings) {
		return v
	}
	c := *v
	c.Peerings = make(map[string]*topology.Peering, len(names))
	for _, name := range names {
		c.Peerings[name] = v.Peerings[name]
	}
	return &c
}

// modelErrors returns the model errors of n, one per object they report,
// sorted by path, then code, so that the first new one is chosen the same
// way every run.
func modelErrors(n *topology.Network) []objectError {
	var errs []objectError
	for _, d := range topology.Validate(n) {
		if d.Severity == diag.Error {
			for _, p := range d.Paths() {
				errs = append(errs, objectError{p, d})
			}
		}
	}
	slices.SortStableFunc(errs, func(a, b objectError) int {
		return cmp.Or(strings.Compare(a.path.Key(), b.path.Key()), strings.Compare(a.key(), b.key()))
	})
	return errs
}
