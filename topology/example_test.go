package topology_test

import (
	"fmt"

	"github.com/vnetsim/vnetsim/topology"
)

// Check loads a file and validates it; every diagnostic points at its line.
func ExampleCheck() {
	src := []byte(`name: chain
virtualNetworks:
  A:
    addressSpace: [10.1.0.0/16]
    peerings:
      a-to-b: {remoteVirtualNetwork: B}
  B:
    addressSpace: [10.2.0.0/16]
`)
	n, sm, ds := topology.Check("chain.yaml", src)
	fmt.Println("loaded:", n != nil)
	for _, d := range ds {
		fmt.Printf("%s: %s %s: %s\n", d.Subject, d.Severity, d.Code, d.Summary)
		fmt.Println(sm.Line(d.Subject.Start.Line))
	}
	// Output:
	// loaded: true
	// chain.yaml:6:7: warning peering-not-connected: peering a-to-b: Initiated; create peering from B to A
	//       a-to-b: {remoteVirtualNetwork: B}
}
