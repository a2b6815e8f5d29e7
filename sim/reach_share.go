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
		key := fmt.Sprintf("%p|%q|%s|%s|%s", s.AccessControlList, v.Region, vk, rk, shareAroundKey(s, v, &bounds, aclSources))
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

// summariseVNets answers a VNet-level summary. A VNet pair is all when
// every pair of their subnets is all, none when every pair is none (or
// there is none), else some, so a pair's outcome is its group pairs'
// outcomes combined, whatever their multiplicity. A source VNet whose
// groups all share rows with leaders in one VNet L has the row of that
// set of leaders at every destination VNet but its own and L, which it
// walks itself; other source VNets walk every destination. One bit per
// (source VNet walked alone, destination VNet) marks the pairs that are
// not all, for the examples, which are then walked pair by pair.
func (q *question) summariseVNets(r *Reach, from, to []reachUnit, workers, maxEx int, prog *progress) {
	uniq := func(u reachUnit) []int {
		gs := slices.Clone(u.groups)
		slices.Sort(gs)
		return slices.Compact(gs)
	}
	fromGroups, toGroups := make([][]int, len(from)), make([][]int, len(to))
	var srcs []int
	for i, u := range from {
		fromGroups[i] = uniq(u)
		srcs = append(srcs, fromGroups[i]...)
	}
	slices.Sort(srcs)
	srcs = slices.Compact(srcs)
	toIndex := make(map[string]int, len(to))
	for j, u := range to {
		toGroups[j] = uniq(u)
		toIndex[u.name] = j
	}
	leader := q.shareRows(srcs)
	vnetOf := func(g int) *topology.VirtualNetwork { return q.members[g][0].VirtualNetwork }

	// The leader set of each source VNet that can share, keyed by the
	// leaders; nil for one walked alone.
	type leaderSet struct {
		groups []int
		vnet   *topology.VirtualNetwork // where the leaders lie
		own    int                      // vnet's destination unit, or -1
		row    map[int]Outcome          // per destination VNet the leaders' routes reach; every other is none
		counts ReachCounts              // the outcomes at every destination but vnet
	}
	// at is the leaders' outcome toward destination j: unknown at their
	// own VNet.
	at := func(ls *leaderSet, j int) Outcome {
		if j == ls.own {
			return OutcomeUnknown
		}
		if o, ok := ls.row[j]; ok {
			return o
		}
		return OutcomeNone
	}
	sets := map[string]*leaderSet{}
	var setList []*leaderSet
	setOf := make([]*leaderSet, len(from))
	for i := range from {
		var ls []int
		ok := len(fromGroups[i]) > 0
		for _, g := range fromGroups[i] {
			if l := leader[g]; l < 0 || vnetOf(l) != vnetOf(leader[fromGroups[i][0]]) {
				ok = false
				break
			}
			ls = append(ls, leader[g])
		}
		if !ok {
			continue
		}
		slices.Sort(ls)
		ls = slices.Compact(ls)
		key := fmt.Sprint(ls)
		if sets[key] == nil {
			own, in := toIndex[vnetOf(ls[0]).Name]
			if !in {
				own = -1
			}
			sets[key] = &leaderSet{groups: ls, vnet: vnetOf(ls[0]), own: own}
			setList = append(setList, sets[key])
		}
		setOf[i] = sets[key]
	}
	// combine walks the group pairs of a source and a destination group
	// list and combines their outcomes; a pair without classes is neutral.
	// cache, when set, keeps the source groups' rows: worth it for a
	// source that meets every destination, a waste (a row per group) for
	// one that meets a single VNet.
	combine := func(gss, gds []int, cache *pairCache) Outcome {
		o := OutcomeUnknown
		for _, gs := range gss {
			for _, gd := range gds {
				var ro Outcome
				switch {
				case q.droppedAtSource(gs, gd):
					ro = OutcomeNone
				case cache != nil:
					res := q.cachedPair(gs, gd, cache)
					if res.classes == 0 {
						continue
					}
					ro = res.outcome()
				default:
					res := q.groupPair(gs, gd)
					if res.classes == 0 {
						continue
					}
					ro = res.outcome()
				}
				switch {
				case o == OutcomeUnknown:
					o = ro
				case o != ro:
					o = OutcomeSome
				}
				if o == OutcomeSome {
					return o
				}
			}
		}
		if o == OutcomeUnknown {
			return OutcomeNone
		}
		return o
	}
	// unitsOf lists the destination units holding each group, and
	// allUnits has a bit for every destination unit.
	unitsOf := make([][]int, len(q.members))
	allUnits := make([]uint64, (len(to)+63)/64)
	for j, gds := range toGroups {
		for _, gd := range gds {
			unitsOf[gd] = append(unitsOf[gd], j)
		}
		allUnits[j/64] |= 1 << (j % 64)
	}
	fanOut(workers, len(setList), func(take func() (int, bool)) {
		cache := &pairCache{}
		for k, ok := take(); ok; k, ok = take() {
			ls := setList[k]
			// Destinations the leaders' routes carry no packet to are
			// none, counted without a walk or a look.
			ls.row = map[int]Outcome{}
			for _, gs := range ls.groups {
				for _, gd := range q.forwardedTo(gs) {
					for _, j := range unitsOf[gd] {
						if _, done := ls.row[j]; !done && j != ls.own {
							ls.row[j] = combine(ls.groups, toGroups[j], cache)
							ls.counts.add(ls.row[j], 1)
						}
					}
				}
			}
			rest := len(to) - len(ls.row)
			if ls.own >= 0 {
				rest--
			}
			ls.counts.add(OutcomeNone, rest)
		}
	})

	counts := make([]ReachCounts, len(from))
	notAll := make([][]uint64, len(from)) // for VNets walked alone
	// own holds, for a sharing VNet, the outcome toward its leaders' VNet.
	own := make([]Outcome, len(from))
	fanOut(workers, len(from), func(take func() (int, bool)) {
		cache := &pairCache{}
		for i, ok := take(); ok; i, ok = take() {
			if ls := setOf[i]; ls != nil {
				c := ls.counts
				if j, in := toIndex[from[i].name]; in && at(ls, j) != OutcomeUnknown {
					c.add(at(ls, j), -1) // never paired with itself
				}
				if j, in := toIndex[ls.vnet.Name]; in && to[j].name != from[i].name {
					own[i] = combine(fromGroups[i], toGroups[j], nil)
					c.add(own[i], 1)
				}
				counts[i] = c
				prog.add(1)
				continue
			}
			// A destination VNet none of whose groups the source's routes
			// carry a packet to is none: counted and marked in bulk.
			var cand []int
			for _, gs := range fromGroups[i] {
				for _, gd := range q.forwardedTo(gs) {
					cand = append(cand, unitsOf[gd]...)
				}
			}
			slices.Sort(cand)
			cand = slices.Compact(cand)
			marks := slices.Clone(allUnits)
			bulk := len(to)
			for _, j := range cand {
				marks[j/64] &^= 1 << (j % 64)
				bulk--
			}
			if j, in := toIndex[from[i].name]; in {
				if marks[j/64]&(1<<(j%64)) != 0 {
					bulk--
				}
				marks[j/64] &^= 1 << (j % 64)
			}
			if bulk > 0 {
				counts[i].add(OutcomeNone, bulk)
				notAll[i] = marks
			}
			for _, j := range cand {
				if to[j].name == from[i].name {
					continue
				}
				o := combine(fromGroups[i], toGroups[j], cache)
				counts[i].add(o, 1)
				if o != OutcomeAll {
					if notAll[i] == nil {
						notAll[i] = make([]uint64, (len(to)+63)/64)
					}
					notAll[i][j/64] |= 1 << (j % 64)
				}
			}
			prog.add(1)
		}
	})
	for _, c := range counts {
		r.Counts.All += c.All
		r.Counts.Some += c.Some
		r.Counts.None += c.None
	}

	// notAllAt reports whether the pair (from[i], to[j]) is not all.
	notAllAt := func(i, j int) bool {
		if to[j].name == from[i].name {
			return false
		}
		if ls := setOf[i]; ls != nil {
			if to[j].name == ls.vnet.Name {
				return own[i] != OutcomeAll
			}
			return at(ls, j) != OutcomeAll
		}
		return notAll[i] != nil && notAll[i][j/64]&(1<<(j%64)) != 0
	}
	// Examples are answered from the groups, as the counts are.
	exCache := &pairCache{}
	for i := 0; i < len(from) && len(r.Examples) < maxEx; i++ {
		if setOf[i] == nil && notAll[i] == nil {
			continue
		}
		for j := 0; j < len(to) && len(r.Examples) < maxEx; j++ {
			if !notAllAt(i, j) {
				continue
			}
			if p := q.pairWith(from[i], to[j], exCache); p.Result != OutcomeAll {
				r.Examples = append(r.Examples, p)
			}
		}
	}
}
