package event_test

import (
	"fmt"

	"github.com/vnetsim/vnetsim/sim/event"
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
	for _, ev := range []event.Event{
		event.CreatePeering{VNet: "A", Name: "a-to-b", RemoteVirtualNetwork: "B"},
		event.CreatePeering{VNet: "B", Name: "b-to-a", RemoteVirtualNetwork: "A"},
		event.DeletePeering{Peering: event.PeeringRef{VNet: "B", Name: "b-to-a"}},
		event.CreatePeering{VNet: "B", Name: "b-to-a", RemoteVirtualNetwork: "A"},
		event.UpdatePeering{Peering: event.PeeringRef{VNet: "A", Name: "a-to-b"}},
		event.CreatePeering{VNet: "B", Name: "b-to-a", RemoteVirtualNetwork: "A"},
	} {
		next, refusal := event.Apply(n, ev)
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
