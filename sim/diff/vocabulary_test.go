package diff

import (
	"slices"
	"testing"

	"github.com/vnetsim/vnetsim/internal/contracttest"
	"github.com/vnetsim/vnetsim/topology"
)

// TestVocabularyMatchesContract holds the change kinds to
// docs/reference/vocabularies.md.
func TestVocabularyMatchesContract(t *testing.T) {
	got := topology.StringsOf([]ChangeKind{Added, Removed, Changed})
	if want := contracttest.Vocabulary(t, "Change kinds"); !slices.Equal(got, want) {
		t.Errorf("change kinds differ from docs/reference/vocabularies.md\n got: %v\nwant: %v", got, want)
	}
}
