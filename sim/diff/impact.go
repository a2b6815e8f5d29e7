package diff

import (
	"cmp"
	"iter"
	"maps"
	"slices"

	"github.com/vnetsim/vnetsim/sim"
)

// A plan's impact is kept as a log of changes, not as a list per step.
//
// The pairs lost in a plan state, compared with the before network, are
// the previous state's, except in the step's pairScope, where they are
// computed afresh. On a hub whose peerings are all deleted and re-created,
// every state loses the pairs of every spoke cut off so far: a list per
// step holds about steps × pairs, the cube of the estate (2.3 GB for 100
// spokes). The log holds, per step, only what changed: the pairs it stops
// losing, the pairs it starts losing or loses otherwise (another result or
// reason), and the explanations found in that state. A lost pair thus
// costs the log twice, once when it is lost and once when it is restored.
// The current state's pairs are held once, by source subnet, so that a
// step costs what its scope holds. Each step keeps its counts and its
// first pairs (Impact); the full list of any step is replayed from the log
// in order (Result.ImpactLists), holding one state at a time.

// maxImpactHead is the number of lost pairs each step keeps in
// Impact.Lost, in (from, to) order: text and Markdown print five, and
// the first maxExplained of them are explained.
const maxImpactHead = maxExplained

// lostPair is a lost subnet pair of the before network's view, compactly.
type lostPair struct {
	key            int64  // the before view's pairKey
	gen            uint32 // the step that last found it lost
	reason         uint16
	result, before sim.Outcome
}

// impactStep is what one plan state changes in the lost pairs, each list
// sorted by key.
type impactStep struct {
	removed []int64    // pairs lost before and no longer
	added   []lostPair // pairs lost now and not before, or otherwise
	// reset are pairs lost as before whose explanation no longer holds:
	// a pair compared afresh is explained afresh.
	reset     []int64
	explained map[int64]string // nil when none
}

// impactLog follows the lost pairs through the states of a plan.
type impactLog struct {
	base    *sim.ReachView
	reasons []sim.Reason          // reason table of lostPair.reason
	reasonI map[sim.Reason]uint16 // its index
	lasting func(key int64) bool
	inAfter []bool // whether each subnet of base is in the after network
	steps   []impactStep

	// The current state: its pairs by source subnet and destination,
	// their explanations, and its counts.
	rows              []map[int32]lostPair
	expl              map[int64]string
	count, nonLasting int
}

// newImpactLog starts at the before network, which loses nothing. lasting
// reports whether a pair lost in a plan state stays lost after the whole
// change; inAfter whether each subnet of base is in the after network.
func newImpactLog(base *sim.ReachView, lasting func(key int64) bool, inAfter []bool) *impactLog {
	return &impactLog{base: base, reasonI: map[sim.Reason]uint16{}, lasting: lasting, inAfter: inAfter,
		rows: make([]map[int32]lostPair, base.Len()), expl: map[int64]string{}}
}

func (l *impactLog) reasonIndex(r sim.Reason) uint16 {
	i, ok := l.reasonI[r]
	if !ok {
		i = uint16(len(l.reasons))
		l.reasons = append(l.reasons, r)
		l.reasonI[r] = i
	}
	return i
}

// change returns the ReachChange of p, with its explanation.
func (l *impactLog) change(p lostPair, expl string) ReachChange {
	i, j := pairOf(l.base, p.key)
	return ReachChange{From: l.base.Name(i), To: l.base.Name(j), Result: p.result, Before: p.before,
		Reason: l.reasons[p.reason], Explanation: expl, Lasting: l.lasting(p.key)}
}

// advance records the state sv views: the pairs of its scope are
// compared with the before network afresh, the others stay as they were.
// It returns the state's Impact.
func (l *impactLog) advance(sv stepView) Impact {
	v, sc := sv.view, sv.scope
	// Pairs of the scope still lost are stamped with this step; those
	// left unstamped are lost no longer.
	gen := uint32(len(l.steps) + 1)
	var st impactStep
	record := func(c ReachChange, key int64) {
		p := lostPair{key: key, reason: l.reasonIndex(c.Reason), result: c.Result, before: c.Before, gen: gen}
		i, j := pairOf(l.base, key)
		row := l.rows[i]
		if row == nil {
			row = map[int32]lostPair{}
			l.rows[i] = row
		}
		old, ok := row[int32(j)]
		switch {
		case !ok:
			st.added = append(st.added, p)
			l.count++
			if !l.lasting(key) {
				l.nonLasting++
			}
		case old.result != p.result || old.reason != p.reason:
			st.added = append(st.added, p)
			delete(l.expl, key)
		default:
			// Compared afresh, the pair is explained afresh.
			if _, had := l.expl[key]; had {
				st.reset = append(st.reset, key)
				delete(l.expl, key)
			}
		}
		row[int32(j)] = p
	}
	at := eachChange(l.base, v, sc, false, func(c ReachChange, key int64, _ bool) { record(c, key) })
	if l.eachVanished(at, sc, record) {
		// The vanished pairs came after the compared ones: sort both lists
		// by key again, as replay reads them.
		slices.SortFunc(st.added, func(a, b lostPair) int { return cmp.Compare(a.key, b.key) })
		slices.Sort(st.reset)
	}
	st.removed = l.removeStale(sc, gen)
	// The log keeps every step's lists: no spare capacity.
	st.added, st.reset = slices.Clip(st.added), slices.Clip(st.reset)
	// The step loses what the one before it lost when its scope lost the
	// same pairs, with the same results and reasons, in both states.
	same := len(st.added) == 0 && len(st.removed) == 0
	// The first pairs are explained in this state unless an earlier one
	// has explained them.
	head := l.head(maxImpactHead)
	imp := Impact{Count: l.count, Transient: l.nonLasting, Same: same && l.count > 0, Lost: make([]ReachChange, len(head))}
	for k, p := range head {
		imp.Lost[k] = l.change(p, l.expl[p.key])
	}
	explainLost(v, imp.Lost)
	for k, p := range head {
		if e := imp.Lost[k].Explanation; e != "" && l.expl[p.key] == "" {
			l.expl[p.key] = e
			if st.explained == nil {
				st.explained = map[int64]string{}
			}
			st.explained[p.key] = e
		}
	}
	l.steps = append(l.steps, st)
	return imp
}

// eachVanished calls fn, in key order, for every pair of subnets in sc that
// the before and after networks both hold, that connects in the before
// network, and that the step's state cuts because one of its subnets is
// not there: a VNet or subnet deleted and re-created by the plan. at is
// each of the state's subnets' position in the before view (eachChange).
// It reports whether it called fn.
func (l *impactLog) eachVanished(at []int, sc pairScope, fn func(c ReachChange, key int64)) bool {
	base, n := l.base, l.base.Len()
	present := make([]bool, n)
	for _, k := range at {
		if k >= 0 {
			present[k] = true
		}
	}
	var gone []int
	for i := range n {
		if !present[i] && l.inAfter[i] {
			gone = append(gone, i)
		}
	}
	if len(gone) == 0 {
		return false
	}
	// The pairs with a vanished end, each once, that have an end in sc:
	// a vanished subnet's row and column, not every pair of the scope.
	src, dst := make([]bool, n), make([]bool, n)
	for i := range n {
		src[i], dst[i] = inScope(base, sc, i)
	}
	var keys []int64
	for _, g := range gone {
		for j := range n {
			if j == g || !l.inAfter[j] {
				continue
			}
			if src[g] || dst[j] {
				keys = append(keys, pairKey(base, g, j))
			}
			if (src[j] || dst[g]) && present[j] { // (j, g) when j is gone too comes from j's row
				keys = append(keys, pairKey(base, j, g))
			}
		}
	}
	slices.Sort(keys)
	walk := map[sim.GroupPair]bool{}
	for _, key := range keys {
		i, j := pairOf(base, key)
		walk[base.AnsweredBy(base.Group(i), base.Group(j))] = true
	}
	base.Walk(walk)
	called := false
	for _, key := range keys {
		i, j := pairOf(base, key)
		before, _ := base.Result(base.AnsweredBy(base.Group(i), base.Group(j)))
		if before == sim.OutcomeNone {
			continue
		}
		fn(ReachChange{From: base.Name(i), To: base.Name(j), Result: sim.OutcomeNone, Before: before, Reason: sim.DestinationNotFound}, key)
		called = true
	}
	return called
}

// removeStale drops the current pairs in sc, the scope compared afresh,
// that this step (gen) has not found lost again, and returns their keys,
// sorted.
func (l *impactLog) removeStale(sc pairScope, gen uint32) []int64 {
	var removed []int64
	drop := func(row map[int32]lostPair, j int32, p lostPair) {
		if p.gen == gen {
			return
		}
		removed = append(removed, p.key)
		delete(row, j)
		delete(l.expl, p.key)
		l.count--
		if !l.lasting(p.key) {
			l.nonLasting--
		}
	}
	var dsts []int32
	src := make([]bool, l.base.Len())
	for i := range l.base.Len() {
		var dst bool
		if src[i], dst = inScope(l.base, sc, i); dst {
			dsts = append(dsts, int32(i))
		}
	}
	for i, row := range l.rows {
		if len(row) == 0 {
			continue
		}
		if src[i] {
			for j, p := range row {
				drop(row, j, p)
			}
		} else {
			for _, j := range dsts {
				if p, ok := row[j]; ok {
					drop(row, j, p)
				}
			}
		}
		if len(row) == 0 {
			l.rows[i] = nil // a map keeps its size once emptied
		}
	}
	slices.Sort(removed)
	return slices.Clip(removed)
}

// head returns the first n current pairs in key order.
func (l *impactLog) head(n int) []lostPair {
	var out []lostPair
	for _, row := range l.rows {
		if len(out) == n {
			break
		}
		if len(row) == 0 {
			continue
		}
		js := slices.Sorted(maps.Keys(row))
		for _, j := range js[:min(len(js), n-len(out))] {
			out = append(out, row[j])
		}
	}
	return out
}

// replay calls yield with every step's full list of lost pairs, in order,
// holding one state at a time, until yield returns false.
func (l *impactLog) replay(yield func(step int, lost iter.Seq[ReachChange]) bool) {
	var cur []lostPair
	expl := map[int64]string{}
	byKey := func(p lostPair, key int64) int { return cmp.Compare(p.key, key) }
	for k, st := range l.steps {
		// Pairs no longer lost, or lost otherwise, leave; the others stay.
		kept := make([]lostPair, 0, len(cur))
		for _, p := range cur {
			_, removed := slices.BinarySearch(st.removed, p.key)
			_, changed := slices.BinarySearchFunc(st.added, p.key, byKey)
			if removed || changed {
				delete(expl, p.key)
				continue
			}
			kept = append(kept, p)
		}
		cur = mergeLost(kept, st.added)
		for _, key := range st.reset {
			delete(expl, key)
		}
		maps.Copy(expl, st.explained)
		if !yield(k, func(yield func(ReachChange) bool) {
			for _, p := range cur {
				if !yield(l.change(p, expl[p.key])) {
					return
				}
			}
		}) {
			return
		}
	}
}

// mergeLost merges two lists sorted by key, which share none.
func mergeLost(a, b []lostPair) []lostPair {
	out := make([]lostPair, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if a[0].key < b[0].key {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}
