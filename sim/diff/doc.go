// Package diff is the pre-change review of vnetsim diff: it compares a
// before-file with an after-file of one estate and returns the structural
// changes, the edits the platform would refuse, a verified plan of events
// (sim/event) that gets from one to the other through states the platform
// accepts, each step's transient cost in reachability, and the subnet
// pairs gained and lost.
//
// It sees the engine only through its exported API, as a differential
// question sees only the data plane: reachability through sim.ReachView,
// the refusals through event.Apply. compare.go is Compare; changes.go the
// structural changes, violations.go the refused edits and introduced
// errors, plan.go the plan, reach.go where a change can matter and how two
// states' views are compared, impact.go each step's lost pairs.
package diff
