package topology

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/vnetsim/vnetsim/topology/diag"
)

// Validate returns every problem decidable from the model alone: names,
// subnets and addresses (the structural checks Load also reports), peering
// requirements and flags (docs/semantics.md#peering-requirements and
// #gateway-transit), user-route next hops (#user-routes-and-next-hops), ACL
// priorities (#acls) and a peering-not-connected warning for every peering
// object that is not Connected.
//
// Diagnostics carry a Path and no Subject; callers locate them with
// SourceMap.LocateAll. The result is ordered by path, code and summary, so
// it does not depend on map order. Validate never changes n.
func Validate(n *Network) diag.Diagnostics {
	if n == nil {
		return nil
	}
	return sortByPath(append(structuralChecks(n), semanticChecks(n)...))
}

// Paths of model objects, as SourceMap records them.
func vnetPath(v string) diag.Path          { return diag.P("virtualNetworks", v) }
func subnetPath(v, s string) diag.Path     { return vnetPath(v).Child("subnets", s) }
func vmPath(v, m string) diag.Path         { return vnetPath(v).Child("virtualMachines", m) }
func lbPath(v, b string) diag.Path         { return vnetPath(v).Child("loadBalancers", b) }
func peeringPath(v, p string) diag.Path    { return vnetPath(v).Child("peerings", p) }
func gatewayPath(v string) diag.Path       { return vnetPath(v).Child("gateway") }
func routePath(rt string, i int) diag.Path { return diag.P("routeTables", rt, "routes").Index(i) }
func rulePath(acl string, i int) diag.Path {
	return diag.P("accessControlLists", acl, "rules").Index(i)
}
func spacePath(v string, i int) diag.Path { return vnetPath(v).Child("addressSpace").Index(i) }
func hostPath(site, h string) diag.Path   { return diag.P("onPremises", site, "hosts", h) }

// sortByPath orders ds by path, code and summary.
func sortByPath(ds diag.Diagnostics) diag.Diagnostics {
	slices.SortStableFunc(ds, func(a, b diag.Diagnostic) int {
		return cmp.Or(slices.Compare(a.Path, b.Path), cmp.Compare(a.Code, b.Code), cmp.Compare(a.Summary, b.Summary))
	})
	return ds
}

// structuralChecks are the model checks that Load reports: unique endpoint,
// route and rule names; subnets inside their VNet and apart from each
// other; addresses inside their subnet and unique in their VNet.
func structuralChecks(n *Network) diag.Diagnostics {
	var ds diag.Diagnostics
	ds = append(ds, checkEndpointNames(n)...)
	for _, rt := range n.SortedRouteTables() {
		ds = append(ds, checkUniqueNames(len(rt.Routes), func(i int) string { return rt.Routes[i].Name },
			func(i int) diag.Path { return routePath(rt.Name, i) }, "route table "+rt.Name, "route")...)
	}
	for _, a := range n.SortedACLs() {
		ds = append(ds, checkUniqueNames(len(a.Rules), func(i int) string { return a.Rules[i].Name },
			func(i int) diag.Path { return rulePath(a.Name, i) }, "access control list "+a.Name, "rule")...)
	}
	for _, v := range n.SortedVirtualNetworks() {
		ds = append(ds, checkAddressSpace(v)...)
		ds = append(ds, checkSubnets(v)...)
		ds = append(ds, checkAddresses(v)...)
	}
	return sortByPath(ds)
}

// endpoint is one named endpoint: a VM, a load balancer or an on-premises
// host.
type endpoint struct {
	desc string // "virtual machine web1 of A"
	path diag.Path
}

// checkEndpointNames warns (ambiguous-name) about VM, load balancer and
// on-premises host names used twice anywhere in the file. The file is
// valid, since names are unique only within their map, but commands and
// scenarios name endpoints without their VNet: a name two VMs carry is an
// ambiguous endpoint, and a VM's name hides a load balancer or host of the
// same name (endpoints resolve VMs first). The first definition (by path)
// is the Related location.
func checkEndpointNames(n *Network) diag.Diagnostics {
	byName := map[string][]endpoint{}
	for _, v := range n.SortedVirtualNetworks() {
		for _, m := range v.SortedVirtualMachines() {
			byName[m.Name] = append(byName[m.Name], endpoint{"virtual machine " + m.Name + " of " + v.Name, vmPath(v.Name, m.Name)})
		}
		for _, b := range v.SortedLoadBalancers() {
			byName[b.Name] = append(byName[b.Name], endpoint{"load balancer " + b.Name + " of " + v.Name, lbPath(v.Name, b.Name)})
		}
	}
	for _, o := range n.SortedOnPremises() {
		for _, h := range sortedKeys(o.Hosts) {
			byName[h] = append(byName[h], endpoint{"on-premises host " + h + " of " + o.Name, hostPath(o.Name, h)})
		}
	}
	var ds diag.Diagnostics
	for _, name := range sortedKeys(byName) {
		eps := byName[name]
		for _, e := range eps[1:] {
			ds = append(ds, diag.Warningf(diag.AmbiguousName, e.path, "%s: name %s is also used by %s",
				e.desc, name, eps[0].desc).
				WithDetail("commands and scenarios name endpoints without their VNet; rename one, or name it by its IP address").
				WithRelated(eps[0].path, "%s", eps[0].desc))
		}
	}
	return ds
}

// checkUniqueNames reports duplicate-name for list items of one container
// that share a name.
func checkUniqueNames(count int, name func(int) string, path func(int) diag.Path, container, item string) diag.Diagnostics {
	var ds diag.Diagnostics
	first := map[string]int{}
	for i := range count {
		nm := name(i)
		if j, dup := first[nm]; dup {
			ds = append(ds, diag.Errorf(diag.DuplicateName, path(i), "%s: %s name %q is used twice", container, item, nm).
				WithDetail("%s names are unique within their %s; rename one", item, container).
				WithRelated(path(j), "first %s %q", item, nm))
			continue
		}
		first[nm] = i
	}
	return ds
}

// checkAddressSpace reports ranges of v's address space that overlap each
// other, a range given twice included: both platforms refuse such a VNet,
// and whether an address is in the space would not say which range holds
// it. One invalid-value error per overlapping set.
func checkAddressSpace(v *VirtualNetwork) diag.Diagnostics {
	if len(v.AddressSpace) < 2 {
		return nil
	}
	items := make([]ownedPrefix, 0, len(v.AddressSpace))
	for i, p := range v.AddressSpace {
		if p.IsValid() {
			items = append(items, ownedPrefix{prefix: p, owner: strconv.Itoa(i), path: spacePath(v.Name, i)})
		}
	}
	var ds diag.Diagnostics
	for _, set := range overlapSets(items) {
		ds = append(ds, setError(set, func(b, a ownedPrefix) diag.Diagnostic {
			d := diag.Errorf(diag.InvalidValue, b.path, "virtual network %s: address ranges %s and %s overlap", v.Name, a.prefix, b.prefix)
			if b.prefix == a.prefix {
				d.Summary = fmt.Sprintf("virtual network %s: address range %s is given more than once", v.Name, b.prefix)
			}
			if len(set.members) > 2 {
				d.Summary += fmt.Sprintf("; %d ranges of %s overlap within %s", len(set.members), v.Name, set.members[0].prefix)
			}
			return d.WithDetail("the ranges of one address space must not overlap; remove one or make them disjoint")
		}, func(m ownedPrefix) string { return fmt.Sprintf("range %s of %s", m.prefix, v.Name) }))
	}
	return ds
}

// checkSubnets reports subnets outside the VNet's address space and
// subnets that overlap each other.
func checkSubnets(v *VirtualNetwork) diag.Diagnostics {
	var ds diag.Diagnostics
	var items []ownedPrefix
	for _, s := range v.SortedSubnets() {
		if !s.AddressPrefix.IsValid() {
			continue
		}
		p := subnetPath(v.Name, s.Name).Child("addressPrefix")
		items = append(items, ownedPrefix{prefix: s.AddressPrefix, owner: s.Name, path: p})
		if !SpaceHolds(v.AddressSpace, s.AddressPrefix) {
			ds = append(ds, diag.Errorf(diag.SubnetOutsideAddressSpace, p,
				"subnet %s/%s: %s is outside the address space %s of %s", v.Name, s.Name, s.AddressPrefix, strings.Join(StringsOf(v.AddressSpace), ", "), v.Name).
				WithDetail("a subnet must lie inside one range of its VNet; change the prefix or add a range that holds it").
				WithRelated(vnetPath(v.Name).Child("addressSpace"), "address space of %s", v.Name))
		}
	}
	for _, set := range overlapSets(items) {
		ds = append(ds, subnetOverlap(v, set))
	}
	return ds
}

// subnetOverlap is the one subnet-overlap error of a set of overlapping
// subnets of v (setError).
func subnetOverlap(v *VirtualNetwork, set overlapSet) diag.Diagnostic {
	return setError(set, func(b, a ownedPrefix) diag.Diagnostic {
		d := diag.Errorf(diag.SubnetOverlap, b.path, "subnet %s/%s: %s overlaps %s of subnet %s", v.Name, b.owner, b.prefix, a.prefix, a.owner).
			WithDetail("subnets of one VNet must not overlap; change one prefix")
		if len(set.members) > 2 {
			d.Summary += fmt.Sprintf("; %d subnets of %s overlap within %s", len(set.members), v.Name, set.members[0].prefix)
			d.Detail = "subnets of one VNet must not overlap; give each a prefix of its own"
		}
		return d
	}, func(m ownedPrefix) string { return fmt.Sprintf("subnet %s/%s", v.Name, m.owner) })
}

// setError is the one error of a set of overlapping prefixes of one VNet,
// which newError makes for b, the first member in address order that
// overlaps an earlier one, and a, the member that holds it. Also names the
// other members held by an earlier one, which a check by pairs would have
// reported too, and the set's members are its related locations, as what
// names them.
func setError(set overlapSet, newError func(b, a ownedPrefix) diag.Diagnostic, what func(ownedPrefix) string) diag.Diagnostic {
	at := slices.IndexFunc(set.ancestor, func(a int) bool { return a >= 0 })
	b := set.members[at]
	d := newError(b, set.members[set.ancestor[at]])
	for i, m := range set.members {
		if i != at && set.ancestor[i] >= 0 {
			d.Also = append(d.Also, m.path)
		}
	}
	return withSetRelated(d, set, set.ancestor[at], b.owner, what)
}

// maxSetRelated caps the related locations of an overlapping set's
// diagnostic; the last one says how many more members the set has.
const maxSetRelated = 5

// withSetRelated adds to d, as related locations, the members of set that
// do not belong to owner: first, then the others in address order, at most
// maxSetRelated.
func withSetRelated(d diag.Diagnostic, set overlapSet, first int, owner string, what func(ownedPrefix) string) diag.Diagnostic {
	order := []int{first}
	left := 0
	for i, m := range set.members {
		switch {
		case i == first || m.owner == owner:
		case len(order) < maxSetRelated:
			order = append(order, i)
		default:
			left++
		}
	}
	for k, i := range order {
		msg := what(set.members[i])
		if k == len(order)-1 && left > 0 {
			msg += fmt.Sprintf(", and %d more", left)
		}
		d = d.WithRelated(set.members[i].path, "%s", msg)
	}
	return d
}

// checkAddresses reports VM and frontend addresses outside their subnet
// and addresses used twice in one VNet.
func checkAddresses(v *VirtualNetwork) diag.Diagnostics {
	var ds diag.Diagnostics
	type holder struct {
		what string
		path diag.Path
	}
	seen := map[netip.Addr]holder{}
	add := func(what string, p diag.Path, a netip.Addr, s *Subnet) {
		if !a.IsValid() {
			return
		}
		if s != nil && s.AddressPrefix.IsValid() && !s.AddressPrefix.Contains(a) {
			ds = append(ds, diag.Errorf(diag.AddressOutsideSubnet, p, "%s: %s is outside subnet %s/%s (%s)",
				what, a, v.Name, s.Name, s.AddressPrefix).
				WithDetail("pick an address inside %s or move it to the subnet that holds %s", s.AddressPrefix, a).
				WithRelated(subnetPath(v.Name, s.Name), "subnet %s/%s", v.Name, s.Name))
		}
		if first, dup := seen[a]; dup {
			ds = append(ds, diag.Errorf(diag.DuplicateAddress, p, "%s: address %s is already used by %s", what, a, first.what).
				WithDetail("addresses are unique within a VNet; change one of them").
				WithRelated(first.path, "%s holds %s", first.what, a))
			return
		}
		seen[a] = holder{what, p}
	}
	for _, m := range v.SortedVirtualMachines() {
		add("virtual machine "+m.Name, vmPath(v.Name, m.Name).Child("ipAddress"), m.IPAddress, m.Subnet)
	}
	for _, b := range v.SortedLoadBalancers() {
		add("load balancer "+b.Name, lbPath(v.Name, b.Name).Child("frontendIpAddress"), b.FrontendIPAddress, b.Subnet)
	}
	return ds
}

// ownedPrefix is a prefix with the object that holds it, for overlap
// sweeps.
type ownedPrefix struct {
	prefix netip.Prefix
	owner  string
	path   diag.Path
}

// overlapSet is a set of prefixes that overlap one another, directly or
// through a prefix that holds them both: prefixes are either nested or
// disjoint, so the first member in address order holds all the others.
// Checks report one diagnostic per set, not one per pair, so that 2,000
// copies of one prefix cost one diagnostic and linear time, not two
// million of each.
type overlapSet struct {
	members []ownedPrefix // by address, then length, then owner
	// ancestor is, per member, the position of the nearest member before
	// it that holds it and has another owner, or -1: the member a pairwise
	// check would have reported it against.
	ancestor []int
	// partner is, per member, the position of the member with the smallest
	// owner name among those it overlaps with another owner, or -1.
	partner []int
	owners  int // distinct owners
}

// ownerPos is an owner name and the position of a member it holds.
type ownerPos struct {
	owner string
	pos   int
}

// twoOwners keeps the two smallest distinct owner names seen, so that the
// smallest owner other than any given one is known.
type twoOwners [2]ownerPos

func newTwoOwners() twoOwners { return twoOwners{{pos: -1}, {pos: -1}} }

func (t *twoOwners) add(o ownerPos) {
	switch {
	case o.pos < 0:
	case t[0].pos < 0 || o.owner < t[0].owner:
		if t[0].owner != o.owner {
			t[1] = t[0]
		}
		t[0] = o
	case o.owner == t[0].owner:
	case t[1].pos < 0 || o.owner < t[1].owner:
		t[1] = o
	}
}

// other returns the smallest owner that is not owner, or pos -1.
func (t twoOwners) other(owner string) ownerPos {
	if t[0].pos >= 0 && t[0].owner != owner {
		return t[0]
	}
	return t[1]
}

// overlapSets returns the sets of overlapping items that hold two owners
// or more, in address order, in O(n log n). After sorting by address and
// length the prefixes that contain an item's first address are exactly
// the stack of enclosing prefixes left after popping those that end
// before it; a set ends when the stack empties. What each member overlaps
// is found without visiting pairs: its enclosing prefixes are the stack,
// and the prefixes it holds are the ones pushed and popped above it, whose
// smallest owners are handed down to it when they are popped.
func overlapSets(items []ownedPrefix) []overlapSet {
	items = slices.Clone(items)
	slices.SortFunc(items, func(a, b ownedPrefix) int {
		return cmp.Or(a.prefix.Addr().Compare(b.prefix.Addr()), cmp.Compare(a.prefix.Bits(), b.prefix.Bits()),
			cmp.Compare(a.owner, b.owner))
	})
	type frame struct {
		pos      int       // in the current set
		above    twoOwners // smallest owners of the member and those enclosing it
		below    twoOwners // smallest owners of the members it holds
		ancestor int       // its overlapSet.ancestor
	}
	var out []overlapSet
	var cur overlapSet
	var stack []frame
	pop := func() {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		m := cur.members[f.pos]
		best := f.above.other(m.owner)
		if b := f.below.other(m.owner); b.pos >= 0 && (best.pos < 0 || b.owner < best.owner) {
			best = b
		}
		cur.partner[f.pos] = best.pos
		if len(stack) > 0 {
			parent := &stack[len(stack)-1]
			parent.below.add(f.below[0])
			parent.below.add(f.below[1])
			parent.below.add(ownerPos{m.owner, f.pos})
		}
	}
	flush := func() {
		owners := map[string]bool{}
		for _, m := range cur.members {
			owners[m.owner] = true
		}
		if cur.owners = len(owners); cur.owners > 1 {
			out = append(out, cur)
		}
		cur = overlapSet{}
	}
	for _, it := range items {
		for len(stack) > 0 && !cur.members[stack[len(stack)-1].pos].prefix.Contains(it.prefix.Addr()) {
			pop()
		}
		if len(stack) == 0 && len(cur.members) > 0 {
			flush()
		}
		f := frame{pos: len(cur.members), above: newTwoOwners(), below: newTwoOwners(), ancestor: -1}
		if len(stack) > 0 {
			// The nearest enclosing member of another owner is the
			// parent, or the parent's own when they share the owner.
			top := stack[len(stack)-1]
			f.above, f.ancestor = top.above, top.ancestor
			if cur.members[top.pos].owner != it.owner {
				f.ancestor = top.pos
			}
		}
		f.above.add(ownerPos{it.owner, f.pos})
		cur.members = append(cur.members, it)
		cur.ancestor = append(cur.ancestor, f.ancestor)
		cur.partner = append(cur.partner, -1)
		stack = append(stack, f)
	}
	for len(stack) > 0 {
		pop()
	}
	if len(cur.members) > 0 {
		flush()
	}
	return out
}

// validator holds what the semantic checks share for one Validate call:
// the VNets in name order and an index of peering objects, so that
// questions like "are A and B Connected" cost a map lookup rather than a
// walk over a hub's thousands of peerings.
type validator struct {
	n        *Network
	rules    Rules
	vnets    []*VirtualNetwork              // sorted by name
	peerings map[*VirtualNetwork][]*Peering // each VNet's objects, sorted by name
	to       map[[2]string]*Peering         // (owner, remote) → owner.PeeringTo(remote)
}

func newValidator(n *Network) *validator {
	x := &validator{n: n, rules: n.Platform.Rules(), vnets: n.SortedVirtualNetworks(),
		peerings: map[*VirtualNetwork][]*Peering{}, to: map[[2]string]*Peering{}}
	for _, v := range x.vnets {
		x.peerings[v] = v.SortedPeerings()
		for _, p := range x.peerings[v] { // by name, so the smallest name wins, as in PeeringTo
			key := [2]string{v.Name, p.RemoteVirtualNetwork}
			if x.to[key] == nil {
				x.to[key] = p
			}
		}
	}
	return x
}

// peeringTo is owner's PeeringTo(remote), or nil when owner does not exist.
func (x *validator) peeringTo(owner, remote string) *Peering {
	if x.n.VirtualNetworks[owner] == nil {
		return nil
	}
	return x.to[[2]string{owner, remote}]
}

// state is Network.PeeringState through the index.
func (x *validator) state(owner string, p *Peering) PeeringState {
	if p == nil {
		return Absent
	}
	return stateOf(p, x.peeringTo(p.RemoteVirtualNetwork, owner))
}

// connected is Network.Connected through the index.
func (x *validator) connected(a, b string) bool {
	return linked(x.peeringTo(a, b), x.peeringTo(b, a))
}

// semanticChecks are the peering, gateway-transit, route and ACL checks.
func semanticChecks(n *Network) diag.Diagnostics {
	var ds diag.Diagnostics
	x := newValidator(n)
	for _, v := range x.vnets {
		ds = append(ds, x.checkPeerings(v)...)
		ds = append(ds, x.checkTransit(v)...)
	}
	ds = append(ds, x.checkPeeredOverlaps()...)
	ds = append(ds, x.checkRoutes()...)
	for _, a := range n.SortedACLs() {
		ds = append(ds, checkPriorities(a, x.rules)...)
	}
	return sortByPath(ds)
}

// checkPeerings applies docs/semantics.md#peering-states and #peering-requirements to the objects v owns.
func (x *validator) checkPeerings(v *VirtualNetwork) diag.Diagnostics {
	n, rules := x.n, x.rules
	var ds diag.Diagnostics
	firstTo := map[string]*Peering{}
	for _, p := range x.peerings[v] {
		pp := peeringPath(v.Name, p.Name)
		if p.RemoteVirtualNetwork == v.Name {
			ds = append(ds, diag.Errorf(diag.PeeringSelf, pp, "peering %s: %s is peered with itself", p.Name, v.Name).
				WithDetail("a VNet cannot peer with itself; set remoteVirtualNetwork to another VNet or remove the peering"))
			continue
		}
		if first := firstTo[p.RemoteVirtualNetwork]; first != nil {
			ds = append(ds, diag.Errorf(diag.PeeringDuplicate, pp, "peering %s: %s already has peering %s to %s",
				p.Name, v.Name, first.Name, p.RemoteVirtualNetwork).
				WithDetail("a VNet holds one peering object per remote; remove one").
				WithRelated(peeringPath(v.Name, first.Name), "first peering from %s to %s", v.Name, p.RemoteVirtualNetwork))
			continue
		}
		firstTo[p.RemoteVirtualNetwork] = p
		r := n.VirtualNetworks[p.RemoteVirtualNetwork]
		ds = append(ds, x.notConnected(v, p, r)...)
		if r == nil {
			continue
		}
		if a, b, ok := SpacesOverlap(v.AddressSpace, r.AddressSpace); ok {
			ds = append(ds, diag.Errorf(diag.PeeringAddressOverlap, pp, "peering %s: address space %s of %s overlaps %s of %s",
				p.Name, r.AddressSpace[b], r.Name, v.AddressSpace[a], v.Name).
				WithDetail("peered VNets must not overlap; change one address space or remove the peering").
				WithRelated(spacePath(r.Name, b), "%s of %s", r.AddressSpace[b], r.Name))
		}
		if rules.ControllerMustMatch && v.NetworkController != r.NetworkController {
			ds = append(ds, diag.Errorf(diag.PeeringControllerMismatch, pp,
				"peering %s: %s is managed by %s, %s by %s", p.Name, v.Name, controllerName(v), r.Name, controllerName(r)).
				WithDetail("peered VNets must be managed by the same Network Controller; move one VNet or remove the peering").
				WithRelated(vnetPath(r.Name), "virtual network %s", r.Name))
		}
	}
	return ds
}

// controllerName names v's Network Controller for a message.
func controllerName(v *VirtualNetwork) string {
	if v.NetworkController == "" {
		return "no Network Controller (networkController is not set)"
	}
	return fmt.Sprintf("Network Controller %q", v.NetworkController)
}

// notConnected warns about a peering object that is not Connected and
// names what to do: the object to create, or the Disconnected one to
// re-put.
func (x *validator) notConnected(v *VirtualNetwork, p *Peering, r *VirtualNetwork) diag.Diagnostics {
	pp := peeringPath(v.Name, p.Name)
	state := x.state(v.Name, p)
	if state == Connected {
		return nil
	}
	var back *Peering
	if r != nil {
		back = r.PeeringTo(v.Name)
	}
	d := diag.Warningf(diag.PeeringNotConnected, pp, "peering %s: %s; create peering from %s to %s",
		p.Name, state, p.RemoteVirtualNetwork, v.Name)
	switch {
	case state == Disconnected && back != nil:
		d.Summary = fmt.Sprintf("peering %s: Disconnected; update or re-create it", p.Name)
		d = d.WithDetail("the other side or its VNet was deleted; traffic does not cross until this object has been re-put").
			WithRelated(peeringPath(r.Name, back.Name), "peering %s of %s", back.Name, r.Name)
	case state == Disconnected:
		d.Summary = fmt.Sprintf("peering %s: Disconnected; update or re-create it, then create peering from %s to %s",
			p.Name, p.RemoteVirtualNetwork, v.Name)
		d = d.WithDetail("the other side or its VNet was deleted; traffic does not cross until both objects exist and this one has been re-put")
	case back != nil && back.Disconnected:
		d.Summary = fmt.Sprintf("peering %s: %s; peering %s of %s is Disconnected: update or re-create it", p.Name, state, back.Name, r.Name)
		d = d.WithDetail("a peering is two objects; traffic crosses only when both are Connected").
			WithRelated(peeringPath(r.Name, back.Name), "peering %s of %s", back.Name, r.Name)
	case r == nil:
		d.Summary = fmt.Sprintf("peering %s: Initiated; virtual network %s does not exist", p.Name, p.RemoteVirtualNetwork)
		d = d.WithDetail("create virtual network %s and its peering back to %s, or remove this peering", p.RemoteVirtualNetwork, v.Name)
	default:
		d = d.WithDetail("a peering is two objects; traffic crosses only when both exist").
			WithRelated(vnetPath(r.Name).Child("peerings"), "peerings of %s", r.Name)
	}
	return diag.Diagnostics{d}
}

// checkTransit applies the gateway-transit rules of docs/semantics.md#gateway-transit to the
// objects v owns.
func (x *validator) checkTransit(v *VirtualNetwork) diag.Diagnostics {
	n, rules := x.n, x.rules
	var ds diag.Diagnostics
	var firstUse *Peering
	for _, p := range x.peerings[v] {
		pp := peeringPath(v.Name, p.Name)
		if p.AllowGatewayTransit {
			switch {
			case v.Gateway == nil:
				ds = append(ds, diag.Warningf(diag.GatewayTransitWithoutGateway, pp.Child("allowGatewayTransit"),
					"peering %s: allowGatewayTransit is set but %s has no gateway", p.Name, v.Name).
					WithDetail("it does nothing until %s has a gateway; add one or clear the flag", v.Name))
			case !rules.CanOfferTransit(v.Gateway):
				ds = append(ds, diag.Errorf(diag.GatewayTransitUnsupportedSKU, pp.Child("allowGatewayTransit"),
					"peering %s: gateway %s of %s has SKU Basic, which cannot offer gateway transit", p.Name, v.Gateway.Name, v.Name).
					WithDetail("resize the gateway to VpnGw1 or larger, or clear allowGatewayTransit").
					WithRelated(gatewayPath(v.Name).Child("sku"), "gateway %s", v.Gateway.Name))
			}
		}
		if !p.UseRemoteGateways || p.RemoteVirtualNetwork == v.Name {
			continue
		}
		up := pp.Child("useRemoteGateways")
		if firstUse != nil {
			ds = append(ds, diag.Errorf(diag.RemoteGatewayMultiple, up,
				"peering %s: %s already uses the gateway of %s through peering %s", p.Name, v.Name, firstUse.RemoteVirtualNetwork, firstUse.Name).
				WithDetail("a VNet may use one remote gateway; clear useRemoteGateways on all but one peering").
				WithRelated(peeringPath(v.Name, firstUse.Name).Child("useRemoteGateways"), "peering %s", firstUse.Name))
		} else {
			firstUse = p
		}
		if v.Gateway != nil {
			ds = append(ds, diag.Errorf(diag.RemoteGatewayWithLocal, up,
				"peering %s: %s has its own gateway %s and also sets useRemoteGateways", p.Name, v.Name, v.Gateway.Name).
				WithDetail("a VNet with a gateway cannot use a remote one; remove the gateway or clear useRemoteGateways").
				WithRelated(gatewayPath(v.Name), "gateway %s", v.Gateway.Name))
		}
		r := n.VirtualNetworks[p.RemoteVirtualNetwork]
		if r == nil {
			continue
		}
		if r.Gateway == nil {
			ds = append(ds, diag.Errorf(diag.RemoteGatewayMissing, up,
				"peering %s: useRemoteGateways is set but %s has no gateway", p.Name, r.Name).
				WithDetail("add a gateway to %s or clear useRemoteGateways", r.Name).
				WithRelated(vnetPath(r.Name), "virtual network %s", r.Name))
		}
		// Only an existing remote object can lack the flag; a missing one is
		// peering-not-connected, which already names the object to create.
		if back := x.peeringTo(r.Name, v.Name); back != nil && !back.AllowGatewayTransit {
			ds = append(ds, diag.Errorf(diag.RemoteGatewayTransitDisabled, up,
				"peering %s: useRemoteGateways is set but peering %s of %s does not allow gateway transit", p.Name, back.Name, r.Name).
				WithDetail("set allowGatewayTransit: true on peering %s, or clear useRemoteGateways", back.Name).
				WithRelated(peeringPath(r.Name, back.Name), "peering %s", back.Name))
		}
	}
	return ds
}

// checkPeeredOverlaps reports VNets that overlap another VNet peered with
// the same remote (two spokes of one hub): an error on azure, a warning on
// windows-sdn. Each hub's peers are swept in address order, so an estate of
// thousands of spokes costs O(n log n) per hub, not O(n²).
func (x *validator) checkPeeredOverlaps() diag.Diagnostics {
	n := x.n
	peers := map[string][]string{} // hub → VNets sharing any peering object with it
	link := map[[2]string]diag.Path{}
	add := func(hub, spoke string, p diag.Path) {
		key := [2]string{hub, spoke}
		if _, ok := link[key]; !ok {
			peers[hub] = append(peers[hub], spoke)
			link[key] = p
		}
	}
	for _, v := range x.vnets {
		for _, p := range x.peerings[v] {
			if r := n.VirtualNetworks[p.RemoteVirtualNetwork]; r != nil && r != v {
				add(r.Name, v.Name, peeringPath(v.Name, p.Name)) // v's own object first
			}
		}
	}
	for _, v := range x.vnets {
		for _, p := range x.peerings[v] {
			if r := n.VirtualNetworks[p.RemoteVirtualNetwork]; r != nil && r != v {
				add(v.Name, r.Name, peeringPath(v.Name, p.Name))
			}
		}
	}
	mk := diag.Warningf
	if x.rules.PeeredOverlapIsError {
		mk = diag.Errorf
	}
	var ds diag.Diagnostics
	for _, hub := range sortedKeys(peers) {
		var items []ownedPrefix
		for _, s := range peers[hub] {
			for i, pf := range n.VirtualNetworks[s].AddressSpace {
				items = append(items, ownedPrefix{prefix: pf, owner: s, path: spacePath(s, i)})
			}
		}
		for _, set := range overlapSets(items) {
			ds = append(ds, peeredOverlap(mk, hub, set, link))
		}
	}
	return ds
}

// peeredOverlap is the one diagnostic of a set of overlapping address
// ranges of VNets peered with hub. A VNet is at fault when it overlaps a
// VNet whose name comes before its own, which is "already peered"; the
// diagnostic is reported at the link to hub of the first such VNet by
// name, against the first VNet by name it overlaps, and Also names the
// links of the others at fault.
func peeredOverlap(mk func(diag.Code, diag.Path, string, ...any) diag.Diagnostic, hub string, set overlapSet, link map[[2]string]diag.Path) diag.Diagnostic {
	at := -1 // the member of the first VNet at fault, overlapping its partner
	faulty := map[string]bool{}
	for i, m := range set.members {
		p := set.partner[i]
		if p < 0 || set.members[p].owner > m.owner {
			continue
		}
		faulty[m.owner] = true
		if at < 0 || m.owner < set.members[at].owner ||
			m.owner == set.members[at].owner && set.members[p].owner < set.members[set.partner[at]].owner {
			at = i
		}
	}
	b, a := set.members[at], set.members[set.partner[at]]
	lp := link[[2]string{hub, b.owner}]
	d := mk(diag.PeeredOverlapsHubPeer, lp, "peering %s: %s (%s) overlaps %s (%s), which is already peered with %s",
		lp[len(lp)-1], b.owner, b.prefix, a.owner, a.prefix, hub).
		WithDetail("VNets peered with one hub must not overlap; change one address space")
	if set.owners > 2 {
		d.Summary += fmt.Sprintf("; %d VNets peered with %s overlap within %s", set.owners, hub, set.members[0].prefix)
		d.Detail = "VNets peered with one hub must not overlap; give each an address space of its own"
	}
	for _, o := range sortedKeys(faulty) {
		if o != b.owner {
			d.Also = append(d.Also, link[[2]string{hub, o}])
		}
	}
	return withSetRelated(d, set, set.partner[at], b.owner, func(m ownedPrefix) string {
		return fmt.Sprintf("%s of %s", m.prefix, m.owner)
	})
}

// addrHolder is a VM or load balancer frontend holding an address.
type addrHolder struct {
	vnet string
	vm   *VirtualMachine // nil for a frontend
	desc string          // "virtual machine nva1 of hub"
	path diag.Path
}

// checkRoutes checks user routes (docs/semantics.md#user-routes-and-next-hops): next-hop type and IP
// combinations, and for each VNet whose subnets use a table, whether each
// appliance address is held, reachable and forwarding.
func (x *validator) checkRoutes() diag.Diagnostics {
	n := x.n
	holders := map[netip.Addr][]addrHolder{}
	users := map[string]map[string][]string{} // route table → VNet → subnets
	for _, v := range x.vnets {
		for _, m := range v.SortedVirtualMachines() {
			holders[m.IPAddress] = append(holders[m.IPAddress], addrHolder{v.Name, m, "virtual machine " + m.Name + " of " + v.Name, vmPath(v.Name, m.Name)})
		}
		for _, b := range v.SortedLoadBalancers() {
			holders[b.FrontendIPAddress] = append(holders[b.FrontendIPAddress], addrHolder{v.Name, nil, "load balancer " + b.Name + " of " + v.Name, lbPath(v.Name, b.Name)})
		}
		for _, s := range v.SortedSubnets() {
			if s.RouteTable == nil {
				continue
			}
			if users[s.RouteTable.Name] == nil {
				users[s.RouteTable.Name] = map[string][]string{}
			}
			users[s.RouteTable.Name][v.Name] = append(users[s.RouteTable.Name][v.Name], s.Name)
		}
	}
	var ds diag.Diagnostics
	for _, rt := range n.SortedRouteTables() {
		for i, r := range rt.Routes {
			ds = append(ds, x.checkRoute(rt, i, r, users[rt.Name], holders)...)
		}
	}
	return ds
}

func (x *validator) checkRoute(rt *RouteTable, i int, r Route, users map[string][]string, holders map[netip.Addr][]addrHolder) diag.Diagnostics {
	rp := routePath(rt.Name, i)
	what := fmt.Sprintf("route %s/%s", rt.Name, r.Name)
	var ds diag.Diagnostics
	invalid := func(p diag.Path, detail, format string, args ...any) {
		ds = append(ds, diag.Errorf(diag.RouteNextHopInvalid, p, "%s: "+format, append([]any{what}, args...)...).WithDetail("%s", detail))
	}
	switch {
	case r.NextHopType == NextHopVirtualAppliance && !r.NextHopIPAddress.IsValid():
		invalid(rp.Child("nextHopType"), "add nextHopIpAddress: the appliance's address", "next hop VirtualAppliance needs nextHopIpAddress")
		return ds
	case r.NextHopType != NextHopVirtualAppliance && r.NextHopIPAddress.IsValid():
		invalid(rp.Child("nextHopIpAddress"), "remove nextHopIpAddress, or set nextHopType: VirtualAppliance",
			"nextHopIpAddress %s is only valid with next hop VirtualAppliance, not %s", r.NextHopIPAddress, r.NextHopType)
		return ds
	}
	for _, vname := range sortedKeys(users) {
		v := x.n.VirtualNetworks[vname]
		subnets := users[vname]
		where := fmt.Sprintf("subnet %s/%s", vname, strings.Join(subnets, ", "+vname+"/"))
		related := subnetPath(vname, subnets[0])
		switch r.NextHopType {
		case NextHopVirtualNetworkGateway:
			if g, owner := x.effectiveGateway(v); g != nil && g.Type == ExpressRoute {
				ds = append(ds, diag.Errorf(diag.RouteNextHopInvalid, rp.Child("nextHopType"),
					"%s: next hop VirtualNetworkGateway for %s goes to ExpressRoute gateway %s", what, where, g.Name).
					WithDetail("user routes cannot point at an ExpressRoute gateway; use routes it advertises instead").
					WithRelated(gatewayPath(owner), "gateway %s", g.Name))
			}
		case NextHopVirtualAppliance:
			ds = append(ds, x.checkAppliance(rp.Child("nextHopIpAddress"), what, where, related, v, r.NextHopIPAddress, holders)...)
		}
	}
	return ds
}

// checkAppliance checks one appliance address as seen from VNet v.
func (x *validator) checkAppliance(p diag.Path, what, where string, subnet diag.Path, v *VirtualNetwork, ip netip.Addr, holders map[netip.Addr][]addrHolder) diag.Diagnostics {
	all := holders[ip]
	if len(all) == 0 {
		return diag.Diagnostics{diag.Warningf(diag.RouteNextHopNotFound, p,
			"%s: no VM or load balancer holds next hop %s (used by %s)", what, ip, where).
			WithDetail("packets on this route are dropped (next-hop-not-found); fix the address or add the appliance").
			WithRelated(subnet, "%s uses this route table", where)}
	}
	var reach *addrHolder
	for i := range all {
		if h := &all[i]; h.vnet == v.Name || x.connected(v.Name, h.vnet) {
			reach = h
			break
		}
	}
	if reach == nil {
		return diag.Diagnostics{diag.Errorf(diag.RouteNextHopUnreachable, p,
			"%s: next hop %s is in %s, which is neither the VNet of %s nor a Connected peer", what, ip, all[0].vnet, where).
			WithDetail("peer %s with %s (both sides), or route to an appliance in reach", v.Name, all[0].vnet).
			WithRelated(all[0].path, "%s holds %s", all[0].desc, ip)}
	}
	if reach.vm != nil && !reach.vm.IPForwarding {
		return diag.Diagnostics{diag.Warningf(diag.RouteNextHopNotForwarding, p,
			"%s: next hop %s is virtual machine %s, which has no ipForwarding (used by %s)", what, ip, reach.vm.Name, where).
			WithDetail("set ipForwarding: true on %s, or packets it would forward are dropped", reach.vm.Name).
			WithRelated(reach.path, "virtual machine %s", reach.vm.Name)}
	}
	return nil
}

// effectiveGateway returns the gateway v's subnets route to
// (Network.GatewayVNet), with the name of the VNet that owns it. It
// returns nil when there is none.
func (x *validator) effectiveGateway(v *VirtualNetwork) (*Gateway, string) {
	g := x.n.GatewayVNet(v, func(hub *VirtualNetwork) *Peering { return x.peeringTo(hub.Name, v.Name) })
	if g == nil {
		return nil, ""
	}
	return g.Gateway, g.Name
}

// checkPriorities applies docs/semantics.md#acls to the priorities of one ACL.
func checkPriorities(a *ACL, rules Rules) diag.Diagnostics {
	var ds diag.Diagnostics
	type slot struct {
		dir      Direction
		priority int
	}
	first := map[slot]int{}
	for i, r := range a.Rules {
		p := rulePath(a.Name, i).Child("priority")
		what := fmt.Sprintf("rule %s/%s", a.Name, r.Name)
		switch {
		case r.Priority < rules.ACLPriorityMin || r.Priority > rules.ACLPriorityMax:
			ds = append(ds, diag.Errorf(diag.ACLPriorityInvalid, p, "%s: priority %d is outside %d-%d",
				what, r.Priority, rules.ACLPriorityMin, rules.ACLPriorityMax).
				WithDetail("pick a priority from %d to %d", rules.ACLPriorityMin, rules.ACLPriorityMax))
			continue
		case rules.ReservedPriorities != nil && rules.ReservedPriorities(r.Priority):
			ds = append(ds, diag.Warningf(diag.ACLPriorityReserved, p, "%s: priority %d is in a reserved band", what, r.Priority).
				WithDetail("user rules take priorities 101-65000; 1-100 and 65001-65535 are reserved"))
		}
		s := slot{priority: r.Priority}
		scope := "within an access control list, whatever the direction"
		if rules.PriorityUniquePerDirection {
			s.dir = r.Type
			scope = "among the " + r.Type.String() + " rules of a network security group"
		}
		if j, dup := first[s]; dup {
			ds = append(ds, diag.Errorf(diag.ACLPriorityDuplicate, p, "%s: priority %d is already used by rule %s",
				what, r.Priority, a.Rules[j].Name).
				WithDetail("priorities are unique %s; change one", scope).
				WithRelated(rulePath(a.Name, j).Child("priority"), "rule %s/%s", a.Name, a.Rules[j].Name))
			continue
		}
		first[s] = i
	}
	return ds
}
