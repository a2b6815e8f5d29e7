package sim

import (
	"iter"
	"maps"
	"slices"
)

// A plan's impact is kept as a log of changes, not as a list per step.
//
// The pairs lost in a plan state, compared with the before network, are
// the previous state's, except in the step's scope, where they are
// computed afresh (reachTracker.advance). On a hub whose peerings are all
// deleted and re-created, every state loses the pairs of every spoke cut
// off so far: a list per step holds about steps × pairs, the cube of the
// estate (2.3 GB for 100 spokes). The log holds, per step, only the pairs
// of its scope and the explanations found in that state; the current
// state's pairs are held once, by source subnet, so that a step costs what
// its scope holds. Each step keeps its counts and its first pairs
// (Impact); the full list of any step is replayed from the log in order
// (DiffResult.EachImpact), holding one state at a time.

// maxImpactHead is the number of lost pairs each step keeps in
// Impact.Lost, in (from, to) order: text and Markdown print five, and
// the first maxExplained of them are explained.
const maxImpactHead = maxExplained

// lostPair is a lost subnet pair of the before network's view, compactly.
type lostPair struct {
	key            int64 // the before view's pairKey
	reason         uint16
	result, before Outcome
}

// impactStep is what one plan state changes in the lost pairs.
type impactStep struct {
	src, dst  []bool     // the before view's subnets in the step's scope, as source and destination
	all       bool       // the scope is every pair
	added     []lostPair // the scope's lost pairs in this state, by key
	explained map[int64]string
}

// impactLog follows the lost pairs through the states of a plan.
type impactLog struct {
	base    *reachView
	reasons []Reason          // reason table of lostPair.reason
	reasonI map[Reason]uint16 // its index
	lasting func(key int64) bool
	steps   []impactStep

	// The current state: its pairs by source subnet and destination,
	// their explanations, and its counts.
	rows              []map[int32]lostPair
	expl              map[int64]string
	count, nonLasting int
}

// newImpactLog starts at the before network, which loses nothing. lasting
// reports whether a pair lost in a plan state stays lost after the whole
// change.
func newImpactLog(base *reachView, lasting func(key int64) bool) *impactLog {
	return &impactLog{base: base, reasonI: map[Reason]uint16{}, lasting: lasting,
		rows: make([]map[int32]lostPair, len(base.subs)), expl: map[int64]string{}}
}

func (l *impactLog) reasonIndex(r Reason) uint16 {
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
	i, j := l.base.pairOf(p.key)
	return ReachChange{From: l.base.names[i], To: l.base.names[j], Result: p.result, Before: p.before,
		Reason: l.reasons[p.reason], Explanation: expl, Lasting: l.lasting(p.key)}
}

// advance records the state sv views: the pairs of its scope are
// compared with the before network afresh, the others stay as they were.
// It returns the state's Impact.
func (l *impactLog) advance(sv stepView) Impact {
	v, sc := sv.view, sv.scope
	d, keys := compareViews(l.base, v, sc, false)
	st := impactStep{all: sc.all, explained: map[int64]string{}}
	if !sc.all {
		st.src, st.dst = make([]bool, len(l.base.subs)), make([]bool, len(l.base.subs))
		for i := range l.base.subs {
			st.src[i], st.dst[i] = l.base.inScope(sc, i)
		}
	}
	removed := l.remove(st)
	// The step loses what the one before it lost when its scope lost the
	// same pairs, with the same results and reasons, in both states.
	same := len(removed) == len(d.Lost)
	st.added = make([]lostPair, len(d.Lost))
	for k, c := range d.Lost {
		p := lostPair{key: keys[k], reason: l.reasonIndex(c.Reason), result: c.Result, before: c.Before}
		st.added[k] = p
		if old, ok := removed[p.key]; !ok || old.result != p.result || old.reason != p.reason {
			same = false
		}
		i, j := l.base.pairOf(p.key)
		if l.rows[i] == nil {
			l.rows[i] = map[int32]lostPair{}
		}
		l.rows[i][int32(j)] = p
		l.count++
		if !l.lasting(p.key) {
			l.nonLasting++
		}
	}
	// The first pairs are explained in this state unless an earlier one
	// has explained them.
	head := l.head(maxImpactHead)
	imp := Impact{Count: l.count, Transient: l.nonLasting, Same: same && l.count > 0, Lost: make([]ReachChange, len(head))}
	for k, p := range head {
		imp.Lost[k] = l.change(p, l.expl[p.key])
	}
	v.explain(imp.Lost)
	for k, p := range head {
		if e := imp.Lost[k].Explanation; e != "" && l.expl[p.key] == "" {
			l.expl[p.key] = e
			st.explained[p.key] = e
		}
	}
	l.steps = append(l.steps, st)
	return imp
}

// remove drops the current pairs in st's scope, and returns them.
func (l *impactLog) remove(st impactStep) map[int64]lostPair {
	removed := map[int64]lostPair{}
	drop := func(i int, j int32, p lostPair) {
		removed[p.key] = p
		delete(l.rows[i], j)
		delete(l.expl, p.key)
		l.count--
		if !l.lasting(p.key) {
			l.nonLasting--
		}
	}
	var dsts []int32
	for j := range l.base.subs {
		if st.all || st.dst[j] {
			dsts = append(dsts, int32(j))
		}
	}
	for i, row := range l.rows {
		if len(row) == 0 {
			continue
		}
		if st.all || st.src[i] {
			for j, p := range row {
				drop(i, j, p)
			}
			continue
		}
		for _, j := range dsts {
			if p, ok := row[j]; ok {
				drop(i, j, p)
			}
		}
	}
	return removed
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
	for k, st := range l.steps {
		kept := cur[:0:0]
		for _, p := range cur {
			i, j := l.base.pairOf(p.key)
			if st.all || st.src[i] || st.dst[j] {
				delete(expl, p.key)
				continue
			}
			kept = append(kept, p)
		}
		cur = mergeLost(kept, st.added)
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
