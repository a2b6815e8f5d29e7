package event

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// Apply applies ev to n the way the platform would (docs/semantics.md#peering-states, #address-space-changes)
// and returns the resulting network. n is never modified: the result shares
// every object the event did not touch with n and holds copies of the rest,
// so keep treating both as read-only.
//
// When the platform refuses the event, Apply returns n itself and a Refusal
// whose Code is a refused-event code (address-space-locked,
// remote-peering-disconnected, address-range-in-use, not-found) or, for an
// event that creates or changes an object, the first diagnostic error code
// the event would introduce; errors n already had do not count. An event
// that deletes an object (deletePeering, deleteVirtualNetwork, removeSubnet,
// removeGateway, removeRoute, removeAclRule, removeLoadBalancer) is refused
// only by its own codes: the errors it leaves in other objects, such as a
// user route whose appliance is no longer reachable, are the network's to
// report when it is validated, as the platform deletes the object anyway.
func Apply(n *topology.Network, ev Event) (*topology.Network, *Refusal) {
	if n == nil {
		return n, &Refusal{Code: diag.MissingField, Message: "there is no network to apply the event to"}
	}
	if ev == nil {
		return n, &Refusal{Code: diag.MissingField, Message: "the event is empty"}
	}
	t := newTx(n)
	if r := ev.apply(t); r != nil {
		return n, r
	}
	// The result differs from n only in the VNets the event copied,
	// created or deleted, so n's reverse index holds for it once those are
	// checked again; the new-error check reads it in both networks.
	t.n.InheritUsers(n, t.copied)
	if !t.skipValidation {
		if r := t.newError(); r != nil {
			return n, r
		}
	}
	return t.n, nil
}

// tx is one event being applied: a copy-on-write view of the old network.
// The new network's maps are fresh, but their values are shared with the old
// one until vnet, routeTable or acl hands out a private copy.
type tx struct {
	old, n *topology.Network
	// copied VNets are those whose pointer in n differs from old's: copied
	// into n, created or deleted by the event.
	copied map[string]bool
	// touched VNets are the ones whose own checks the event may change;
	// the new-error check validates them with the neighbours those checks
	// read (see scope).
	touched map[string]bool
	// related VNets hold the far end of a changed peering object: checks of
	// their objects toward a touched VNet read the change, their other
	// objects do not.
	related map[string]bool
	// endpoints are the VM names the event created: endpoint names are
	// unique across the file, so their namesakes anywhere are in scope.
	endpoints map[string]bool
	// owned are the peering objects this event made or copied: a copied
	// VNet shares the old one's objects until one is changed (ownPeering).
	owned map[*topology.Peering]bool
	// skipValidation is set by deletions: the platform refuses them only
	// for their own reasons (not-found, address-range-in-use), never for
	// the errors they leave in other objects.
	skipValidation bool
}

func newTx(old *topology.Network) *tx {
	n := old.ShallowCopy()
	n.VirtualNetworks = cowMap(old.VirtualNetworks)
	n.RouteTables = cowMap(old.RouteTables)
	n.AccessControlLists = cowMap(old.AccessControlLists)
	n.OnPremises = cowMap(old.OnPremises)
	return &tx{old: old, n: n, copied: map[string]bool{}, touched: map[string]bool{}, related: map[string]bool{}, endpoints: map[string]bool{},
		owned: map[*topology.Peering]bool{}}
}

// cowMap is maps.Clone that never returns nil, so events can insert.
func cowMap[V any](m map[string]V) map[string]V {
	if m == nil {
		return map[string]V{}
	}
	return maps.Clone(m)
}

// vnet returns a private, writable copy of the named VNet in the new
// network, or nil when there is none. It marks the VNet touched.
func (t *tx) vnet(name string) *topology.VirtualNetwork {
	v := t.copyVNet(name)
	if v != nil {
		t.touched[name] = true
	}
	return v
}

// copyVNet is vnet without marking the VNet touched, for VNets copied only
// to repoint them at a copied ACL, whose checks do not change.
func (t *tx) copyVNet(name string) *topology.VirtualNetwork {
	v := t.n.VirtualNetworks[name]
	if v == nil {
		return nil
	}
	if !t.copied[name] {
		v = t.n.CopyVirtualNetwork(v)
		t.n.VirtualNetworks[name] = v
		t.copied[name] = true
	}
	return v
}

// ownPeering returns the peering object called name of v, a VNet the event
// has copied, after copying the object itself if the old network still
// shares it, so that the event may change it.
func (t *tx) ownPeering(v *topology.VirtualNetwork, name string) *topology.Peering {
	p := v.Peerings[name]
	if p == nil || t.owned[p] {
		return p
	}
	c := *p
	c.SyncedRemote = slices.Clone(p.SyncedRemote)
	v.Peerings[name] = &c
	t.owned[&c] = true
	return &c
}

// routeTable returns a private, writable copy of the named route table and
// repoints every subnet that uses it; nil when there is none.
func (t *tx) routeTable(name string) *topology.RouteTable {
	rt := t.n.RouteTables[name]
	if rt == nil {
		return nil
	}
	if rt == t.old.RouteTables[name] {
		rt = &topology.RouteTable{Name: rt.Name, DisableGatewayRoutePropagation: rt.DisableGatewayRoutePropagation, Routes: slices.Clone(rt.Routes)}
		t.n.RouteTables[name] = rt
		for _, vn := range t.users(t.old.RouteTableUsers(name)) {
			if !topology.VirtualNetworkUsesRouteTable(t.n.VirtualNetworks[vn], name) {
				continue
			}
			// The user's route checks read the table: it is touched. A VNet
			// copied earlier in this event still points at the old table.
			for _, s := range t.vnet(vn).Subnets {
				if s.RouteTable != nil && s.RouteTable.Name == name {
					s.RouteTable = rt
				}
			}
		}
	}
	return rt
}

// acl returns a private, writable copy of the named ACL and repoints every
// subnet and NIC that uses it; nil when there is none.
func (t *tx) acl(name string) *topology.ACL {
	a := t.n.AccessControlLists[name]
	if a == nil {
		return nil
	}
	if a == t.old.AccessControlLists[name] {
		a = &topology.ACL{Name: a.Name, InboundDefaultAction: a.InboundDefaultAction, OutboundDefaultAction: a.OutboundDefaultAction, Rules: slices.Clone(a.Rules)}
		t.n.AccessControlLists[name] = a
		for _, vn := range t.users(t.old.ACLUsers(name)) {
			if !topology.VirtualNetworkUsesACL(t.n.VirtualNetworks[vn], name) {
				continue
			}
			// No check of the users reads an ACL's rules, so they are only
			// copied, not touched. A VNet copied earlier in this event still
			// points at the old ACL.
			v := t.copyVNet(vn)
			for _, s := range v.Subnets {
				if s.AccessControlList != nil && s.AccessControlList.Name == name {
					s.AccessControlList = a
				}
			}
			for _, vm := range v.VirtualMachines {
				if vm.AccessControlList != nil && vm.AccessControlList.Name == name {
					vm.AccessControlList = a
				}
			}
		}
	}
	return a
}

// users returns the VNets of the new network that may use an object: its
// users in the old network (from the old network's index) and the VNets
// this event has copied, created or deleted, sorted. Callers check each.
func (t *tx) users(old []string) []string {
	out := old
	for vn := range t.copied {
		if t.n.VirtualNetworks[vn] != nil && !slices.Contains(old, vn) {
			out = append(out, vn)
		}
	}
	if len(out) == len(old) {
		return old
	}
	slices.Sort(out)
	return out
}

func refusef(code diag.Code, format string, args ...any) *Refusal {
	return &Refusal{Code: code, Message: fmt.Sprintf(format, args...)}
}

func notFoundf(format string, args ...any) *Refusal { return refusef(diag.NotFound, format, args...) }

// checkName refuses, with invalid-value, a name an event would create that
// breaks the name rule (topology.CheckName), as the loader reports one in a
// file; what says whose name, e.g. "createPeering".
func checkName(what, name string) *Refusal {
	if err := topology.CheckName(name); err != nil {
		return refusef(diag.InvalidValue, "%s: %v", what, err)
	}
	return nil
}

// needVNet returns the writable VNet the event names, or a not-found refusal.
func (t *tx) needVNet(name string) (*topology.VirtualNetwork, *Refusal) {
	if name == "" {
		return nil, refusef(diag.MissingField, "the event names no virtual network")
	}
	v := t.vnet(name)
	if v == nil {
		return nil, notFoundf("virtual network %q does not exist", name)
	}
	return v, nil
}

// peering resolves ref to a writable owner VNet and its peering object.
func (t *tx) peering(ref PeeringRef) (*topology.VirtualNetwork, *topology.Peering, *Refusal) {
	if ref.VNet == "" {
		return nil, nil, refusef(diag.MissingField, "the event names no virtual network (vnet)")
	}
	p, why := ref.find(t.n)
	switch {
	case p != nil:
	case ref.Name == "" && ref.RemoteVirtualNetwork == "" && t.n.VirtualNetworks[ref.VNet] != nil:
		return nil, nil, refusef(diag.MissingField, "name the peering of %q by name or remoteVirtualNetwork", ref.VNet)
	default:
		return nil, nil, notFoundf("%s", why)
	}
	v := t.vnet(ref.VNet)
	t.related[p.RemoteVirtualNetwork] = true
	return v, t.ownPeering(v, p.Name), nil
}

// syncOnConnect makes a pair that has just become Connected start in sync:
// each object syncs the other VNet's current space, as the platform does
// when the second side is created.
func (t *tx) syncOnConnect(owner *topology.VirtualNetwork, p *topology.Peering) {
	remote := t.n.VirtualNetworks[p.RemoteVirtualNetwork]
	if remote == nil {
		return
	}
	p.SyncedRemote = slices.Clone(remote.AddressSpace)
	if back := remote.PeeringTo(owner.Name); back != nil && !back.Disconnected && !p.Disconnected {
		// Only sync state changes on the remote: no check reads it.
		t.ownPeering(t.copyVNet(remote.Name), back.Name).SyncedRemote = slices.Clone(owner.AddressSpace)
	}
}

func (f PeeringFlags) applyTo(p *topology.Peering) {
	set := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.AllowVirtualNetworkAccess, f.AllowVirtualNetworkAccess)
	set(&p.AllowForwardedTraffic, f.AllowForwardedTraffic)
	set(&p.AllowGatewayTransit, f.AllowGatewayTransit)
	set(&p.UseRemoteGateways, f.UseRemoteGateways)
}

func (e CreatePeering) apply(t *tx) *Refusal {
	if e.Name == "" || e.RemoteVirtualNetwork == "" {
		return refusef(diag.MissingField, "createPeering needs vnet, name and remoteVirtualNetwork")
	}
	if r := checkName("createPeering", e.Name); r != nil {
		return r
	}
	v, r := t.needVNet(e.VNet)
	if r != nil {
		return r
	}
	if v.Peerings[e.Name] != nil {
		return refusef(diag.DuplicateName, "virtual network %q already has a peering named %q", e.VNet, e.Name)
	}
	if e.RemoteVirtualNetwork == e.VNet {
		return refusef(diag.PeeringSelf, "peering %s/%s points at its own virtual network", e.VNet, e.Name)
	}
	remote := t.n.VirtualNetworks[e.RemoteVirtualNetwork]
	if remote == nil {
		return notFoundf("remote virtual network %q of peering %s/%s does not exist", e.RemoteVirtualNetwork, e.VNet, e.Name)
	}
	if back := remote.PeeringTo(e.VNet); back != nil && back.Disconnected {
		return refusef(diag.RemotePeeringDisconnected,
			"peering %s/%s is Disconnected; update or delete and re-create it before creating %s/%s",
			remote.Name, back.Name, e.VNet, e.Name)
	}
	p := &topology.Peering{Name: e.Name, RemoteVirtualNetwork: e.RemoteVirtualNetwork, AllowVirtualNetworkAccess: true}
	e.Flags.applyTo(p)
	if v.Peerings == nil {
		v.Peerings = map[string]*topology.Peering{}
	}
	v.Peerings[e.Name] = p
	t.related[remote.Name] = true
	t.syncOnConnect(v, p)
	return nil
}

func (e UpdatePeering) apply(t *tx) *Refusal {
	v, p, r := t.peering(e.Peering)
	if r != nil {
		return r
	}
	e.Flags.applyTo(p)
	if p.Disconnected {
		// Re-putting a Disconnected object is the documented recovery: it
		// becomes Initiated (or Connected, should the partner exist).
		p.Disconnected = false
		p.SyncedRemote = nil
		t.syncOnConnect(v, p)
	}
	return nil
}

func (e DeletePeering) apply(t *tx) *Refusal {
	v, p, r := t.peering(e.Peering)
	if r != nil {
		return r
	}
	if t.n.PeeringState(v.Name, p) == topology.Connected {
		if remote := t.n.VirtualNetworks[p.RemoteVirtualNetwork]; remote != nil {
			back := remote.PeeringTo(v.Name)
			t.ownPeering(t.vnet(remote.Name), back.Name).Disconnected = true
		}
	}
	delete(v.Peerings, p.Name)
	// Routes through an appliance across this peering now point out of
	// reach: valid reports them, the platform deletes the peering anyway.
	t.skipValidation = true
	return nil
}

func (e SyncPeering) apply(t *tx) *Refusal {
	if !t.n.Platform.Rules().PeeringSync {
		return refusef(diag.InvalidValue, "syncPeering is an azure operation; on %s a peered address space is locked instead", t.n.Platform)
	}
	v, p, r := t.peering(e.Peering)
	if r != nil {
		return r
	}
	if st := t.n.PeeringState(v.Name, p); st != topology.Connected {
		return refusef(diag.PeeringNotConnected, "peering %s/%s is %s; only a Connected peering can be synced", v.Name, p.Name, st)
	}
	t.syncOnConnect(v, p)
	return nil
}

// peeringObjectsOf names, OWNER/NAME, the peering objects name takes part
// in: those it owns and those that point at it, ordered by owner and name.
func peeringObjectsOf(n *topology.Network, name string) []string {
	var out []string
	for _, vn := range slices.Sorted(maps.Keys(n.VirtualNetworks)) {
		for _, p := range n.VirtualNetworks[vn].SortedPeerings() {
			if vn == name || p.RemoteVirtualNetwork == name {
				out = append(out, vn+"/"+p.Name)
			}
		}
	}
	return out
}

// checkAddressSpaceChange refuses a range change on windows-sdn while the
// VNet takes part in any peering object (docs/semantics.md#address-space-changes). On azure the change
// is allowed; scope brings in the peers the new range overlaps.
func (t *tx) checkAddressSpaceChange(v *topology.VirtualNetwork, verb string, pfx netip.Prefix) *Refusal {
	objs := peeringObjectsOf(t.n, v.Name)
	if len(objs) > 0 && t.n.Platform.Rules().AddressSpaceLockedWhilePeered {
		return refusef(diag.AddressSpaceLocked,
			"cannot %s %s on %q while it is peered (%s); delete the peering, change the address space, then re-create the peering",
			verb, pfx, v.Name, listSome(objs, 3))
	}
	return nil
}

// listSome joins up to max items with commas and counts the rest.
func listSome(items []string, max int) string {
	var b strings.Builder
	for i, s := range items {
		if i == max {
			fmt.Fprintf(&b, " and %d more", len(items)-max)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s)
	}
	return b.String()
}

func (e AddAddressPrefix) apply(t *tx) *Refusal {
	v, r := t.needVNet(e.VNet)
	if r != nil {
		return r
	}
	if !e.Prefix.IsValid() {
		return refusef(diag.InvalidPrefix, "addAddressPrefix needs a prefix")
	}
	if slices.Contains(v.AddressSpace, e.Prefix) {
		return refusef(diag.InvalidValue, "%s is already in the address space of %q", e.Prefix, e.VNet)
	}
	if r := t.checkAddressSpaceChange(v, "add", e.Prefix); r != nil {
		return r
	}
	v.AddressSpace = append(v.AddressSpace, e.Prefix)
	return nil
}

func (e RemoveAddressPrefix) apply(t *tx) *Refusal {
	v, r := t.needVNet(e.VNet)
	if r != nil {
		return r
	}
	i := slices.Index(v.AddressSpace, e.Prefix)
	if i < 0 {
		return notFoundf("%s is not in the address space of %q", e.Prefix, e.VNet)
	}
	if r := t.checkAddressSpaceChange(v, "remove", e.Prefix); r != nil {
		return r
	}
	rest := slices.Delete(slices.Clone(v.AddressSpace), i, i+1)
	for _, s := range v.SortedSubnets() {
		if e.Prefix.Overlaps(s.AddressPrefix) && !topology.SpaceHolds(rest, s.AddressPrefix) {
			return refusef(diag.AddressRangeInUse, "%s of %q still holds subnet %q (%s); remove the subnet first", e.Prefix, e.VNet, s.Name, s.AddressPrefix)
		}
	}
	if len(rest) == 0 {
		return refusef(diag.MissingField, "%s is the last range of %q; a virtual network needs an address space", e.Prefix, e.VNet)
	}
	v.AddressSpace = rest
	return nil
}

func (e CreateVirtualNetwork) apply(t *tx) *Refusal {
	if e.Name == "" {
		return refusef(diag.MissingField, "createVirtualNetwork needs a name")
	}
	if r := checkName("createVirtualNetwork", e.Name); r != nil {
		return r
	}
	if t.n.VirtualNetworks[e.Name] != nil {
		return refusef(diag.DuplicateName, "virtual network %q already exists", e.Name)
	}
	if len(e.AddressSpace) == 0 {
		return refusef(diag.MissingField, "createVirtualNetwork %q needs an addressSpace", e.Name)
	}
	v := &topology.VirtualNetwork{
		Name:              e.Name,
		NetworkController: e.NetworkController,
		Region:            e.Region,
		AddressSpace:      slices.Clone(e.AddressSpace),
		Subnets:           map[string]*topology.Subnet{},
		VirtualMachines:   map[string]*topology.VirtualMachine{},
		LoadBalancers:     map[string]*topology.LoadBalancer{},
		Peerings:          map[string]*topology.Peering{},
	}
	if v.NetworkController == "" {
		v.NetworkController = t.n.NetworkController
	}
	t.n.VirtualNetworks[e.Name] = v
	t.copied[e.Name] = true
	t.touched[e.Name] = true
	for _, s := range e.Subnets {
		if r := t.addSubnet(v, s); r != nil {
			return r
		}
	}
	if e.Gateway != nil {
		if r := t.setGateway(v, *e.Gateway); r != nil {
			return r
		}
	}
	for _, vm := range e.VirtualMachines {
		run, fwd := vm.Running, vm.IPForwarding
		sv := SetVirtualMachine{VNet: e.Name, Name: vm.Name, Running: &run, IPForwarding: &fwd, IPAddress: vm.IPAddress, Subnet: vm.Subnet}
		if v.VirtualMachines[vm.Name] != nil {
			return refusef(diag.DuplicateName, "virtual network %q lists VM %q twice", e.Name, vm.Name)
		}
		if r := sv.apply(t); r != nil {
			return r
		}
		if vm.AccessControlList != "" {
			a := t.n.AccessControlLists[vm.AccessControlList]
			if a == nil {
				return refusef(diag.UnknownReference, "VM %q names access control list %q, which does not exist", vm.Name, vm.AccessControlList)
			}
			v.VirtualMachines[vm.Name].AccessControlList = a
		}
	}
	return nil
}

func (e DeleteVirtualNetwork) apply(t *tx) *Refusal {
	if t.n.VirtualNetworks[e.Name] == nil {
		return notFoundf("virtual network %q does not exist", e.Name)
	}
	// docs/reference/scenarios.md: deleteVirtualNetwork is accepted, whatever it leaves
	// behind.
	t.skipValidation = true
	delete(t.n.VirtualNetworks, e.Name)
	t.copied[e.Name] = true
	for _, vn := range slices.Sorted(maps.Keys(t.n.VirtualNetworks)) {
		for _, p := range t.n.VirtualNetworks[vn].SortedPeerings() {
			if p.RemoteVirtualNetwork == e.Name && !p.Disconnected {
				// An object toward a VNet that no longer exists is
				// Disconnected, whether it was Connected or Initiated.
				t.ownPeering(t.vnet(vn), p.Name).Disconnected = true
			}
		}
	}
	return nil
}

func (t *tx) addSubnet(v *topology.VirtualNetwork, s SubnetSpec) *Refusal {
	if s.Name == "" || !s.AddressPrefix.IsValid() {
		return refusef(diag.MissingField, "a subnet of %q needs a name and an addressPrefix", v.Name)
	}
	if r := checkName("subnet", s.Name); r != nil {
		return r
	}
	if v.Subnets[s.Name] != nil {
		return refusef(diag.DuplicateName, "virtual network %q already has a subnet named %q", v.Name, s.Name)
	}
	ns := &topology.Subnet{Name: s.Name, VirtualNetwork: v, AddressPrefix: s.AddressPrefix}
	var r *Refusal
	if ns.AccessControlList, r = subnetRef(t.n.AccessControlLists, "access control list", s.AccessControlList, v.Name, s.Name); r != nil {
		return r
	}
	if ns.RouteTable, r = subnetRef(t.n.RouteTables, "route table", s.RouteTable, v.Name, s.Name); r != nil {
		return r
	}
	if v.Subnets == nil {
		v.Subnets = map[string]*topology.Subnet{}
	}
	v.Subnets[s.Name] = ns
	return nil
}

// subnetRef returns the object named name in m, for subnet vnet/subnet to
// use: nil when name is "" (none), an unknown-reference refusal, worded
// with kind, when m has no such object.
func subnetRef[V any](m map[string]*V, kind, name, vnet, subnet string) (*V, *Refusal) {
	if name == "" {
		return nil, nil
	}
	if x := m[name]; x != nil {
		return x, nil
	}
	return nil, refusef(diag.UnknownReference, "subnet %s/%s names %s %q, which does not exist", vnet, subnet, kind, name)
}

func (e AddSubnet) apply(t *tx) *Refusal {
	v, r := t.needVNet(e.VNet)
	if r != nil {
		return r
	}
	return t.addSubnet(v, e.Subnet)
}

func (e RemoveSubnet) apply(t *tx) *Refusal {
	v, r := t.needVNet(e.VNet)
	if r != nil {
		return r
	}
	if v.Subnets[e.Name] == nil {
		return notFoundf("virtual network %q has no subnet named %q", e.VNet, e.Name)
	}
	if users := v.SubnetUsers(e.Name); len(users) > 0 {
		return refusef(diag.AddressRangeInUse, "subnet %s/%s is in use by %s; move or remove them first", e.VNet, e.Name, listSome(users, 3))
	}
	delete(v.Subnets, e.Name)
	t.skipValidation = true
	return nil
}

func (t *tx) setGateway(v *topology.VirtualNetwork, g GatewaySpec) *Refusal {
	if g.Name == "" {
		g.Name = v.Name + "-gw" // as the loader names an unnamed gateway
	} else if r := checkName("gateway", g.Name); r != nil {
		return r
	}
	ng := &topology.Gateway{Name: g.Name, Type: g.Type, SKU: g.SKU}
	for _, c := range g.Connections {
		o := t.n.OnPremises[c]
		if o == nil {
			return refusef(diag.UnknownReference, "gateway %q of %q connects to on-premises site %q, which does not exist", g.Name, v.Name, c)
		}
		ng.Connections = append(ng.Connections, o)
	}
	v.Gateway = ng
	t.touchPeers(v.Name)
	return nil
}

// touchPeers marks every VNet peered with name (either direction) touched:
// gateway changes alter their transit checks.
func (t *tx) touchPeers(name string) {
	for _, vn := range slices.Sorted(maps.Keys(t.n.VirtualNetworks)) {
		v := t.n.VirtualNetworks[vn]
		if vn == name {
			for _, p := range v.Peerings {
				if t.n.VirtualNetworks[p.RemoteVirtualNetwork] != nil {
					t.touched[p.RemoteVirtualNetwork] = true
				}
			}
			continue
		}
		if v.PeeringTo(name) != nil {
			t.touched[vn] = true
		}
	}
}

func (e SetGateway) apply(t *tx) *Refusal {
	v, r := t.needVNet(e.VNet)
	if r != nil {
		return r
	}
	return t.setGateway(v, e.Gateway)
}

func (e RemoveGateway) apply(t *tx) *Refusal {
	v, r := t.needVNet(e.VNet)
	if r != nil {
		return r
	}
	if v.Gateway == nil {
		return notFoundf("virtual network %q has no gateway", e.VNet)
	}
	// A gateway that spokes use for transit is deleted all the same: their
	// useRemoteGateways objects then fail remote-gateway-missing, which
	// valid reports and the platform checks only when an object is put.
	v.Gateway = nil
	t.skipValidation = true
	return nil
}

func (e AddRoute) apply(t *tx) *Refusal {
	if e.Route.Name == "" || !e.Route.AddressPrefix.IsValid() {
		return refusef(diag.MissingField, "addRoute needs a name and an addressPrefix")
	}
	if r := checkName("addRoute", e.Route.Name); r != nil {
		return r
	}
	rt := t.routeTable(e.RouteTable)
	if rt == nil {
		return notFoundf("route table %q does not exist", e.RouteTable)
	}
	return appendNamed(&rt.Routes, e.Route, tableRouteName, "route table", e.RouteTable, "route")
}

func (e RemoveRoute) apply(t *tx) *Refusal {
	rt := t.routeTable(e.RouteTable)
	if rt == nil {
		return notFoundf("route table %q does not exist", e.RouteTable)
	}
	return deleteNamed(t, &rt.Routes, e.Name, tableRouteName, "route table", e.RouteTable, "route")
}

func (e AddACLRule) apply(t *tx) *Refusal {
	if e.Rule.Name == "" {
		return refusef(diag.MissingField, "addAclRule needs a name")
	}
	if r := checkName("addAclRule", e.Rule.Name); r != nil {
		return r
	}
	a := t.acl(e.AccessControlList)
	if a == nil {
		return notFoundf("access control list %q does not exist", e.AccessControlList)
	}
	return appendNamed(&a.Rules, e.Rule, aclRuleName, "access control list", e.AccessControlList, "rule")
}

func (e RemoveACLRule) apply(t *tx) *Refusal {
	a := t.acl(e.AccessControlList)
	if a == nil {
		return notFoundf("access control list %q does not exist", e.AccessControlList)
	}
	return deleteNamed(t, &a.Rules, e.Name, aclRuleName, "access control list", e.AccessControlList, "rule")
}

func tableRouteName(r topology.Route) string { return r.Name }
func aclRuleName(r topology.ACLRule) string  { return r.Name }

// appendNamed appends item to *list, or refuses duplicate-name when an
// element of the list already has its name. ownerKind, owner and itemKind
// word the refusal: route table "rt" already has a route named "r".
func appendNamed[T any](list *[]T, item T, name func(T) string, ownerKind, owner, itemKind string) *Refusal {
	if slices.ContainsFunc(*list, func(x T) bool { return name(x) == name(item) }) {
		return refusef(diag.DuplicateName, "%s %q already has a %s named %q", ownerKind, owner, itemKind, name(item))
	}
	*list = append(*list, item)
	return nil
}

// deleteNamed removes the element named itemName from *list for t, or refuses
// not-found when there is none. A deletion is never validated afterwards:
// what it leaves dangling is reported, not refused.
func deleteNamed[T any](t *tx, list *[]T, itemName string, name func(T) string, ownerKind, owner, itemKind string) *Refusal {
	i := slices.IndexFunc(*list, func(x T) bool { return name(x) == itemName })
	if i < 0 {
		return notFoundf("%s %q has no %s named %q", ownerKind, owner, itemKind, itemName)
	}
	*list = slices.Delete(*list, i, i+1)
	t.skipValidation = true
	return nil
}

func (e SetVirtualMachine) apply(t *tx) *Refusal {
	if e.Name == "" {
		return refusef(diag.MissingField, "setVirtualMachine needs a name")
	}
	if r := checkName("setVirtualMachine", e.Name); r != nil {
		return r
	}
	v, r := t.needVNet(e.VNet)
	if r != nil {
		return r
	}
	vm := v.VirtualMachines[e.Name]
	if vm == nil {
		if e.Subnet == "" || !e.IPAddress.IsValid() {
			return refusef(diag.MissingField, "VM %q does not exist in %q; creating it needs subnet and ipAddress", e.Name, e.VNet)
		}
		vm = &topology.VirtualMachine{Name: e.Name, Running: true}
		t.endpoints[e.Name] = true
		if v.VirtualMachines == nil {
			v.VirtualMachines = map[string]*topology.VirtualMachine{}
		}
		v.VirtualMachines[e.Name] = vm
	}
	if e.Subnet != "" {
		s := v.Subnets[e.Subnet]
		if s == nil {
			return refusef(diag.UnknownReference, "VM %q names subnet %q, which %q does not have", e.Name, e.Subnet, e.VNet)
		}
		vm.Subnet = s
	}
	if e.IPAddress.IsValid() && e.IPAddress != vm.IPAddress {
		vm.IPAddress = e.IPAddress
		t.touchApplianceUsers(e.IPAddress)
	}
	if e.Running != nil {
		vm.Running = *e.Running
	}
	if e.IPForwarding != nil {
		vm.IPForwarding = *e.IPForwarding
	}
	return nil
}

// touchApplianceUsers marks touched every VNet with a subnet whose route
// table sends to ip as an appliance: whether ip is reachable from there is
// their check.
func (t *tx) touchApplianceUsers(ip netip.Addr) {
	tables := map[string]bool{}
	for name, rt := range t.n.RouteTables {
		for _, r := range rt.Routes {
			if r.NextHopType == topology.NextHopVirtualAppliance && r.NextHopIPAddress == ip {
				tables[name] = true
			}
		}
	}
	for name := range tables {
		for _, vn := range t.users(t.old.RouteTableUsers(name)) {
			if topology.VirtualNetworkUsesRouteTable(t.n.VirtualNetworks[vn], name) {
				t.touched[vn] = true
			}
		}
	}
}

// newError validates the neighbourhood of the touched VNets before and
// after the event, and returns a refusal for the first error the event
// introduced. Validating only that neighbourhood keeps an event on a large
// estate cheap (a hub with 500 peers is not re-checked pair by pair for a
// change to one spoke); see scope for what it holds and why.
func (t *tx) newError() *Refusal {
	scope := t.scope()
	before := map[string]bool{}
	for _, e := range modelErrors(restrictVNets(t.old, scope, t.touched)) {
		before[e.key()] = true
	}
	after := modelErrors(restrictVNets(t.n, scope, t.touched))
	for _, e := range after {
		if !before[e.key()] {
			return &Refusal{Code: e.d.Code, Message: e.d.Message()}
		}
	}
	return nil
}

// objectError is an error of one object: a diagnostic that stands for a
// set of objects (2,000 overlapping subnets) is an error of each object it
// reports (diag.Diagnostic.Paths), so that adding one more subnet to the
// set is a new error even though the set already had one.
type objectError struct {
	path diag.Path
	d    diag.Diagnostic
}

// key identifies an error for telling new ones from old. An appliance
// route's reachability is checked once per VNet using the route, and every
// such error sits on the route itself; the message, which names the VNet's
// subnets, tells them apart, so that attaching a route table to one more
// VNet that cannot reach the appliance is a new error even while another
// VNet already has one on the same route.
func (e objectError) key() string {
	k := string(e.d.Code) + "\x00" + e.path.Key()
	if e.d.Code == diag.RouteNextHopUnreachable {
		k += "\x00" + e.d.Summary
	}
	return k
}

// scope returns the VNets whose checks could gain an error from the event,
// with every VNet those checks read, in the old or the new network:
//
//   - the touched VNets (their own objects changed) and the related ones
//     (the far ends of changed peering objects);
//   - each VNet peered with a touched or related VNet c, or peered with
//     one of c's peers, whose address space overlaps c's
//     (peering-address-overlap and peered-overlaps-hub-peer), with the peer
//     in between;
//   - the VNets holding an address that a touched VNet's route tables use
//     as an appliance (route-next-hop-unreachable);
//   - the VNets holding a VM named like one the event created (endpoint
//     names are unique across the file).
//
// Every other check reads only the VNet it reports on, which is then
// touched itself. VNets left out are left out before and after alike, so
// the errors their absence causes are not new; restrictVNets keeps those
// absences from costing time.
func (t *tx) scope() map[string]bool {
	base := maps.Clone(t.touched)
	for vn := range t.related {
		base[vn] = true
	}
	scope := maps.Clone(base)
	for _, n := range []*topology.Network{t.old, t.n} {
		// A changed peering object makes its two VNets adjacent: each may
		// now overlap the other's peers, so both ends are expanded. Only a
		// VNet whose address space changed (or that was created) may
		// overlap the peers of every VNet it is peered with; any other is
		// newly adjacent only to VNets of the change, so a hub given one
		// more spoke is not expanded over its thousand others.
		for c := range base {
			cv := n.VirtualNetworks[c]
			if cv == nil {
				continue
			}
			ov, nv := t.old.VirtualNetworks[c], t.n.VirtualNetworks[c]
			var hs []string
			if ov == nil || nv == nil || !slices.Equal(ov.AddressSpace, nv.AddressSpace) {
				hs = slices.Collect(n.Peers(c))
			} else {
				for h := range base {
					if h != c && linked(n, c, h) {
						hs = append(hs, h)
					}
				}
			}
			if len(hs) == 0 {
				continue
			}
			// The VNets overlapping c come from the index of address
			// ranges, not from every peer of every h.
			var over []string
			for _, p := range cv.AddressSpace {
				for y := range n.Overlapping(p) {
					if y != c && !slices.Contains(over, y) {
						over = append(over, y)
					}
				}
			}
			for _, h := range hs {
				if overlapsVNet(n.VirtualNetworks[h], cv) {
					scope[h] = true
				}
				for _, y := range over {
					if linked(n, h, y) {
						scope[h], scope[y] = true, true
					}
				}
			}
		}
		for vn := range applianceHolders(n, t.touched) {
			scope[vn] = true
		}
		for name := range t.endpoints {
			for vn := range n.EndpointHolders(name) {
				scope[vn] = true
			}
		}
	}
	return scope
}

// linked reports whether a and b hold a peering object toward each other,
// in either direction, whatever its state.
func linked(n *topology.Network, a, b string) bool {
	return n.HoldsPeering(a, b) || n.HoldsPeering(b, a)
}

// overlapsVNet reports whether any range of a overlaps any range of b.
func overlapsVNet(a, b *topology.VirtualNetwork) bool {
	if a == nil || b == nil {
		return false
	}
	_, _, ok := topology.SpacesOverlap(a.AddressSpace, b.AddressSpace)
	return ok
}

// applianceHolders returns the VNets holding, as a VM or a load balancer
// frontend, an address that a subnet of one of vnets routes to as an
// appliance.
func applianceHolders(n *topology.Network, vnets map[string]bool) map[string]bool {
	ips := map[netip.Addr]bool{}
	for vn := range vnets {
		v := n.VirtualNetworks[vn]
		if v == nil {
			continue
		}
		for _, s := range v.Subnets {
			if s.RouteTable == nil {
				continue
			}
			for _, r := range s.RouteTable.Routes {
				if r.NextHopType == topology.NextHopVirtualAppliance && r.NextHopIPAddress.IsValid() {
					ips[r.NextHopIPAddress] = true
				}
			}
		}
	}
	out := map[string]bool{}
	for ip := range ips {
		for vn := range n.AddressHolders(ip) {
			out[vn] = true
		}
	}
	return out
}

// restrictVNets returns a view of n for validating scope: the VNets in
// scope, each holding only its peering objects toward scope, except that a
// touched VNet also keeps up to two objects per transit flag toward VNets
// out of scope, which its own counting checks read (remote-gateway-multiple,
// remote-gateway-with-local-gateway, gateway-transit-unsupported-sku). The
// remotes of those objects join the view as stubs: their address space,
// gateway and objects toward the view, without subnets or VMs. Route
// tables, ACLs and on-premises sites are all kept. The view shares every
// object with n except the VNets it trims, which are shallow copies.
func restrictVNets(n *topology.Network, scope, touched map[string]bool) *topology.Network {
	r := n.ShallowCopy()
	r.VirtualNetworks = make(map[string]*topology.VirtualNetwork, len(scope))
	stubs := map[string]bool{}
	for name := range scope {
		v := n.VirtualNetworks[name]
		if v == nil {
			continue
		}
		kept := towardScope(n, name, scope)
		if touched[name] {
			for _, p := range transitObjects(v, scope) {
				kept = append(kept, p.Name)
				stubs[p.RemoteVirtualNetwork] = true
			}
		}
		r.VirtualNetworks[name] = withPeerings(v, kept)
	}
	for name := range stubs {
		x := n.VirtualNetworks[name]
		if x == nil || scope[name] {
			continue
		}
		stub := *x
		stub.Subnets, stub.VirtualMachines, stub.LoadBalancers = nil, nil, nil
		r.VirtualNetworks[name] = withPeerings(&stub, towardScope(n, name, scope))
	}
	return r
}

// towardScope returns the names of owner's peering objects toward the
// VNets of scope, from n's index: a hub's thousand other objects cost
// nothing.
func towardScope(n *topology.Network, owner string, scope map[string]bool) []string {
	var names []string
	for remote := range scope {
		names = append(names, n.PeeringsBetween(owner, remote)...)
	}
	return names
}

// transitObjects returns the peering objects of v toward VNets out of
// scope that its counting checks read: the first two by name that set
// useRemoteGateways and the first two that set allowGatewayTransit.
func transitObjects(v *topology.VirtualNetwork, scope map[string]bool) []*topology.Peering {
	var use, offer []*topology.Peering
	firstTwo := func(list []*topology.Peering, p *topology.Peering) []*topology.Peering {
		list = append(list, p)
		slices.SortFunc(list, func(a, b *topology.Peering) int { return strings.Compare(a.Name, b.Name) })
		return list[:min(len(list), 2)]
	}
	for _, p := range v.Peerings {
		if scope[p.RemoteVirtualNetwork] {
			continue
		}
		if p.UseRemoteGateways {
			use = firstTwo(use, p)
		}
		if p.AllowGatewayTransit {
			offer = firstTwo(offer, p)
		}
	}
	out := use
	for _, p := range offer {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// withPeerings returns v, or a shallow copy of v holding only the peering
// objects named.
func withPeerings(v *topology.VirtualNetwork, names []string) *topology.VirtualNetwork {
	if len(names) == len(v.Peerings) {
		return v
	}
	c := *v
	c.Peerings = make(map[string]*topology.Peering, len(names))
	for _, name := range names {
		c.Peerings[name] = v.Peerings[name]
	}
	return &c
}

// modelErrors returns the model errors of n, one per object they report,
// sorted by path, then code, so that the first new one is chosen the same
// way every run.
func modelErrors(n *topology.Network) []objectError {
	var errs []objectError
	for _, d := range topology.Validate(n) {
		if d.Severity == diag.Error {
			for _, p := range d.Paths() {
				errs = append(errs, objectError{p, d})
			}
		}
	}
	slices.SortStableFunc(errs, func(a, b objectError) int {
		return cmp.Or(strings.Compare(a.path.Key(), b.path.Key()), strings.Compare(a.key(), b.key()))
	})
	return errs
}
