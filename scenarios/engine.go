package scenarios

import (
	"fmt"

	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// lint returns the engine's semantic lints (forwarded-traffic-blocked and
// the like). TODO(issue 3): call the engine's lints once published.
func lint(e *sim.Engine) diag.Diagnostics { return nil }

// reachPair answers reachability for one pair of VNets or VNET/SUBNET names.
// TODO(issue 3): call Engine.Reach once published.
func reachPair(e *sim.Engine, from, to string) (sim.ReachPair, error) {
	return sim.ReachPair{}, fmt.Errorf("reach %s → %s: the reach engine is not available yet", from, to)
}
