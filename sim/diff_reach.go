package sim

import (
	"cmp"
	"slices"
	"strings"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// Reachability in a diff is computed only where a change can matter.
//
// A packet's fate depends on the objects it meets on its way: the VNets it
// passes through and the peerings it crosses. A VNet the packet neither
// starts nor ends in can only be on its way if it forwards (it holds an
// appliance with ipForwarding, or a gateway). So:
//
//   - a change inside VNet X (its ranges, subnets, VMs, the routes and ACLs
//     its subnets use) can change only pairs with an end in X, unless X
//     forwards;
//   - a change to a peering object between X and Y can change only pairs
//     with an end in Y when Y does not forward (a path crossing X–Y either
//     ends in Y or passes through it), or with an end in X when X does not;
//   - allowForwardedTraffic on P(Y→X) decides only packets entering Y, so
//     when Y does not forward it can change only pairs that end in Y;
//   - anything else (a forwarding VNet, an on-premises site) can change any
//     pair.
//
// scope is the answer: the VNets whose pairs need recomputing, or all.

// scope is a set of VNets whose subnet pairs a change can affect: every
// pair with an end in vnets, every pair ending in dst, or all pairs.
type scope struct {
	all        bool
	vnets, dst map[string]bool
}

func (s *scope) add(v string) { s.vnets = addName(s.vnets, v) }

// addDst adds a VNet whose pairs are affected only as a destination.
func (s *scope) addDst(v string) { s.dst = addName(s.dst, v) }

func addName(m map[string]bool, v string) map[string]bool {
	if m == nil {
		m = map[string]bool{}
	}
	m[v] = true
	return m
}

// coveredBy reports whether every pair s affects is also affected by t.
func (s scope) coveredBy(t scope) bool {
	if t.all {
		return true
	}
	if s.all {
		return false
	}
	for v := range s.vnets {
		if !t.vnets[v] {
			return false
		}
	}
	for v := range s.dst {
		if !t.vnets[v] && !t.dst[v] {
			return false
		}
	}
	return true
}

// minus returns the part of s that t does not cover.
func (s scope) minus(t scope) scope {
	if s.all || t.all {
		return s
	}
	var out scope
	for v := range s.vnets {
		if !t.vnets[v] {
			out.add(v)
		}
	}
	for v := range s.dst {
		if !t.vnets[v] && !t.dst[v] {
			out.addDst(v)
		}
	}
	return out
}

// union adds t to s.
func (s *scope) union(t scope) {
	if t.all {
		*s = scope{all: true}
		return
	}
	for v := range t.vnets {
		s.add(v)
	}
	for v := range t.dst {
		s.addDst(v)
	}
}

// names returns the VNets of set that n holds, sorted.
func names(set map[string]bool, n *topology.Network) []string {
	var out []string
	for v := range set {
		if n.VirtualNetworks[v] != nil {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

// involves reports whether the pair (from, to), VNET/SUBNET names, is in
// the scope.
func (s scope) involves(key [2]string) bool {
	if s.all {
		return true
	}
	to := vnetOf(key[1])
	return s.vnets[vnetOf(key[0])] || s.vnets[to] || s.dst[to]
}

func vnetOf(unit string) string {
	v, _, _ := strings.Cut(unit, "/")
	return v
}

// changeScope returns the scope of a list of changes between two states.
// nets are every state the changes may pass through (the diff's before and
// after), consulted for who forwards and who uses a route table or ACL.
func changeScope(changes []Change, nets ...*topology.Network) scope {
	var s scope
	own := func(v string) {
		if forwards(v, nets) {
			s.all = true
			return
		}
		s.add(v)
	}
	for _, c := range changes {
		if s.all {
			break
		}
		p := c.Path
		if len(p) < 2 {
			continue // the file's name and defaults; VNets carry what matters
		}
		switch p[0] {
		case "virtualNetworks":
			if len(p) == 5 && p[2] == "peerings" && p[4] == "allowForwardedTraffic" && !forwards(p[1], nets) {
				s.addDst(p[1])
				continue
			}
			if len(p) >= 4 && p[2] == "peerings" {
				x, y := p[1], peeringRemote(p[1], p[3], nets)
				switch {
				case y != "" && !forwards(y, nets):
					s.add(y)
				case !forwards(x, nets):
					s.add(x)
				default:
					s.all = true
				}
				continue
			}
			own(p[1])
		case "routeTables":
			for _, v := range users(nets, func(sub *topology.Subnet) bool {
				return sub.RouteTable != nil && sub.RouteTable.Name == p[1]
			}, nil) {
				own(v)
			}
		case "accessControlLists":
			for _, v := range users(nets, func(sub *topology.Subnet) bool {
				return sub.AccessControlList != nil && sub.AccessControlList.Name == p[1]
			}, func(vm *topology.VirtualMachine) bool {
				return vm.AccessControlList != nil && vm.AccessControlList.Name == p[1]
			}) {
				own(v)
			}
		default:
			// On-premises sites feed gateway routes everywhere transit
			// reaches.
			s.all = true
		}
	}
	return s
}

// peeringRemote returns the remote VNet of owner's peering object name in
// the first state that has it.
func peeringRemote(owner, name string, nets []*topology.Network) string {
	for _, n := range nets {
		if v := n.VirtualNetworks[owner]; v != nil {
			if p := v.Peerings[name]; p != nil {
				return p.RemoteVirtualNetwork
			}
		}
	}
	return ""
}

// forwards reports whether VNet name can carry packets between two other
// VNets in any of the states: it holds a VM with ipForwarding or a gateway.
func forwards(name string, nets []*topology.Network) bool {
	for _, n := range nets {
		v := n.VirtualNetworks[name]
		if v == nil {
			continue
		}
		if v.Gateway != nil {
			return true
		}
		for _, vm := range v.VirtualMachines {
			if vm.IPForwarding {
				return true
			}
		}
	}
	return false
}

// users returns, sorted, the VNets with a subnet or VM that matches in any
// of the states.
func users(nets []*topology.Network, subnet func(*topology.Subnet) bool, vm func(*topology.VirtualMachine) bool) []string {
	var out []string
	for _, n := range nets {
		for name, v := range n.VirtualNetworks {
			if slices.Contains(out, name) {
				continue
			}
			hit := slices.ContainsFunc(v.SortedSubnets(), subnet)
			if !hit && vm != nil {
				hit = slices.ContainsFunc(v.SortedVirtualMachines(), vm)
			}
			if hit {
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return out
}

// reachTable is subnet-level reachability keyed by (from, to).
type reachTable map[[2]string]ReachPair

// reachIn computes n's subnet pairs that have an end in sc, without
// explanations (see explainLost).
func reachIn(e *Engine, sc scope, opts ReachOptions) reachTable {
	n := e.Network()
	var parts [][]ReachPair
	if sc.all {
		parts = append(parts, quietReach(e, nil, nil, opts))
	} else {
		if from := names(sc.vnets, n); len(from) > 0 {
			parts = append(parts, quietReach(e, from, nil, opts))
		}
		to := names(sc.vnets, n)
		for _, v := range names(sc.dst, n) {
			if !sc.vnets[v] {
				to = append(to, v)
			}
		}
		if len(to) > 0 {
			parts = append(parts, quietReach(e, nil, to, opts))
		}
	}
	size := 0
	for _, ps := range parts {
		size += len(ps)
	}
	t := make(reachTable, size)
	for _, ps := range parts {
		for _, p := range ps {
			t[[2]string{p.From, p.To}] = p
		}
	}
	return t
}

// quietReach is Engine.Reach at subnet level between the units named from
// and to (nil: every subnet), without the explanation walk Reach makes for
// every pair that is not all: a diff explains only the pairs it shows
// (explainLost), and on a large estate that walk costs more than the pairs.
func quietReach(e *Engine, from, to []string, opts ReachOptions) []ReachPair {
	opts.Level, opts.From, opts.To, opts.Summary = LevelSubnet, from, to, false
	opts.NoExplanations = true
	return e.Reach(opts).Pairs
}

// maxExplained caps the lost pairs a diff explains, per plan step and for
// the whole change: each explanation is a full packet walk. Pairs beyond
// the cap keep their reason.
const maxExplained = 100

// explainLost fills the explanations of the first maxExplained lost pairs
// from n's engine; the pairs' examples are n's.
func explainLost(e *Engine, lost []ReachChange, examples reachTable) {
	for i := range lost[:min(len(lost), maxExplained)] {
		l := &lost[i]
		if l.Explanation != "" {
			continue // carried from an earlier state of the same pair
		}
		p := examples[[2]string{l.From, l.To}]
		e.explain(&p)
		l.Explanation = p.Explanation
	}
}

// reachTracker follows subnet reachability through the states of a plan,
// recomputing only the pairs each step can change.
type reachTracker struct {
	opts          ReachOptions
	before, after *topology.Network
	rb            reachTable // the before network's pairs over covered
	covered       scope
	cur           reachTable    // the current state's pairs over covered
	lost          []ReachChange // the current state's lost pairs, sorted
}

func newReachTracker(before, after *topology.Network, opts ReachOptions) *reachTracker {
	return &reachTracker{opts: opts, before: before, after: after, rb: reachTable{}, cur: reachTable{}}
}

// cover makes sure the before network's pairs of sc are known.
func (t *reachTracker) cover(sc scope) {
	if sc.coveredBy(t.covered) {
		return
	}
	for k, p := range reachIn(New(t.before), sc.minus(t.covered), t.opts) {
		if _, known := t.rb[k]; !known {
			t.rb[k] = p
			t.cur[k] = p
		}
	}
	t.covered.union(sc)
}

// advance moves the current state from prev to next and returns the pairs
// lost in next compared with the before network, sorted. Only the pairs in
// the step's scope are recomputed, and the lost list is kept sorted from
// step to step, so a step costs what it touches.
func (t *reachTracker) advance(prev, next *topology.Network) []ReachChange {
	sc := changeScope(append(Changes(prev, next), peeringStateChanges(prev, next)...), t.before, t.after)
	t.cover(sc)
	if gone := goneUnits(prev, next, sc); len(gone) > 0 {
		for k := range t.cur {
			if gone[k[0]] || gone[k[1]] {
				delete(t.cur, k)
			}
		}
	}
	e := New(next)
	fresh := reachIn(e, sc, t.opts)
	var found []ReachChange
	for k, p := range fresh {
		t.cur[k] = p
		if b, known := t.rb[k]; known && rank(p.Result) < rank(b.Result) {
			found = append(found, ReachChange{From: p.From, To: p.To, Result: p.Result, Before: b.Result, Reason: p.Reason})
		}
	}
	slices.SortFunc(found, byPair)
	// A fresh list every step: each step keeps its own (Diff marks lasting
	// pairs on it afterwards).
	t.lost = mergeSorted(t.lost, found, func(c ReachChange) bool { return !sc.involves([2]string{c.From, c.To}) })
	explainLost(e, t.lost, t.cur)
	return t.lost
}

// peeringStateChanges returns the peering objects whose stored state
// differs between two states of a plan: Disconnected, or the ranges an azure
// object has synced. Changes does not compare them (a file never sets
// them), yet they decide what crosses the peering.
func peeringStateChanges(prev, next *topology.Network) []Change {
	var out []Change
	for _, v := range next.SortedVirtualNetworks() {
		pv := prev.VirtualNetworks[v.Name]
		if pv == nil {
			continue
		}
		for _, p := range v.SortedPeerings() {
			if pp := pv.Peerings[p.Name]; pp != nil && (pp.Disconnected != p.Disconnected || !slices.Equal(pp.SyncedRemote, p.SyncedRemote)) {
				out = append(out, Change{Kind: Changed, Path: diag.P("virtualNetworks", v.Name, "peerings", p.Name)})
			}
		}
	}
	return out
}

// goneUnits returns the subnets of sc's VNets that prev has and next does
// not; nil when none went.
func goneUnits(prev, next *topology.Network, sc scope) map[string]bool {
	var gone map[string]bool
	for _, v := range prev.SortedVirtualNetworks() {
		if !sc.all && !sc.vnets[v.Name] && !sc.dst[v.Name] {
			continue
		}
		nv := next.VirtualNetworks[v.Name]
		for _, s := range v.SortedSubnets() {
			if nv == nil || nv.Subnets[s.Name] == nil {
				if gone == nil {
					gone = map[string]bool{}
				}
				gone[v.Name+"/"+s.Name] = true
			}
		}
	}
	return gone
}

func byPair(x, y ReachChange) int {
	return cmp.Or(cmp.Compare(x.From, y.From), cmp.Compare(x.To, y.To))
}

// mergeSorted merges the entries of a that keep accepts with b, both
// sorted by pair, into a new list.
func mergeSorted(a, b []ReachChange, keep func(ReachChange) bool) []ReachChange {
	out := make([]ReachChange, 0, len(a)+len(b))
	for len(a) > 0 || len(b) > 0 {
		switch {
		case len(a) > 0 && !keep(a[0]):
			a = a[1:]
		case len(b) == 0 || (len(a) > 0 && byPair(a[0], b[0]) <= 0):
			out, a = append(out, a[0]), a[1:]
		default:
			out, b = append(out, b[0]), b[1:]
		}
	}
	return out
}

// rank orders outcomes from worst to best.
func rank(o Outcome) int {
	switch o {
	case OutcomeAll:
		return 2
	case OutcomeSome:
		return 1
	}
	return 0
}

// compareReach returns the pairs whose outcome got better (gained) or
// worse (lost) from earlier to later, sorted by (from, to). A pair missing
// from earlier has a new subnet: it is gained unless it reaches nothing.
func compareReach(earlier, later reachTable) ReachDelta {
	var d ReachDelta
	for key, lp := range later {
		ep, known := earlier[key]
		c := ReachChange{From: lp.From, To: lp.To, Result: lp.Result}
		switch {
		case !known:
			if lp.Result == OutcomeNone {
				continue
			}
			d.Gained = append(d.Gained, c)
		case rank(lp.Result) > rank(ep.Result):
			c.Before = ep.Result
			d.Gained = append(d.Gained, c)
		case rank(lp.Result) < rank(ep.Result):
			c.Before = ep.Result
			c.Reason, c.Explanation = lp.Reason, lp.Explanation
			d.Lost = append(d.Lost, c)
		}
	}
	slices.SortFunc(d.Gained, byPair)
	slices.SortFunc(d.Lost, byPair)
	return d
}
