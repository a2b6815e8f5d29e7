package sim_test

import (
	"fmt"
	"testing"

	"github.com/vnetsim/vnetsim/internal/contracttest"
	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/topology"
)

// TestVocabularyMatchesContract holds the drop reasons, results and step
// kinds to docs/reference/vocabularies.md.
func TestVocabularyMatchesContract(t *testing.T) {
	var reasons []string
	for _, r := range sim.Reasons {
		reasons = append(reasons, r.String())
	}
	contracttest.Match(t, "Drop reasons", reasons)
	var results []string
	for _, r := range []sim.Result{sim.Delivered, sim.Exited, sim.Dropped} {
		results = append(results, r.String())
	}
	contracttest.Match(t, "Trace results", results)
	var kinds []string
	for k := sim.StepACL; k <= sim.StepDrop; k++ {
		kinds = append(kinds, k.String())
	}
	contracttest.Match(t, "Trace step kinds", kinds)
	for _, tc := range []struct {
		title string
		got   []string
	}{
		{"Route sources", strs(sim.SourceDefault, sim.SourceUser, sim.SourceVirtualNetworkGateway)},
		{"Route states", strs(sim.Active, sim.Invalid)},
		{"Reach results", strs(sim.OutcomeAll, sim.OutcomeSome, sim.OutcomeNone)},
		{"Reach levels", strs(sim.LevelVNet, sim.LevelSubnet)},
	} {
		contracttest.Match(t, tc.title, tc.got)
	}
	// The reach results parse back; "unknown" is not one of them.
	for _, o := range []sim.Outcome{sim.OutcomeAll, sim.OutcomeSome, sim.OutcomeNone} {
		if got, err := sim.ParseOutcome(o.String()); err != nil || got != o {
			t.Errorf("ParseOutcome(%q) = %v, %v", o, got, err)
		}
	}
	if _, err := sim.ParseOutcome(sim.OutcomeUnknown.String()); err == nil {
		t.Error("ParseOutcome accepts unknown")
	}
}

func strs[T fmt.Stringer](vs ...T) []string { return topology.StringsOf(vs) }
