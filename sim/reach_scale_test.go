package sim

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vnetsim/vnetsim/topology"
)

// A subnet-level summary is counted by group pairs, never pair by pair;
// it must agree with the listing on random estates, with and without
// restricted sides (overlapping or not), in counts and in examples.
func TestReachSummaryByGroupAgreesWithListing(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for round := range 40 {
		n := randomEstate(r, true)
		e := New(n)
		var names []string
		for _, u := range e.units(LevelSubnet, nil) {
			names = append(names, u.name)
		}
		pick := func() []string {
			if r.IntN(3) == 0 {
				return nil // every subnet
			}
			var out []string
			for _, nm := range names {
				if r.IntN(2) == 0 {
					out = append(out, nm)
				}
			}
			return out
		}
		for _, sides := range [][2][]string{{nil, nil}, {pick(), pick()}} {
			opts := ReachOptions{Level: LevelSubnet, Protocol: topology.ProtocolAll, From: sides[0], To: sides[1],
				MaxExamples: 1 + r.IntN(8), NoExplanations: true, Workers: 1 + r.IntN(2)}
			full := e.Reach(opts)
			opts.Summary = true
			sum := e.Reach(opts)
			var want ReachCounts
			var notAll []ReachPair
			for _, p := range full.Pairs {
				want.add(p.Result, 1)
				if p.Result != OutcomeAll && len(notAll) < opts.MaxExamples {
					notAll = append(notAll, p)
				}
			}
			if sum.Counts != want {
				t.Fatalf("round %d, from %v to %v: summary counts %+v, listing %+v", round, sides[0], sides[1], sum.Counts, want)
			}
			if diff := cmp.Diff(notAll, sum.Examples, netipEqual); diff != "" {
				t.Fatalf("round %d, from %v to %v: examples differ (-listing +summary):\n%s", round, sides[0], sides[1], diff)
			}
		}
	}
}

// A listing with more pairs than MaxPairs is answered as a summary, so
// that a caller can bound memory on an estate of unknown size.
func TestReachMaxPairsSummarises(t *testing.T) {
	n := topology.Generate(topology.GenerateOptions{Hubs: 1, Spokes: 3})
	e := New(n)
	for _, tc := range []struct {
		name      string
		maxPairs  int
		summarise bool
	}{
		{"unbounded", 0, false},
		{"bound above the pairs", 1000, false},
		{"bound below the pairs", 10, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := e.Reach(ReachOptions{Level: LevelSubnet, Protocol: topology.TCP, MaxPairs: tc.maxPairs, NoExplanations: true})
			if got.Summarised != tc.summarise || (got.Pairs == nil) != tc.summarise {
				t.Errorf("Summarised %v with %d pairs, want summarised %v", got.Summarised, len(got.Pairs), tc.summarise)
			}
			if total := got.Counts.All + got.Counts.Some + got.Counts.None; total != 14*13 {
				t.Errorf("counted %d pairs, want %d", total, 14*13)
			}
		})
	}
}

// Progress counts every source unit once, in order, ending at the total,
// in listings and in summaries.
func TestReachProgress(t *testing.T) {
	n := topology.Generate(topology.GenerateOptions{Hubs: 2, Spokes: 3})
	for _, tc := range []struct {
		name  string
		opts  ReachOptions
		total int
	}{
		{"vnet listing", ReachOptions{Level: LevelVNet}, 8},
		{"subnet summary", ReachOptions{Level: LevelSubnet, Summary: true}, 28},
		{"one source", ReachOptions{Level: LevelSubnet, Summary: true, From: []string{"spoke00-000/s1"}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var done []int
			tc.opts.Progress = func(d, total int) {
				if total != tc.total {
					t.Errorf("total %d, want %d", total, tc.total)
				}
				done = append(done, d)
			}
			tc.opts.NoExplanations, tc.opts.Workers = true, 2
			New(n).Reach(tc.opts)
			if !slices.IsSorted(done) || len(done) == 0 || done[len(done)-1] != tc.total {
				t.Errorf("progress went %v, want rising to %d", done, tc.total)
			}
		})
	}
}
