package diag

import "slices"

// Code is a closed-vocabulary diagnostic, refusal or report code of
// docs/reference/vocabularies.md.
// Its string value is the contract spelling; never rename one.
type Code string

// Error codes (docs/reference/vocabularies.md).
const (
	YAMLSyntax                   Code = "yaml-syntax"                     // the file is not well-formed YAML or not UTF-8
	UnknownField                 Code = "unknown-field"                   // a key the format does not define
	DuplicateKey                 Code = "duplicate-key"                   // a key written twice in one mapping
	MissingField                 Code = "missing-field"                   // a required key is absent
	InvalidValue                 Code = "invalid-value"                   // a value outside its enumeration, type or range
	InvalidPrefix                Code = "invalid-prefix"                  // a string that is not an IP prefix
	InvalidAddress               Code = "invalid-address"                 // a string that is not an IP address
	UnknownReference             Code = "unknown-reference"               // a name that refers to nothing
	DuplicateName                Code = "duplicate-name"                  // two objects share a name where names must be unique
	SubnetOutsideAddressSpace    Code = "subnet-outside-address-space"    // a subnet prefix not inside its VNet's address space
	SubnetOverlap                Code = "subnet-overlap"                  // two subnets of one VNet overlap
	AddressOutsideSubnet         Code = "address-outside-subnet"          // a VM or frontend address outside its subnet
	DuplicateAddress             Code = "duplicate-address"               // two VMs or frontends share an address in one VNet
	PeeringSelf                  Code = "peering-self"                    // a peering whose remote is its own VNet
	PeeringDuplicate             Code = "peering-duplicate"               // a second peering from one VNet to the same remote
	PeeringAddressOverlap        Code = "peering-address-overlap"         // peered VNets with overlapping address spaces
	PeeringControllerMismatch    Code = "peering-controller-mismatch"     // windows-sdn: peered VNets on different Network Controllers
	RemoteGatewayMissing         Code = "remote-gateway-missing"          // useRemoteGateways toward a VNet with no gateway
	RemoteGatewayTransitDisabled Code = "remote-gateway-transit-disabled" // useRemoteGateways while the remote lacks allowGatewayTransit
	RemoteGatewayWithLocal       Code = "remote-gateway-with-local-gateway"
	RemoteGatewayMultiple        Code = "remote-gateway-multiple"         // more than one useRemoteGateways object on one VNet
	GatewayTransitUnsupportedSKU Code = "gateway-transit-unsupported-sku" // azure: a Basic gateway offering transit
	RouteNextHopInvalid          Code = "route-next-hop-invalid"          // a next hop type and IP that do not fit together
	RouteNextHopUnreachable      Code = "route-next-hop-unreachable"      // an appliance outside the VNet and its Connected peers
	ACLPriorityInvalid           Code = "acl-priority-invalid"            // a priority outside the platform's range
	ACLPriorityDuplicate         Code = "acl-priority-duplicate"          // two rules with one priority in one ACL (and direction on azure)
)

// Warning codes (docs/reference/vocabularies.md).
const (
	PeeringNotConnected          Code = "peering-not-connected"           // a peering object whose state is not Connected
	PeeredOverlapsHubPeer        Code = "peered-overlaps-hub-peer"        // overlaps a VNet already peered with the remote (an error on azure)
	RouteNextHopNotFound         Code = "route-next-hop-not-found"        // an appliance address held by no VM or frontend
	RouteNextHopNotForwarding    Code = "route-next-hop-not-forwarding"   // an appliance VM without ipForwarding
	ACLPriorityReserved          Code = "acl-priority-reserved"           // windows-sdn: a priority in a reserved band
	NonCanonicalPrefix           Code = "non-canonical-prefix"            // a prefix with host bits set
	GatewayTransitWithoutGateway Code = "gateway-transit-without-gateway" // allowGatewayTransit on a VNet with no gateway
	ForwardedTrafficBlocked      Code = "forwarded-traffic-blocked"       // also a drop reason
	ImportUnsupported            Code = "import-unsupported"              // an exported construct the model cannot hold; the importer made a documented choice
	ImportIncomplete             Code = "import-incomplete"               // an export refers to a resource it does not hold, or contradicts itself
	AmbiguousName                Code = "ambiguous-name"                  // an endpoint name that several VMs, load balancers or hosts carry
)

// Refused-event codes (docs/reference/vocabularies.md). Events may also be refused with any
// error code above that the event would introduce.
const (
	AddressSpaceLocked        Code = "address-space-locked"        // windows-sdn: range changed while peered
	RemotePeeringDisconnected Code = "remote-peering-disconnected" // creating a side while the other is Disconnected
	AddressRangeInUse         Code = "address-range-in-use"        // removing a range that holds a subnet
	NotFound                  Code = "not-found"                   // the event names an object that does not exist
)

// Report codes (docs/reference/vocabularies.md): the codes of reports
// rather than of a topology or an event, SARIF rule ids and JUnit failure
// types. No diagnostic or refusal carries one.
const (
	FailedExpectation   Code = "failed-expectation"    // a scenario expectation did not hold
	PeeringSyncRequired Code = "peering-sync-required" // azure, in a diff: a peered VNet's space changes, so its peerings need syncPeering
	ReachabilityLost    Code = "reachability-lost"     // in a diff: a subnet pair delivers fewer packets after the change
)

// ErrorCodes lists every contract error code, in contract order.
var ErrorCodes = []Code{
	YAMLSyntax, UnknownField, DuplicateKey, MissingField, InvalidValue, InvalidPrefix,
	InvalidAddress, UnknownReference, DuplicateName, SubnetOutsideAddressSpace, SubnetOverlap,
	AddressOutsideSubnet, DuplicateAddress, PeeringSelf, PeeringDuplicate, PeeringAddressOverlap,
	PeeringControllerMismatch, RemoteGatewayMissing, RemoteGatewayTransitDisabled,
	RemoteGatewayWithLocal, RemoteGatewayMultiple, GatewayTransitUnsupportedSKU,
	RouteNextHopInvalid, RouteNextHopUnreachable, ACLPriorityInvalid, ACLPriorityDuplicate,
}

// WarningCodes lists every contract warning code, in contract order.
var WarningCodes = []Code{
	PeeringNotConnected, PeeredOverlapsHubPeer, RouteNextHopNotFound, RouteNextHopNotForwarding,
	ACLPriorityReserved, NonCanonicalPrefix, GatewayTransitWithoutGateway, ForwardedTrafficBlocked,
	ImportUnsupported, ImportIncomplete, AmbiguousName,
}

// RefusalCodes lists the codes only events are refused with.
var RefusalCodes = []Code{AddressSpaceLocked, RemotePeeringDisconnected, AddressRangeInUse, NotFound}

// ReportCodes lists the codes of reports, in contract order.
var ReportCodes = []Code{FailedExpectation, PeeringSyncRequired, ReachabilityLost}

// Known reports whether c is a code of docs/reference/vocabularies.md: a
// diagnostic error or warning code, a refused-event code or a report
// code.
func (c Code) Known() bool {
	return slices.Contains(ErrorCodes, c) || slices.Contains(WarningCodes, c) || slices.Contains(RefusalCodes, c) || c.IsReport()
}

// IsReport reports whether c is a report code (ReportCodes), which no
// diagnostic, refusal or scenario expectation carries.
func (c Code) IsReport() bool { return slices.Contains(ReportCodes, c) }

// String returns the contract spelling.
func (c Code) String() string { return string(c) }
