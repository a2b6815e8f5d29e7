package topology

import (
	"maps"
	"net/netip"
	"slices"
	"sync/atomic"
)

// Network is a resolved topology: every address is a netip value and every
// reference inside the file is a pointer to its target. It is also the state
// the simulator evolves: events change a Network (on a clone, see Clone), and
// a few fields exist only for that (Peering.Disconnected, Peering.SyncedRemote).
//
// Maps are keyed by name; iterate them through the Sorted… helpers, never in
// map order, so that output is deterministic.
type Network struct {
	Name              string
	Platform          Platform
	NetworkController string // the file's default controller; VNets copy it unless they override it

	VirtualNetworks    map[string]*VirtualNetwork
	RouteTables        map[string]*RouteTable
	AccessControlLists map[string]*ACL
	OnPremises         map[string]*OnPremises

	// refs caches the reverse index of ACL and route table users (see
	// ACLUsers). It is atomic because read-only networks are shared across
	// goroutines; a Network is therefore never copied by value (ShallowCopy).
	refs atomic.Pointer[refIndex]
}

// VirtualNetwork is one VNet.
type VirtualNetwork struct {
	Name              string
	NetworkController string // resolved: the VNet's own or the file's default
	Region            string // "" is one region shared by every VNet without one
	AddressSpace      []netip.Prefix

	Subnets         map[string]*Subnet
	Gateway         *Gateway // nil when the VNet has none
	VirtualMachines map[string]*VirtualMachine
	LoadBalancers   map[string]*LoadBalancer

	// Peerings are the peering objects this VNet owns, P(this→remote).
	Peerings map[string]*Peering
}

// Subnet is one subnet of a VNet.
type Subnet struct {
	Name              string
	VirtualNetwork    *VirtualNetwork // the owner
	AddressPrefix     netip.Prefix
	AccessControlList *ACL        // nil: none
	RouteTable        *RouteTable // nil: system routes only
}

// Gateway is a VNet's virtual network gateway.
type Gateway struct {
	Name        string
	Type        GatewayType
	SKU         string        // as written; "" when not given
	Connections []*OnPremises // sites reached through this gateway, in file order
}

// IsBasic reports whether the gateway's SKU is Basic, which cannot offer
// gateway transit on azure.
func (g *Gateway) IsBasic() bool { return g != nil && g.SKU == "Basic" }

// VirtualMachine is a VM (or appliance) with one NIC.
type VirtualMachine struct {
	Name              string
	Subnet            *Subnet
	IPAddress         netip.Addr
	IPForwarding      bool
	AccessControlList *ACL // the NIC-level ACL; nil: none
	Running           bool
	BandwidthMbps     int // 0: not declared
}

// LoadBalancer is an internal load balancer.
type LoadBalancer struct {
	Name              string
	Subnet            *Subnet
	FrontendIPAddress netip.Addr
	SKU               LoadBalancerSKU
	Backends          []*VirtualMachine  // in file order
	Rules             []LoadBalancerRule // nil: every protocol and port is balanced
}

// LoadBalancerRule balances one protocol and frontend port to a backend port.
type LoadBalancerRule struct {
	Protocol     Protocol
	FrontendPort uint16
	BackendPort  uint16
}

// Peering is one peering object, P(owner→remote). Its state is derived by
// Network.PeeringState.
//
// The remote is held by name, not by pointer, because a peering outlives its
// remote: deleting VNet B leaves P(A→B) Disconnected and pointing at nothing,
// and re-creating B must not revive it.
type Peering struct {
	Name                      string
	RemoteVirtualNetwork      string
	AllowVirtualNetworkAccess bool
	AllowForwardedTraffic     bool
	AllowGatewayTransit       bool
	UseRemoteGateways         bool

	// Disconnected records that the object was Connected and then lost its
	// partner (the remote object or the remote VNet was deleted). It stays
	// set until this object itself is updated or deleted. A file sets it
	// with peeringState: Disconnected, as an imported export does.
	Disconnected bool

	// SyncedRemote is the remote VNet's address space as this object last
	// synced it (azure). The owner routes to these ranges over the peering;
	// a range the remote added since is not routed until syncPeering. The
	// loader sets it to the file's remoteAddressSpace, else to the remote's
	// address space.
	SyncedRemote []netip.Prefix
}

// RouteTable is a user route table, shared by the subnets that name it.
type RouteTable struct {
	Name                           string
	DisableGatewayRoutePropagation bool
	Routes                         []Route // in file order
}

// Route is one user-defined route.
type Route struct {
	Name             string
	AddressPrefix    netip.Prefix
	NextHopType      NextHopType
	NextHopIPAddress netip.Addr // valid only with NextHopVirtualAppliance
}

// ACL is a Network Controller access control list; on azure it is read as a
// network security group.
type ACL struct {
	Name                  string
	InboundDefaultAction  Action
	OutboundDefaultAction Action
	Rules                 []ACLRule // in file order; evaluation sorts by priority
}

// ACLRule is one rule of an ACL. A packet matches when its protocol does,
// its source matches any entry of SourceAddressPrefixes, its destination any
// entry of DestinationAddressPrefixes and, for TCP and UDP, its ports fall in
// any range of SourcePortRanges and DestinationPortRanges. A loaded rule has
// at least one entry in each list; a list written with one entry is the
// file's singular key (sourceAddressPrefix), with more the plural one
// (sourceAddressPrefixes), as in Azure's securityRules.
type ACLRule struct {
	Name                       string
	Priority                   int
	Type                       Direction
	Action                     Action
	Protocol                   Protocol
	SourceAddressPrefixes      []AddressMatch
	SourcePortRanges           []PortRange
	DestinationAddressPrefixes []AddressMatch
	DestinationPortRanges      []PortRange
}

// Equal reports whether r and o are the same rule, field by field and entry
// by entry.
func (r ACLRule) Equal(o ACLRule) bool {
	return r.Name == o.Name && r.Priority == o.Priority && r.Type == o.Type && r.Action == o.Action && r.Protocol == o.Protocol &&
		slices.Equal(r.SourceAddressPrefixes, o.SourceAddressPrefixes) && slices.Equal(r.SourcePortRanges, o.SourcePortRanges) &&
		slices.Equal(r.DestinationAddressPrefixes, o.DestinationAddressPrefixes) && slices.Equal(r.DestinationPortRanges, o.DestinationPortRanges)
}

// AddressMatch is one address entry of an ACL rule: "*", a service tag, or
// a prefix. The zero value matches no address.
type AddressMatch struct {
	Any    bool         // "*"
	Tag    ServiceTag   // a service tag; NoTag when the entry is "*" or a prefix
	Prefix netip.Prefix // valid only when the entry is a prefix
}

// AnyAddress is the entry "*".
var AnyAddress = AddressMatch{Any: true}

// String returns "*", the tag's name or the prefix.
func (m AddressMatch) String() string {
	switch {
	case m.Any:
		return "*"
	case m.Tag != NoTag:
		return m.Tag.String()
	}
	return m.Prefix.String()
}

// OnPremises is an on-premises site reached through a gateway.
type OnPremises struct {
	Name         string
	AddressSpace []netip.Prefix
	Hosts        map[string]netip.Addr // named endpoints
}

// sortedKeys returns m's keys in ascending order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// SortedVirtualNetworks returns the VNets ordered by name.
func (n *Network) SortedVirtualNetworks() []*VirtualNetwork { return sortedValues(n.VirtualNetworks) }

// SortedRouteTables returns the route tables ordered by name.
func (n *Network) SortedRouteTables() []*RouteTable { return sortedValues(n.RouteTables) }

// SortedACLs returns the ACLs ordered by name.
func (n *Network) SortedACLs() []*ACL { return sortedValues(n.AccessControlLists) }

// SortedOnPremises returns the on-premises sites ordered by name.
func (n *Network) SortedOnPremises() []*OnPremises { return sortedValues(n.OnPremises) }

// SortedSubnets returns the VNet's subnets ordered by name.
func (v *VirtualNetwork) SortedSubnets() []*Subnet { return sortedValues(v.Subnets) }

// SortedVirtualMachines returns the VNet's VMs ordered by name.
func (v *VirtualNetwork) SortedVirtualMachines() []*VirtualMachine {
	return sortedValues(v.VirtualMachines)
}

// SortedLoadBalancers returns the VNet's load balancers ordered by name.
func (v *VirtualNetwork) SortedLoadBalancers() []*LoadBalancer { return sortedValues(v.LoadBalancers) }

// SortedPeerings returns the VNet's peering objects ordered by name.
func (v *VirtualNetwork) SortedPeerings() []*Peering { return sortedValues(v.Peerings) }

func sortedValues[V any](m map[string]V) []V {
	out := make([]V, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}

// PeeringTo returns the object this VNet owns toward remote, or nil. When a
// (duplicate) second object points at the same remote, the one with the
// smallest name is returned, so that the answer does not depend on map order.
func (v *VirtualNetwork) PeeringTo(remote string) *Peering {
	var found *Peering
	for _, p := range v.Peerings {
		if p.RemoteVirtualNetwork == remote && (found == nil || p.Name < found.Name) {
			found = p
		}
	}
	return found
}

// SubnetUsers names the VMs and load balancer frontends in v's subnet
// called subnet, which hold its range, VMs first, each by name: "VM a1",
// "load balancer ilb". v may be nil.
func (v *VirtualNetwork) SubnetUsers(subnet string) []string {
	if v == nil {
		return nil
	}
	var users []string
	for _, vm := range v.SortedVirtualMachines() {
		if vm.Subnet != nil && vm.Subnet.Name == subnet {
			users = append(users, "VM "+vm.Name)
		}
	}
	for _, lb := range v.SortedLoadBalancers() {
		if lb.Subnet != nil && lb.Subnet.Name == subnet {
			users = append(users, "load balancer "+lb.Name)
		}
	}
	return users
}

// ContainsAddr reports whether a lies in one of the VNet's address ranges.
func (v *VirtualNetwork) ContainsAddr(a netip.Addr) bool { return SpaceContains(v.AddressSpace, a) }
