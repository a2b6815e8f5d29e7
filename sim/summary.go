package sim

import (
	"fmt"
	"slices"

	"github.com/vnetsim/vnetsim/topology"
)

// summarise answers a subnet-level summary by group instead of by pair.
// Every subnet of a group is answered like the group's first member, so
// one walk per (source group, destination group) counts the pairs of all
// their members: |sources in gs| × |destinations in gd|, less the subnets
// that would pair with themselves. Source groups that share a row (see
// shareRows) walk only the destinations in their own VNet and their
// leader's, and take the rest of their counts from the leader's row. The
// billions of pairs of a large estate are never visited one by one, and
// memory grows with the groups: one bit per group pair marks the pairs
// that are not all, one outcome per destination group is kept for each
// class leader. The examples are then walked pair by pair, in (From, To)
// order, from the marked group pairs.
//
// The phases: index the units by group, find the shared rows, walk the
// rows of the groups that walk (leaders and loners), count the members
// from their leaders' rows, then add up and pick the examples.
func (q *question) summarise(r *Reach, from, to []reachUnit, workers, maxEx int, prog *progress) {
	s := q.newSubnetSummary(from, to)
	s.shareRows()
	s.walkRows(workers, prog)
	s.countMembers(workers, prog)
	r.addUp(s.counts, s.examples(maxEx))
}

// addUp adds the counts of every source to r's and appends the examples.
func (r *Reach) addUp(counts []ReachCounts, examples []ReachPair) {
	for _, c := range counts {
		r.Counts.All += c.All
		r.Counts.Some += c.Some
		r.Counts.None += c.None
	}
	r.Examples = append(r.Examples, examples...)
}

// subnetSummary is a subnet-level summary being answered by group.
type subnetSummary struct {
	q        *question
	from, to []reachUnit
	ngroups  int
	// fromBy and toBy list, per group, the source and destination units
	// it holds; overlap counts the subnets on both sides, which are never
	// paired with themselves.
	fromBy, toBy [][]int
	overlap      []int
	// srcs and dsts are the groups with a source or a destination unit,
	// dstsIn the destination groups of each VNet, dstMask a bit per
	// destination group.
	srcs, dsts []int
	dstsIn     map[*topology.VirtualNetwork][]int
	dstMask    []uint64
	// leader is each source group's row leader (shareRows); walked are the
	// groups that walk their row, members those that share a leader's.
	leader          []int
	walked, members []int

	// Per source group: its pair counts, a bit per destination group
	// whose pairs are not all, and for a leader its outcome per
	// destination group.
	counts []ReachCounts
	notAll [][]uint64
	rows   [][]Outcome
}

// newSubnetSummary indexes the units of a summary by group.
func (q *question) newSubnetSummary(from, to []reachUnit) *subnetSummary {
	n := len(q.members)
	s := &subnetSummary{q: q, from: from, to: to, ngroups: n,
		fromBy: make([][]int, n), toBy: make([][]int, n), overlap: make([]int, n),
		dstsIn: map[*topology.VirtualNetwork][]int{}, dstMask: make([]uint64, (n+63)/64),
		counts: make([]ReachCounts, n), notAll: make([][]uint64, n), rows: make([][]Outcome, n)}
	inTo := make(map[*topology.Subnet]bool, len(to))
	for j, u := range to {
		s.toBy[u.groups[0]] = append(s.toBy[u.groups[0]], j)
		inTo[u.subnets[0]] = true
	}
	for i, u := range from {
		s.fromBy[u.groups[0]] = append(s.fromBy[u.groups[0]], i)
		if inTo[u.subnets[0]] {
			s.overlap[u.groups[0]]++
		}
	}
	for g := range n {
		if len(s.fromBy[g]) > 0 {
			s.srcs = append(s.srcs, g)
		}
		if len(s.toBy[g]) > 0 {
			s.dsts = append(s.dsts, g)
			s.dstsIn[s.vnetOf(g)] = append(s.dstsIn[s.vnetOf(g)], g)
			s.dstMask[g/64] |= 1 << (g % 64)
		}
	}
	return s
}

func (s *subnetSummary) vnetOf(g int) *topology.VirtualNetwork {
	return s.q.members[g][0].VirtualNetwork
}

// shareRows finds the source groups that share a row and splits the
// sources into those that walk and those that borrow.
func (s *subnetSummary) shareRows() {
	s.leader = s.q.shareRows(s.srcs)
	for _, g := range s.srcs {
		if s.leader[g] < 0 || s.leader[g] == g {
			s.walked = append(s.walked, g)
		} else {
			s.members = append(s.members, g)
		}
	}
}

// pairs is the number of subnet pairs between groups gs and gd.
func (s *subnetSummary) pairs(gs, gd int) int {
	n := len(s.fromBy[gs]) * len(s.toBy[gd])
	if gs == gd {
		n -= s.overlap[gs]
	}
	return n
}

// pair walks (gs, gd), counts its pairs for gs and marks them when not
// all; unknown when the group pair holds no pair.
func (s *subnetSummary) pair(gs, gd int) Outcome {
	n := s.pairs(gs, gd)
	if n == 0 {
		return OutcomeUnknown
	}
	o := OutcomeNone
	if !s.q.droppedAtSource(gs, gd) {
		o = s.q.groupPair(gs, gd).outcome()
	}
	s.counts[gs].add(o, n)
	if o != OutcomeAll {
		s.mark(gs, gd)
	}
	return o
}

// mark records that gs's pairs toward gd are not all.
func (s *subnetSummary) mark(gs, gd int) {
	if s.notAll[gs] == nil {
		s.notAll[gs] = make([]uint64, (s.ngroups+63)/64)
	}
	s.notAll[gs][gd/64] |= 1 << (gd % 64)
}

// walkRows walks the row of every group that walks its own, in parallel,
// keeping a leader's outcomes for its members.
func (s *subnetSummary) walkRows(workers int, prog *progress) {
	fanOut(workers, len(s.walked), func(take func() (int, bool)) {
		for k, ok := take(); ok; k, ok = take() {
			gs := s.walked[k]
			if s.leader[gs] == gs {
				s.rows[gs] = make([]Outcome, s.ngroups)
			}
			s.walkRow(gs)
			prog.add(len(s.fromBy[gs]))
		}
	})
}

// walkRow walks gs toward every destination group. Every destination
// group that gs's routes do not carry a packet to is none: those are
// counted and marked in bulk, and only the others are walked.
func (s *subnetSummary) walkRow(gs int) {
	row := s.rows[gs]
	cand := s.q.forwardedTo(gs)
	if 2*len(cand) > len(s.dsts) {
		// The routes reach most destinations: ask each.
		for _, gd := range s.dsts {
			if o := s.pair(gs, gd); row != nil {
				row[gd] = o
			}
		}
		return
	}
	bulk := len(s.fromBy[gs])*len(s.to) - s.overlap[gs]
	marks := slices.Clone(s.dstMask)
	for _, gd := range cand {
		if len(s.toBy[gd]) == 0 {
			continue
		}
		bulk -= s.pairs(gs, gd)
		marks[gd/64] &^= 1 << (gd % 64)
	}
	if bulk > 0 {
		s.counts[gs].add(OutcomeNone, bulk)
		s.notAll[gs] = marks
	}
	if row != nil {
		for _, gd := range s.dsts {
			row[gd] = OutcomeNone
		}
	}
	for _, gd := range cand {
		if len(s.toBy[gd]) == 0 {
			continue
		}
		if o := s.pair(gs, gd); row != nil {
			row[gd] = o
		}
	}
}

// countMembers counts each member's pairs from its leader's row outside
// the two groups' VNets, and walks the destinations inside them.
func (s *subnetSummary) countMembers(workers int, prog *progress) {
	// A leader's weights: its row's outcomes outside its own VNet, each
	// weighted by the destination subnets of the group.
	weights := make(map[int]*ReachCounts)
	for _, gs := range s.walked {
		if s.leader[gs] != gs {
			continue
		}
		w := &ReachCounts{}
		for _, gd := range s.dsts {
			if s.vnetOf(gd) != s.vnetOf(gs) {
				w.add(s.rows[gs][gd], len(s.toBy[gd]))
			}
		}
		weights[gs] = w
	}
	fanOut(workers, len(s.members), func(take func() (int, bool)) {
		for k, ok := take(); ok; k, ok = take() {
			gs := s.members[k]
			l := s.leader[gs]
			vl, vm := s.vnetOf(l), s.vnetOf(gs)
			w := *weights[l]
			if vm != vl {
				for _, gd := range s.dstsIn[vm] {
					w.add(s.rows[l][gd], -len(s.toBy[gd]))
				}
			}
			c := &s.counts[gs]
			c.All, c.Some, c.None = w.All*len(s.fromBy[gs]), w.Some*len(s.fromBy[gs]), w.None*len(s.fromBy[gs])
			for _, gd := range s.dstsIn[vl] {
				s.pair(gs, gd)
			}
			if vm != vl {
				for _, gd := range s.dstsIn[vm] {
					s.pair(gs, gd)
				}
			}
			prog.add(len(s.fromBy[gs]))
		}
	})
}

// notAllOf returns gs's marks: its own, and for a member also its
// leader's outside the two VNets the member walked itself.
func (s *subnetSummary) notAllOf(gs int) []uint64 {
	l := s.leader[gs]
	if l < 0 || l == gs || s.notAll[l] == nil {
		return s.notAll[gs]
	}
	out := slices.Clone(s.notAll[l])
	for _, v := range []*topology.VirtualNetwork{s.vnetOf(l), s.vnetOf(gs)} {
		for _, gd := range s.dstsIn[v] {
			out[gd/64] &^= 1 << (gd % 64)
		}
	}
	for i, b := range s.notAll[gs] {
		out[i] |= b
	}
	return out
}

// examples returns the first maxEx pairs that are not all, in (From, To)
// order, answered from the groups as the counts are.
func (s *subnetSummary) examples(maxEx int) []ReachPair {
	var out []ReachPair
	exCache := &pairCache{}
	lastGroup, bits := -1, []uint64(nil)
	for i := 0; i < len(s.from) && len(out) < maxEx; i++ {
		if g := s.from[i].groups[0]; g != lastGroup {
			lastGroup, bits = g, s.notAllOf(g)
		}
		if bits == nil {
			continue
		}
		need := maxEx - len(out)
		// The first need destinations of each marked group, in order,
		// hold the first need of them all.
		var cand []int
		for gd := range s.ngroups {
			if bits[gd/64]&(1<<(gd%64)) == 0 {
				continue
			}
			taken := 0
			for _, j := range s.toBy[gd] {
				if taken == need {
					break
				}
				if s.to[j].subnets[0] != s.from[i].subnets[0] {
					cand = append(cand, j)
					taken++
				}
			}
		}
		slices.Sort(cand)
		for _, j := range cand[:min(need, len(cand))] {
			if p := s.q.pairWith(s.from[i], s.to[j], exCache); p.Result != OutcomeAll {
				out = append(out, p)
			}
		}
	}
	return out
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
//
// The phases: index the units' groups, gather the sources whose leaders
// lie in one VNet into leader sets, walk each set's row, count every
// source (from its set's row, or walking alone), then add up and pick the
// examples.
func (q *question) summariseVNets(r *Reach, from, to []reachUnit, workers, maxEx int, prog *progress) {
	s := q.newVNetSummary(from, to)
	s.leaderSets()
	s.walkSetRows(workers)
	s.countSources(workers, prog)
	r.addUp(s.counts, s.examples(maxEx))
}

// vnetSummary is a VNet-level summary being answered by group.
type vnetSummary struct {
	q        *question
	from, to []reachUnit
	// fromGroups and toGroups are each unit's groups, sorted, each once;
	// toIndex finds a destination unit by name, unitsOf the destination
	// units holding a group, and allUnits has a bit per destination unit.
	fromGroups, toGroups [][]int
	toIndex              map[string]int
	unitsOf              [][]int
	allUnits             []uint64
	// leader is each source group's row leader (shareRows); sets are the
	// leader sets, and setOf each source unit's set, nil for a unit
	// walked alone.
	leader []int
	sets   []*leaderSet
	setOf  []*leaderSet

	// Per source unit: its pair counts, for one walked alone a bit per
	// destination unit whose pair is not all, and for one in a set its
	// outcome toward the VNet of its set's leaders.
	counts []ReachCounts
	notAll [][]uint64
	own    []Outcome
}

// leaderSet is the leaders of the source groups of the VNets that share
// rows with leaders in one VNet.
type leaderSet struct {
	groups []int
	vnet   *topology.VirtualNetwork // where the leaders lie
	own    int                      // vnet's destination unit, or -1
	row    map[int]Outcome          // per destination VNet the leaders' routes reach; every other is none
	counts ReachCounts              // the outcomes at every destination but vnet
}

// at is the leaders' outcome toward destination unit j: unknown at their
// own VNet.
func (ls *leaderSet) at(j int) Outcome {
	if j == ls.own {
		return OutcomeUnknown
	}
	if o, ok := ls.row[j]; ok {
		return o
	}
	return OutcomeNone
}

// newVNetSummary indexes the units of a VNet summary by group.
func (q *question) newVNetSummary(from, to []reachUnit) *vnetSummary {
	uniq := func(u reachUnit) []int {
		gs := slices.Clone(u.groups)
		slices.Sort(gs)
		return slices.Compact(gs)
	}
	s := &vnetSummary{q: q, from: from, to: to, fromGroups: make([][]int, len(from)), toGroups: make([][]int, len(to)),
		toIndex: make(map[string]int, len(to)), unitsOf: make([][]int, len(q.members)), allUnits: make([]uint64, (len(to)+63)/64),
		setOf: make([]*leaderSet, len(from)), counts: make([]ReachCounts, len(from)), notAll: make([][]uint64, len(from)),
		own: make([]Outcome, len(from))}
	var srcs []int
	for i, u := range from {
		s.fromGroups[i] = uniq(u)
		srcs = append(srcs, s.fromGroups[i]...)
	}
	slices.Sort(srcs)
	for j, u := range to {
		s.toGroups[j] = uniq(u)
		s.toIndex[u.name] = j
		for _, gd := range s.toGroups[j] {
			s.unitsOf[gd] = append(s.unitsOf[gd], j)
		}
		s.allUnits[j/64] |= 1 << (j % 64)
	}
	s.leader = q.shareRows(slices.Compact(srcs))
	return s
}

func (s *vnetSummary) vnetOf(g int) *topology.VirtualNetwork { return s.q.members[g][0].VirtualNetwork }

// leaderSets gathers the source units whose groups all share rows with
// leaders in one VNet, keyed by the leaders.
func (s *vnetSummary) leaderSets() {
	byKey := map[string]*leaderSet{}
	for i := range s.from {
		var ls []int
		ok := len(s.fromGroups[i]) > 0
		for _, g := range s.fromGroups[i] {
			if l := s.leader[g]; l < 0 || s.vnetOf(l) != s.vnetOf(s.leader[s.fromGroups[i][0]]) {
				ok = false
				break
			}
			ls = append(ls, s.leader[g])
		}
		if !ok {
			continue
		}
		slices.Sort(ls)
		ls = slices.Compact(ls)
		key := fmt.Sprint(ls)
		if byKey[key] == nil {
			own, in := s.toIndex[s.vnetOf(ls[0]).Name]
			if !in {
				own = -1
			}
			byKey[key] = &leaderSet{groups: ls, vnet: s.vnetOf(ls[0]), own: own}
			s.sets = append(s.sets, byKey[key])
		}
		s.setOf[i] = byKey[key]
	}
}

// combine walks the group pairs of a source and a destination group list
// and combines their outcomes; a pair without classes is neutral. cache,
// when set, keeps the source groups' rows: worth it for a source that
// meets every destination, a waste (a row per group) for one that meets a
// single VNet.
func (s *vnetSummary) combine(gss, gds []int, cache *pairCache) Outcome {
	o := OutcomeUnknown
	for _, gs := range gss {
		for _, gd := range gds {
			var res subnetResult
			switch {
			case s.q.droppedAtSource(gs, gd):
				res = subnetResult{classes: 1}
			case cache != nil:
				res = s.q.cachedPair(gs, gd, cache)
			default:
				res = s.q.groupPair(gs, gd)
			}
			if res.classes == 0 {
				continue
			}
			switch ro := res.outcome(); {
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

// candidates returns, sorted and each once, the destination units holding
// a group that one of gss's routes may carry a packet to.
func (s *vnetSummary) candidates(gss []int) []int {
	var cand []int
	for _, gs := range gss {
		for _, gd := range s.q.forwardedTo(gs) {
			cand = append(cand, s.unitsOf[gd]...)
		}
	}
	slices.Sort(cand)
	return slices.Compact(cand)
}

// walkSetRows walks each leader set's row, in parallel. Destinations the
// leaders' routes carry no packet to are none, counted without a walk or
// a look.
func (s *vnetSummary) walkSetRows(workers int) {
	fanOut(workers, len(s.sets), func(take func() (int, bool)) {
		cache := &pairCache{}
		for k, ok := take(); ok; k, ok = take() {
			ls := s.sets[k]
			ls.row = map[int]Outcome{}
			for _, gs := range ls.groups {
				for _, gd := range s.q.forwardedTo(gs) {
					for _, j := range s.unitsOf[gd] {
						if _, done := ls.row[j]; !done && j != ls.own {
							ls.row[j] = s.combine(ls.groups, s.toGroups[j], cache)
							ls.counts.add(ls.row[j], 1)
						}
					}
				}
			}
			rest := len(s.to) - len(ls.row)
			if ls.own >= 0 {
				rest--
			}
			ls.counts.add(OutcomeNone, rest)
		}
	})
}

// countSources counts every source unit's pairs, in parallel: a unit in a
// leader set from the set's row, walking only the set's own VNet; any
// other toward every destination its routes may reach, the rest none in
// bulk.
func (s *vnetSummary) countSources(workers int, prog *progress) {
	fanOut(workers, len(s.from), func(take func() (int, bool)) {
		cache := &pairCache{}
		for i, ok := take(); ok; i, ok = take() {
			if ls := s.setOf[i]; ls != nil {
				s.countFromSet(i, ls)
			} else {
				s.countAlone(i, cache)
			}
			prog.add(1)
		}
	})
}

// countFromSet counts source unit i from its leader set's row.
func (s *vnetSummary) countFromSet(i int, ls *leaderSet) {
	c := ls.counts
	if j, in := s.toIndex[s.from[i].name]; in && ls.at(j) != OutcomeUnknown {
		c.add(ls.at(j), -1) // never paired with itself
	}
	if j, in := s.toIndex[ls.vnet.Name]; in && s.to[j].name != s.from[i].name {
		s.own[i] = s.combine(s.fromGroups[i], s.toGroups[j], nil)
		c.add(s.own[i], 1)
	}
	s.counts[i] = c
}

// countAlone counts source unit i by walking it: a destination VNet none
// of whose groups i's routes carry a packet to is none, counted and
// marked in bulk.
func (s *vnetSummary) countAlone(i int, cache *pairCache) {
	cand := s.candidates(s.fromGroups[i])
	marks := slices.Clone(s.allUnits)
	bulk := len(s.to)
	for _, j := range cand {
		marks[j/64] &^= 1 << (j % 64)
		bulk--
	}
	if j, in := s.toIndex[s.from[i].name]; in {
		if marks[j/64]&(1<<(j%64)) != 0 {
			bulk--
		}
		marks[j/64] &^= 1 << (j % 64)
	}
	if bulk > 0 {
		s.counts[i].add(OutcomeNone, bulk)
		s.notAll[i] = marks
	}
	for _, j := range cand {
		if s.to[j].name == s.from[i].name {
			continue
		}
		o := s.combine(s.fromGroups[i], s.toGroups[j], cache)
		s.counts[i].add(o, 1)
		if o != OutcomeAll {
			if s.notAll[i] == nil {
				s.notAll[i] = make([]uint64, (len(s.to)+63)/64)
			}
			s.notAll[i][j/64] |= 1 << (j % 64)
		}
	}
}

// notAllAt reports whether the pair (from[i], to[j]) is not all.
func (s *vnetSummary) notAllAt(i, j int) bool {
	if s.to[j].name == s.from[i].name {
		return false
	}
	if ls := s.setOf[i]; ls != nil {
		if s.to[j].name == ls.vnet.Name {
			return s.own[i] != OutcomeAll
		}
		return ls.at(j) != OutcomeAll
	}
	return s.notAll[i] != nil && s.notAll[i][j/64]&(1<<(j%64)) != 0
}

// examples returns the first maxEx pairs that are not all, in (From, To)
// order, answered from the groups as the counts are.
func (s *vnetSummary) examples(maxEx int) []ReachPair {
	var out []ReachPair
	exCache := &pairCache{}
	for i := 0; i < len(s.from) && len(out) < maxEx; i++ {
		if s.setOf[i] == nil && s.notAll[i] == nil {
			continue
		}
		for j := 0; j < len(s.to) && len(out) < maxEx; j++ {
			if !s.notAllAt(i, j) {
				continue
			}
			if p := s.q.pairWith(s.from[i], s.to[j], exCache); p.Result != OutcomeAll {
				out = append(out, p)
			}
		}
	}
	return out
}
