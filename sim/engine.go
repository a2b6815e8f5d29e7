package sim

import (
	"maps"
	"net/netip"
	"slices"
	"sync"

	"github.com/vnetsim/vnetsim/topology"
)

// Engine answers route, trace and reachability questions about one
// *topology.Network. It is built once per network state by New, which only
// indexes addresses; effective route tables are computed lazily, per subnet,
// and cached. An Engine is safe for concurrent use; it must be rebuilt after
// the network changes.
type Engine struct {
	net   *topology.Network
	rules topology.Rules

	vnets []*topology.VirtualNetwork // ordered by name

	// holders indexes VMs and load balancer frontends by VNet, then address.
	holders map[string]map[netip.Addr]holder
	// holderVNets lists, per address, the VNets holding it, ordered by name.
	holderVNets map[netip.Addr][]string
	// vnetIndex finds the VNets whose address space contains an address.
	vnetIndex prefixIndex[*topology.VirtualNetwork]
	// transitHub maps a spoke VNet to the hub whose gateway it uses.
	transitHub map[string]*topology.VirtualNetwork
	// transitSpokes lists, per hub, the spokes using its gateway, by name.
	transitSpokes map[string][]*topology.VirtualNetwork
	// sitesLearned indexes, per on-premises site, the prefixes the site
	// learns through its gateways and the gateway VNet for each.
	sitesLearned map[string]*prefixIndex[*topology.VirtualNetwork]
	// hostIndex maps an on-premises host address to its site, when unique.
	sites []*topology.OnPremises

	aclRules map[*topology.ACL]*sortedACL
	// peerings indexes the peering objects by owner, then remote (the
	// smallest name wins among duplicates, as VirtualNetwork.PeeringTo);
	// peeringList holds each owner's objects ordered by name.
	peerings    map[string]map[string]*topology.Peering
	peeringList map[string][]*topology.Peering
	// byVNet is the hot-path twin of peerings and holders, keyed by
	// pointer: hashing a pointer is cheaper than hashing a name.
	byVNet map[*topology.VirtualNetwork]*vnetIndex
	// byName indexes VM, load balancer and on-premises host names, in
	// that resolution order (contract §1); candidates in VNet/site order.
	byName [3]map[string][]Endpoint

	// Lazily computed, read-mostly caches, safe for concurrent walks.
	tables   sync.Map // *topology.Subnet → *RouteTable
	gwTables sync.Map // gateway VNet name → *RouteTable, for a VNet without a GatewaySubnet
	vnetTags sync.Map // *topology.VirtualNetwork → *prefixSet, the VirtualNetwork service tag

	// subnets lists each VNet's subnets, longest prefix first, then by
	// name, for subnetOf.
	subnets map[*topology.VirtualNetwork][]*topology.Subnet

	subnetKey map[*topology.Subnet]string
}

// vnetIndex is what the walk asks about one VNet.
type vnetIndex struct {
	holders map[netip.Addr]holder
	peer    map[*topology.VirtualNetwork]*topology.Peering // objects toward existing VNets
	peers   []peerRef                                      // the same, by object name
}

// peerRef is a peering object and its remote VNet.
type peerRef struct {
	p      *topology.Peering
	remote *topology.VirtualNetwork
}

// holder is what holds an address in a VNet: a VM or a load balancer
// frontend.
type holder struct {
	vm   *topology.VirtualMachine
	lb   *topology.LoadBalancer
	vnet *topology.VirtualNetwork
}

// name returns the VM or load balancer name.
func (h holder) name() string {
	if h.vm != nil {
		return h.vm.Name
	}
	if h.lb != nil {
		return h.lb.Name
	}
	return ""
}

// New indexes n for the simulator. It does not change n; a nil n yields an
// engine over an empty network.
func New(n *topology.Network) *Engine {
	if n == nil {
		n = &topology.Network{}
	}
	e := &Engine{
		net:           n,
		rules:         n.Platform.Rules(),
		vnets:         n.SortedVirtualNetworks(),
		holders:       make(map[string]map[netip.Addr]holder, len(n.VirtualNetworks)),
		holderVNets:   make(map[netip.Addr][]string),
		transitHub:    make(map[string]*topology.VirtualNetwork),
		transitSpokes: make(map[string][]*topology.VirtualNetwork),
		sitesLearned:  make(map[string]*prefixIndex[*topology.VirtualNetwork]),
		sites:         n.SortedOnPremises(),
		aclRules:      make(map[*topology.ACL]*sortedACL, len(n.AccessControlLists)),
		subnetKey:     make(map[*topology.Subnet]string),
		subnets:       make(map[*topology.VirtualNetwork][]*topology.Subnet, len(n.VirtualNetworks)),
		peerings:      make(map[string]map[string]*topology.Peering, len(n.VirtualNetworks)),
		byVNet:        make(map[*topology.VirtualNetwork]*vnetIndex, len(n.VirtualNetworks)),
		peeringList:   make(map[string][]*topology.Peering, len(n.VirtualNetworks)),
	}
	for _, v := range e.vnets {
		list := v.SortedPeerings()
		byRemote := make(map[string]*topology.Peering, len(list))
		for _, p := range list {
			if _, dup := byRemote[p.RemoteVirtualNetwork]; !dup {
				byRemote[p.RemoteVirtualNetwork] = p
			}
		}
		e.peerings[v.Name], e.peeringList[v.Name] = byRemote, list
	}
	for _, v := range e.vnets {
		x := &vnetIndex{peer: make(map[*topology.VirtualNetwork]*topology.Peering, len(v.Peerings))}
		for _, p := range e.peeringList[v.Name] {
			if r := n.VirtualNetworks[p.RemoteVirtualNetwork]; r != nil && e.peerings[v.Name][r.Name] == p {
				x.peer[r] = p
				x.peers = append(x.peers, peerRef{p, r})
			}
		}
		e.byVNet[v] = x
	}
	for _, v := range e.vnets {
		hs := make(map[netip.Addr]holder, len(v.VirtualMachines)+len(v.LoadBalancers))
		vms, lbs := v.SortedVirtualMachines(), v.SortedLoadBalancers()
		// Load balancers first, then VMs, so that a (duplicate-address)
		// VM wins over a frontend deterministically.
		for _, lb := range lbs {
			if lb.FrontendIPAddress.IsValid() {
				hs[lb.FrontendIPAddress] = holder{lb: lb, vnet: v}
			}
		}
		for _, vm := range vms {
			if vm.IPAddress.IsValid() && vm.Subnet != nil {
				hs[vm.IPAddress] = holder{vm: vm, vnet: v}
			}
		}
		e.holders[v.Name] = hs
		e.byVNet[v].holders = hs
		for _, vm := range vms {
			if vm.Subnet != nil {
				e.addName(0, Endpoint{Name: vm.Name, Kind: EndpointVM, Addr: vm.IPAddress,
					VirtualNetwork: v.Name, Subnet: vm.Subnet.Name, VM: vm.Name})
			}
		}
		for _, lb := range lbs {
			if lb.Subnet != nil {
				e.addName(1, Endpoint{Name: lb.Name, Kind: EndpointLoadBalancer, Addr: lb.FrontendIPAddress,
					VirtualNetwork: v.Name, Subnet: lb.Subnet.Name})
			}
		}
		for a := range hs {
			e.holderVNets[a] = append(e.holderVNets[a], v.Name) // vnets are visited in name order
		}
		for _, p := range v.AddressSpace {
			e.vnetIndex.add(p, v)
		}
		subs := v.SortedSubnets()
		for _, s := range subs {
			e.subnetKey[s] = v.Name + "/" + s.Name
		}
		slices.SortStableFunc(subs, func(a, b *topology.Subnet) int { return b.AddressPrefix.Bits() - a.AddressPrefix.Bits() })
		e.subnets[v] = subs
	}
	for _, v := range e.vnets {
		if hub := e.findTransitHub(v); hub != nil {
			e.transitHub[v.Name] = hub
			e.transitSpokes[hub.Name] = append(e.transitSpokes[hub.Name], v)
		}
	}
	for _, v := range e.vnets {
		if v.Gateway == nil {
			continue
		}
		for _, site := range v.Gateway.Connections {
			if site == nil {
				continue
			}
			idx := e.sitesLearned[site.Name]
			if idx == nil {
				idx = &prefixIndex[*topology.VirtualNetwork]{}
				e.sitesLearned[site.Name] = idx
			}
			// On-premises learns the gateway VNet's ranges and those of
			// its transit spokes (semantics §5.3).
			for _, p := range v.AddressSpace {
				idx.add(p, v)
			}
			for _, s := range e.transitSpokes[v.Name] {
				for _, p := range s.AddressSpace {
					idx.add(p, v)
				}
			}
		}
	}
	for _, o := range e.sites {
		for _, h := range sortedKeys(o.Hosts) {
			e.addName(2, Endpoint{Name: h, Kind: EndpointHost, Addr: o.Hosts[h], OnPremises: o.Name})
		}
	}
	for _, a := range n.SortedACLs() {
		e.aclRules[a] = sortACL(a, e.rules.NSGDefaultRules)
	}
	return e
}

func (e *Engine) addName(kind int, ep Endpoint) {
	if e.byName[kind] == nil {
		e.byName[kind] = make(map[string][]Endpoint)
	}
	e.byName[kind][ep.Name] = append(e.byName[kind][ep.Name], ep)
}

// sortedKeys returns m's keys in ascending order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// Network returns the network the engine was built from.
func (e *Engine) Network() *topology.Network { return e.net }

// peeringTo returns the object owner owns toward remote, or nil.
func (e *Engine) peeringTo(owner, remote string) *topology.Peering {
	return e.peerings[owner][remote]
}

// holdersOf returns the VMs and frontends of v by address; nil for a VNet
// New did not see.
func (e *Engine) holdersOf(v *topology.VirtualNetwork) map[netip.Addr]holder {
	if x := e.byVNet[v]; x != nil {
		return x.holders
	}
	return nil
}

// peeringOf is peeringTo by pointer.
func (e *Engine) peeringOf(owner, remote *topology.VirtualNetwork) *topology.Peering {
	if x := e.byVNet[owner]; x != nil {
		return x.peer[remote]
	}
	return nil
}

// connectedV is connected by pointer.
func (e *Engine) connectedV(a, b *topology.VirtualNetwork) bool {
	pa, pb := e.peeringOf(a, b), e.peeringOf(b, a)
	return pa != nil && pb != nil && !pa.Disconnected && !pb.Disconnected
}

// connected reports whether traffic may cross between a and b: both
// objects exist and neither is Disconnected (Network.Connected, indexed).
func (e *Engine) connected(a, b string) bool {
	pa, pb := e.peeringTo(a, b), e.peeringTo(b, a)
	// Only VNets of the network own objects, so both VNets exist.
	return pa != nil && pb != nil && !pa.Disconnected && !pb.Disconnected
}

// findTransitHub returns the hub whose gateway v uses through gateway
// transit (semantics §3), or nil. A VNet with its own gateway uses it.
func (e *Engine) findTransitHub(v *topology.VirtualNetwork) *topology.VirtualNetwork {
	if v.Gateway != nil {
		return nil
	}
	for _, p := range e.peeringList[v.Name] {
		if !p.UseRemoteGateways {
			continue
		}
		hub := e.net.VirtualNetworks[p.RemoteVirtualNetwork]
		if hub == nil || hub.Gateway == nil || !e.connected(v.Name, hub.Name) {
			continue
		}
		back := e.peeringTo(hub.Name, v.Name)
		if back == nil || !back.AllowGatewayTransit {
			continue
		}
		if e.rules.BasicGatewayNoTransit && hub.Gateway.IsBasic() {
			continue
		}
		return hub
	}
	return nil
}

// subnetName returns "VNET/SUBNET".
func (e *Engine) subnetName(s *topology.Subnet) string {
	if k, ok := e.subnetKey[s]; ok {
		return k
	}
	if s.VirtualNetwork != nil {
		return s.VirtualNetwork.Name + "/" + s.Name
	}
	return s.Name
}

// subnetOf returns the subnet of v that contains a, the longest prefix
// winning, then the smallest name; or nil.
func (e *Engine) subnetOf(v *topology.VirtualNetwork, a netip.Addr) *topology.Subnet {
	subs, ok := e.subnets[v]
	if !ok {
		subs = v.SortedSubnets() // a VNet New did not see
		slices.SortStableFunc(subs, func(a, b *topology.Subnet) int { return b.AddressPrefix.Bits() - a.AddressPrefix.Bits() })
	}
	for _, s := range subs {
		if s.AddressPrefix.Contains(a) {
			return s
		}
	}
	return nil
}

// vnetsContaining returns the VNets whose address space contains a,
// ordered by name.
func (e *Engine) vnetsContaining(a netip.Addr) []*topology.VirtualNetwork {
	out := e.vnetIndex.all(a)
	slices.SortFunc(out, func(x, y *topology.VirtualNetwork) int {
		switch {
		case x.Name < y.Name:
			return -1
		case x.Name > y.Name:
			return 1
		}
		return 0
	})
	return slices.Compact(out)
}

// siteOf returns the on-premises site whose address space contains a, or
// nil; the first site by name wins when several do.
func (e *Engine) siteOf(a netip.Addr) *topology.OnPremises {
	for _, o := range e.sites {
		for _, p := range o.AddressSpace {
			if p.Contains(a) {
				return o
			}
		}
	}
	return nil
}

// isConnected reports whether the pair is Connected and access is allowed
// on both objects.
func (e *Engine) accessAllowed(a, b *topology.VirtualNetwork) bool {
	if !e.connectedV(a, b) {
		return false
	}
	return e.peeringOf(a, b).AllowVirtualNetworkAccess && e.peeringOf(b, a).AllowVirtualNetworkAccess
}

// peeredRanges returns the ranges owner routes to over p: the synced
// remote ranges on platforms that sync (azure), else the remote's current
// address space.
func (e *Engine) peeredRanges(p *topology.Peering, remote *topology.VirtualNetwork) []netip.Prefix {
	if e.rules.PeeringSync && p.SyncedRemote != nil {
		return p.SyncedRemote
	}
	return remote.AddressSpace
}
