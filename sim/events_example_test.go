package sim_test

import (
	"fmt"

	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/topology"
)

// ExampleApply walks a peering through its states: one side is Initiated,
// two sides are Connected, and deleting one side leaves the other
// Disconnected, which refuses a new partner until it is itself updated.
func ExampleApply() {
	n, _, _ := topology.Load("pair.yaml", []byte(`
name: pair
networkController: nc1
virtualNetworks:
  A: {addressSpace: [10.1.0.0/16]}
  B: {addressSpace: [10.2.0.0/16]}
`))
	state := func() topology.PeeringState {
		return n.PeeringState("A", n.VirtualNetworks["A"].Peerings["a-to-b"])
	}
	for _, ev := range []sim.Event{
		sim.CreatePeering{VNet: "A", Name: "a-to-b", RemoteVirtualNetwork: "B"},
		sim.CreatePeering{VNet: "B", Name: "b-to-a", RemoteVirtualNetwork: "A"},
		sim.DeletePeering{Peering: sim.PeeringRef{VNet: "B", Name: "b-to-a"}},
		sim.CreatePeering{VNet: "B", Name: "b-to-a", RemoteVirtualNetwork: "A"},
		sim.UpdatePeering{Peering: sim.PeeringRef{VNet: "A", Name: "a-to-b"}},
		sim.CreatePeering{VNet: "B", Name: "b-to-a", RemoteVirtualNetwork: "A"},
	} {
		next, refusal := sim.Apply(n, ev)
		if refusal != nil {
			fmt.Printf("%-13s refused: %s\n", ev.Kind(), refusal.Code)
			continue
		}
		n = next
		fmt.Printf("%-13s a-to-b is %s\n", ev.Kind(), state())
	}
	// Output:
	// createPeering a-to-b is Initiated
	// createPeering a-to-b is Connected
	// deletePeering a-to-b is Disconnected
	// createPeering refused: remote-peering-disconnected
	// updatePeering a-to-b is Initiated
	// createPeering a-to-b is Connected
}
