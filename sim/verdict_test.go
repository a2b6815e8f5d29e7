package sim_test

import (
	"slices"
	"testing"

	"github.com/vnetsim/vnetsim/internal/contracttest"
	"github.com/vnetsim/vnetsim/sim"
)

// TestVocabularyMatchesContract holds the drop reasons, results and step
// kinds to docs/reference/vocabularies.md.
func TestVocabularyMatchesContract(t *testing.T) {
	var reasons []string
	for _, r := range sim.Reasons {
		reasons = append(reasons, r.String())
	}
	if want := contracttest.Vocabulary(t, "Drop reasons"); !slices.Equal(reasons, want) {
		t.Errorf("drop reasons differ from docs/reference/vocabularies.md\n got: %v\nwant: %v", reasons, want)
	}
	var results []string
	for _, r := range []sim.Result{sim.Delivered, sim.Exited, sim.Dropped} {
		results = append(results, r.String())
	}
	if want := contracttest.Vocabulary(t, "Trace results"); !slices.Equal(results, want) {
		t.Errorf("trace results differ from docs/reference/vocabularies.md\n got: %v\nwant: %v", results, want)
	}
	var kinds []string
	for k := sim.StepACL; k <= sim.StepDrop; k++ {
		kinds = append(kinds, k.String())
	}
	if want := contracttest.Vocabulary(t, "Trace step kinds"); !slices.Equal(kinds, want) {
		t.Errorf("step kinds differ from docs/reference/vocabularies.md\n got: %v\nwant: %v", kinds, want)
	}
}
