package topology

import (
	"maps"
	"slices"
)

// Reverse index: which VNets use an access control list or a route table.
// Events that change an ACL or a route table repoint its users; finding
// them by scanning every VNet costs milliseconds on a 10,000-VNet estate,
// so the answer is indexed once per network and handed down to the
// networks events derive from it (InheritUsers).

// refIndex is the index a Network holds. flat answers for every VNet not
// named in changed; changed VNets (added, replaced or removed since flat
// was built) are asked directly. flat is never written once built, so
// networks derived from one another share it safely.
type refIndex struct {
	owner   *Network // the network the index answers for; a copy of the struct does not qualify
	flat    *flatRefs
	changed map[string]bool
}

// flatRefs maps each ACL and route table name to the sorted names of the
// VNets using it.
type flatRefs struct {
	acl, rt map[string][]string
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

func buildRefs(n *Network) *flatRefs {
	f := &flatRefs{acl: map[string][]string{}, rt: map[string][]string{}}
	for vn, v := range n.VirtualNetworks {
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
	return f
}

// InheritUsers gives n, a network derived from parent, the reverse index
// parent has already built, so that ACLUsers and RouteTableUsers on n cost
// no scan of every VNet. changed names every VNet whose pointer differs
// between the two (added, replaced or removed); every other VNet of n must
// be the very object parent holds. When parent has no index yet, or too
// many VNets changed since its index was built, n builds its own on first
// use instead. Call it before n is shared.
func (n *Network) InheritUsers(parent *Network, changed map[string]bool) {
	px := parent.refs.Load()
	if px == nil || px.owner != parent || len(px.changed)+len(changed) > maxChanged(n) {
		return
	}
	all := maps.Clone(px.changed)
	if all == nil {
		all = make(map[string]bool, len(changed))
	}
	maps.Copy(all, changed)
	n.refs.Store(&refIndex{owner: n, flat: px.flat, changed: all})
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
