package sim

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/vnetsim/vnetsim/topology"
)

// A 10,000-VNet estate has some 10,000 source groups, one per spoke, and
// walking every pair of groups (10^8 walks) takes minutes. Yet the spokes
// of a hub are alike: each row differs from its neighbour's only where the
// destination lies in one of the two spokes. shareRows finds source groups
// whose rows agree at every destination outside their own VNets, so that a
// summary walks one row per such class and, for each other member, only the
// destinations in its own VNet and in the leader's.
//
// Two source groups A and B (subnets sa in VNet VA, sb in VB) share a row
// when everything a walk from them reads, except about their own VNets,
// is equal:
//
//   - the packet leaves through the same subnet ACL, from the same region;
//   - the Active effective routes agree once each VNet's own VnetLocal
//     ranges are left out, and none of the rest points into VA or VB (a
//     user VnetLocal route or an appliance address there);
//   - each VNet's peering neighbourhood is the same: the same remote VNets,
//     with objects both ways carrying the same flags, states and synced
//     ranges (objects toward VA and VB fully synced), and the same transit
//     hub, so every crossing, every gateway and every VirtualNetwork tag
//     outside VA and VB answers alike;
//   - neither VNet can forward a packet (no gateway, load balancer or VM
//     with ipForwarding), so no walk to a third VNet passes through one;
//   - neither VNet's address space overlaps another VNet's;
//   - the subnets lie in their VNets' address space, have one address
//     class each, and are contained in the same boundary prefixes, bar
//     their own VNets' ranges when no ACL rule names those as sources (nor,
//     on azure, a user route, whose prefix VirtualNetwork tags hold):
//     every question a walk asks about the source address (ACL source
//     prefixes, VNet membership, tags) then has one answer for both.
//
// The conditions are sufficient, not necessary: a group that meets none
// is simply walked in full. TestReachSharedRowsAgreeWithWalks compares
// shared rows with walked ones on random estates.

// shareRows returns, per group, the source group whose row it shares:
// itself for a class's leader, another group for a member, and -1 for a
// group that is walked on its own. Only groups in srcs are considered; the
// leader of a class is its first group in srcs.
func (q *question) shareRows(srcs []int) []int {
	e := q.e
	leader := make([]int, len(q.members))
	for g := range leader {
		leader[g] = -1
	}
	var bounds prefixIndex[netip.Prefix]
	for _, p := range e.boundaries() {
		bounds.add(p, p)
	}
	// Prefixes a walk may ask a source address about: ACL source prefixes
	// and, on azure, user route prefixes, which VirtualNetwork tags hold.
	aclSources := map[netip.Prefix]bool{}
	for _, a := range e.net.AccessControlLists {
		for _, r := range a.Rules {
			for _, m := range r.SourceAddressPrefixes {
				if m.Prefix.IsValid() {
					aclSources[m.Prefix.Masked()] = true
				}
			}
		}
	}
	if e.rules.VirtualNetworkTagHasUserRoutes {
		for _, rt := range e.net.RouteTables {
			for _, r := range rt.Routes {
				aclSources[r.AddressPrefix.Masked()] = true
			}
		}
	}
	towards := map[*topology.VirtualNetwork][]*topology.VirtualNetwork{} // owners of objects toward a VNet
	for _, v := range e.sortedVNets() {
		for _, p := range e.peeringListOf(v) {
			if r := e.net.VirtualNetworks[p.RemoteVirtualNetwork]; r != nil {
				towards[r] = append(towards[r], v)
			}
		}
	}
	overlapping := e.overlappingVNets()
	vnetKeys := map[*topology.VirtualNetwork]string{}
	byKey := map[string]int{}
	for _, g := range srcs {
		s := q.members[g][0]
		v := s.VirtualNetwork
		if len(q.classesOf[s]) != 1 || !topology.SpaceHolds(v.AddressSpace, s.AddressPrefix) {
			continue
		}
		vk, ok := vnetKeys[v]
		if !ok {
			if !overlapping[v] {
				vk = e.shareVNetKey(v, towards[v])
			}
			vnetKeys[v] = vk
		}
		rk := shareRoutesKey(e.subnetRoutes(s), v)
		if vk == "" || rk == "" {
			continue
		}
		key := fmt.Sprintf("%p|%q|%d|%s|%s|%s", s.AccessControlList, v.Region, family(s.AddressPrefix.Addr()), vk, rk, shareAroundKey(s, v, &bounds, aclSources))
		if l, ok := byKey[key]; ok {
			leader[g] = l
		} else {
			byKey[key] = g
			leader[g] = g
		}
	}
	return leader
}

// overlappingVNets returns the VNets whose address space overlaps another
// VNet's: a destination there is also inside the source's own ranges, which
// the sharing conditions leave out, so such a VNet never shares a row.
func (e *Engine) overlappingVNets() map[*topology.VirtualNetwork]bool {
	type owned struct {
		p netip.Prefix
		v *topology.VirtualNetwork
	}
	var all []owned
	for _, v := range e.net.VirtualNetworks {
		for _, p := range v.AddressSpace {
			if p.IsValid() {
				all = append(all, owned{p.Masked(), v})
			}
		}
	}
	slices.SortFunc(all, func(a, b owned) int {
		return cmp.Or(a.p.Addr().Compare(b.p.Addr()), cmp.Compare(a.p.Bits(), b.p.Bits()))
	})
	out := map[*topology.VirtualNetwork]bool{}
	// Prefixes nest or are disjoint: in address order, each overlaps
	// exactly the prefixes on the stack of those containing it.
	var stack []owned
	for _, o := range all {
		for len(stack) > 0 && !stack[len(stack)-1].p.Overlaps(o.p) {
			stack = stack[:len(stack)-1]
		}
		for _, c := range stack {
			if c.v != o.v {
				out[c.v], out[o.v] = true, true
			}
		}
		stack = append(stack, o)
	}
	return out
}

// shareVNetKey describes what walks read about v's peering neighbourhood;
// "" when v cannot share rows: it can forward packets, or a peer has not
// synced its address space. towards lists the VNets owning objects toward v.
func (e *Engine) shareVNetKey(v *topology.VirtualNetwork, towards []*topology.VirtualNetwork) string {
	if v.Gateway != nil || len(v.LoadBalancers) > 0 {
		return ""
	}
	for _, vm := range v.VirtualMachines {
		if vm.IPForwarding {
			return ""
		}
	}
	var remotes []*topology.VirtualNetwork
	for _, pr := range e.peerRefsOf(v) {
		remotes = append(remotes, pr.remote)
	}
	remotes = append(remotes, towards...)
	slices.SortFunc(remotes, func(a, b *topology.VirtualNetwork) int { return cmp.Compare(a.Name, b.Name) })
	remotes = slices.Compact(remotes)
	var b strings.Builder
	if hub := e.transitHubOf(v); hub != nil {
		b.WriteString("transit " + hub.Name)
	}
	for _, x := range remotes {
		out, in := e.peeringOf(v, x), e.peeringOf(x, v)
		if in != nil && e.rules.PeeringSync && in.SyncedRemote != nil && !slices.Equal(in.SyncedRemote, v.AddressSpace) {
			return ""
		}
		b.WriteString(";" + x.Name + " ")
		writePeering(&b, out, true)
		b.WriteByte(' ')
		writePeering(&b, in, false)
	}
	return b.String()
}

// writePeering writes to b what walks read of one peering object: its
// flags and whether it is Disconnected, "-" for none; with synced, also
// the remote ranges it has synced.
func writePeering(b *strings.Builder, p *topology.Peering, synced bool) {
	if p == nil {
		b.WriteString("-")
		return
	}
	for _, f := range topology.PeeringFlags() {
		b.WriteString(strconv.FormatBool(f.Of(p)))
		b.WriteByte(',')
	}
	b.WriteString(strconv.FormatBool(p.Disconnected))
	if synced {
		fmt.Fprint(b, p.SyncedRemote)
	}
}

// shareRoutesKey describes the Active routes of t other than v's own
// VnetLocal ranges; "" when one of them leads into v itself.
func shareRoutesKey(t *RouteTable, v *topology.VirtualNetwork) string {
	var b strings.Builder
	for _, r := range t.Routes {
		if r.State != Active {
			continue
		}
		if r.NextHopType == topology.NextHopVnetLocal {
			if r.Source == SourceDefault && slices.ContainsFunc(v.AddressSpace, func(p netip.Prefix) bool { return p.Masked() == r.AddressPrefix }) {
				continue
			}
			return ""
		}
		if r.NextHopIPAddress.IsValid() && v.ContainsAddr(r.NextHopIPAddress) {
			return ""
		}
		fmt.Fprintf(&b, "%s %d %s %d %s;", r.AddressPrefix, r.NextHopType, r.NextHopIPAddress, r.Source, r.Remote)
	}
	if b.Len() == 0 {
		return "none"
	}
	return b.String()
}

// shareAroundKey lists the boundary prefixes containing s, leaving out v's
// own ranges unless an ACL rule names them as a source.
func shareAroundKey(s *topology.Subnet, v *topology.VirtualNetwork, bounds *prefixIndex[netip.Prefix], aclSources map[netip.Prefix]bool) string {
	sp := s.AddressPrefix.Masked()
	var around []string
	for _, p := range bounds.all(sp.Addr()) {
		if p.Bits() > sp.Bits() {
			continue
		}
		own := slices.ContainsFunc(v.AddressSpace, func(r netip.Prefix) bool { return r.Masked() == p })
		if own && !aclSources[p] {
			continue
		}
		around = append(around, p.String())
	}
	slices.Sort(around)
	return strings.Join(around, " ")
}
