package topology_test

import (
	"slices"
	"testing"

	"github.com/vnetsim/vnetsim/internal/contracttest"
	"github.com/vnetsim/vnetsim/topology"
)

// TestVocabularyMatchesContract holds peering states, azure sync levels and
// ACL service tags to docs/reference/vocabularies.md.
func TestVocabularyMatchesContract(t *testing.T) {
	var states []string
	for s := topology.Initiated; s <= topology.Disconnected; s++ {
		states = append(states, s.String())
	}
	states = append(states, topology.Absent.String()) // "(and `Absent` in expectations)"
	if want := contracttest.Vocabulary(t, "Peering states"); !slices.Equal(states, want) {
		t.Errorf("peering states differ from docs/reference/vocabularies.md\n got: %v\nwant: %v", states, want)
	}
	var levels []string
	for l := topology.FullyInSync; l <= topology.LocalAndRemoteNotInSync; l++ {
		levels = append(levels, l.String())
	}
	if want := contracttest.Vocabulary(t, "Azure sync levels"); !slices.Equal(levels, want) {
		t.Errorf("sync levels differ from docs/reference/vocabularies.md\n got: %v\nwant: %v", levels, want)
	}
	var tags []string
	for _, tag := range topology.ServiceTags() {
		tags = append(tags, tag.String())
		if m, err := topology.ParseAddressMatch(tag.String()); err != nil || m.Tag != tag {
			t.Errorf("ParseAddressMatch(%q) = %+v, %v", tag, m, err)
		}
	}
	if want := contracttest.Vocabulary(t, "ACL service tags"); !slices.Equal(tags, want) {
		t.Errorf("service tags differ from docs/reference/vocabularies.md\n got: %v\nwant: %v", tags, want)
	}
}
