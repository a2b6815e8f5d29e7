package diff

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/vnetsim/vnetsim/sim"
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
// pairScope is the answer: the VNets whose pairs need recomputing, or all.

// pairScope is a set of VNets whose subnet pairs a change can affect: every
// pair with an end in vnets, every pair ending in dst, or all pairs.
type pairScope struct {
	all        bool
	vnets, dst map[string]bool
}

func (s *pairScope) add(v string) { s.vnets = addName(s.vnets, v) }

// addDst adds a VNet whose pairs are affected only as a destination.
func (s *pairScope) addDst(v string) { s.dst = addName(s.dst, v) }

func addName(m map[string]bool, v string) map[string]bool {
	if m == nil {
		m = map[string]bool{}
	}
	m[v] = true
	return m
}

// involves reports whether the pair (from, to), VNET/SUBNET names, is in
// the scope.
func (s pairScope) involves(key [2]string) bool {
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
func changeScope(changes []Change, nets ...*topology.Network) pairScope {
	var s pairScope
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
			for _, v := range vnetsUsing(nets, func(sub *topology.Subnet) bool {
				return sub.RouteTable != nil && sub.RouteTable.Name == p[1]
			}, nil) {
				own(v)
			}
		case "accessControlLists":
			for _, v := range vnetsUsing(nets, func(sub *topology.Subnet) bool {
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

// vnetsUsing returns, sorted, the VNets with a subnet or VM that matches in any
// of the states.
func vnetsUsing(nets []*topology.Network, subnet func(*topology.Subnet) bool, vm func(*topology.VirtualMachine) bool) []string {
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

// Reachability in a diff is compared group by group, never pair by pair.
//
// A sim.ReachView holds one network state's subnets, cut into the groups
// a reach question treats alike (see Engine.Reach), and the fates of the
// group pairs it has been asked about. Two states are compared over joint
// classes: subnets in the same group in both states. Every pair of
// subnets between two joint classes has the same outcome in each state, so
// a comparison walks a pair of joint classes once and expands it into
// subnet pairs only when the outcome changed. Source groups that share a
// row (ViewOptions.ShareRows) answer for each other outside their own VNets, so a
// scope's destinations cost one walk per class of sources, not one per
// source. A change to ten spokes' peerings on a 10,000-VNet estate thus
// walks, per plan state, the row and the column of the step's spoke (some
// 10,000 group pairs and a few dozen shared ones), and holds the pairs it
// reports, not the pairs it checked. What remains per state is the view's
// own pass over the estate (grouping, sharing keys), which Compare builds on
// another goroutine while the previous state is compared.

// inScope reports whether subnet i is in sc as a source and as a
// destination.
func inScope(v *sim.ReachView, sc pairScope, i int) (src, dst bool) {
	if sc.all {
		return true, true
	}
	name := v.VNet(i)
	return sc.vnets[name], sc.vnets[name] || sc.dst[name]
}

// eachPair calls fn for every pair of subnets with an end in sc, sorted by
// (from, to), until fn returns false.
func eachPair(v *sim.ReachView, sc pairScope, fn func(i, j int) bool) {
	var dsts []int
	for j := range v.Len() {
		if _, d := inScope(v, sc, j); d {
			dsts = append(dsts, j)
		}
	}
	for i := range v.Len() {
		if s, _ := inScope(v, sc, i); s {
			for j := range v.Len() {
				if j != i && !fn(i, j) {
					return
				}
			}
			continue
		}
		for _, j := range dsts {
			if j != i && !fn(i, j) {
				return
			}
		}
	}
}

// explainLost fills the explanations of the first maxExplained pairs of list
// that lack one, tracing each pair's example in v's state.
func explainLost(v *sim.ReachView, list []ReachChange) {
	for k := range list[:min(len(list), maxExplained)] {
		l := &list[k]
		if l.Explanation != "" {
			continue // carried from an earlier state of the same pair
		}
		i, iok := v.Index(l.From)
		j, jok := v.Index(l.To)
		switch {
		case !iok:
			l.Explanation = fmt.Sprintf("subnet %s does not exist in this state", l.From)
			continue
		case !jok:
			l.Explanation = fmt.Sprintf("subnet %s does not exist in this state", l.To)
			continue
		}
		p := v.Pair(i, j)
		v.Explain(&p)
		l.Explanation = p.Explanation
	}
}

// jointClass is a set of subnets of a later state that share a group there
// and in the earlier state (before is -1 for subnets the earlier state
// lacks).
type jointClass struct {
	later, before int
	members       []int // positions in the later view, ascending
	src, dst      bool  // in the compared scope as source, as destination
}

// compareViews returns the subnet pairs with an end in sc whose outcome is
// better (gained) or worse (lost) in later than in earlier, sorted by
// (from, to); gained only with withGained. A pair with a subnet earlier
// lacks is gained unless it reaches nothing; pairs of subnets later lacks
// are left out. It also returns each lost pair's earlier.pairKey, which
// orders pairs as their names do.
func compareViews(earlier, later *sim.ReachView, sc pairScope, withGained bool) (ReachDelta, []int64) {
	var d ReachDelta
	var keys []int64
	eachChange(earlier, later, sc, withGained, func(c ReachChange, key int64, gained bool) {
		if gained {
			d.Gained = append(d.Gained, c)
			return
		}
		d.Lost = append(d.Lost, c)
		keys = append(keys, key)
	})
	return d, keys
}

// eachChange calls fn for every pair compareViews reports, in its order,
// with a lost pair's earlier.pairKey (0 for a gained one), without
// building the lists: a plan state that loses millions of pairs hands
// them over one by one. The phases: cut the later view's subnets into
// joint classes, walk the class pairs with an end in sc in both views,
// keep the class pairs whose outcome changed, and expand those into
// subnet pairs. It returns each later subnet's position in earlier, or -1.
func eachChange(earlier, later *sim.ReachView, sc pairScope, withGained bool, fn func(c ReachChange, key int64, gained bool)) (at []int) {
	c := newComparison(earlier, later, sc)
	c.walk()
	if changed := c.changed(withGained); len(changed) > 0 {
		c.expand(changed, fn)
	}
	return c.at
}

// comparison is two views being compared over the joint classes of a
// scope.
type comparison struct {
	earlier, later *sim.ReachView
	classes        []*jointClass
	anyDst         []*jointClass // the classes in scope as destinations
	at             []int         // each later subnet's position in earlier, or -1
}

// classChange is a changed pair of joint classes, from the source class's
// side.
type classChange struct {
	to       *jointClass
	lo, bo   sim.Outcome
	reason   sim.Reason
	gained   bool
	position int // of the destination subnet, while expanding
}

// newComparison cuts later's subnets into joint classes: subnets in the
// same group in both views (or in later only).
func newComparison(earlier, later *sim.ReachView, sc pairScope) *comparison {
	c := &comparison{earlier: earlier, later: later, at: make([]int, later.Len())}
	byKey := map[[2]int]*jointClass{}
	for i := range later.Len() {
		bg, k, ok := -1, 0, false
		if k, ok = earlier.Index(later.Name(i)); ok {
			bg = earlier.Group(k)
		} else {
			k = -1
		}
		c.at[i] = k
		key := [2]int{later.Group(i), bg}
		jc := byKey[key]
		if jc == nil {
			jc = &jointClass{later: key[0], before: bg}
			jc.src, jc.dst = inScope(later, sc, i)
			byKey[key] = jc
			c.classes = append(c.classes, jc)
			if jc.dst {
				c.anyDst = append(c.anyDst, jc)
			}
		}
		jc.members = append(jc.members, i)
	}
	return c
}

// each calls fn for every pair of joint classes with an end in the scope.
func (c *comparison) each(fn func(a, b *jointClass)) {
	for _, a := range c.classes {
		targets := c.anyDst
		if a.src {
			targets = c.classes
		}
		for _, b := range targets {
			if a != b || len(a.members) > 1 {
				fn(a, b)
			}
		}
	}
}

// earlierPair returns the earlier view's group pair that answers the class
// pair (a, b); both must exist in earlier.
func (c *comparison) earlierPair(a, b *jointClass) sim.GroupPair {
	return c.earlier.AnsweredBy(a.before, b.before)
}

// walk answers, in both views, the group pairs of every class pair.
func (c *comparison) walk() {
	lk, ek := map[sim.GroupPair]bool{}, map[sim.GroupPair]bool{}
	c.each(func(a, b *jointClass) {
		lk[c.later.AnsweredBy(a.later, b.later)] = true
		if a.before >= 0 && b.before >= 0 {
			ek[c.earlierPair(a, b)] = true
		}
	})
	c.later.Walk(lk)
	c.earlier.Walk(ek)
}

// changed returns, per source class, the class pairs whose outcome is
// worse in later, and with withGained also those better (or new and
// reaching something).
func (c *comparison) changed(withGained bool) map[*jointClass][]classChange {
	changed := map[*jointClass][]classChange{}
	c.each(func(a, b *jointClass) {
		lo, lreason := c.later.Result(c.later.AnsweredBy(a.later, b.later))
		bo := sim.OutcomeUnknown
		if a.before >= 0 && b.before >= 0 {
			bo, _ = c.earlier.Result(c.earlierPair(a, b))
		}
		switch {
		case bo == sim.OutcomeUnknown && lo != sim.OutcomeNone, bo != sim.OutcomeUnknown && rank(lo) > rank(bo):
			if withGained {
				changed[a] = append(changed[a], classChange{to: b, lo: lo, bo: bo, gained: true})
			}
		case bo != sim.OutcomeUnknown && rank(lo) < rank(bo):
			changed[a] = append(changed[a], classChange{to: b, lo: lo, bo: bo, reason: lreason})
		}
	})
	return changed
}

// expand hands fn the subnet pairs of the changed class pairs, source
// subnet by source subnet, destinations sorted by position: views list
// subnets in name order, so the pairs come out sorted without comparing
// names.
func (c *comparison) expand(changed map[*jointClass][]classChange, fn func(c ReachChange, key int64, gained bool)) {
	classOf := make([]*jointClass, c.later.Len())
	for _, jc := range c.classes {
		for _, i := range jc.members {
			classOf[i] = jc
		}
	}
	var row []classChange
	for i := range c.later.Len() {
		chs := changed[classOf[i]]
		if len(chs) == 0 {
			continue
		}
		row = row[:0]
		for _, ch := range chs {
			for _, j := range ch.to.members {
				if j != i {
					ch.position = j
					row = append(row, ch)
				}
			}
		}
		slices.SortFunc(row, func(x, y classChange) int { return cmp.Compare(x.position, y.position) })
		for _, ch := range row {
			rc := ReachChange{From: c.later.Name(i), To: c.later.Name(ch.position), Result: ch.lo, Before: ch.bo}
			if ch.gained {
				fn(rc, 0, true)
			} else {
				rc.Reason = ch.reason
				fn(rc, pairKey(c.earlier, c.at[i], c.at[ch.position]), false)
			}
		}
	}
}

// pairKey numbers v's subnet pair (i, j) so that keys order pairs as
// their (from, to) names do.
func pairKey(v *sim.ReachView, i, j int) int64 { return int64(i)*int64(v.Len()) + int64(j) }

// pairOf returns the subnets of v's pair numbered k.
func pairOf(v *sim.ReachView, k int64) (int, int) {
	n := int64(max(1, v.Len()))
	return int(k / n), int(k % n)
}

// maxExplained caps the lost pairs a diff explains, per plan step and for
// the whole change: each explanation is a full packet walk. Pairs beyond
// the cap keep their reason.
const maxExplained = 100

// reachTracker builds the reach views of the states of a diff: the before
// network's, which every other is compared with, and the others sharing
// its subnet names.
type reachTracker struct {
	opts          sim.ReachOptions
	before, after *topology.Network
	base          *sim.ReachView    // the before network
	intern        map[string]string // subnet names shared by every view
}

// newReachTracker starts a tracker at before; the before network's view
// shares rows, since it answers the pairs of every step's pairScope.
func newReachTracker(before, after *topology.Network, opts sim.ReachOptions) *reachTracker {
	intern := map[string]string{}
	return &reachTracker{opts: opts, before: before, after: after, intern: intern,
		base: sim.NewReachView(before, sim.ViewOptions{Protocol: opts.Protocol, Ports: opts.Ports, Workers: opts.Workers, Names: intern, ShareRows: true})}
}

// view returns a view of n sharing the tracker's names, for comparing the
// pairs of sc.
func (t *reachTracker) view(n *topology.Network, sc pairScope) *sim.ReachView {
	return sim.NewReachView(n, sim.ViewOptions{Protocol: t.opts.Protocol, Ports: t.opts.Ports, Workers: t.opts.Workers, Names: t.intern, ShareRows: sharingPays(sc)})
}

// maxUnsharedColumns is the number of VNets in a scope up to which a view
// walks every source group toward them rather than find shared rows: on
// a 10,000-VNet estate finding them costs about as much as eight columns
// of 10,000 group walks.
const maxUnsharedColumns = 8

// sharingPays reports whether a view comparing the pairs of sc should
// share rows.
func sharingPays(sc pairScope) bool {
	return sc.all || len(sc.vnets)+len(sc.dst) > maxUnsharedColumns
}

// stepView is a plan state's view and the scope of the step that led to it.
type stepView struct {
	view  *sim.ReachView
	scope pairScope
}

// views returns, in order, the scope of each step from prev to nets[i]
// (prev is the before network for the first) and the view of nets[i],
// built one ahead of the reader on another goroutine: a view costs a pass
// over the estate that is mostly sequential, so building the next state's
// while the current one is compared keeps both cores busy. last, when not
// nil, is the view of the last state, already built. The reader must
// drain the channel, and must not call view until it is closed.
func (t *reachTracker) views(nets []*topology.Network, last *sim.ReachView) <-chan stepView {
	out := make(chan stepView, 1)
	go func() {
		defer close(out)
		prev := t.before
		for i, n := range nets {
			sc := changeScope(append(Changes(prev, n), peeringStateChanges(prev, n)...), t.before, t.after)
			v := last
			if i < len(nets)-1 || v == nil {
				v = t.view(n, sc)
			}
			out <- stepView{v, sc}
			prev = n
		}
	}()
	return out
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

func byPair(x, y ReachChange) int {
	return cmp.Or(cmp.Compare(x.From, y.From), cmp.Compare(x.To, y.To))
}

// rank orders outcomes from worst to best.
func rank(o sim.Outcome) int {
	switch o {
	case sim.OutcomeAll:
		return 2
	case sim.OutcomeSome:
		return 1
	}
	return 0
}
