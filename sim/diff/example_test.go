package diff_test

import (
	"fmt"

	"github.com/vnetsim/vnetsim/sim/diff"
	"github.com/vnetsim/vnetsim/topology"
)

// A spoke gains a second address range while it is peered with the hub.
// On windows-sdn the edit is refused as a direct change; the plan removes
// the peering, changes the space and re-creates the peering, and says what
// the change window costs.
func ExampleCompare() {
	const before = `
name: example
virtualNetworks:
  hub:
    addressSpace: [10.0.0.0/16]
    subnets: {shared: {addressPrefix: 10.0.1.0/24}}
    peerings: {hub-to-spoke: {remoteVirtualNetwork: spoke}}
  spoke:
    addressSpace: [10.1.0.0/16]
    subnets: {app: {addressPrefix: 10.1.1.0/24}}
    peerings: {spoke-to-hub: {remoteVirtualNetwork: hub}}
`
	const after = `
name: example
virtualNetworks:
  hub:
    addressSpace: [10.0.0.0/16]
    subnets: {shared: {addressPrefix: 10.0.1.0/24}}
    peerings: {hub-to-spoke: {remoteVirtualNetwork: spoke}}
  spoke:
    addressSpace: [10.1.0.0/16, 10.2.0.0/16]
    subnets: {app: {addressPrefix: 10.1.1.0/24}}
    peerings: {spoke-to-hub: {remoteVirtualNetwork: hub}}
`
	input := func(name, text string) diff.Input {
		n, sm, ds := topology.Check(name, []byte(text))
		return diff.Input{Network: n, Source: sm, Diagnostics: ds}
	}
	res, err := diff.Compare(input("before.yaml", before), input("after.yaml", after), diff.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range res.Violations {
		fmt.Printf("%s at %s\n", v.Code, v.Subject)
	}
	for i, s := range res.Plan.Steps {
		fmt.Printf("%d. %s, %d subnet pairs lost meanwhile\n", i+1, s.Event.Kind(), s.Impact.Count)
	}
	fmt.Println("verified:", res.Plan.Verified, "failed:", res.Failed(false))
	// Output:
	// address-space-locked at after.yaml:9:33
	// 1. deletePeering, 2 subnet pairs lost meanwhile
	// 2. deletePeering, 2 subnet pairs lost meanwhile
	// 3. addAddressPrefix, 2 subnet pairs lost meanwhile
	// 4. createPeering, 2 subnet pairs lost meanwhile
	// 5. createPeering, 0 subnet pairs lost meanwhile
	// verified: true failed: true
}
