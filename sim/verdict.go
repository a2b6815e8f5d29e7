package sim

import (
	"net/netip"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// Result is a packet's fate (docs/reference/vocabularies.md). The zero value means "not
// decided", so a forgotten assignment cannot pass for a verdict.
type Result uint8

const (
	Undecided Result = iota
	Delivered        // reached a VM, a load balancer backend or an on-premises endpoint
	Exited           // left through an Internet next hop
	Dropped          // stopped, with a Reason
)

var resultNames = [...]string{"undecided", "delivered", "exited", "dropped"}

// String returns the contract spelling.
func (r Result) String() string {
	if int(r) < len(resultNames) {
		return resultNames[r]
	}
	return "invalid"
}

// MarshalText implements encoding.TextMarshaler.
func (r Result) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// Reason is why a packet was dropped, a drop reason of docs/reference/vocabularies.md. The zero
// value is "no reason", used for packets that were not dropped.
type Reason string

// Drop reasons (docs/reference/vocabularies.md).
const (
	NotPeered               Reason = "not-peered"                // no peering object exists between the two VNets
	PeeringNotConnected     Reason = "peering-not-connected"     // a peering object exists but the pair is not Connected
	PeeringAccessDisabled   Reason = "peering-access-disabled"   // allowVirtualNetworkAccess is false on either object
	ForwardedTrafficBlocked Reason = "forwarded-traffic-blocked" // the receiving object does not allow forwarded traffic
	AddressSpaceNotSynced   Reason = "address-space-not-synced"  // azure: the destination range is not synced yet
	ACLDenied               Reason = "acl-denied"                // an ACL rule or default denied the packet
	NoRoute                 Reason = "no-route"                  // no route matches the destination
	NullRoute               Reason = "null-route"                // a route with next hop None matched
	NextHopNotFound         Reason = "next-hop-not-found"        // no VM or frontend holds the appliance address
	NextHopUnreachable      Reason = "next-hop-unreachable"      // the appliance is outside the VNet and its Connected peers
	NextHopDown             Reason = "next-hop-down"             // the appliance VM is not running
	IPForwardingDisabled    Reason = "ip-forwarding-disabled"    // the appliance VM does not forward
	GatewayNotAvailable     Reason = "gateway-not-available"     // no own gateway and no gateway transit
	DestinationNotFound     Reason = "destination-not-found"     // no VM or frontend holds the destination address
	LoadBalancerUnreachable Reason = "load-balancer-unreachable" // azure: a Basic ILB over global peering
	LoadBalancerNoBackend   Reason = "load-balancer-no-backend"  // no running backend, or no rule for the protocol and port
	Loop                    Reason = "loop"                      // the packet revisited a hop or passed 32 hops
)

// Reasons lists every drop reason, in contract order.
var Reasons = []Reason{
	NotPeered, PeeringNotConnected, PeeringAccessDisabled, ForwardedTrafficBlocked,
	AddressSpaceNotSynced, ACLDenied, NoRoute, NullRoute, NextHopNotFound, NextHopUnreachable,
	NextHopDown, IPForwardingDisabled, GatewayNotAvailable, DestinationNotFound,
	LoadBalancerUnreachable, LoadBalancerNoBackend, Loop,
}

// String returns the contract spelling.
func (r Reason) String() string { return string(r) }

// StepKind classifies one step of a hop (docs/reference/json.md).
type StepKind uint8

const (
	StepACL StepKind = iota + 1
	StepRoute
	StepPeering
	StepGateway
	StepForward
	StepDeliver
	StepDrop
)

var stepKindNames = [...]string{"", "acl", "route", "peering", "gateway", "forward", "deliver", "drop"}

// String returns the contract spelling.
func (k StepKind) String() string {
	if int(k) < len(stepKindNames) && k > 0 {
		return stepKindNames[k]
	}
	return "invalid"
}

// MarshalText implements encoding.TextMarshaler.
func (k StepKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Flow is one packet to trace.
type Flow struct {
	From, To string     // endpoint names as written
	Src, Dst netip.Addr // resolved addresses
	Protocol topology.Protocol
	Port     uint16 // destination port; 0 for ICMP

	// DstSubnet is "VNET/SUBNET" when the destination is a subnet: the
	// packet counts as delivered when it enters that subnet (docs/reference/topology.md),
	// whether or not a VM holds Dst. "" for every other destination.
	DstSubnet string
	// Reply marks the reply of an allowed flow: ACLs are stateful, so a
	// reply is not filtered (docs/semantics.md#replies). TraceReturn sets it.
	Reply bool
}

// Trace is a packet's answer: a small tree, never a bare bool.
type Trace struct {
	Flow        Flow
	Result      Result // the zero value means "not decided"
	Reason      Reason // a contract drop reason; "" unless Dropped
	Explanation string // one sentence a person can act on
	Hops        []Hop

	// BandwidthMbps is the smallest bandwidthMbps declared by a VM the
	// packet visited (source, appliances, destination); 0 when none declared.
	BandwidthMbps int
	// Facts are path facts in visiting order, one sentence each, e.g.
	// "peering hub-to-spoke1 is intra-region: it adds no latency".
	Facts []string
	// Asymmetry is set on a reply trace (TraceReturn) whose path does not
	// mirror the request's, e.g. a reply that bypasses the appliance the
	// request went through; "" when the paths match.
	Asymmetry string
}

// Hop is one node the packet visited: a VM, load balancer, gateway or
// on-premises site.
type Hop struct {
	Node, VirtualNetwork, Subnet string
	Kind                         HopKind // what Node names
	Steps                        []Step
}

// HopKind says what a hop's Node names: names repeat across kinds (a VM
// and a load balancer may share one), so a diagram finds the hop's object
// by both.
type HopKind uint8

// Hop kinds.
const (
	HopEndpoint     HopKind = iota // a subnet or an address
	HopVM                          // a virtual machine
	HopLoadBalancer                // a load balancer's frontend
	HopGateway                     // a VNet's gateway
	HopSite                        // an on-premises site
)

// Step is one decision at a hop. A drop is the last step of the last hop.
type Step struct {
	Kind   StepKind
	Detail string    // "10.0.0.0/8 via VirtualAppliance 10.0.2.4 (rt-spoke/to-hub-nva)"
	Source diag.Path // the object that decided, e.g. accessControlLists.web-acl.rules[0]
}
