package event

import (
	"slices"
	"testing"

	"github.com/vnetsim/vnetsim/internal/contracttest"
)

// TestVocabularyMatchesContract holds the event keys to
// docs/reference/vocabularies.md, and each key to its event's Kind.
func TestVocabularyMatchesContract(t *testing.T) {
	for _, tc := range []struct {
		title string
		got   []string
	}{
		{"Scenario events", Kinds},
		{"Extension events", ExtensionKinds},
	} {
		contracttest.Match(t, tc.title, tc.got)
	}
	var kinds []string
	for _, ev := range every {
		kinds = append(kinds, ev.Kind())
	}
	if want := slices.Concat(Kinds, ExtensionKinds); !slices.Equal(kinds, want) {
		t.Errorf("the events' kinds differ from Kinds and ExtensionKinds\n got: %v\nwant: %v", kinds, want)
	}
}
