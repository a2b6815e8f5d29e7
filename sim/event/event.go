package event

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// Event is one change to a network, as a scenario step or a diff plan writes
// it (docs/reference/scenarios.md). The set of events is closed: every implementation lives
// in this package, and Apply knows each of them.
//
// Names inside an event (VNets, peerings, route tables) are strings resolved
// when the event is applied, so that an event can name an object an earlier
// event created.
type Event interface {
	// Kind returns the event's contract key, e.g. "createPeering".
	Kind() string
	// Fields returns the event's arguments under their contract field
	// names, in the order a person would write them. Optional fields that
	// are not set are left out. See Field for the value types.
	Fields() []Field

	// apply changes the network held by tx, or refuses.
	apply(tx *tx) *Refusal
}

// Field is one named argument of an event. Value is one of: string, bool,
// int, []string, []Field (a nested mapping, in order) or [][]Field (a list
// of mappings). Prefixes, addresses and enumerations are given in their
// contract spelling.
type Field struct {
	Name  string
	Value any
}

// Args returns ev's fields as a map, nested mappings included, ready
// for encoding/json: {"vnet": "A", "name": "a-to-b", ...}. Print an event as
// map[string]any{ev.Kind(): Args(ev)}.
func Args(ev Event) map[string]any { return fieldMap(ev.Fields()) }

func fieldMap(fs []Field) map[string]any {
	out := make(map[string]any, len(fs))
	for _, f := range fs {
		switch v := f.Value.(type) {
		case []Field:
			out[f.Name] = fieldMap(v)
		case [][]Field:
			list := make([]map[string]any, len(v))
			for i, item := range v {
				list[i] = fieldMap(item)
			}
			out[f.Name] = list
		default:
			out[f.Name] = f.Value
		}
	}
	return out
}

// Kinds lists every event key of docs/reference/scenarios.md, in its order;
// ExtensionKinds lists the ones this project adds.
var Kinds = []string{
	"createPeering", "updatePeering", "deletePeering", "syncPeering",
	"addAddressPrefix", "removeAddressPrefix",
	"createVirtualNetwork", "deleteVirtualNetwork",
	"addSubnet", "removeSubnet",
	"setGateway", "removeGateway",
	"addRoute", "removeRoute",
	"addAclRule", "removeAclRule",
	"setVirtualMachine",
}

// Refusal is why the platform refused an event. The network it was applied
// to is unchanged.
type Refusal struct {
	Code    diag.Code // a contract refused-event code or diagnostic error code
	Message string    // one sentence naming the object and what to do
}

// Error implements error, so a Refusal can be returned or wrapped as one.
func (r *Refusal) Error() string { return r.Message + " [" + string(r.Code) + "]" }

// PeeringFlags are the four flags of a peering object. A nil field is "not
// given": createPeering then uses the contract default (access true, the
// rest false) and updatePeering leaves the flag as it is.
type PeeringFlags struct {
	AllowVirtualNetworkAccess *bool
	AllowForwardedTraffic     *bool
	AllowGatewayTransit       *bool
	UseRemoteGateways         *bool
}

// Bool returns a pointer to b, for PeeringFlags and SetVirtualMachine
// literals.
func Bool(b bool) *bool { return &b }

func (f PeeringFlags) fields() []Field {
	var out []Field
	for _, x := range []struct {
		name string
		v    *bool
	}{
		{"allowVirtualNetworkAccess", f.AllowVirtualNetworkAccess},
		{"allowForwardedTraffic", f.AllowForwardedTraffic},
		{"allowGatewayTransit", f.AllowGatewayTransit},
		{"useRemoteGateways", f.UseRemoteGateways},
	} {
		if x.v != nil {
			out = append(out, Field{x.name, *x.v})
		}
	}
	return out
}

// PeeringRef names one peering object: the VNet that owns it, and either the
// object's Name or its RemoteVirtualNetwork. When both are given they must
// name the same object.
type PeeringRef struct {
	VNet                 string
	Name                 string
	RemoteVirtualNetwork string
}

// Find returns the peering object r names in n, or nil when there is none
// (or Name and RemoteVirtualNetwork name different objects).
func (r PeeringRef) Find(n *topology.Network) *topology.Peering {
	p, _ := r.find(n)
	return p
}

// find is Find that also says, when there is no such object, why not.
func (r PeeringRef) find(n *topology.Network) (*topology.Peering, string) {
	v := n.VirtualNetworks[r.VNet]
	switch {
	case v == nil:
		return nil, fmt.Sprintf("virtual network %q does not exist", r.VNet)
	case r.Name != "":
		p := v.Peerings[r.Name]
		if p == nil {
			return nil, fmt.Sprintf("virtual network %q has no peering named %q", r.VNet, r.Name)
		}
		if r.RemoteVirtualNetwork != "" && p.RemoteVirtualNetwork != r.RemoteVirtualNetwork {
			return nil, fmt.Sprintf("peering %s/%s points at %q, not %q", r.VNet, r.Name, p.RemoteVirtualNetwork, r.RemoteVirtualNetwork)
		}
		return p, ""
	default:
		if p := v.PeeringTo(r.RemoteVirtualNetwork); p != nil {
			return p, ""
		}
		return nil, fmt.Sprintf("virtual network %q has no peering to %q", r.VNet, r.RemoteVirtualNetwork)
	}
}

func (r PeeringRef) fields() []Field {
	out := []Field{{"vnet", r.VNet}}
	if r.Name != "" {
		out = append(out, Field{"name", r.Name})
	}
	if r.RemoteVirtualNetwork != "" {
		out = append(out, Field{"remoteVirtualNetwork", r.RemoteVirtualNetwork})
	}
	return out
}

// CreatePeering creates P(VNet→RemoteVirtualNetwork) named Name.
type CreatePeering struct {
	VNet, Name, RemoteVirtualNetwork string
	Flags                            PeeringFlags
}

// UpdatePeering re-puts a peering object, changing only the flags given.
// Updating a Disconnected object makes it Initiated (docs/semantics.md#peering-states).
type UpdatePeering struct {
	Peering PeeringRef
	Flags   PeeringFlags
}

// DeletePeering deletes a peering object. A Connected partner becomes
// Disconnected.
type DeletePeering struct{ Peering PeeringRef }

// SyncPeering syncs an azure peering with the remote's current address
// space; both objects of the pair become FullyInSync.
type SyncPeering struct{ Peering PeeringRef }

// AddAddressPrefix adds a range to a VNet's address space.
type AddAddressPrefix struct {
	VNet   string
	Prefix netip.Prefix
}

// RemoveAddressPrefix removes a range from a VNet's address space.
type RemoveAddressPrefix struct {
	VNet   string
	Prefix netip.Prefix
}

// SubnetSpec describes a subnet to create. AccessControlList and RouteTable
// are names; "" means none.
type SubnetSpec struct {
	Name              string
	AddressPrefix     netip.Prefix
	AccessControlList string
	RouteTable        string
}

func (s SubnetSpec) fields() []Field {
	out := []Field{{"addressPrefix", s.AddressPrefix.String()}}
	out = appendNonEmpty(out, "accessControlList", s.AccessControlList)
	return appendNonEmpty(out, "routeTable", s.RouteTable)
}

// GatewaySpec describes a virtual network gateway. Connections are names of
// on-premises sites.
type GatewaySpec struct {
	Name        string
	Type        topology.GatewayType
	SKU         string // "" when not given
	Connections []string
}

func (g GatewaySpec) fields() []Field {
	out := []Field{{"name", g.Name}, {"type", g.Type.String()}}
	out = appendNonEmpty(out, "sku", g.SKU)
	if len(g.Connections) > 0 {
		out = append(out, Field{"connections", slices.Clone(g.Connections)})
	}
	return out
}

// VirtualMachineSpec describes a VM created with its VNet.
type VirtualMachineSpec struct {
	Name              string
	Subnet            string
	IPAddress         netip.Addr
	IPForwarding      bool
	AccessControlList string // the NIC ACL; "" means none
	Running           bool   // the contract default is true
}

func (v VirtualMachineSpec) fields() []Field {
	out := []Field{{"subnet", v.Subnet}, {"ipAddress", v.IPAddress.String()}}
	if v.IPForwarding {
		out = append(out, Field{"ipForwarding", true})
	}
	out = appendNonEmpty(out, "accessControlList", v.AccessControlList)
	if !v.Running {
		out = append(out, Field{"running", false})
	}
	return out
}

// CreateVirtualNetwork creates a VNet. It takes the topology file's virtual
// network fields except peerings and loadBalancers: peerings are made with
// createPeering, whose state machine they need, and load balancers with
// SetLoadBalancer. An empty NetworkController inherits the file's.
type CreateVirtualNetwork struct {
	Name              string
	NetworkController string
	Region            string
	AddressSpace      []netip.Prefix
	Subnets           []SubnetSpec
	Gateway           *GatewaySpec
	VirtualMachines   []VirtualMachineSpec
}

// DeleteVirtualNetwork deletes a VNet with everything in it. It is always
// accepted when the VNet exists; peering objects pointing at it become
// Disconnected.
type DeleteVirtualNetwork struct{ Name string }

// AddSubnet adds a subnet to a VNet.
type AddSubnet struct {
	VNet   string
	Subnet SubnetSpec
}

// RemoveSubnet removes an empty subnet from a VNet.
type RemoveSubnet struct{ VNet, Name string }

// SetGateway creates or replaces a VNet's gateway.
type SetGateway struct {
	VNet    string
	Gateway GatewaySpec
}

// RemoveGateway removes a VNet's gateway.
type RemoveGateway struct{ VNet string }

// AddRoute appends a user route to a route table.
type AddRoute struct {
	RouteTable string
	Route      topology.Route
}

// RemoveRoute removes a route from a route table by name.
type RemoveRoute struct{ RouteTable, Name string }

// AddACLRule appends a rule to an access control list (contract key
// addAclRule).
type AddACLRule struct {
	AccessControlList string
	Rule              topology.ACLRule
}

// RemoveACLRule removes a rule from an access control list by name
// (contract key removeAclRule).
type RemoveACLRule struct{ AccessControlList, Name string }

// SetVirtualMachine changes the fields given of a VM, or creates it when
// the VNet has no VM of that name (Subnet and IPAddress are then required).
// A nil pointer, a zero address or an empty subnet means "not given".
type SetVirtualMachine struct {
	VNet, Name   string
	Running      *bool
	IPForwarding *bool
	IPAddress    netip.Addr
	Subnet       string
}

// Kind implements Event.
func (CreatePeering) Kind() string { return "createPeering" }

// Kind implements Event.
func (UpdatePeering) Kind() string { return "updatePeering" }

// Kind implements Event.
func (DeletePeering) Kind() string { return "deletePeering" }

// Kind implements Event.
func (SyncPeering) Kind() string { return "syncPeering" }

// Kind implements Event.
func (AddAddressPrefix) Kind() string { return "addAddressPrefix" }

// Kind implements Event.
func (RemoveAddressPrefix) Kind() string { return "removeAddressPrefix" }

// Kind implements Event.
func (CreateVirtualNetwork) Kind() string { return "createVirtualNetwork" }

// Kind implements Event.
func (DeleteVirtualNetwork) Kind() string { return "deleteVirtualNetwork" }

// Kind implements Event.
func (AddSubnet) Kind() string { return "addSubnet" }

// Kind implements Event.
func (RemoveSubnet) Kind() string { return "removeSubnet" }

// Kind implements Event.
func (SetGateway) Kind() string { return "setGateway" }

// Kind implements Event.
func (RemoveGateway) Kind() string { return "removeGateway" }

// Kind implements Event.
func (AddRoute) Kind() string { return "addRoute" }

// Kind implements Event.
func (RemoveRoute) Kind() string { return "removeRoute" }

// Kind implements Event.
func (AddACLRule) Kind() string { return "addAclRule" }

// Kind implements Event.
func (RemoveACLRule) Kind() string { return "removeAclRule" }

// Kind implements Event.
func (SetVirtualMachine) Kind() string { return "setVirtualMachine" }

// Fields implements Event.
func (e CreatePeering) Fields() []Field {
	return append([]Field{{"vnet", e.VNet}, {"name", e.Name}, {"remoteVirtualNetwork", e.RemoteVirtualNetwork}}, e.Flags.fields()...)
}

// Fields implements Event.
func (e UpdatePeering) Fields() []Field { return append(e.Peering.fields(), e.Flags.fields()...) }

// Fields implements Event.
func (e DeletePeering) Fields() []Field { return e.Peering.fields() }

// Fields implements Event.
func (e SyncPeering) Fields() []Field { return e.Peering.fields() }

// Fields implements Event.
func (e AddAddressPrefix) Fields() []Field {
	return []Field{{"vnet", e.VNet}, {"prefix", e.Prefix.String()}}
}

// Fields implements Event.
func (e RemoveAddressPrefix) Fields() []Field {
	return []Field{{"vnet", e.VNet}, {"prefix", e.Prefix.String()}}
}

// Fields implements Event.
func (e CreateVirtualNetwork) Fields() []Field {
	out := []Field{{"name", e.Name}}
	out = appendNonEmpty(out, "networkController", e.NetworkController)
	out = appendNonEmpty(out, "region", e.Region)
	out = append(out, Field{"addressSpace", topology.StringsOf(e.AddressSpace)})
	if len(e.Subnets) > 0 {
		var subs []Field
		for _, s := range e.Subnets {
			subs = append(subs, Field{s.Name, s.fields()})
		}
		out = append(out, Field{"subnets", subs})
	}
	if e.Gateway != nil {
		out = append(out, Field{"gateway", e.Gateway.fields()})
	}
	if len(e.VirtualMachines) > 0 {
		var vms []Field
		for _, v := range e.VirtualMachines {
			vms = append(vms, Field{v.Name, v.fields()})
		}
		out = append(out, Field{"virtualMachines", vms})
	}
	return out
}

// Fields implements Event.
func (e DeleteVirtualNetwork) Fields() []Field { return []Field{{"name", e.Name}} }

// Fields implements Event.
func (e AddSubnet) Fields() []Field {
	return append([]Field{{"vnet", e.VNet}, {"name", e.Subnet.Name}}, e.Subnet.fields()...)
}

// Fields implements Event.
func (e RemoveSubnet) Fields() []Field { return []Field{{"vnet", e.VNet}, {"name", e.Name}} }

// Fields implements Event.
func (e SetGateway) Fields() []Field {
	return append([]Field{{"vnet", e.VNet}}, e.Gateway.fields()...)
}

// Fields implements Event.
func (e RemoveGateway) Fields() []Field { return []Field{{"vnet", e.VNet}} }

// Fields implements Event.
func (e AddRoute) Fields() []Field {
	return append([]Field{{"routeTable", e.RouteTable}}, eventRouteFields(e.Route)...)
}

// eventRouteFields returns a route under the topology file's field names.
func eventRouteFields(r topology.Route) []Field {
	out := []Field{{"name", r.Name}, {"addressPrefix", r.AddressPrefix.String()}, {"nextHopType", r.NextHopType.String()}}
	if r.NextHopIPAddress.IsValid() {
		out = append(out, Field{"nextHopIpAddress", r.NextHopIPAddress.String()})
	}
	return out
}

// Fields implements Event.
func (e RemoveRoute) Fields() []Field {
	return []Field{{"routeTable", e.RouteTable}, {"name", e.Name}}
}

// Fields implements Event.
func (e AddACLRule) Fields() []Field {
	return append([]Field{{"accessControlList", e.AccessControlList}}, eventRuleFields(e.Rule)...)
}

// eventRuleFields returns an ACL rule under the topology file's field names.
func eventRuleFields(r topology.ACLRule) []Field {
	return []Field{
		{"name", r.Name},
		{"priority", r.Priority},
		{"type", r.Type.String()},
		{"action", r.Action.String()},
		{"protocol", r.Protocol.String()},
		oneOrManyField("sourceAddressPrefix", "sourceAddressPrefixes", r.SourceAddressPrefixes),
		oneOrManyField("sourcePortRange", "sourcePortRanges", r.SourcePortRanges),
		oneOrManyField("destinationAddressPrefix", "destinationAddressPrefixes", r.DestinationAddressPrefixes),
		oneOrManyField("destinationPortRange", "destinationPortRanges", r.DestinationPortRanges),
	}
}

// oneOrManyField is a rule's list under its singular key when it holds one
// entry, else under its plural key, as the topology file writes it.
func oneOrManyField[T fmt.Stringer](one, many string, items []T) Field {
	if len(items) == 1 {
		return Field{one, items[0].String()}
	}
	return Field{many, topology.StringsOf(items)}
}

// Fields implements Event.
func (e RemoveACLRule) Fields() []Field {
	return []Field{{"accessControlList", e.AccessControlList}, {"name", e.Name}}
}

// Fields implements Event.
func (e SetVirtualMachine) Fields() []Field {
	out := []Field{{"vnet", e.VNet}, {"name", e.Name}}
	if e.Running != nil {
		out = append(out, Field{"running", *e.Running})
	}
	if e.IPForwarding != nil {
		out = append(out, Field{"ipForwarding", *e.IPForwarding})
	}
	if e.IPAddress.IsValid() {
		out = append(out, Field{"ipAddress", e.IPAddress.String()})
	}
	return appendNonEmpty(out, "subnet", e.Subnet)
}

func appendNonEmpty(out []Field, name, v string) []Field {
	if v == "" {
		return out
	}
	return append(out, Field{name, v})
}

// compile-time proof that every event implements Event.
var (
	_ Event = CreatePeering{}
	_ Event = UpdatePeering{}
	_ Event = DeletePeering{}
	_ Event = SyncPeering{}
	_ Event = AddAddressPrefix{}
	_ Event = RemoveAddressPrefix{}
	_ Event = CreateVirtualNetwork{}
	_ Event = DeleteVirtualNetwork{}
	_ Event = AddSubnet{}
	_ Event = RemoveSubnet{}
	_ Event = SetGateway{}
	_ Event = RemoveGateway{}
	_ Event = AddRoute{}
	_ Event = RemoveRoute{}
	_ Event = AddACLRule{}
	_ Event = RemoveACLRule{}
	_ Event = SetVirtualMachine{}
)
