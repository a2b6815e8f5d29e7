package topology

import (
	"cmp"
	"iter"
	"maps"
	"net/netip"
	"slices"
	"sync"

	"go4.org/netipx"
)

// Reverse index: which VNets use an access control list or a route table,
// hold a peering object toward a VNet, hold an address, or hold a VM or
// load balancer of a given name. Events repoint an ACL's or a route
// table's users, and check each event against the VNets around the ones it
// touches; finding them by scanning every VNet costs milliseconds on a
// 10,000-VNet estate, and made a step of 3,000 events quadratic, so the
// answers are indexed once per network and handed down to the networks
// events derive from it (InheritUsers).

// refIndex is the index a Network holds. flat answers for every VNet not
// named in changed; changed VNets (added, replaced or removed since flat
// was built) are answered from their own index in delta, which a derived
// network shares for the VNets it did not change. flat and the entries of
// delta are never written once built, so networks derived from one another
// share them safely.
type refIndex struct {
	owner   *Network // the network the index answers for; a copy of the struct does not qualify
	flat    *flatRefs
	changed map[string]bool
	delta   map[string]*deltaRefs // changed VNets that n holds
}

// deltaRefs indexes one changed VNet when first asked: an event that
// repoints 500 VNets at a copied ACL pays nothing for them until a later
// question reads them, and a derived network shares the entry.
type deltaRefs struct {
	v    *VirtualNetwork
	once sync.Once
	refs *vnetRefs
}

func (d *deltaRefs) get() *vnetRefs {
	d.once.Do(func() { d.refs = refsOf(d.v) })
	return d.refs
}

// flatRefs maps each ACL and route table name to the sorted names of the
// VNets using it; each VNet name to the VNets holding a peering object
// toward it, and each (owner, remote) pair to the names of those objects;
// each address to the VNets where a VM or a load balancer frontend holds
// it; and each address range to the VNets holding it, with the ranges sorted
// by address then length.
type flatRefs struct {
	acl, rt, peeredBy map[string][]string
	objects           peeringNames[[2]string]
	holders           map[netip.Addr][]string
	space             map[netip.Prefix][]string
	ranges            []netip.Prefix
}

// vnetRefs is what one VNet contributes to the index.
type vnetRefs struct {
	objects peeringNames[string] // remote → the VNet's objects toward it
	holders []netip.Addr
}

// peeringNames maps a key to the names of peering objects: the first name
// in one map, without a slice per key, and any further ones (a duplicate
// peering) in another.
type peeringNames[K comparable] struct {
	first map[K]string
	more  map[K][]string
}

func newPeeringNames[K comparable](size int) peeringNames[K] {
	return peeringNames[K]{first: make(map[K]string, size), more: map[K][]string{}}
}

func (m peeringNames[K]) add(k K, name string) {
	if _, ok := m.first[k]; ok {
		m.more[k] = append(m.more[k], name)
		return
	}
	m.first[k] = name
}

func (m peeringNames[K]) get(k K) []string {
	first, ok := m.first[k]
	if !ok {
		return nil
	}
	return append([]string{first}, m.more[k]...)
}

func (m peeringNames[K]) has(k K) bool {
	_, ok := m.first[k]
	return ok
}

func refsOf(v *VirtualNetwork) *vnetRefs {
	r := &vnetRefs{objects: newPeeringNames[string](len(v.Peerings))}
	for _, p := range v.Peerings {
		r.objects.add(p.RemoteVirtualNetwork, p.Name)
	}
	for _, vm := range v.VirtualMachines {
		if vm.IPAddress.IsValid() {
			r.holders = append(r.holders, vm.IPAddress)
		}
	}
	for _, lb := range v.LoadBalancers {
		if lb.FrontendIPAddress.IsValid() {
			r.holders = append(r.holders, lb.FrontendIPAddress)
		}
	}
	return r
}

// maxChanged bounds how many changed VNets an inherited index may carry
// before a network builds its own: every look-up checks each of them.
func maxChanged(n *Network) int { return 64 + len(n.VirtualNetworks)/8 }

// ACLUsers returns the names of the VNets in which a subnet or a VM's NIC
// uses the access control list called name, sorted. The index behind it is
// built on first use and kept with n, so n must not be changed afterwards,
// which holds for every network an event reads or produces.
func (n *Network) ACLUsers(name string) []string {
	return n.users(name, func(f *flatRefs) map[string][]string { return f.acl }, VirtualNetworkUsesACL)
}

// RouteTableUsers returns the names of the VNets in which a subnet uses the
// route table called name, sorted. See ACLUsers for the index behind it.
func (n *Network) RouteTableUsers(name string) []string {
	return n.users(name, func(f *flatRefs) map[string][]string { return f.rt }, VirtualNetworkUsesRouteTable)
}

// PeeredBy yields the names of the VNets holding a peering object whose
// remote is the VNet called name, which need not exist, in no particular
// order and possibly more than once. See ACLUsers for the index behind it.
func (n *Network) PeeredBy(name string) iter.Seq[string] {
	return lookup(n, func(f *flatRefs) []string { return f.peeredBy[name] },
		func(r *vnetRefs) bool { return r.objects.has(name) })
}

// Peers yields the names of the VNets peered with the VNet called name in
// either direction, whatever the state: the remotes of its own objects,
// then the owners of the objects toward it, from the index, so that a VNet
// costs its own peerings, not a pass over every VNet. A name may come more
// than once, and name itself when a VNet peers with itself.
func (n *Network) Peers(name string) iter.Seq[string] {
	return func(yield func(string) bool) {
		if v := n.VirtualNetworks[name]; v != nil {
			for _, p := range v.Peerings {
				if !yield(p.RemoteVirtualNetwork) {
					return
				}
			}
		}
		for o := range n.PeeredBy(name) {
			if !yield(o) {
				return
			}
		}
	}
}

// AddressHolders yields the names of the VNets in which a VM or a load
// balancer frontend holds a, in no particular order and possibly more
// than once. See ACLUsers for the index behind it.
func (n *Network) AddressHolders(a netip.Addr) iter.Seq[string] {
	return lookup(n, func(f *flatRefs) []string { return f.holders[a] },
		func(r *vnetRefs) bool { return slices.Contains(r.holders, a) })
}

// PeeringsBetween returns the names of the peering objects the VNet
// called owner holds toward the VNet called remote, in no particular
// order, without looking at owner's other objects. See ACLUsers for the
// index behind it.
func (n *Network) PeeringsBetween(owner, remote string) []string {
	x := n.refIndex()
	if x.changed[owner] {
		if r := x.delta[owner]; r != nil {
			return r.get().objects.get(remote)
		}
		return nil
	}
	return x.flat.objects.get([2]string{owner, remote})
}

// HoldsPeering reports whether the VNet called owner holds a peering
// object toward the VNet called remote. See ACLUsers for the index behind
// it.
func (n *Network) HoldsPeering(owner, remote string) bool {
	x := n.refIndex()
	if x.changed[owner] {
		r := x.delta[owner]
		return r != nil && r.get().objects.has(remote)
	}
	return x.flat.objects.has([2]string{owner, remote})
}

// Overlapping yields the names of the VNets with an address range that
// overlaps p, in no particular order and possibly more than once: the
// ranges holding p are found by masking p to each shorter length, those
// inside it in the ranges sorted by address, so that the question costs
// what it finds, not a pass over every VNet. See ACLUsers for the index
// behind it.
func (n *Network) Overlapping(p netip.Prefix) iter.Seq[string] {
	return func(yield func(string) bool) {
		x := n.refIndex()
		emit := func(vns []string) bool {
			for _, vn := range vns {
				if !x.changed[vn] && !yield(vn) {
					return false
				}
			}
			return true
		}
		p = p.Masked()
		for bits := 0; bits <= p.Bits(); bits++ {
			if q, err := p.Addr().Prefix(bits); err == nil && !emit(x.flat.space[q]) {
				return
			}
		}
		last := netipx.PrefixLastIP(p)
		i, _ := slices.BinarySearchFunc(x.flat.ranges, p, comparePrefix)
		for ; i < len(x.flat.ranges) && x.flat.ranges[i].Addr().Compare(last) <= 0; i++ {
			if q := x.flat.ranges[i]; q.Bits() > p.Bits() && !emit(x.flat.space[q]) {
				return
			}
		}
		for vn, r := range x.delta {
			if slices.ContainsFunc(r.v.AddressSpace, p.Overlaps) && !yield(vn) {
				return
			}
		}
	}
}

func comparePrefix(a, b netip.Prefix) int {
	return cmp.Or(a.Addr().Compare(b.Addr()), cmp.Compare(a.Bits(), b.Bits()))
}

// lookup answers from the flat index for the VNets that have not changed
// since it was built, and for the changed ones from their own index:
// match reports whether a changed VNet belongs.
func lookup(n *Network, table func(*flatRefs) []string, match func(*vnetRefs) bool) iter.Seq[string] {
	return func(yield func(string) bool) {
		x := n.refIndex()
		for _, vn := range table(x.flat) {
			if !x.changed[vn] && !yield(vn) {
				return
			}
		}
		for vn, r := range x.delta {
			if match(r.get()) && !yield(vn) {
				return
			}
		}
	}
}

func (n *Network) users(name string, table func(*flatRefs) map[string][]string, uses func(*VirtualNetwork, string) bool) []string {
	x := n.refIndex()
	base := table(x.flat)[name]
	if len(x.changed) == 0 {
		return slices.Clone(base)
	}
	out := make([]string, 0, len(base))
	for _, vn := range base {
		if !x.changed[vn] {
			out = append(out, vn)
		}
	}
	for vn := range x.changed {
		if v := n.VirtualNetworks[vn]; v != nil && uses(v, name) {
			out = append(out, vn)
		}
	}
	slices.Sort(out)
	return out
}

// refIndex returns n's index, building it on first use. Concurrent first
// uses may both build it; one wins and both answers are the same.
func (n *Network) refIndex() *refIndex {
	if x := n.refs.Load(); x != nil && x.owner == n {
		return x
	}
	x := &refIndex{owner: n, flat: buildRefs(n)}
	n.refs.Store(x)
	return x
}

// buildRefs indexes every VNet of n.
func buildRefs(n *Network) *flatRefs {
	f := &flatRefs{acl: map[string][]string{}, rt: map[string][]string{}, peeredBy: map[string][]string{},
		objects: newPeeringNames[[2]string](0), holders: map[netip.Addr][]string{},
		space: map[netip.Prefix][]string{}}
	for vn, v := range n.VirtualNetworks {
		for _, p := range v.Peerings {
			f.peeredBy[p.RemoteVirtualNetwork] = append(f.peeredBy[p.RemoteVirtualNetwork], vn)
			f.objects.add([2]string{vn, p.RemoteVirtualNetwork}, p.Name)
		}
		for _, p := range v.AddressSpace {
			p = p.Masked()
			if len(f.space[p]) == 0 {
				f.ranges = append(f.ranges, p)
			}
			f.space[p] = append(f.space[p], vn)
		}
		r := refsOf(v)
		for _, a := range r.holders {
			f.holders[a] = append(f.holders[a], vn)
		}
		var acls, rts []string
		add := func(list *[]string, a string) {
			if !slices.Contains(*list, a) {
				*list = append(*list, a)
			}
		}
		for _, s := range v.Subnets {
			if s.AccessControlList != nil {
				add(&acls, s.AccessControlList.Name)
			}
			if s.RouteTable != nil {
				add(&rts, s.RouteTable.Name)
			}
		}
		for _, vm := range v.VirtualMachines {
			if vm.AccessControlList != nil {
				add(&acls, vm.AccessControlList.Name)
			}
		}
		for _, a := range acls {
			f.acl[a] = append(f.acl[a], vn)
		}
		for _, r := range rts {
			f.rt[r] = append(f.rt[r], vn)
		}
	}
	for _, m := range []map[string][]string{f.acl, f.rt} {
		for _, list := range m {
			slices.Sort(list)
		}
	}
	slices.SortFunc(f.ranges, comparePrefix)
	return f
}

// InheritUsers gives n, a network derived from parent, parent's reverse
// index, building it first if need be, so that ACLUsers, RouteTableUsers,
// PeeredBy and AddressHolders on n cost no scan of every
// VNet. changed names every VNet whose pointer differs between the two
// (added, replaced or removed); every other VNet of n must be the very
// object parent holds. When too many VNets changed since parent's index
// was built, n builds its own on first use instead. Call it before n is
// shared.
func (n *Network) InheritUsers(parent *Network, changed map[string]bool) {
	px := parent.refIndex()
	if len(px.changed)+len(changed) > maxChanged(n) {
		return
	}
	all := maps.Clone(px.changed)
	if all == nil {
		all = make(map[string]bool, len(changed))
	}
	maps.Copy(all, changed)
	// The changed VNets n shares with parent keep parent's entries; the
	// ones this change made are indexed afresh.
	delta := make(map[string]*deltaRefs, len(all))
	for vn, r := range px.delta {
		if !changed[vn] {
			delta[vn] = r
		}
	}
	for vn := range changed {
		if v := n.VirtualNetworks[vn]; v != nil {
			delta[vn] = &deltaRefs{v: v}
		}
	}
	n.refs.Store(&refIndex{owner: n, flat: px.flat, changed: all, delta: delta})
}

// ShallowCopy returns a new Network with n's fields, sharing its maps and
// everything in them, but not its cached indexes: the copy is meant to be
// changed, and builds its own when asked.
func (n *Network) ShallowCopy() *Network {
	return &Network{
		Name:               n.Name,
		Platform:           n.Platform,
		NetworkController:  n.NetworkController,
		VirtualNetworks:    n.VirtualNetworks,
		RouteTables:        n.RouteTables,
		AccessControlLists: n.AccessControlLists,
		OnPremises:         n.OnPremises,
	}
}

// VirtualNetworkUsesACL reports whether a subnet of v, or a VM's NIC in v,
// uses the access control list called name.
func VirtualNetworkUsesACL(v *VirtualNetwork, name string) bool {
	for _, s := range v.Subnets {
		if s.AccessControlList != nil && s.AccessControlList.Name == name {
			return true
		}
	}
	for _, vm := range v.VirtualMachines {
		if vm.AccessControlList != nil && vm.AccessControlList.Name == name {
			return true
		}
	}
	return false
}

// VirtualNetworkUsesRouteTable reports whether a subnet of v uses the route
// table called name.
func VirtualNetworkUsesRouteTable(v *VirtualNetwork, name string) bool {
	for _, s := range v.Subnets {
		if s.RouteTable != nil && s.RouteTable.Name == name {
			return true
		}
	}
	return false
}
