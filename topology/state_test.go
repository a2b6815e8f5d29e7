package topology

import "testing"

func TestSyncLevelOfMissingOrUnconnectedPeering(t *testing.T) {
	n := loadT(t, `
name: t
platform: azure
virtualNetworks:
  A:
    addressSpace: [10.1.0.0/16]
    peerings: {ab: {remoteVirtualNetwork: B}}
  B:
    addressSpace: [10.2.0.0/16]
`)
	tests := []struct {
		name  string
		owner string
		p     *Peering
	}{
		{"absent object", "B", nil},
		{"initiated object", "A", n.VirtualNetworks["A"].Peerings["ab"]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := n.SyncLevel(tt.owner, tt.p); got != FullyInSync {
				t.Errorf("SyncLevel = %s, want FullyInSync", got)
			}
		})
	}
}
