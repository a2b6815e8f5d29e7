package sim

import (
	"maps"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/vnetsim/vnetsim/topology"
)

// Engine answers route, trace and reachability questions about one
// *topology.Network. New only records the network: every index is built
// lazily, the first time a question needs it. A trace after an event reads
// a handful of VNets, so it indexes only those (each VNet's holders,
// subnets and transit hub, and its peering objects once they are asked
// about often or in order), and the estate-wide indexes (names,
// addresses, transit spokes, sorted VNets) are built once, when first
// asked for. Reach and Lint, which read every VNet, build all per-VNet
// indexes up front into a plain map that their walks then read without
// synchronisation. Effective route tables are computed per subnet and
// cached. An Engine is safe for concurrent use; it must be rebuilt after
// the network changes.
type Engine struct {
	net   *topology.Network
	rules topology.Rules

	// perVNet caches each VNet's index (*vnetIndex) while only some are
	// built; once full is set, byVNet holds every VNet's and is read
	// instead, without locks.
	perVNet  sync.Map
	full     atomic.Bool
	fullOnce sync.Once
	byVNet   map[*topology.VirtualNetwork]*vnetIndex

	vnetsOnce sync.Once
	vnets     []*topology.VirtualNetwork // ordered by name; see sortedVNets
	sitesOnce sync.Once
	sites     []*topology.OnPremises // ordered by name; see sortedSites

	namesOnce  sync.Once
	namesBuilt atomic.Bool
	scans      atomic.Int64 // names looked up by scanning, see named
	// byName indexes VM, load balancer and on-premises host names by
	// their EndpointKind; candidates in VNet/site order.
	byName nameIndex

	addrsOnce sync.Once
	// holderVNets lists, per address, the VNets holding it, ordered by name.
	holderVNets map[netip.Addr][]string
	// vnetPrefixes finds the VNets whose address space contains an address.
	vnetPrefixes prefixIndex[*topology.VirtualNetwork]

	transitOnce sync.Once
	// transitSpokes lists, per hub, the spokes using its gateway, by name.
	transitSpokes map[string][]*topology.VirtualNetwork
	// sitesLearned indexes, per on-premises site, the prefixes the site
	// learns through its gateways and the gateway VNet for each.
	sitesLearned map[string]*prefixIndex[*topology.VirtualNetwork]

	aclOnce  sync.Once
	aclRules map[*topology.ACL]*sortedACL

	// Lazily computed, read-mostly caches, safe for concurrent walks.
	tables   sync.Map // *topology.Subnet → *RouteTable
	gwTables sync.Map // gateway VNet name → *RouteTable, for a VNet without a GatewaySubnet
	vnetTags sync.Map // *topology.VirtualNetwork → *prefixSet, the VirtualNetwork service tag
}

// vnetIndex is what the walk asks about one VNet.
type vnetIndex struct {
	holders map[netip.Addr]holder
	// The peering objects are indexed when their order is first needed
	// or after a few scans (see ordered and scanPeerings), and peersReady
	// is set then: a hub's hundreds of objects are often only asked about
	// once or twice, which a scan answers sooner.
	peerOnce   sync.Once
	peersReady atomic.Bool
	scans      atomic.Int32 // questions answered by scanning, see scanPeerings
	// byRemote holds the objects by remote name (the smallest object name
	// wins among duplicates, as VirtualNetwork.PeeringTo), peer the same
	// by remote pointer for remotes of the network.
	byRemote map[string]*topology.Peering
	peer     map[*topology.VirtualNetwork]*topology.Peering
	// list holds every object ordered by name, and peers the objects of
	// peer in the same order.
	list  []*topology.Peering
	peers []peerRef
	// subnets lists the VNet's subnets, longest prefix first, then by
	// name, for subnetOf; keys holds their "VNET/SUBNET" names.
	subnets []*topology.Subnet
	keys    map[*topology.Subnet]string
	// transitHub is the hub whose gateway the VNet uses, or nil.
	transitHub *topology.VirtualNetwork
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

// New returns an engine for n. It does not change n and indexes nothing
// yet, so it costs the same on any estate; a nil n yields an engine over an
// empty network.
func New(n *topology.Network) *Engine {
	if n == nil {
		n = &topology.Network{}
	}
	return &Engine{net: n, rules: n.Platform.Rules()}
}

// vx returns v's index, building it on first use.
func (e *Engine) vx(v *topology.VirtualNetwork) *vnetIndex {
	if e.full.Load() {
		if x := e.byVNet[v]; x != nil {
			return x
		}
	}
	if v == nil || e.net.VirtualNetworks[v.Name] != v {
		return &vnetIndex{} // a VNet of another network state
	}
	if x, ok := e.perVNet.Load(v); ok {
		return x.(*vnetIndex)
	}
	x, _ := e.perVNet.LoadOrStore(v, e.buildVNet(v))
	return x.(*vnetIndex)
}

// vxNamed returns the index of the VNet called name.
func (e *Engine) vxNamed(name string) *vnetIndex {
	if v := e.net.VirtualNetworks[name]; v != nil {
		return e.vx(v)
	}
	return &vnetIndex{}
}

// eachHolder calls fn for every load balancer frontend of v, then every
// VM, by name, that holds an address. As in the name index, only those in
// a subnet hold one: the walk routes from there.
func eachHolder(v *topology.VirtualNetwork, fn func(netip.Addr, holder)) {
	for _, lb := range v.SortedLoadBalancers() {
		if lb.FrontendIPAddress.IsValid() && lb.Subnet != nil {
			fn(lb.FrontendIPAddress, holder{lb: lb, vnet: v})
		}
	}
	for _, vm := range v.SortedVirtualMachines() {
		if vm.IPAddress.IsValid() && vm.Subnet != nil {
			fn(vm.IPAddress, holder{vm: vm, vnet: v})
		}
	}
}

// buildVNet indexes one VNet: its peering objects, the VMs and frontends
// holding its addresses, its subnets and its transit hub.
func (e *Engine) buildVNet(v *topology.VirtualNetwork) *vnetIndex {
	x := &vnetIndex{
		holders: make(map[netip.Addr]holder, len(v.VirtualMachines)+len(v.LoadBalancers)),
		keys:    make(map[*topology.Subnet]string, len(v.Subnets)),
	}
	// A (duplicate-address) VM wins over a frontend: it comes later.
	eachHolder(v, func(a netip.Addr, h holder) { x.holders[a] = h })
	subs := v.SortedSubnets()
	for _, s := range subs {
		x.keys[s] = v.Name + "/" + s.Name
	}
	slices.SortStableFunc(subs, func(a, b *topology.Subnet) int { return b.AddressPrefix.Bits() - a.AddressPrefix.Bits() })
	x.subnets = subs
	x.transitHub = e.findTransitHub(v)
	return x
}

// indexAll builds every VNet's index into byVNet, once, for questions that
// read the whole estate.
func (e *Engine) indexAll() {
	e.fullOnce.Do(func() {
		m := make(map[*topology.VirtualNetwork]*vnetIndex, len(e.net.VirtualNetworks))
		for _, v := range e.net.VirtualNetworks {
			m[v] = e.ordered(v)
		}
		e.byVNet = m
		e.full.Store(true)
	})
}

// sortedVNets returns the network's VNets ordered by name.
func (e *Engine) sortedVNets() []*topology.VirtualNetwork {
	e.vnetsOnce.Do(func() { e.vnets = e.net.SortedVirtualNetworks() })
	return e.vnets
}

// sortedSites returns the on-premises sites ordered by name.
func (e *Engine) sortedSites() []*topology.OnPremises {
	e.sitesOnce.Do(func() { e.sites = e.net.SortedOnPremises() })
	return e.sites
}

// nameIndex holds, per EndpointKind of a named object (VM, load balancer,
// on-premises host), the endpoints by name.
type nameIndex [EndpointHost + 1]map[string][]Endpoint

// namedKinds are the kinds a name resolves to, in the resolution order of
// docs/reference/topology.md#names-and-endpoints.
var namedKinds = [...]EndpointKind{EndpointVM, EndpointLoadBalancer, EndpointHost}

// vmEndpoint, lbEndpoint and hostEndpoint return the endpoint a VM or load
// balancer of v in a subnet, or host h of site o, is named by.
func vmEndpoint(v *topology.VirtualNetwork, vm *topology.VirtualMachine) Endpoint {
	return Endpoint{Name: vm.Name, Kind: EndpointVM, Addr: vm.IPAddress, VirtualNetwork: v.Name, Subnet: vm.Subnet.Name, VM: vm.Name}
}

func lbEndpoint(v *topology.VirtualNetwork, lb *topology.LoadBalancer) Endpoint {
	return Endpoint{Name: lb.Name, Kind: EndpointLoadBalancer, Addr: lb.FrontendIPAddress, VirtualNetwork: v.Name, Subnet: lb.Subnet.Name}
}

func hostEndpoint(o *topology.OnPremises, h string) Endpoint {
	return Endpoint{Name: h, Kind: EndpointHost, Addr: o.Hosts[h], OnPremises: o.Name}
}

// names returns the name index, building it on first use.
func (e *Engine) names() *nameIndex {
	e.namesOnce.Do(func() {
		for _, v := range e.sortedVNets() {
			for _, vm := range v.SortedVirtualMachines() {
				if vm.Subnet != nil {
					e.addName(vmEndpoint(v, vm))
				}
			}
			for _, lb := range v.SortedLoadBalancers() {
				if lb.Subnet != nil {
					e.addName(lbEndpoint(v, lb))
				}
			}
		}
		for _, o := range e.sortedSites() {
			for _, h := range sortedKeys(o.Hosts) {
				e.addName(hostEndpoint(o, h))
			}
		}
		e.namesBuilt.Store(true)
	})
	return &e.byName
}

func (e *Engine) addName(ep Endpoint) {
	m := e.byName[ep.Kind]
	if m == nil {
		m = make(map[string][]Endpoint)
		e.byName[ep.Kind] = m
	}
	m[ep.Name] = append(m[ep.Name], ep)
}

// nameScans is how many names an engine looks up by scanning the VNets
// before it builds the name index: a trace or two after an event should
// not pay for indexing every VM of the estate, a run of many should.
const nameScans = 8

// named returns the endpoints of kind (one of namedKinds) called name, in
// VNet or site order.
func (e *Engine) named(kind EndpointKind, name string) []Endpoint {
	if e.namesBuilt.Load() || e.scans.Add(1) > nameScans {
		return e.names()[kind][name]
	}
	var out []Endpoint
	if kind == EndpointHost {
		for _, o := range e.net.OnPremises {
			if _, ok := o.Hosts[name]; ok {
				out = append(out, hostEndpoint(o, name))
			}
		}
		slices.SortFunc(out, func(a, b Endpoint) int { return strings.Compare(a.OnPremises, b.OnPremises) })
		return out
	}
	for _, v := range e.net.VirtualNetworks {
		switch kind {
		case EndpointVM:
			if vm := v.VirtualMachines[name]; vm != nil && vm.Subnet != nil && vm.Name == name {
				out = append(out, vmEndpoint(v, vm))
			}
		case EndpointLoadBalancer:
			if lb := v.LoadBalancers[name]; lb != nil && lb.Subnet != nil && lb.Name == name {
				out = append(out, lbEndpoint(v, lb))
			}
		}
	}
	slices.SortFunc(out, func(a, b Endpoint) int { return strings.Compare(a.VirtualNetwork, b.VirtualNetwork) })
	return out
}

// addrs builds the estate-wide address indexes on first use.
func (e *Engine) addrs() {
	e.addrsOnce.Do(func() {
		e.holderVNets = make(map[netip.Addr][]string)
		for _, v := range e.sortedVNets() {
			var held []netip.Addr
			eachHolder(v, func(a netip.Addr, _ holder) { held = append(held, a) })
			slices.SortFunc(held, netip.Addr.Compare)
			for _, a := range slices.Compact(held) {
				e.holderVNets[a] = append(e.holderVNets[a], v.Name) // vnets are visited in name order
			}
			for _, p := range v.AddressSpace {
				e.vnetPrefixes.add(p, v)
			}
		}
	})
}

// holdingVNets returns the VNets holding a as a VM or frontend address,
// ordered by name.
func (e *Engine) holdingVNets(a netip.Addr) []string {
	e.addrs()
	return e.holderVNets[a]
}

// transit builds, on first use, the transit spokes of every hub and the
// prefixes each on-premises site learns.
func (e *Engine) transit() {
	e.transitOnce.Do(func() {
		e.transitSpokes = make(map[string][]*topology.VirtualNetwork)
		e.sitesLearned = make(map[string]*prefixIndex[*topology.VirtualNetwork])
		for _, v := range e.sortedVNets() {
			if hub := e.vx(v).transitHub; hub != nil {
				e.transitSpokes[hub.Name] = append(e.transitSpokes[hub.Name], v)
			}
		}
		for _, v := range e.sortedVNets() {
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
				// its transit spokes (docs/semantics.md#gateways).
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
	})
}

// learnedBy returns the prefixes site learns and their gateway VNets, or
// nil when no gateway connects it.
func (e *Engine) learnedBy(site string) *prefixIndex[*topology.VirtualNetwork] {
	e.transit()
	return e.sitesLearned[site]
}

// transitHubOf returns the hub whose gateway v uses, or nil.
func (e *Engine) transitHubOf(v *topology.VirtualNetwork) *topology.VirtualNetwork {
	return e.vx(v).transitHub
}

// peeringListOf returns the objects v owns, ordered by name.
func (e *Engine) peeringListOf(v *topology.VirtualNetwork) []*topology.Peering {
	return e.ordered(v).list
}

// peerRefsOf returns the objects v owns toward VNets of the network (the
// one that counts per remote), ordered by name.
func (e *Engine) peerRefsOf(v *topology.VirtualNetwork) []peerRef {
	return e.ordered(v).peers
}

// ordered returns v's index with its peering objects indexed.
func (e *Engine) ordered(v *topology.VirtualNetwork) *vnetIndex {
	x := e.vx(v)
	x.peerOnce.Do(func() {
		x.byRemote = make(map[string]*topology.Peering, len(v.Peerings))
		x.peer = make(map[*topology.VirtualNetwork]*topology.Peering, len(v.Peerings))
		x.list = v.SortedPeerings()
		for _, p := range x.list {
			if _, dup := x.byRemote[p.RemoteVirtualNetwork]; dup {
				continue
			}
			x.byRemote[p.RemoteVirtualNetwork] = p
			if r := e.net.VirtualNetworks[p.RemoteVirtualNetwork]; r != nil && e.net.VirtualNetworks[v.Name] == v {
				x.peer[r] = p
				x.peers = append(x.peers, peerRef{p, r})
			}
		}
		x.peersReady.Store(true)
	})
	return x
}

// sortedKeys returns m's keys in ascending order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// Network returns the network the engine was built from.
func (e *Engine) Network() *topology.Network { return e.net }

// built returns v's index if its peering objects have been indexed.
func (e *Engine) built(v *topology.VirtualNetwork) (*vnetIndex, bool) {
	if e.full.Load() {
		x, ok := e.byVNet[v]
		return x, ok
	}
	x, ok := e.perVNet.Load(v)
	if !ok || !x.(*vnetIndex).peersReady.Load() {
		return nil, false
	}
	return x.(*vnetIndex), true
}

// peeringTo returns the object owner owns toward remote, or nil.
func (e *Engine) peeringTo(owner, remote string) *topology.Peering {
	v := e.net.VirtualNetworks[owner]
	if v == nil {
		return nil
	}
	if x, ok := e.built(v); ok {
		return x.byRemote[remote]
	}
	if e.scanPeerings(v) {
		return v.PeeringTo(remote)
	}
	return e.ordered(v).byRemote[remote]
}

// scanDegree is the number of peering objects up to which scanning them
// is as cheap as an index; maxScans is how many times a VNet with more is
// scanned before its objects are indexed.
const (
	scanDegree = 8
	maxScans   = 4
)

// scanPeerings reports whether a question about v's peering objects, not
// indexed yet, should scan them rather than index them. A hub's routes ask
// every peer for its object back once, and indexing another hub's hundreds
// of objects for that one question would cost a trace far more than the
// scan; a VNet asked again and again is indexed.
func (e *Engine) scanPeerings(v *topology.VirtualNetwork) bool {
	return len(v.Peerings) <= scanDegree || e.vx(v).scans.Add(1) <= maxScans
}

// holdersOf returns the VMs and frontends of v by address; nil for a VNet
// the network does not hold.
func (e *Engine) holdersOf(v *topology.VirtualNetwork) map[netip.Addr]holder {
	return e.vx(v).holders
}

// peeringOf is peeringTo by pointer.
func (e *Engine) peeringOf(owner, remote *topology.VirtualNetwork) *topology.Peering {
	if x, ok := e.built(owner); ok {
		return x.peer[remote]
	}
	// As the index would: objects of this network's VNets toward them.
	if owner == nil || remote == nil || e.net.VirtualNetworks[owner.Name] != owner || e.net.VirtualNetworks[remote.Name] != remote {
		return nil
	}
	if e.scanPeerings(owner) {
		return owner.PeeringTo(remote.Name)
	}
	return e.ordered(owner).peer[remote]
}

// connectedV reports whether traffic may cross between a and b: both
// objects exist and neither is Disconnected (Network.Connected, indexed).
func (e *Engine) connectedV(a, b *topology.VirtualNetwork) bool {
	pa, pb := e.peeringOf(a, b), e.peeringOf(b, a)
	return pa != nil && pb != nil && !pa.Disconnected && !pb.Disconnected
}

// connected is connectedV by name.
func (e *Engine) connected(a, b string) bool {
	return e.connectedV(e.net.VirtualNetworks[a], e.net.VirtualNetworks[b])
}

// findTransitHub returns the hub whose gateway v uses through gateway
// transit (topology.Network.TransitHub), or nil. It reads v's objects by
// scanning and the hub's through the engine, so that indexing a VNet never
// indexes its hub's peerings.
func (e *Engine) findTransitHub(v *topology.VirtualNetwork) *topology.VirtualNetwork {
	return e.net.TransitHub(v, func(hub *topology.VirtualNetwork) *topology.Peering { return e.peeringTo(hub.Name, v.Name) })
}

// subnetName returns "VNET/SUBNET".
func (e *Engine) subnetName(s *topology.Subnet) string {
	if k, ok := e.vx(s.VirtualNetwork).keys[s]; ok {
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
	subs := e.vx(v).subnets
	if e.net.VirtualNetworks[v.Name] != v {
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
	e.addrs()
	out := e.vnetPrefixes.all(a)
	slices.SortFunc(out, func(x, y *topology.VirtualNetwork) int { return strings.Compare(x.Name, y.Name) })
	return slices.Compact(out)
}

// siteOf returns the on-premises site whose address space contains a, or
// nil; the first site by name wins when several do.
func (e *Engine) siteOf(a netip.Addr) *topology.OnPremises {
	for _, o := range e.sortedSites() {
		if topology.SpaceContains(o.AddressSpace, a) {
			return o
		}
	}
	return nil
}

// accessAllowed reports whether the pair is Connected and access is
// allowed on both objects.
func (e *Engine) accessAllowed(a, b *topology.VirtualNetwork) bool {
	if !e.connectedV(a, b) {
		return false
	}
	return e.peeringOf(a, b).AllowVirtualNetworkAccess && e.peeringOf(b, a).AllowVirtualNetworkAccess
}

// accessDisabled returns the first of P(a→b) and P(b→a) that disables
// access, and its owner; nil when neither does.
func (e *Engine) accessDisabled(a, b *topology.VirtualNetwork) (*topology.VirtualNetwork, *topology.Peering) {
	if p := e.peeringOf(a, b); p != nil && !p.AllowVirtualNetworkAccess {
		return a, p
	}
	if p := e.peeringOf(b, a); p != nil && !p.AllowVirtualNetworkAccess {
		return b, p
	}
	return nil, nil
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
