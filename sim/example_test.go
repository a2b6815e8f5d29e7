package sim_test

import (
	"fmt"
	"os"

	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/topology"
)

// Load a topology, trace one packet and read the verdict.
func ExampleEngine_Trace() {
	data, err := os.ReadFile("../examples/chain.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	n, _, _ := topology.Load("chain.yaml", data)
	e := sim.New(n)
	f, err := e.NewFlow("a1", "c1", topology.TCP, 443)
	if err != nil {
		fmt.Println(err)
		return
	}
	t := e.Trace(f)
	fmt.Println(t.Result, t.Reason)
	fmt.Println(t.Explanation)
	// Output:
	// dropped not-peered
	// A and C are not peered (peering is not transitive): create the peering from A to C and from C to A
}

// The effective routes of a subnet, as Network Watcher shows them.
func ExampleEngine_Routes() {
	n := topology.Generate(topology.GenerateOptions{Hubs: 1, Spokes: 1, SubnetsPerSpoke: 1})
	rt, err := sim.New(n).Routes("spoke00-000", "s0")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rt.Routes {
		fmt.Println(r.State, r.Source, r)
	}
	// Output:
	// Active User 10.0.0.0/8 via VirtualAppliance 100.64.1.4 (rt-hub00-spokes/spokes-via-nva)
	// Active Default 10.0.0.0/22 via VnetLocal (system)
	// Active User 100.64.0.0/10 via VirtualAppliance 100.64.1.4 (rt-hub00-spokes/hubs-via-nva)
	// Active Default 100.64.0.0/16 via VNetPeering (peering to hub00)
	// Active VirtualNetworkGateway 172.16.0.0/20 via VirtualNetworkGateway (learned from dc00)
}

// Which subnets can talk over every TCP port, with one line per pair that
// is not fully open.
func ExampleEngine_Reach() {
	data, err := os.ReadFile("../examples/hub-spoke.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	n, _, _ := topology.Load("hub-spoke.yaml", data)
	r := sim.New(n).Reach(sim.ReachOptions{Level: sim.LevelSubnet, Protocol: topology.TCP, Summary: true})
	fmt.Printf("all %d, some %d, none %d\n", r.Counts.All, r.Counts.Some, r.Counts.None)
	for _, p := range r.Examples {
		fmt.Println(p.From, "->", p.To, p.Result, p.Reason)
	}
	// Output:
	// all 41, some 1, none 0
	// spoke2/app -> spoke1/app some acl-denied
}
