package scenarios

import (
	"slices"
	"time"

	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// Result is the outcome of running one or more scenarios, the value every
// run report renders (docs/reference/json.md, run).
type Result struct {
	Scenarios []ScenarioResult
}

// Passed reports whether every scenario passed.
func (r *Result) Passed() bool {
	for _, s := range r.Scenarios {
		if !s.Passed {
			return false
		}
	}
	return true
}

// ScenarioResult is one scenario's outcome.
type ScenarioResult struct {
	Name        string
	Path        string // the scenario file as given, or "lab:NAME" for a built-in lab
	Description string // shown to learners
	Passed      bool
	// Hints are the scenario's hints, set only when it failed.
	Hints []string
	Steps []StepResult
	// Score is the number of passed checks and MaxScore the number of
	// checks plus one for each step with an unexpected refusal (see
	// StepResult.UnexpectedRefusal), a point never scored: the grade a lab
	// shows, which is full only when the scenario passed.
	Score, MaxScore int
	// Diagnostics holds problems that stopped the scenario from running
	// (a bad scenario file or topology), located in their files.
	Diagnostics diag.Diagnostics
	Duration    time.Duration // wall time; zero in tests for golden output
}

// StepResult is one step's outcome.
type StepResult struct {
	Name     string
	Passed   bool
	Events   []EventResult
	Checks   []CheckResult
	Hints    []string // shown to a learner when the step failed
	Duration time.Duration
}

// UnexpectedRefusal reports whether an event of the step was refused
// although the step has no expectRejected check: the step fails whatever
// its checks say.
func (s StepResult) UnexpectedRefusal() bool {
	return !slices.ContainsFunc(s.Checks, func(c CheckResult) bool { return c.Kind == RejectedKind }) &&
		slices.ContainsFunc(s.Events, func(e EventResult) bool { return !e.Accepted })
}

// EventResult is one applied (or refused) event.
type EventResult struct {
	Event    string    // the event's key, e.g. "createPeering"
	Accepted bool      // false: refused, the network is unchanged
	Code     diag.Code // the refusal code; "" when accepted
	Message  string    // why it was refused, for people
	Line     int       // the event's line in the scenario file
}

// CheckResult is one expectation's outcome. Expected and Actual hold values
// under the expectation's own field names (docs/reference/json.md): peering {state,
// syncLevel}, trace {result, reason, via}, valid {errors, warnings}, routes
// {routes}, reach {result}.
type CheckResult struct {
	Kind   string // the expectation key: peering, trace, valid, routes, reach; or expectRejected
	Passed bool
	// Target says what the check looked at, for people: "peering A/a-to-b",
	// "trace a1 → b1 TCP/443".
	Target   string
	Expected map[string]any
	Actual   map[string]any
	Message  string     // why it failed, for people; "" when it passed
	Trace    *sim.Trace // for a trace check, the observed trace (hops and reason)
	Line     int        // the expectation's line in the scenario file
}
