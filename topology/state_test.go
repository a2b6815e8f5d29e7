package topology

import (
	"slices"
	"testing"
)

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

// Peers names the VNets peered either way, whatever the state, and
// SubnetUsers what holds a subnet's range.
func TestPeersAndSubnetUsers(t *testing.T) {
	n := loadT(t, `
name: t
virtualNetworks:
  A:
    addressSpace: [10.1.0.0/16]
    subnets: {s: {addressPrefix: 10.1.0.0/24}, empty: {addressPrefix: 10.1.1.0/24}}
    virtualMachines: {vm2: {subnet: s, ipAddress: 10.1.0.5}, vm1: {subnet: s, ipAddress: 10.1.0.4}}
    loadBalancers: {ilb: {subnet: s, frontendIpAddress: 10.1.0.10}}
    peerings: {ab: {remoteVirtualNetwork: B}, aa: {remoteVirtualNetwork: A}}
  B:
    addressSpace: [10.2.0.0/16]
  C:
    addressSpace: [10.3.0.0/16]
    peerings: {ca: {remoteVirtualNetwork: A}}
`)
	if got := slices.Sorted(n.Peers("A")); !slices.Equal(got, []string{"A", "A", "B", "C"}) {
		t.Errorf("Peers(A) = %v, want A twice (its object toward itself, seen from both ends), B and C", got)
	}
	if got := slices.Sorted(n.Peers("B")); !slices.Equal(got, []string{"A"}) {
		t.Errorf("Peers(B) = %v, want A", got)
	}
	a := n.VirtualNetworks["A"]
	if got, want := a.SubnetUsers("s"), []string{"VM vm1", "VM vm2", "load balancer ilb"}; !slices.Equal(got, want) {
		t.Errorf("SubnetUsers(s) = %v, want %v", got, want)
	}
	if got := a.SubnetUsers("empty"); got != nil {
		t.Errorf("SubnetUsers(empty) = %v, want none", got)
	}
	if got := (*VirtualNetwork)(nil).SubnetUsers("s"); got != nil {
		t.Errorf("a nil VNet's SubnetUsers = %v", got)
	}
}
