package diff

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/vnetsim/vnetsim/sim/event"
	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// Plan is an ordered list of events that turns the before network into the
// after network through states the platform accepts (docs/reference/json.md).
type Plan struct {
	Steps []PlanStep
	// Verified reports that every step was accepted and the network the
	// last step leaves equals the after network, except for Unplanned
	// changes, with every peering that the after network defines on both
	// sides Connected (and, on azure, FullyInSync).
	Verified bool
	// Problems says why the plan is not verified: a refused step, a
	// difference left at the end, a peering not Connected. Empty when
	// Verified.
	Problems []string
	// Unplanned are the changes no event expresses (removing a VM,
	// on-premises sites, removing route tables or ACLs, their settings,
	// NIC ACLs, a subnet's prefix while VMs use it, the topology's own
	// fields): an engineer makes them out of band. Verification ignores
	// them.
	Unplanned []Change
}

// PlanStep is one event of a plan, why it comes where it does, and what it
// costs while the network sits in the state it leaves.
type PlanStep struct {
	Event event.Event
	Why   string // why this step is needed here, for people
	// Impact is the subnet-level reachability lost in the state this step
	// leaves, compared with the before network.
	Impact Impact
	// network is the state after this step.
	network *topology.Network
}

// Impact is the transient cost of a plan step: the subnet pairs lost while
// the network is in the state the step leaves, compared with the before
// network.
type Impact struct {
	// Lost holds the first lost pairs, at most 100, sorted by (From, To);
	// Result.ImpactLists gives every one of them.
	Lost []ReachChange
	// Count is the number of pairs lost, and Transient the number of them
	// that the finished change gets back (not Lasting).
	Count, Transient int
	// Same reports that the step loses exactly the pairs the step before
	// it loses, with the same results and reasons.
	Same bool
}

// planner builds a plan by applying each event as it is chosen, so that
// every later choice sees the network the platform would hold by then.
type planner struct {
	before, after *topology.Network
	cur           *topology.Network
	plan          Plan

	recreated map[string]bool // VNets in both files that must be deleted and created again
	pending   []pendingVNet   // VNets created bare, finished after the peerings
	rebuilt   map[string]bool // windows-sdn: VNets whose peerings must go while their space changes
	lift      bool            // remove routes across a peering before deleting it
	attach    []queuedStep    // setSubnet steps for reassociate
	refused   bool            // some event was refused
}

// MakePlan returns a plan from before to after and verifies it by applying
// it with Apply. It does not compute impacts (Compare does). A peering
// object after stores Disconnected while it defines the object's partner
// is planned live (see Reconnected).
func MakePlan(before, after *topology.Network) Plan {
	after = Reconnected(after)
	plan := makePlan(before, after, false)
	if plan.refused {
		// A step between deleting a peering and creating it again was
		// refused because a route to an appliance across it was still in
		// place: a new user of its table (a subnet attached to it in a VNet
		// out of the appliance's reach, or a changed route) is a new
		// route-next-hop-unreachable error, which the platform refuses.
		// Lifting those routes for the window makes such plans acceptable.
		if lifted := makePlan(before, after, true); !lifted.refused {
			return lifted.Plan
		}
	}
	return plan.Plan
}

// madePlan is a plan and whether one of its steps was refused.
type madePlan struct {
	Plan
	refused bool
}

// makePlan builds and verifies a plan. With lift, routes whose appliance
// sits across a peering about to be deleted are removed first and added
// back once the peering is re-created.
func makePlan(before, after *topology.Network, lift bool) madePlan {
	p := &planner{before: before, after: after, cur: before, lift: lift, recreated: map[string]bool{}, rebuilt: map[string]bool{}}
	p.classify()
	p.teardown()
	p.build()
	p.verify()
	return madePlan{Plan: p.plan, refused: p.refused}
}

// do applies ev to the current network and records it as a step, or
// records the refusal as a problem and leaves the network as it was.
func (p *planner) do(ev event.Event, why string, args ...any) {
	next, r := event.Apply(p.cur, ev)
	if r != nil {
		p.refused = true
		p.plan.Problems = append(p.plan.Problems, fmt.Sprintf("%s %s was refused: %s [%s]", ev.Kind(), eventTarget(ev), r.Message, r.Code))
		return
	}
	p.cur = next
	p.plan.Steps = append(p.plan.Steps, PlanStep{Event: ev, Why: fmt.Sprintf(why, args...), network: next})
}

// unplanned records a change no event can make.
func (p *planner) unplanned(kind ChangeKind, path diag.Path, format string, args ...any) {
	p.plan.Unplanned = append(p.plan.Unplanned, Change{Kind: kind, Path: path, Message: fmt.Sprintf(format, args...)})
}

// eventTarget names what an event acts on, for messages: "hub/hub-to-spoke1".
func eventTarget(ev event.Event) string {
	var parts []string
	for _, f := range ev.Fields() {
		switch f.Name {
		case "vnet", "name", "routeTable", "accessControlList", "prefix":
			if s, ok := f.Value.(string); ok {
				parts = append(parts, s)
			}
		}
	}
	return strings.Join(parts, "/")
}

// classify finds the VNets that cannot be changed in place.
func (p *planner) classify() {
	rules := p.after.Platform.Rules()
	for _, a := range p.after.SortedVirtualNetworks() {
		b := p.before.VirtualNetworks[a.Name]
		if b == nil {
			continue
		}
		// Region and controller are fixed when a VNet is created.
		if a.Region != b.Region || a.NetworkController != b.NetworkController {
			p.recreated[a.Name] = true
			continue
		}
		added, removed := prefixDelta(b.AddressSpace, a.AddressSpace)
		if rules.AddressSpaceLockedWhilePeered && len(added)+len(removed) > 0 && len(peersOf(p.before, a.Name)) > 0 {
			p.rebuilt[a.Name] = true
		}
	}
}

// gone reports whether VNet name is deleted by the plan (removed or
// re-created).
func (p *planner) gone(name string) bool {
	return p.recreated[name] || (p.before.VirtualNetworks[name] != nil && p.after.VirtualNetworks[name] == nil)
}

// keptPeering returns the after-file's version of before's peering object
// owner/b when the object survives the change in place, else nil.
func (p *planner) keptPeering(owner string, b *topology.Peering) *topology.Peering {
	av := p.after.VirtualNetworks[owner]
	if av == nil || p.gone(owner) || p.gone(b.RemoteVirtualNetwork) || p.rebuilt[owner] || p.rebuilt[b.RemoteVirtualNetwork] {
		return nil
	}
	a := av.Peerings[b.Name]
	if a == nil || a.RemoteVirtualNetwork != b.RemoteVirtualNetwork {
		return nil
	}
	return a
}

// flagDelta returns the flags of a that differ from b, as updatePeering
// takes them.
func flagDelta(b, a *topology.Peering) (event.PeeringFlags, bool) {
	var f event.PeeringFlags
	changed := false
	for _, flag := range topology.PeeringFlags() {
		if v := flag.Of(a); v != flag.Of(b) {
			f[flag] = event.Bool(v)
			changed = true
		}
	}
	return f, changed
}

// createFlags returns a new object's flags, leaving defaults unsaid.
func createFlags(a *topology.Peering) event.PeeringFlags {
	f, _ := flagDelta(topology.NewPeering(a.Name, a.RemoteVirtualNetwork), a)
	return f
}

// peeringUpdate is a flag change on a peering object that survives.
type peeringUpdate struct {
	owner string
	b, a  *topology.Peering
}

func (p *planner) updates() []peeringUpdate {
	var out []peeringUpdate
	for _, bv := range p.before.SortedVirtualNetworks() {
		for _, b := range bv.SortedPeerings() {
			if a := p.keptPeering(bv.Name, b); a != nil {
				if _, changed := flagDelta(b, a); changed {
					out = append(out, peeringUpdate{bv.Name, b, a})
				}
			}
		}
	}
	return out
}

func (p *planner) update(u peeringUpdate, why string) {
	f, _ := flagDelta(u.b, u.a)
	p.do(event.UpdatePeering{Peering: event.PeeringRef{VNet: u.owner, Name: u.a.Name}, Flags: f}, "%s", why)
}

// teardown removes what the after network no longer has, in the order the
// platform accepts: gateway use first, then routes and rules that go, then
// VNets that go (their own peering objects with them), then the peering
// objects that do not survive, then gateways nobody uses any more.
func (p *planner) teardown() {
	// A spoke stops using the hub's gateway before anything it relies on
	// (the hub's allowGatewayTransit, its gateway) goes.
	for _, u := range p.updates() {
		if u.b.UseRemoteGateways && !u.a.UseRemoteGateways {
			p.update(u, fmt.Sprintf("stop using %s's gateway before the transit it relies on changes", u.a.RemoteVirtualNetwork))
		}
	}
	for _, rt := range p.before.SortedRouteTables() {
		art := p.after.RouteTables[rt.Name]
		if art == nil {
			continue // the whole table is unplanned
		}
		for _, r := range rt.Routes {
			if i := slices.IndexFunc(art.Routes, func(x topology.Route) bool { return x.Name == r.Name }); i < 0 || art.Routes[i] != r {
				p.do(event.RemoveRoute{RouteTable: rt.Name, Name: r.Name}, "%s", removedOrChanged("route", i))
			}
		}
	}
	for _, acl := range p.before.SortedACLs() {
		aacl := p.after.AccessControlLists[acl.Name]
		if aacl == nil {
			continue
		}
		for _, r := range acl.Rules {
			if i := slices.IndexFunc(aacl.Rules, func(x topology.ACLRule) bool { return x.Name == r.Name }); i < 0 || !aacl.Rules[i].Equal(r) {
				p.do(event.RemoveACLRule{AccessControlList: acl.Name, Name: r.Name}, "%s", removedOrChanged("rule", i))
			}
		}
	}
	// Deleting a VNet is always accepted and takes its own peering objects
	// with it, so its peerings are not deleted one by one first.
	for _, bv := range p.before.SortedVirtualNetworks() {
		if p.gone(bv.Name) {
			why := "the after-file removes this VNet"
			if p.recreated[bv.Name] {
				why = "region and networkController are fixed at creation: the VNet is deleted and created again"
			}
			p.do(event.DeleteVirtualNetwork{Name: bv.Name}, "%s", why)
		}
	}
	p.deletePeerings()
	for _, bv := range p.before.SortedVirtualNetworks() {
		if av := p.after.VirtualNetworks[bv.Name]; av != nil && !p.gone(bv.Name) && bv.Gateway != nil && av.Gateway == nil {
			p.do(event.RemoveGateway{VNet: bv.Name}, "no peering uses this gateway for transit any more")
		}
	}
}

// removedOrChanged explains removing a route or rule; i is its index in
// the after-file, -1 when it is gone there.
func removedOrChanged(what string, i int) string {
	if i < 0 {
		return "the after-file removes this " + what
	}
	return "the after-file changes this " + what + ", and no event edits one in place: remove it now, add it back once what it points at is ready"
}

// deletePeerings deletes every peering object that does not survive in
// place: removed ones, those toward VNets that were deleted (now
// Disconnected), and on windows-sdn those of a VNet whose address space
// changes. Objects that use a remote gateway go first, so that no spoke is
// left using a transit that is gone. Deleting a peering is accepted even when
// a route's appliance sits across it (the route is then out of reach until
// the peering is re-created, which is accepted because the error it leaves is
// not new), so routes are lifted around the deletion only when p.lift says
// the plan needs it (see MakePlan).
func (p *planner) deletePeerings() {
	type victim struct {
		owner string
		peer  *topology.Peering
	}
	var first, rest []victim
	for _, bv := range p.before.SortedVirtualNetworks() {
		if p.gone(bv.Name) {
			continue // deleted with its VNet
		}
		for _, b := range bv.SortedPeerings() {
			if p.keptPeering(bv.Name, b) != nil {
				continue
			}
			v := victim{bv.Name, b}
			if b.UseRemoteGateways {
				first = append(first, v)
			} else {
				rest = append(rest, v)
			}
		}
	}
	for _, v := range append(first, rest...) {
		if p.lift {
			p.clearRoutesAcross(v.owner, v.peer.RemoteVirtualNetwork)
		}
		p.do(event.DeletePeering{Peering: event.PeeringRef{VNet: v.owner, Name: v.peer.Name}}, "%s", p.deleteWhy(v.owner, v.peer))
	}
}

// clearRoutesAcross removes the routes that send a subnet of a or b to an
// appliance in the other while the two are Connected: once the peering
// goes, such a route points out of reach. The deletion itself is accepted
// either way; the lift is only for plans in which a later step in the window
// would be refused for the error such a route then raises anew (MakePlan).
func (p *planner) clearRoutesAcross(a, b string) {
	if !p.cur.Connected(a, b) {
		return
	}
	va, vb := p.cur.VirtualNetworks[a], p.cur.VirtualNetworks[b]
	for _, rt := range p.cur.SortedRouteTables() {
		for _, r := range rt.Routes {
			if r.NextHopType != topology.NextHopVirtualAppliance || !r.NextHopIPAddress.IsValid() {
				continue
			}
			if (usesTable(va, rt.Name) && vb.ContainsAddr(r.NextHopIPAddress)) || (usesTable(vb, rt.Name) && va.ContainsAddr(r.NextHopIPAddress)) {
				p.do(event.RemoveRoute{RouteTable: rt.Name, Name: r.Name},
					"route %s sends %s or %s to an appliance across the peering about to go; while it points out of reach a later step of this plan would be refused, so it is lifted and added back once the peering is (table %s is used by %s)",
					r.Name, a, b, rt.Name, joinNames(vnetsUsing([]*topology.Network{p.cur}, func(s *topology.Subnet) bool {
						return s.RouteTable != nil && s.RouteTable.Name == rt.Name
					}, nil)))
			}
		}
	}
}

// usesTable reports whether a subnet of v uses the route table.
func usesTable(v *topology.VirtualNetwork, table string) bool {
	for _, s := range v.Subnets {
		if s.RouteTable != nil && s.RouteTable.Name == table {
			return true
		}
	}
	return false
}

func (p *planner) deleteWhy(owner string, b *topology.Peering) string {
	var a *topology.Peering
	if av := p.after.VirtualNetworks[owner]; av != nil {
		a = av.Peerings[b.Name]
	}
	// Only an object the after-file keeps is deleted to be re-created; one
	// it removes or re-points goes for that reason, merely ordered before
	// the address space change.
	kept := a != nil && a.RemoteVirtualNetwork == b.RemoteVirtualNetwork
	locked := p.lockedEnd(owner, b.RemoteVirtualNetwork)
	switch {
	case kept && locked != "":
		return fmt.Sprintf("windows-sdn locks %s's address space while it is peered: remove the peering, change the space, re-create it", locked)
	case p.gone(b.RemoteVirtualNetwork):
		return fmt.Sprintf("%s was deleted, which left this object Disconnected; remove it", b.RemoteVirtualNetwork)
	}
	why := "the after-file removes this peering"
	if a != nil {
		why = fmt.Sprintf("the after-file points this peering at %s instead of %s", a.RemoteVirtualNetwork, b.RemoteVirtualNetwork)
	}
	if locked != "" {
		why += fmt.Sprintf(", before %s's address space changes (windows-sdn refuses the change while %s is peered)", locked, locked)
	}
	return why
}

// lockedEnd returns the end of a peering between owner and remote whose
// address space the plan changes while windows-sdn locks it (owner first),
// or "".
func (p *planner) lockedEnd(owner, remote string) string {
	switch {
	case p.rebuilt[owner]:
		return owner
	case p.rebuilt[remote]:
		return remote
	}
	return ""
}

// build adds and changes what the after network has, in the order the
// platform accepts: VNets and address ranges, subnets, VMs, gateways, then
// routes and rules that point at them, then peerings (the side offering
// gateway transit before the side using it), then azure syncs.
func (p *planner) build() {
	kept := p.keptVNets()
	p.createTablesAndACLs()
	// Shrink first where nothing stands in the way, so that a range or a
	// subnet prefix moving from one VNet to another is free when added.
	p.shrink(kept, false)
	for _, av := range p.after.SortedVirtualNetworks() {
		if p.before.VirtualNetworks[av.Name] == nil || p.recreated[av.Name] {
			p.createVNet(av)
		}
	}
	for _, av := range kept {
		added, _ := prefixDelta(p.before.VirtualNetworks[av.Name].AddressSpace, av.AddressSpace)
		for _, pfx := range added {
			p.do(event.AddAddressPrefix{VNet: av.Name, Prefix: pfx}, "the after-file adds this range; subnets in it come next")
		}
	}
	for _, av := range kept {
		p.subnetsAndVMs(p.before.VirtualNetworks[av.Name], av)
	}
	// What VMs had to leave first can go now.
	p.shrink(kept, true)
	p.sync("peers route to the changed address space only after syncPeering")
	for _, av := range kept {
		bv := p.before.VirtualNetworks[av.Name]
		if av.Gateway != nil && (bv.Gateway == nil || !slices.Equal(gatewayProps(bv.Gateway), gatewayProps(av.Gateway))) {
			p.do(event.SetGateway{VNet: av.Name, Gateway: p.gatewaySpec(av.Name, av.Gateway)}, "the gateway must exist before routes and peerings that use it")
		}
	}
	p.peerings()
	p.finishVNets()
	p.reassociate()
	p.setLoadBalancers()
	p.addRoutesAndRules()
	p.sync("a pair created or changed must end FullyInSync")
	p.unplannedObjects()
}

// createTablesAndACLs creates the after-file's new route tables and ACLs
// before any subnet or VM names them. An ACL is created whole: its rules
// name no other object. A route table is created empty and its routes come
// with the others in addRoutesAndRules: a route whose appliance does not
// exist yet would be refused once the appliance appears out of reach of a
// VNet already using the table.
func (p *planner) createTablesAndACLs() {
	for _, rt := range p.after.SortedRouteTables() {
		if p.before.RouteTables[rt.Name] == nil {
			p.do(event.CreateRouteTable{Name: rt.Name, DisableGatewayRoutePropagation: rt.DisableGatewayRoutePropagation},
				"the after-file adds this route table; subnets name it next, its routes come once their next hops are ready")
		}
	}
	for _, acl := range p.after.SortedACLs() {
		if p.before.AccessControlLists[acl.Name] == nil {
			p.do(event.CreateAccessControlList{Name: acl.Name, InboundDefaultAction: acl.InboundDefaultAction, OutboundDefaultAction: acl.OutboundDefaultAction, Rules: slices.Clone(acl.Rules)},
				"the after-file adds this ACL; subnets and VMs name it next")
		}
	}
}

// shrink removes the subnets and address ranges of kept VNets that the
// after-file drops. A subnet still used by a VM, or a range still holding a
// subnet, waits for the final pass (final false) and is reported unplanned
// if it is still blocked then (final true).
func (p *planner) shrink(kept []*topology.VirtualNetwork, final bool) {
	for _, av := range kept {
		bv := p.before.VirtualNetworks[av.Name]
		path := diag.P("virtualNetworks", av.Name)
		for _, bs := range bv.SortedSubnets() {
			cv := p.cur.VirtualNetworks[av.Name]
			switch {
			case av.Subnets[bs.Name] != nil || cv.Subnets[bs.Name] == nil:
			case len(cv.SubnetUsers(bs.Name)) > 0:
				if final {
					p.unplanned(Removed, path.Child("subnets", bs.Name), "%s: subnet %s removed, but VMs or load balancers still use it (no event removes them)", av.Name, bs.Name)
				}
			default:
				p.do(event.RemoveSubnet{VNet: av.Name, Name: bs.Name}, "the after-file removes this subnet")
			}
		}
		_, removed := prefixDelta(bv.AddressSpace, av.AddressSpace)
		for _, pfx := range removed {
			cv := p.cur.VirtualNetworks[av.Name]
			switch s := subnetWithin(cv, pfx); {
			case !slices.Contains(cv.AddressSpace, pfx):
			case len(cv.AddressSpace) == 1 && !final:
				// A VNet keeps at least one range: swap after the new one is in.
			case s != "":
				if final {
					p.unplanned(Removed, path.Child("addressSpace"), "%s: address range %s removed, but subnet %s still holds it", av.Name, pfx, s)
				}
			default:
				p.do(event.RemoveAddressPrefix{VNet: av.Name, Prefix: pfx}, "the after-file removes this range, now that no subnet holds it")
			}
		}
	}
}

// keptVNets returns the after-file's VNets that the plan changes in place.
func (p *planner) keptVNets() []*topology.VirtualNetwork {
	var out []*topology.VirtualNetwork
	for _, av := range p.after.SortedVirtualNetworks() {
		if p.before.VirtualNetworks[av.Name] != nil && !p.recreated[av.Name] {
			out = append(out, av)
		}
	}
	return out
}

// createVNet creates a VNet with its subnets, gateway and VMs. References to
// route tables and ACLs the current network lacks are left out and reported
// unplanned; its load balancers follow in setLoadBalancers.
func (p *planner) createVNet(av *topology.VirtualNetwork) {
	path := diag.P("virtualNetworks", av.Name)
	ev := event.CreateVirtualNetwork{Name: av.Name, Region: av.Region, AddressSpace: slices.Clone(av.AddressSpace)}
	// The event inherits the controller of the network it is applied to,
	// the before-file's, which the after-file's need not equal.
	if av.NetworkController != p.cur.NetworkController {
		ev.NetworkController = av.NetworkController
	}
	for _, s := range av.SortedSubnets() {
		ev.Subnets = append(ev.Subnets, p.subnetSpec(path, s))
	}
	if av.Gateway != nil {
		g := p.gatewaySpec(av.Name, av.Gateway)
		ev.Gateway = &g
	}
	for _, vm := range av.SortedVirtualMachines() {
		spec := event.VirtualMachineSpec{Name: vm.Name, Subnet: subnetName(vm.Subnet), IPAddress: vm.IPAddress, IPForwarding: vm.IPForwarding, Running: vm.Running}
		if vm.AccessControlList != nil {
			if p.cur.AccessControlLists[vm.AccessControlList.Name] != nil {
				spec.AccessControlList = vm.AccessControlList.Name
			} else {
				p.unplanned(Changed, path.Child("virtualMachines", vm.Name, "accessControlList"), "VM %s: attach ACL %s once it exists", vm.Name, vm.AccessControlList.Name)
			}
		}
		ev.VirtualMachines = append(ev.VirtualMachines, spec)
	}
	why := "the after-file adds this VNet"
	if p.recreated[av.Name] {
		why = "re-create the VNet with its new region or networkController"
	}
	if p.try(ev, why) {
		return
	}
	// A route table whose appliance is reachable only over the VNet's
	// peerings, not yet made, is refused (route-next-hop-unreachable).
	// Create the VNet bare; finishVNets adds the VMs once the peerings
	// exist, and reassociate attaches the tables.
	bare := ev
	bare.Subnets, bare.VirtualMachines = nil, nil
	for _, spec := range ev.Subnets {
		if spec.RouteTable != "" {
			p.attachLater(av.Name, spec.Name, spec.RouteTable)
			spec.RouteTable = ""
		}
		bare.Subnets = append(bare.Subnets, spec)
	}
	p.do(bare, "%s; route tables and VMs follow once its peerings exist", why)
	p.pending = append(p.pending, pendingVNet{vnet: av, vms: ev.VirtualMachines})
}

// attachLater queues attaching route table rt to subnet vnet/subnet for
// reassociate, once the peerings that reach its appliances exist.
func (p *planner) attachLater(vnet, subnet, rt string) {
	p.attach = append(p.attach, queuedStep{event.SetSubnet{VNet: vnet, Name: subnet, RouteTable: &rt}, "attach the route table now that its appliances are in reach"})
}

// queuedStep is an event the plan makes later, and why.
type queuedStep struct {
	ev  event.Event
	why string
}

// addSubnet adds a subnet. When its route table's appliance is out of reach
// until the peerings are made (the platform refuses a new user of a route out
// of reach), the subnet is added without the table and reassociate attaches
// it later.
func (p *planner) addSubnet(vnet string, spec event.SubnetSpec, why string) {
	if spec.RouteTable != "" {
		if p.try(event.AddSubnet{VNet: vnet, Subnet: spec}, why) {
			return
		}
		p.attachLater(vnet, spec.Name, spec.RouteTable)
		spec.RouteTable = ""
		why += "; its route table follows once its appliances are in reach"
	}
	p.do(event.AddSubnet{VNet: vnet, Subnet: spec}, "%s", why)
}

// pendingVNet is the rest of a VNet created bare: its VMs.
type pendingVNet struct {
	vnet *topology.VirtualNetwork
	vms  []event.VirtualMachineSpec
}

// finishVNets adds the VMs of the VNets created bare, now that their
// peerings exist.
func (p *planner) finishVNets() {
	for _, pv := range p.pending {
		name := pv.vnet.Name
		for _, vm := range pv.vms {
			ev := event.SetVirtualMachine{VNet: name, Name: vm.Name, Subnet: vm.Subnet, IPAddress: vm.IPAddress}
			if !vm.Running {
				ev.Running = event.Bool(false)
			}
			if vm.IPForwarding {
				ev.IPForwarding = event.Bool(true)
			}
			if vm.AccessControlList != "" {
				p.unplanned(Changed, diag.P("virtualNetworks", name, "virtualMachines", vm.Name, "accessControlList"),
					"VM %s: attach NIC ACL %s (setVirtualMachine does not set ACLs)", vm.Name, vm.AccessControlList)
			}
			p.do(ev, "the VM joins its subnet")
		}
	}
}

// try applies ev when the platform accepts it and reports whether it did;
// a refusal is not a problem of the plan but a cue to take another way.
func (p *planner) try(ev event.Event, why string) bool {
	next, r := event.Apply(p.cur, ev)
	if r != nil {
		return false
	}
	p.cur = next
	p.plan.Steps = append(p.plan.Steps, PlanStep{Event: ev, Why: why, network: next})
	return true
}

// subnetSpec describes s for addSubnet or createVirtualNetwork, leaving out
// references the current network cannot resolve yet.
func (p *planner) subnetSpec(vnetPath diag.Path, s *topology.Subnet) event.SubnetSpec {
	spec := event.SubnetSpec{Name: s.Name, AddressPrefix: s.AddressPrefix}
	path := vnetPath.Child("subnets", s.Name)
	if a := s.AccessControlList; a != nil {
		if p.cur.AccessControlLists[a.Name] != nil {
			spec.AccessControlList = a.Name
		} else {
			p.unplanned(Changed, path.Child("accessControlList"), "subnet %s: attach ACL %s once it exists (creating it was refused)", s.Name, a.Name)
		}
	}
	if rt := s.RouteTable; rt != nil {
		if p.cur.RouteTables[rt.Name] != nil {
			spec.RouteTable = rt.Name
		} else {
			p.unplanned(Changed, path.Child("routeTable"), "subnet %s: attach route table %s once it exists (creating it was refused)", s.Name, rt.Name)
		}
	}
	return spec
}

// gatewaySpec describes vnet's gateway g for setGateway or
// createVirtualNetwork. A connection to a site the current network lacks
// is left out and reported unplanned: no event creates a site.
func (p *planner) gatewaySpec(vnet string, g *topology.Gateway) event.GatewaySpec {
	spec := event.GatewaySpec{Name: g.Name, Type: g.Type, SKU: g.SKU}
	for _, o := range g.Connections {
		if p.cur.OnPremises[o.Name] == nil {
			p.unplanned(Changed, diag.P("virtualNetworks", vnet, "gateway", "connections"),
				"%s: gateway %s: connect site %s once it exists (no event creates a site)", vnet, g.Name, o.Name)
			continue
		}
		spec.Connections = append(spec.Connections, o.Name)
	}
	return spec
}

// subnetsAndVMs changes a kept VNet's subnets, VMs and load balancers: new
// subnets first, then VMs (which may move into them), then load balancers
// that go or leave their subnet, then subnets whose prefix changes, now
// empty, are removed and added again (no event changes a subnet's prefix;
// one still in use is unplanned). A subnet whose ACL or route table alone
// changes is re-associated by reassociate once what they point at is in
// reach; load balancers are set by setLoadBalancers once their backends and
// subnets are in place.
func (p *planner) subnetsAndVMs(bv, av *topology.VirtualNetwork) {
	path := diag.P("virtualNetworks", av.Name)
	var replace []*topology.Subnet
	for _, as := range av.SortedSubnets() {
		bs := bv.Subnets[as.Name]
		switch {
		case bs == nil:
			p.addSubnet(av.Name, p.subnetSpec(path, as), "the after-file adds this subnet")
		case bs.AddressPrefix != as.AddressPrefix:
			replace = append(replace, as)
		case !slices.Equal(subnetProps(bs), subnetProps(as)):
			p.reassociateLater(path, bs, as)
		}
	}
	for _, avm := range av.SortedVirtualMachines() {
		p.setVM(path, bv.VirtualMachines[avm.Name], avm)
	}
	for _, bvm := range bv.SortedVirtualMachines() {
		if av.VirtualMachines[bvm.Name] == nil {
			p.unplanned(Removed, path.Child("virtualMachines", bvm.Name), "%s: VM %s removed (no event removes a VM)", av.Name, bvm.Name)
		}
	}
	for _, blb := range bv.SortedLoadBalancers() {
		alb := av.LoadBalancers[blb.Name]
		switch {
		case alb == nil:
			p.do(event.RemoveLoadBalancer{VNet: av.Name, Name: blb.Name}, "the after-file removes this load balancer")
		case subnetName(blb.Subnet) != subnetName(alb.Subnet) || slices.ContainsFunc(replace, func(s *topology.Subnet) bool { return s.Name == subnetName(blb.Subnet) }):
			p.do(event.RemoveLoadBalancer{VNet: av.Name, Name: blb.Name}, "the load balancer's subnet goes or changes: remove it now, set it again once its subnet is ready")
		}
	}
	for _, as := range replace {
		if len(p.cur.VirtualNetworks[av.Name].SubnetUsers(as.Name)) > 0 {
			p.unplanned(Changed, path.Child("subnets", as.Name), "%s: subnet %s changes its prefix while VMs use it (no event changes a subnet's prefix)", av.Name, as.Name)
			continue
		}
		p.do(event.RemoveSubnet{VNet: av.Name, Name: as.Name}, "no event changes a subnet's prefix: remove the empty subnet and add it back changed")
		p.addSubnet(av.Name, p.subnetSpec(path, as), "add the subnet back with its new prefix")
	}
}

// reassociateLater queues a setSubnet giving subnet a's ACL and route
// table where they differ from b's.
func (p *planner) reassociateLater(vnetPath diag.Path, b, a *topology.Subnet) {
	ev := event.SetSubnet{VNet: vnetPath[len(vnetPath)-1], Name: a.Name}
	var what []string
	if name := aclName(a.AccessControlList); name != aclName(b.AccessControlList) {
		ev.AccessControlList = &name
		what = append(what, "ACL "+quoteEmpty(aclName(b.AccessControlList))+" → "+quoteEmpty(name))
	}
	if name := routeTableName(a.RouteTable); name != routeTableName(b.RouteTable) {
		ev.RouteTable = &name
		what = append(what, "route table "+quoteEmpty(routeTableName(b.RouteTable))+" → "+quoteEmpty(name))
	}
	p.attach = append(p.attach, queuedStep{ev, "the after-file changes this subnet's " + strings.Join(what, " and ") +
		"; set once the peerings, VMs and appliances it relies on are in place"})
}

// reassociate applies the queued setSubnet events, once the peerings and
// VMs that a route table's appliances need exist. Each subnet is queued at
// most once: a new or re-created one by attachLater, a kept one by
// reassociateLater.
func (p *planner) reassociate() {
	for _, q := range p.attach {
		p.do(q.ev, "%s", q.why)
	}
}

// setLoadBalancers creates or changes the after-file's load balancers that
// the current network lacks or holds differently, once their subnets and
// backend VMs exist.
func (p *planner) setLoadBalancers() {
	for _, av := range p.after.SortedVirtualNetworks() {
		cv := p.cur.VirtualNetworks[av.Name]
		if cv == nil {
			continue // reported as a difference by verify
		}
		for _, alb := range av.SortedLoadBalancers() {
			clb := cv.LoadBalancers[alb.Name]
			if clb != nil && slices.Equal(lbProps(clb), lbProps(alb)) && (clb.Rules == nil) == (alb.Rules == nil) {
				continue
			}
			ev := event.SetLoadBalancer{VNet: av.Name, Name: alb.Name, Subnet: subnetName(alb.Subnet), FrontendIPAddress: alb.FrontendIPAddress,
				SKU: alb.SKU, Rules: slices.Clone(alb.Rules)}
			for _, b := range alb.Backends {
				if b != nil {
					ev.Backends = append(ev.Backends, b.Name)
				}
			}
			why := "the after-file changes this load balancer"
			if clb == nil {
				why = "the after-file adds this load balancer; its subnet and backends exist by now"
			}
			p.do(ev, "%s", why)
		}
	}
}

// subnetWithin returns the name of a subnet of v inside pfx, or "".
func subnetWithin(v *topology.VirtualNetwork, pfx netip.Prefix) string {
	if v == nil {
		return ""
	}
	for _, s := range v.SortedSubnets() {
		if pfx.Overlaps(s.AddressPrefix) {
			return s.Name
		}
	}
	return ""
}

// setVM creates or changes a VM with setVirtualMachine, giving only the
// fields that differ.
func (p *planner) setVM(vnetPath diag.Path, b, a *topology.VirtualMachine) {
	path := vnetPath.Child("virtualMachines", a.Name)
	ev := event.SetVirtualMachine{VNet: vnetPath[len(vnetPath)-1], Name: a.Name}
	if b == nil {
		ev.Subnet, ev.IPAddress = subnetName(a.Subnet), a.IPAddress
		if !a.Running {
			ev.Running = event.Bool(false)
		}
		if a.IPForwarding {
			ev.IPForwarding = event.Bool(true)
		}
		if a.AccessControlList != nil {
			p.unplanned(Changed, path.Child("accessControlList"), "VM %s: attach NIC ACL %s (setVirtualMachine does not set ACLs)", a.Name, a.AccessControlList.Name)
		}
		if a.BandwidthMbps != 0 {
			p.unplanned(Changed, path.Child("bandwidthMbps"), "VM %s: bandwidthMbps %d (setVirtualMachine does not set it)", a.Name, a.BandwidthMbps)
		}
		p.do(ev, "the after-file adds this VM")
		return
	}
	changed := false
	if subnetName(b.Subnet) != subnetName(a.Subnet) {
		ev.Subnet, changed = subnetName(a.Subnet), true
	}
	if b.IPAddress != a.IPAddress {
		ev.IPAddress, changed = a.IPAddress, true
	}
	if b.Running != a.Running {
		ev.Running, changed = event.Bool(a.Running), true
	}
	if b.IPForwarding != a.IPForwarding {
		ev.IPForwarding, changed = event.Bool(a.IPForwarding), true
	}
	if aclName(b.AccessControlList) != aclName(a.AccessControlList) {
		p.unplanned(Changed, path.Child("accessControlList"), "VM %s: NIC ACL %s → %s (setVirtualMachine does not set ACLs)", a.Name, quoteEmpty(aclName(b.AccessControlList)), quoteEmpty(aclName(a.AccessControlList)))
	}
	if b.BandwidthMbps != a.BandwidthMbps {
		p.unplanned(Changed, path.Child("bandwidthMbps"), "VM %s: bandwidthMbps (setVirtualMachine does not set it)", a.Name)
	}
	if changed {
		p.do(ev, "the after-file changes this VM")
	}
}

// addRoutesAndRules adds the after-file's routes and ACL rules that the
// current network lacks (new, changed, or removed while a peering was
// rebuilt), once the appliances, gateways and peerings they rely on exist.
func (p *planner) addRoutesAndRules() {
	for _, art := range p.after.SortedRouteTables() {
		if p.cur.RouteTables[art.Name] == nil {
			continue
		}
		for _, r := range art.Routes {
			if !slices.Contains(p.cur.RouteTables[art.Name].Routes, r) {
				p.do(event.AddRoute{RouteTable: art.Name, Route: r}, "%s", p.addRouteWhy(art.Name, r))
			}
		}
	}
	for _, aacl := range p.after.SortedACLs() {
		if p.cur.AccessControlLists[aacl.Name] == nil {
			continue
		}
		for _, r := range aacl.Rules {
			if !slices.ContainsFunc(p.cur.AccessControlLists[aacl.Name].Rules, r.Equal) {
				p.do(event.AddACLRule{AccessControlList: aacl.Name, Rule: r}, "the after-file adds or changes this rule")
			}
		}
	}
}

// addRouteWhy explains adding a route: new, changed, or back after its
// peering was rebuilt.
func (p *planner) addRouteWhy(table string, r topology.Route) string {
	if brt := p.before.RouteTables[table]; brt != nil && slices.Contains(brt.Routes, r) {
		return "put the route back now that its appliance is reachable again"
	}
	return "the after-file adds or changes this route; its next hop is reachable by now"
}

// peerings creates and updates peering objects: flag updates that do not
// turn on useRemoteGateways, then new objects that do not use a remote
// gateway (hub sides offering transit among them), then new objects that
// do, then updates turning useRemoteGateways on. A spoke thus never uses a
// gateway before the hub offers it.
func (p *planner) peerings() {
	p.recoverDisconnected()
	var late []peeringUpdate
	for _, u := range p.updates() {
		switch {
		case u.b.UseRemoteGateways && !u.a.UseRemoteGateways:
			// done in teardown
		case !u.b.UseRemoteGateways && u.a.UseRemoteGateways:
			late = append(late, u)
		default:
			p.update(u, "the after-file changes these flags")
		}
	}
	var users []event.PeeringRef
	for _, av := range p.after.SortedVirtualNetworks() {
		for _, a := range av.SortedPeerings() {
			if cv := p.cur.VirtualNetworks[av.Name]; cv != nil && cv.Peerings[a.Name] != nil {
				continue
			}
			if a.UseRemoteGateways {
				users = append(users, event.PeeringRef{VNet: av.Name, Name: a.Name})
				continue
			}
			p.createPeering(av.Name, a)
		}
	}
	for _, ref := range users {
		p.createPeering(ref.VNet, p.after.VirtualNetworks[ref.VNet].Peerings[ref.Name])
	}
	for _, u := range late {
		p.update(u, fmt.Sprintf("use %s's gateway now that it offers transit", u.a.RemoteVirtualNetwork))
	}
}

func (p *planner) createPeering(owner string, a *topology.Peering) {
	why := "the after-file adds this peering object"
	switch {
	case a.UseRemoteGateways:
		why = fmt.Sprintf("created after %s offers gateway transit", a.RemoteVirtualNetwork)
	case a.AllowGatewayTransit:
		why = "the side offering gateway transit comes before the side using it"
	case p.lockedEnd(owner, a.RemoteVirtualNetwork) != "":
		locked := p.lockedEnd(owner, a.RemoteVirtualNetwork)
		if bv := p.before.VirtualNetworks[owner]; bv != nil && bv.Peerings[a.Name] != nil && bv.Peerings[a.Name].RemoteVirtualNetwork == a.RemoteVirtualNetwork {
			why = "re-create the peering now that the address space has changed"
		} else {
			why = fmt.Sprintf("the after-file adds this peering object, after %s's address space changes (windows-sdn refuses the change while %s is peered)", locked, locked)
		}
	}
	p.do(event.CreatePeering{VNet: owner, Name: a.Name, RemoteVirtualNetwork: a.RemoteVirtualNetwork, Flags: createFlags(a)}, "%s", why)
}

// Reconnected returns n, or, when n stores a peering object as
// Disconnected while it also defines that object's partner, a copy of n in
// which such objects are live. That is the state an after-file asks for when
// an export is edited by adding the missing side of a Disconnected peering:
// the platform refuses the new side until the Disconnected object is re-put
// (remote-peering-disconnected), and once it is, both sides are Connected.
// A Disconnected object without a partner stays as it is.
func Reconnected(n *topology.Network) *topology.Network {
	var stale []event.PeeringRef
	for _, v := range n.VirtualNetworks {
		for _, p := range v.Peerings {
			if p.Disconnected && n.Reverse(v.Name, p) != nil {
				stale = append(stale, event.PeeringRef{VNet: v.Name, Name: p.Name})
			}
		}
	}
	if len(stale) == 0 {
		return n
	}
	c := n.Clone()
	for _, ref := range stale {
		c.VirtualNetworks[ref.VNet].Peerings[ref.Name].Disconnected = false
	}
	return c
}

// recoverDisconnected re-puts every object left Disconnected, in the
// before-file (an export) or by a deletion in teardown, that the after-file
// holds live. Re-putting is the platform's recovery: the object becomes
// Initiated, and only then may its partner be created. Flag changes follow
// as updates of their own.
func (p *planner) recoverDisconnected() {
	for _, cv := range p.cur.SortedVirtualNetworks() {
		av := p.after.VirtualNetworks[cv.Name]
		if av == nil {
			continue
		}
		for _, c := range cv.SortedPeerings() {
			if a := av.Peerings[c.Name]; c.Disconnected && a != nil && !a.Disconnected && a.RemoteVirtualNetwork == c.RemoteVirtualNetwork {
				p.do(event.UpdatePeering{Peering: event.PeeringRef{VNet: cv.Name, Name: c.Name}},
					"re-put the Disconnected object, the platform's recovery: it becomes Initiated, and Connected once its partner exists, as the after-file holds it")
			}
		}
	}
}

// sync syncs every azure peering object whose view of its remote's address
// space is stale (LocalNotInSync or LocalAndRemoteNotInSync): the object on
// the other side of a VNet whose space changed, which is the one
// Sync-AzVirtualNetworkPeering must be called on. Its partner then reads
// FullyInSync too.
func (p *planner) sync(why string) {
	if !p.cur.Platform.Rules().PeeringSync {
		return
	}
	for _, v := range p.cur.SortedVirtualNetworks() {
		for _, pe := range v.SortedPeerings() {
			// Look the object up again: an earlier sync in this loop may
			// have replaced it.
			cur := p.cur.VirtualNetworks[v.Name].Peerings[pe.Name]
			if level := p.cur.SyncLevel(v.Name, cur); level == topology.LocalNotInSync || level == topology.LocalAndRemoteNotInSync {
				p.do(event.SyncPeering{Peering: event.PeeringRef{VNet: v.Name, Name: pe.Name}}, "%s", why)
			}
		}
	}
}

// unplannedObjects records the changes to objects no event touches: the
// file's own fields, removed route tables and ACLs, their settings, and
// on-premises sites. New route tables and ACLs are created by
// createTablesAndACLs.
func (p *planner) unplannedObjects() {
	for i, f := range topologyProps(p.after) {
		if b := topologyProps(p.before)[i]; b.value != f.value {
			p.unplanned(Changed, diag.P(f.key), "topology %s %s → %s (not an event: edit the file)", f.key, quoteEmpty(b.value), quoteEmpty(f.value))
		}
	}
	unplannedNamed(p, "route table", "routeTables", true, p.before.RouteTables, p.after.RouteTables,
		func(b, a *topology.RouteTable) bool { return !slices.Equal(routeTableProps(b), routeTableProps(a)) })
	unplannedNamed(p, "ACL", "accessControlLists", true, p.before.AccessControlLists, p.after.AccessControlLists,
		func(b, a *topology.ACL) bool { return !slices.Equal(aclProps(b), aclProps(a)) })
	unplannedNamed(p, "on-premises site", "onPremises", false, p.before.OnPremises, p.after.OnPremises,
		func(b, a *topology.OnPremises) bool {
			return !slices.Equal(b.AddressSpace, a.AddressSpace) || !maps.Equal(b.Hosts, a.Hosts)
		})
}

// unplannedNamed records the objects of one name-keyed section that no
// event adds (unless creatable), removes or, by changed, changes.
func unplannedNamed[V any](p *planner, kind, key string, creatable bool, before, after map[string]*V, changed func(b, a *V) bool) {
	for _, name := range unionNames(before, after) {
		b, a := before[name], after[name]
		path := diag.P(key, name)
		switch {
		case b == nil && creatable:
		case b == nil:
			p.unplanned(Added, path, "%s %s added (no event creates one)", kind, name)
		case a == nil:
			p.unplanned(Removed, path, "%s %s removed (no event removes one)", kind, name)
		case changed(b, a):
			p.unplanned(Changed, path, "%s %s: settings changed (no event changes them)", kind, name)
		}
	}
}

// unionNames returns the keys of a and b together, each once, in name order.
func unionNames[V any](a, b map[string]V) []string {
	out := make([]string, 0, len(a)+len(b))
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// verify compares the network the plan leaves with the after network.
func (p *planner) verify() {
	for _, c := range Changes(p.cur, p.after) {
		if !p.isUnplanned(c.Path) {
			p.plan.Problems = append(p.plan.Problems, "after the plan, still different: "+c.Message)
		}
	}
	for _, av := range p.after.SortedVirtualNetworks() {
		for _, a := range av.SortedPeerings() {
			if p.after.Reverse(av.Name, a) == nil {
				continue // one-sided in the after-file: Initiated is what it asks for
			}
			cv := p.cur.VirtualNetworks[av.Name]
			if cv == nil || cv.Peerings[a.Name] == nil {
				continue // already reported as a difference
			}
			c := cv.Peerings[a.Name]
			if st := p.cur.PeeringState(av.Name, c); st != topology.Connected {
				p.plan.Problems = append(p.plan.Problems, fmt.Sprintf("after the plan, peering %s/%s is %s, not Connected", av.Name, a.Name, st))
			} else if p.cur.Platform.Rules().PeeringSync {
				if l := p.cur.SyncLevel(av.Name, c); l != topology.FullyInSync {
					p.plan.Problems = append(p.plan.Problems, fmt.Sprintf("after the plan, peering %s/%s is %s, not FullyInSync", av.Name, a.Name, l))
				}
			}
		}
	}
	p.plan.Verified = len(p.plan.Problems) == 0
}

// isUnplanned reports whether path lies at or under an unplanned change.
func (p *planner) isUnplanned(path diag.Path) bool {
	for _, u := range p.plan.Unplanned {
		if len(u.Path) <= len(path) && slices.Equal(u.Path, path[:len(u.Path)]) {
			return true
		}
	}
	return false
}
