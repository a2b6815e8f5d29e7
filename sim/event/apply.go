package event

import (
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
	// read (see neighbourhood).
	touched map[string]bool
	// related VNets hold the far end of a changed peering object: checks of
	// their objects toward a touched VNet read the change, their other
	// objects do not.
	related map[string]bool
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
	return &tx{old: old, n: n, copied: map[string]bool{}, touched: map[string]bool{}, related: map[string]bool{},
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
		for _, vn := range t.possibleUsers(t.old.RouteTableUsers(name)) {
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
		for _, vn := range t.possibleUsers(t.old.ACLUsers(name)) {
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

// possibleUsers returns the VNets of the new network that may use an object: its
// users in the old network (from the old network's index) and the VNets
// this event has copied, created or deleted, sorted. Callers check each.
func (t *tx) possibleUsers(old []string) []string {
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
		for _, vn := range t.possibleUsers(t.old.RouteTableUsers(name)) {
			if topology.VirtualNetworkUsesRouteTable(t.n.VirtualNetworks[vn], name) {
				t.touched[vn] = true
			}
		}
	}
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
