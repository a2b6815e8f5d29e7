package reports

import (
	"io"

	"github.com/vnetsim/vnetsim/topology/diag"
)

// DocsBase is where the project's documentation pages are published.
const DocsBase = "https://github.com/vnetsim/vnetsim/blob/main/docs/"

// DocsURL is the page that explains every code, one anchor per code. SARIF
// rules and Markdown reports link to it, so its anchors are part of the
// stable output: an anchor is the code itself.
const DocsURL = DocsBase + "codes.md"

// CodeHelp is what reports say about a code: a one-line description, what
// to do about it, and the documentation of the rule behind it.
type CodeHelp struct {
	Code  diag.Code
	Short string // what the code means, one line
	Help  string // how to fix it
	// Ref is the page under docs/, with its anchor, that holds the rule
	// behind the code, e.g. "semantics.md#gateway-transit"; "" for none.
	Ref string
}

// URI returns the stable link to the code's explanation.
func (h CodeHelp) URI() string { return DocsURL + "#" + string(h.Code) }

// HelpText is Help followed by a link to the rule behind the code, for
// formats that carry plain text (SARIF).
func (h CodeHelp) HelpText() string {
	if h.Ref == "" {
		return h.Help
	}
	return h.Help + " See " + DocsBase + h.Ref + "."
}

// codeHelp is the fixed table behind Help, in the order of
// docs/reference/vocabularies.md: errors, warnings, refusals.
var codeHelp = []CodeHelp{
	{diag.YAMLSyntax, "The file is not well-formed YAML, not UTF-8, empty or too large.", "Fix the syntax at the reported line; the file cannot be analysed until it parses.", "limits.md"},
	{diag.UnknownField, "A key the topology format does not define.", "Remove the key or correct its spelling; keys use the platform's camelCase property names.", "reference/topology.md"},
	{diag.DuplicateKey, "A key written twice in one mapping.", "Keep one of the two keys; YAML would silently keep the last.", "reference/topology.md"},
	{diag.MissingField, "A required key is absent.", "Add the key named in the message.", "reference/topology.md"},
	{diag.InvalidValue, "A value outside its enumeration, type or range.", "Use one of the values listed in the message.", "reference/vocabularies.md"},
	{diag.InvalidPrefix, "A string that is not an IP prefix.", "Write the prefix in CIDR form, for example 10.0.0.0/16.", "reference/topology.md"},
	{diag.InvalidAddress, "A string that is not an IP address.", "Write a single IPv4 or IPv6 address, for example 10.0.1.4.", "reference/topology.md"},
	{diag.UnknownReference, "A name that refers to nothing in the file.", "Define the referenced object or correct the name.", "reference/topology.md"},
	{diag.DuplicateName, "Two objects share a name where names must be unique.", "Rename one of them; endpoint names must resolve to one object.", "reference/topology.md#names-and-endpoints"},
	{diag.SubnetOutsideAddressSpace, "A subnet prefix is not inside its VNet's address space.", "Change the subnet prefix or add a range to the VNet's addressSpace.", "semantics.md#subnets-and-addresses"},
	{diag.SubnetOverlap, "Two subnets of one VNet overlap.", "Give each subnet a distinct, non-overlapping prefix.", "semantics.md#subnets-and-addresses"},
	{diag.AddressOutsideSubnet, "A VM or load balancer frontend address is outside its subnet.", "Move the address into the subnet's prefix or place the object in the right subnet.", "semantics.md#subnets-and-addresses"},
	{diag.DuplicateAddress, "Two VMs or frontends share an address in one VNet.", "Give each NIC and frontend its own address.", "semantics.md#subnets-and-addresses"},
	{diag.PeeringSelf, "A peering whose remote is its own VNet.", "Point remoteVirtualNetwork at another VNet.", "semantics.md#peering-requirements"},
	{diag.PeeringDuplicate, "A second peering from one VNet to the same remote.", "Keep one peering object per remote VNet.", "semantics.md#peering-requirements"},
	{diag.PeeringAddressOverlap, "Peered VNets have overlapping address spaces.", "Change one address space or remove the peering; peered VNets must not overlap.", "semantics.md#peering-requirements"},
	{diag.PeeringControllerMismatch, "windows-sdn: peered VNets are managed by different Network Controllers.", "Peer only VNets of one Network Controller.", "semantics.md#peering-requirements"},
	{diag.RemoteGatewayMissing, "useRemoteGateways toward a VNet with no gateway.", "Add a gateway to the remote VNet or clear useRemoteGateways.", "semantics.md#gateway-transit"},
	{diag.RemoteGatewayTransitDisabled, "useRemoteGateways while the remote object lacks allowGatewayTransit.", "Set allowGatewayTransit on the remote VNet's peering object.", "semantics.md#gateway-transit"},
	{diag.RemoteGatewayWithLocal, "A VNet with its own gateway sets useRemoteGateways.", "Remove the local gateway or clear useRemoteGateways.", "semantics.md#gateway-transit"},
	{diag.RemoteGatewayMultiple, "More than one useRemoteGateways object on one VNet.", "Use the remote gateway of one peer only.", "semantics.md#gateway-transit"},
	{diag.GatewayTransitUnsupportedSKU, "azure: a Basic gateway offers transit.", "Upgrade the gateway SKU or clear allowGatewayTransit.", "semantics.md#gateway-transit"},
	{diag.RouteNextHopInvalid, "A route's next hop type and address do not fit together.", "Give VirtualAppliance routes a nextHopIpAddress and no other type one; ExpressRoute gateways take no user routes.", "semantics.md#user-routes-and-next-hops"},
	{diag.RouteNextHopUnreachable, "An appliance next hop outside the VNet and its Connected peers.", "Use an appliance in the subnet's VNet or a Connected peer.", "semantics.md#user-routes-and-next-hops"},
	{diag.ACLPriorityInvalid, "An ACL rule priority outside the platform's range.", "Use 1-65535 on windows-sdn (101-65000 for user rules) or 100-4096 on azure.", "semantics.md#acls"},
	{diag.ACLPriorityDuplicate, "Two rules with one priority in one ACL.", "Give every rule its own priority (per direction on azure).", "semantics.md#acls"},

	{diag.PeeringNotConnected, "A peering object whose state is not Connected.", "Create the missing peering object on the remote VNet; traffic crosses only while both are Connected.", "semantics.md#peering-states"},
	{diag.PeeredOverlapsHubPeer, "A VNet overlaps another VNet already peered with the same remote.", "Give the two VNets distinct address spaces; this is an error on azure.", "semantics.md#peering-requirements"},
	{diag.RouteNextHopNotFound, "An appliance address held by no VM or load balancer frontend.", "Deploy the appliance or correct nextHopIpAddress.", "semantics.md#user-routes-and-next-hops"},
	{diag.RouteNextHopNotForwarding, "An appliance VM without ipForwarding.", "Set ipForwarding on the appliance VM.", "semantics.md#user-routes-and-next-hops"},
	{diag.ACLPriorityReserved, "windows-sdn: a priority in a reserved band.", "Use priorities 101-65000 for user rules.", "semantics.md#windows-sdn-acls"},
	{diag.NonCanonicalPrefix, "A prefix with host bits set.", "Write the network address of the prefix, for example 10.0.1.0/24 rather than 10.0.1.7/24.", "decisions.md#topology-loader-and-static-validation"},
	{diag.GatewayTransitWithoutGateway, "allowGatewayTransit on a VNet that has no gateway.", "Add a gateway or clear allowGatewayTransit; it does nothing until a gateway exists.", "semantics.md#gateway-transit"},
	{diag.ForwardedTrafficBlocked, "Forwarded traffic would be refused by the receiving peering object.", "Set allowForwardedTraffic on the receiving VNet's peering object.", "semantics.md#forwarded-traffic"},
	{diag.ImportUnsupported, "An imported export holds something the model cannot express.", "The message names the JSON path and the choice the importer made (for example, a rule entry that matches no private address is dropped). Check that the choice fits your estate.", "import.md#what-the-model-cannot-hold"},
	{diag.AmbiguousName, "Several VMs, load balancers or on-premises hosts carry one name, so commands and scenarios cannot name one of them by it.", "Rename one, or name the endpoint by its IP address or VNET/SUBNET.", "reference/topology.md#names-and-endpoints"},
	{diag.ImportIncomplete, "An imported export refers to a resource it does not hold, or reports a state its objects contradict.", "Export the missing resources too, or export every file at the same time.", "import.md#exporting"},

	{diag.AddressSpaceLocked, "windows-sdn: an address range changed while the VNet is peered.", "Remove the peering, change the address space, then re-create the peering.", "semantics.md#address-space-changes"},
	{diag.RemotePeeringDisconnected, "Creating a peering while the other side is Disconnected.", "Update or re-create the Disconnected object first.", "semantics.md#peering-states"},
	{diag.AddressRangeInUse, "Removing an address range that still holds a subnet.", "Remove or move the subnets in the range first.", "semantics.md#address-space-changes"},
	{diag.NotFound, "The event names an object that does not exist.", "Correct the name in the event.", "semantics.md#events-and-refusals"},
}

// reportHelp explains the rules of reports that are not diagnostic codes:
// scenario runs' failed expectations, then the change review's own.
var reportHelp = []CodeHelp{
	{diag.FailedExpectation, "A scenario expectation did not hold.", "Compare the expected and actual values; for a trace, the hops show where the packet went and why it stopped.", "reference/scenarios.md#expectations"},
	{diag.PeeringSyncRequired, "azure: a peered VNet's address space changes; peers keep routing to the old ranges until syncPeering.",
		"After the change, run syncPeering on each peer's object toward the changed VNet (Sync-AzVirtualNetworkPeering on the remote side); the diff plan includes it.", "semantics.md#address-space-changes"},
	{diag.ReachabilityLost, "A subnet pair delivers fewer packets after the change.",
		"Check that the loss is intended; the reason and explanation name what drops the packets.", "decisions.md#pre-change-review-vnetsim-diff"},
}

// Help returns what reports say about code. An unknown code gets a generic
// entry, so that rendering never fails on a new code.
func Help(code diag.Code) CodeHelp {
	for _, table := range [][]CodeHelp{codeHelp, reportHelp} {
		for _, h := range table {
			if h.Code == code {
				return h
			}
		}
	}
	return CodeHelp{Code: code, Short: string(code), Help: "See the vnetsim documentation."}
}

// CodesMarkdown writes the page DocsURL points at: one section per code,
// whose heading is the code itself so that its anchor is the code.
func CodesMarkdown(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.print("# vnetsim codes\n\n")
	ew.print("Every diagnostic, refusal and report rule vnetsim emits, with what it means and how to fix it.\n")
	ew.print("SARIF rules and Markdown reports link here; each heading is the code, so its anchor is stable.\n")
	ew.print("This page is generated by `go test ./reports -update` from `reports/codes.go`.\n")
	sections := []struct {
		title string
		codes []diag.Code
	}{
		{"Errors", diag.ErrorCodes},
		{"Warnings", diag.WarningCodes},
		{"Refused events", diag.RefusalCodes},
		{"Scenario runs", []diag.Code{diag.FailedExpectation}},
		{"Change reviews", []diag.Code{diag.PeeringSyncRequired, diag.ReachabilityLost}},
	}
	for _, s := range sections {
		ew.printf("\n## %s\n", s.title)
		for _, c := range s.codes {
			h := Help(c)
			ew.printf("\n### %s\n\n%s\n\n%s\n", c, h.Short, h.Help)
			if h.Ref != "" {
				ew.printf("\nSee [%s](%s).\n", h.Ref, h.Ref)
			}
		}
	}
	return ew.err
}
