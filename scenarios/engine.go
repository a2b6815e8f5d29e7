package scenarios

import (
	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// lint returns the engine's semantic lints (forwarded-traffic-blocked),
// which `valid` checks count with the model's diagnostics, as validate does.
func lint(e *sim.Engine) diag.Diagnostics { return e.Lint() }

// reachPair answers reachability for one pair of VNets or VNET/SUBNET names,
// over every protocol and port.
func reachPair(e *sim.Engine, from, to string) (sim.ReachPair, error) {
	return e.ReachPair(from, to, sim.ReachOptions{Protocol: topology.ProtocolAll})
}
