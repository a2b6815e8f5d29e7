package reports_test

import (
	"fmt"
	"os"

	"github.com/vnetsim/vnetsim/reports"
	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/topology"
)

const chain = `name: chain
networkController: nc1
virtualNetworks:
  A:
    addressSpace: [10.1.0.0/16]
    subnets: {s1: {addressPrefix: 10.1.1.0/24}}
    virtualMachines: {a1: {subnet: s1, ipAddress: 10.1.1.4}}
    peerings: {a-to-b: {remoteVirtualNetwork: B}}
  B:
    addressSpace: [10.2.0.0/16]
    subnets: {s1: {addressPrefix: 10.2.1.0/24}}
    virtualMachines: {b1: {subnet: s1, ipAddress: 10.2.1.4}}
`

// Load a topology, trace a packet and render the answer for people.
func ExampleTraceText() {
	n, _, _ := topology.Load("chain.yaml", []byte(chain))
	e := sim.New(n)
	flow, err := e.NewFlow("a1", "b1", topology.TCP, 443)
	if err != nil {
		fmt.Println(err)
		return
	}
	t := e.Trace(flow)
	if err := reports.TraceText(os.Stdout, &t, nil, reports.Options{}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// a1 (10.1.1.4) → b1 (10.2.1.4), TCP 443: dropped [peering-not-connected]
	//   why: peering a-to-b is Initiated: create the peering from B to A
	//   hop 1: a1 in A/s1
	//     drop     peering-not-connected: peering a-to-b is Initiated: create the peering from B to A
}

// Check a topology and report its diagnostics like a compiler.
func ExampleValidateText() {
	data := []byte(chain)
	_, _, ds := topology.Check("chain.yaml", data)
	files := []reports.File{{Path: "chain.yaml", Source: data, Diagnostics: ds}}
	if err := reports.ValidateText(os.Stdout, files, reports.Options{}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// chain.yaml:8:16: warning[peering-not-connected]: peering a-to-b: Initiated; create peering from B to A
	//  8 |     peerings: {a-to-b: {remoteVirtualNetwork: B}}
	//    |                ^
	//   help: a peering is two objects; traffic crosses only when both exist
	// chain.yaml:9:3: note: peerings of B
	//  9 |   B:
	//    |   ^
	// 0 errors, 1 warning in 1 file
}
