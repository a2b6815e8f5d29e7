package scenarios

import (
	"net/netip"

	"gopkg.in/yaml.v3"

	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/sim/event"
	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// Scenario is a parsed scenario file (docs/reference/scenarios.md): a topology plus ordered
// steps, each applying events and then checking expectations.
type Scenario struct {
	Name        string
	Description string   // shown to learners
	Hints       []string // shown when the scenario fails (a contract extension)
	// Filename is the scenario file as given, or "lab:NAME"
	// for a built-in lab.
	Filename string
	// TopologyPath is the topology file as written, relative to the
	// scenario file; "" when the topology is inline.
	TopologyPath string
	// Topology is the loaded network the first step starts from; nil when
	// it could not be loaded (Parse then returns its diagnostics).
	Topology *topology.Network
	// TopologySource locates model paths in the topology's file.
	TopologySource *topology.SourceMap
	Steps          []Step

	inline *yaml.Node // the inline topology mapping, for Encode
	// fileDiags are the topology loader's own diagnostics, about the
	// file's text (topology.FileDiagnostics): no event changes them, so
	// every valid check counts them with the network's.
	fileDiags diag.Diagnostics
}

// Step is one step of a scenario.
type Step struct {
	Name string
	Line int
	Do   []Do
	// ExpectRejected, when set, is the code one of the step's events must
	// be refused with; the step then passes only if that happens.
	ExpectRejected diag.Code
	Expect         []Check
	Hints          []string // shown to a learner when the step fails (a contract extension)
}

// Do is one event of a step, with its line in the scenario file.
type Do struct {
	Event event.Event
	Line  int
}

// Check is one expectation of a step, with its line in the scenario file.
type Check struct {
	Expectation Expectation
	Line        int
}

// Expectation is one checkable claim about the network (docs/reference/scenarios.md). The
// set is closed: PeeringExpectation, TraceExpectation, ValidExpectation,
// RoutesExpectation and ReachExpectation.
type Expectation interface {
	// Kind returns the expectation's key: peering, trace, valid, routes or
	// reach.
	Kind() string
	// Fields returns the expectation as written, under its contract field
	// names, for encoding.
	Fields() []event.Field

	check(r *runner) CheckResult
}

// PeeringExpectation expects a peering object's state, and on azure
// optionally its sync level. The object is named by VNet plus Name or
// RemoteVirtualNetwork; State may be Absent.
type PeeringExpectation struct {
	Peering   event.PeeringRef
	State     topology.PeeringState
	SyncLevel *topology.SyncLevel // nil: not checked
}

// TraceExpectation expects one packet's fate. Via, when set, lists hop node
// names that must appear in the trace in this order, not necessarily next
// to each other.
type TraceExpectation struct {
	From, To string
	Protocol topology.Protocol // default TCP
	Port     uint16            // default 443 for TCP and UDP, 0 for ICMP and All
	Result   sim.Result
	Reason   sim.Reason // "": not checked
	Via      []string   // nil: not checked
}

// ValidExpectation expects validation codes. Every listed code must be
// present. When Errors is empty (the key is absent, or `errors: []`) the
// network must have no error at all; an empty ValidExpectation is `valid: {}`.
type ValidExpectation struct {
	Errors   []diag.Code // empty: no errors allowed
	Warnings []diag.Code
}

// RoutesExpectation expects routes in a subnet's effective route table.
type RoutesExpectation struct {
	VNet, Subnet string
	Contains     []RouteSpec
}

// RouteSpec is one expected effective route. An invalid NextHopIPAddress
// is not checked.
type RouteSpec struct {
	AddressPrefix    netip.Prefix
	NextHopType      topology.NextHopType
	NextHopIPAddress netip.Addr
}

// ReachExpectation expects the reachability of a pair of VNets or
// VNET/SUBNET names over every protocol and port.
type ReachExpectation struct {
	From, To string
	Result   sim.Outcome
}

// Kind implements Expectation.
func (PeeringExpectation) Kind() string { return "peering" }

// Kind implements Expectation.
func (TraceExpectation) Kind() string { return "trace" }

// Kind implements Expectation.
func (ValidExpectation) Kind() string { return "valid" }

// Kind implements Expectation.
func (RoutesExpectation) Kind() string { return "routes" }

// Kind implements Expectation.
func (ReachExpectation) Kind() string { return "reach" }

// Fields implements Expectation.
func (e PeeringExpectation) Fields() []event.Field {
	out := append(peeringRefFields(e.Peering), event.Field{Name: "state", Value: e.State.String()})
	if e.SyncLevel != nil {
		out = append(out, event.Field{Name: "syncLevel", Value: e.SyncLevel.String()})
	}
	return out
}

func peeringRefFields(r event.PeeringRef) []event.Field {
	out := []event.Field{{Name: "vnet", Value: r.VNet}}
	if r.Name != "" {
		out = append(out, event.Field{Name: "name", Value: r.Name})
	}
	if r.RemoteVirtualNetwork != "" {
		out = append(out, event.Field{Name: "remoteVirtualNetwork", Value: r.RemoteVirtualNetwork})
	}
	return out
}

// Fields implements Expectation.
func (e TraceExpectation) Fields() []event.Field {
	out := []event.Field{{Name: "from", Value: e.From}, {Name: "to", Value: e.To},
		{Name: "protocol", Value: e.Protocol.String()}}
	if e.Protocol.HasPorts() {
		out = append(out, event.Field{Name: "port", Value: int(e.Port)})
	}
	out = append(out, event.Field{Name: "result", Value: e.Result.String()})
	if e.Reason != "" {
		out = append(out, event.Field{Name: "reason", Value: e.Reason.String()})
	}
	if e.Via != nil {
		out = append(out, event.Field{Name: "via", Value: append([]string{}, e.Via...)})
	}
	return out
}

// Fields implements Expectation.
func (e ValidExpectation) Fields() []event.Field {
	var out []event.Field
	if e.Errors != nil {
		out = append(out, event.Field{Name: "errors", Value: codeStrings(e.Errors)})
	}
	if e.Warnings != nil {
		out = append(out, event.Field{Name: "warnings", Value: codeStrings(e.Warnings)})
	}
	return out
}

func codeStrings(cs []diag.Code) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}

// Fields implements Expectation.
func (e RoutesExpectation) Fields() []event.Field {
	routes := make([][]event.Field, len(e.Contains))
	for i, r := range e.Contains {
		routes[i] = r.fields()
	}
	return []event.Field{{Name: "vnet", Value: e.VNet}, {Name: "subnet", Value: e.Subnet}, {Name: "contains", Value: routes}}
}

func (r RouteSpec) fields() []event.Field {
	out := []event.Field{{Name: "addressPrefix", Value: r.AddressPrefix.String()}, {Name: "nextHopType", Value: r.NextHopType.String()}}
	if r.NextHopIPAddress.IsValid() {
		out = append(out, event.Field{Name: "nextHopIpAddress", Value: r.NextHopIPAddress.String()})
	}
	return out
}

// Fields implements Expectation.
func (e ReachExpectation) Fields() []event.Field {
	return []event.Field{{Name: "from", Value: e.From}, {Name: "to", Value: e.To}, {Name: "result", Value: e.Result.String()}}
}
