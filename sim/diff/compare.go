package diff

import (
	"cmp"
	"errors"
	"fmt"
	"iter"
	"slices"

	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// Input is one side of a diff: a loaded network, its source map (nil
// leaves lines unknown) and the file's diagnostics as topology.Check
// returns them.
type Input struct {
	Network     *topology.Network
	Source      *topology.SourceMap
	Diagnostics diag.Diagnostics
}

// Options tunes a diff.
type Options struct {
	// Protocol and Ports are the header space reachability is computed
	// over. The zero value, every protocol and every port, makes a pair
	// "all" only when every packet between the two subnets is delivered.
	Protocol topology.Protocol
	Ports    []topology.PortRange
	// NoImpact skips the per-step reachability of the plan, the costly
	// part of a diff on a large estate.
	NoImpact bool
}

// Result is the pre-change review of an after-file against a
// before-file (docs/reference/commands.md, docs/reference/json.md).
type Result struct {
	Before, After string // the files' names
	Platform      topology.Platform
	// BeforeTookPlatform is set when the before network held nothing and
	// took the after-file's platform (an empty export reads as azure): a
	// scenario replaying the plan must not start from the file as read.
	BeforeTookPlatform bool
	// BeforeController is the before-file's networkController, which the
	// plan's created VNets inherit unless they name their own.
	BeforeController string
	Changes          []Change
	// Violations are the direct edits the platform would refuse and the
	// errors the after-file introduces.
	Violations []Violation
	// Preexisting are errors the after-file still has that the before-file
	// already had (same code at the same model path); they do not fail the
	// diff.
	Preexisting  []Violation
	Plan         Plan
	Reachability ReachDelta
	// Expect is what a scenario replaying the plan should find at its end.
	Expect ScenarioChecks
	// impacts holds every step's lost pairs, for ImpactLists.
	impacts *impactLog
}

// ScenarioChecks are the expectations a scenario replaying a plan ends
// with: the after network's subnet reachability over every protocol and
// port, its peering states, and no errors when the after-file has none.
type ScenarioChecks struct {
	// Reach holds every subnet pair of the after network, or, beyond
	// MaxScenarioReach pairs, the pairs the change affects followed by an
	// evenly spread sample of the rest (Sampled is then set).
	Reach   []sim.ReachPair
	Sampled bool
	// Peerings are the after network's peering objects with their states
	// (and azure sync levels).
	Peerings []PeeringCheck
	// Valid reports that the after-file has no errors, nor the before-file
	// errors about its text that no event removes (an unknown field), so
	// the scenario can expect valid: {}.
	Valid bool
}

// PeeringCheck is one peering object's expected state.
type PeeringCheck struct {
	VNet, Name string
	State      topology.PeeringState
	SyncLevel  *topology.SyncLevel // azure only
}

// MaxScenarioReach caps the reach expectations of an emitted scenario, so
// that a scenario for a large estate stays readable and quick to run.
const MaxScenarioReach = 200

// ReachDelta is the subnet-level reachability gained and lost between two
// states. Pairs are compared over the subnets both states hold, plus pairs
// that involve a new subnet and reach something (gained); pairs of a
// removed subnet are left out, since the change list already says it goes.
type ReachDelta struct {
	Gained, Lost []ReachChange
}

// ReachChange is one subnet pair whose reachability changed.
type ReachChange struct {
	From, To string      // VNET/SUBNET
	Result   sim.Outcome // in the later state
	Before   sim.Outcome // in the earlier state; OutcomeUnknown for a new subnet
	// Reason and Explanation say why packets are now dropped (lost pairs).
	Reason      sim.Reason
	Explanation string
	// Lasting marks a pair a plan step loses that stays lost after the
	// whole change (or whose subnet the change removes): an intended loss
	// rather than a transient one.
	Lasting bool
}

// Failed reports whether the diff fails (exit 1): a violation that is not
// resolved by the plan, or, with failOnLost, any reachability lost.
func (r *Result) Failed(failOnLost bool) bool {
	if slices.ContainsFunc(r.Violations, Violation.Fails) {
		return true
	}
	return failOnLost && len(r.Reachability.Lost) > 0
}

// holdsNothing reports whether n has no VNet, route table, ACL or
// on-premises site, so that nothing in it depends on its platform.
func holdsNothing(n *topology.Network) bool {
	return len(n.VirtualNetworks) == 0 && len(n.RouteTables) == 0 && len(n.AccessControlLists) == 0 && len(n.OnPremises) == 0
}

// Compare reviews a change from before to after: the structural changes, the
// edits the platform would refuse, a verified plan of events with each
// step's transient impact, and the reachability gained and lost. It fails
// only when a network is missing or the two files are on different
// platforms, which no plan can bridge.
func Compare(before, after Input, opts Options) (*Result, error) {
	b, a := before.Network, after.Network
	if b == nil || a == nil {
		return nil, errors.New("diff: both files must load")
	}
	tookPlatform := false
	if b.Platform != a.Platform {
		// A network with nothing in it (an export that lists nothing,
		// which reads as azure) has no platform to keep: it takes the
		// other's, so that a first deployment can be reviewed.
		switch {
		case holdsNothing(b):
			b = b.Clone()
			b.Platform, tookPlatform = a.Platform, true
		case holdsNothing(a):
			a = a.Clone()
			a.Platform = b.Platform
		default:
			return nil, fmt.Errorf("diff: the before-file is %s and the after-file %s; a network cannot change platform", b.Platform, a.Platform)
		}
	}
	res := &Result{Platform: a.Platform, BeforeTookPlatform: tookPlatform, BeforeController: b.NetworkController}
	if before.Source != nil {
		res.Before = before.Source.Filename
	}
	if after.Source != nil {
		res.After = after.Source.Filename
	}
	where := func(kind ChangeKind, p diag.Path) diag.Range {
		src := after.Source
		if kind == Removed {
			src = before.Source
		}
		r, _ := src.Locate(p)
		return r
	}

	res.Changes = Changes(b, a)
	for i := range res.Changes {
		res.Changes[i].Subject = where(res.Changes[i].Kind, res.Changes[i].Path)
	}
	for _, v := range addressSpaceViolations(b, a) {
		v.Subject = where(v.kind, v.Path)
		res.Violations = append(res.Violations, v)
	}
	introduced, preexisting := introducedErrors(b, a, before.Diagnostics, after.Diagnostics)
	for _, list := range [][]Violation{introduced, preexisting} {
		for i := range list {
			if !list[i].Subject.IsValid() {
				list[i].Subject = where(Changed, list[i].Path)
			}
		}
	}
	res.Violations = append(res.Violations, introduced...)
	res.Preexisting = preexisting

	// The changes above are the files' own; the plan, the reachability and
	// the scenario's expectations are of the network the after-file asks
	// for, with a Disconnected object whose partner it defines re-put.
	a = Reconnected(a)

	// The before network's reach view is a pass over the estate that
	// needs no plan: it is built while the plan is made.
	ropts := sim.ReachOptions{Level: sim.LevelSubnet, Protocol: opts.Protocol, Ports: opts.Ports}
	tracker := make(chan *reachTracker, 1)
	go func() { tracker <- newReachTracker(b, a, ropts) }()
	res.Plan = MakePlan(b, a)
	for i := range res.Plan.Unplanned {
		u := &res.Plan.Unplanned[i]
		u.Subject = where(u.Kind, u.Path)
	}
	tr := <-tracker
	// The pairs to compare are those of the files' changes and of the
	// objects whose stored state differs (re-put by Reconnected, or synced
	// otherwise), which decide what crosses a peering as much.
	total := changeScope(append(slices.Clip(res.Changes), peeringStateChanges(b, a)...), b, a)
	// The after network's view answers the whole change first, so that a
	// plan state's lost pairs can be told lasting or transient as they are
	// found.
	av := tr.view(a, total)
	var lostKeys []int64
	res.Reachability, lostKeys = compareViews(tr.base, av, total, true)
	explainLost(av, res.Reachability.Lost)
	if !opts.NoImpact {
		nets := make([]*topology.Network, len(res.Plan.Steps))
		for i, s := range res.Plan.Steps {
			nets[i] = s.network
		}
		// A verified plan ends in the after network, whose view serves
		// its last state.
		var last *sim.ReachView
		if res.Plan.Verified && len(res.Plan.Unplanned) == 0 {
			last = av
		}
		views := tr.views(nets, last)
		inAfter := make([]bool, tr.base.Len())
		for i := range inAfter {
			_, inAfter[i] = av.Index(tr.base.Name(i))
		}
		res.impacts = newImpactLog(tr.base, lastingPairs(tr.base, inAfter, lostKeys, total), inAfter)
		for i := range res.Plan.Steps {
			res.Plan.Steps[i].Impact = res.impacts.advance(<-views)
		}
	}
	// The scenario runs on the before-file, whose own loader errors no
	// event removes: valid: {} would fail on them.
	hasErrors := after.Diagnostics.HasErrors() || topology.FileDiagnostics(before.Diagnostics, b).HasErrors()
	res.Expect = scenarioChecks(a, hasErrors, res, av, total, opts.Protocol != topology.ProtocolAll || opts.Ports != nil)
	return res, nil
}

// ImpactLists yields every plan step's lost pairs, all of them, in step
// order and each step's sorted by (From, To), as Impact.Lost holds the
// first of them. Only one step's pairs are held at a time, however many
// the plan loses in all. A Result made by hand, without Compare, yields
// each step's Impact.Lost.
func (r *Result) ImpactLists() iter.Seq2[int, iter.Seq[ReachChange]] {
	return func(yield func(int, iter.Seq[ReachChange]) bool) {
		if r.impacts != nil {
			r.impacts.replay(yield)
			return
		}
		for i, s := range r.Plan.Steps {
			if !yield(i, slices.Values(s.Impact.Lost)) {
				return
			}
		}
	}
}

// lastingPairs reports whether a pair a plan step loses, by its key in
// the before network's view base, stays lost after the whole change: the
// change loses it (lostKeys, sorted), or the after network no longer has
// one of its subnets (kept, by subnet of base) and the change's pairScope
// total holds it.
func lastingPairs(base *sim.ReachView, kept []bool, lostKeys []int64, total pairScope) func(key int64) bool {
	return func(key int64) bool {
		if _, found := slices.BinarySearch(lostKeys, key); found {
			return true
		}
		i, j := pairOf(base, key)
		return (!kept[i] || !kept[j]) && total.involves([2]string{base.Name(i), base.Name(j)})
	}
}

// scenarioChecks chooses the expectations of a scenario that replays the
// plan. Reach expectations cover every protocol and port, as scenario
// reach checks do: every subnet pair of a small after network; else the
// pairs the change affects (up to half the budget) and then an evenly
// spread sample of the other pairs with an end in the change's pairScope,
// answered by av, the after network's view. When the diff narrowed the
// header space the chosen pairs are recomputed over all of it.
func scenarioChecks(a *topology.Network, afterHasErrors bool, res *Result, av *sim.ReachView, total pairScope, narrowed bool) ScenarioChecks {
	c := ScenarioChecks{Valid: !afterHasErrors}
	units := av.Len()
	if units*(units-1) <= MaxScenarioReach {
		c.Reach = sim.New(a).Reach(sim.ReachOptions{Level: sim.LevelSubnet, NoExplanations: true}).Pairs
	} else {
		c.Sampled = true
		var chosen [][2]int
		seen := map[[2]int]bool{}
		pick := func(k [2]int) {
			if !seen[k] && len(chosen) < MaxScenarioReach {
				seen[k] = true
				chosen = append(chosen, k)
			}
		}
		// The affected pairs lead, gained then lost, up to half the
		// budget; the lists can hold millions of pairs, so they are read,
		// not joined.
	affected:
		for _, list := range [][]ReachChange{res.Reachability.Gained, res.Reachability.Lost} {
			for _, d := range list {
				if len(chosen) >= MaxScenarioReach/2 {
					break affected
				}
				i, iok := av.Index(d.From)
				j, jok := av.Index(d.To)
				if iok && jok {
					pick([2]int{i, j})
				}
			}
		}
		count := 0
		eachPair(av, total, func(int, int) bool { count++; return true })
		step, k := max(1, count/MaxScenarioReach), 0
		eachPair(av, total, func(i, j int) bool {
			if k%step == 0 {
				pick([2]int{i, j})
			}
			k++
			return len(chosen) < MaxScenarioReach
		})
		e := sim.New(a)
		for _, k := range chosen {
			if !narrowed {
				c.Reach = append(c.Reach, av.Pair(k[0], k[1]))
			} else if p, err := e.ReachPair(av.Name(k[0]), av.Name(k[1]), sim.ReachOptions{}); err == nil {
				c.Reach = append(c.Reach, p)
			}
		}
		slices.SortFunc(c.Reach, func(x, y sim.ReachPair) int { return cmp.Or(cmp.Compare(x.From, y.From), cmp.Compare(x.To, y.To)) })
	}
	for _, v := range a.SortedVirtualNetworks() {
		for _, p := range v.SortedPeerings() {
			pc := PeeringCheck{VNet: v.Name, Name: p.Name, State: a.PeeringState(v.Name, p)}
			if a.Platform.Rules().PeeringSync && pc.State == topology.Connected {
				l := a.SyncLevel(v.Name, p)
				pc.SyncLevel = &l
			}
			c.Peerings = append(c.Peerings, pc)
		}
	}
	return c
}
