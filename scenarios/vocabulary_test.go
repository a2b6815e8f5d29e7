package scenarios

import (
	"slices"
	"testing"

	"github.com/vnetsim/vnetsim/internal/contracttest"
	"github.com/vnetsim/vnetsim/sim/event"
)

// The events, expectations and check kinds the parser and runner know are
// those docs/reference/vocabularies.md lists.
func TestVocabularyMatchesContract(t *testing.T) {
	for _, tc := range []struct {
		title string
		got   []string
	}{
		{"Scenario events", eventKinds[:len(event.Kinds)]},
		{"Extension events", eventKinds[len(event.Kinds):]},
		{"Expectation kinds", expectationKinds},
		{"Check kinds", append(slices.Clone(expectationKinds), RejectedKind)},
	} {
		contracttest.Match(t, tc.title, tc.got)
	}
	for _, k := range eventKinds {
		if eventParsers[k] == nil {
			t.Errorf("event %s has no parser", k)
		}
	}
	for _, k := range expectationKinds {
		if expectationParsers[k] == nil {
			t.Errorf("expectation %s has no parser", k)
		}
	}
}
