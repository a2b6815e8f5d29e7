package diff

import (
	"testing"

	"github.com/vnetsim/vnetsim/internal/contracttest"
	"github.com/vnetsim/vnetsim/topology"
)

// TestVocabularyMatchesContract holds the change kinds to
// docs/reference/vocabularies.md.
func TestVocabularyMatchesContract(t *testing.T) {
	got := topology.StringsOf([]ChangeKind{Added, Removed, Changed})
	contracttest.Match(t, "Change kinds", got)
}
