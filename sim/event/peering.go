package event

import (
	"fmt"
	"slices"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// The peering lifecycle (docs/semantics.md#peering-states). A peering is
// two objects, one owned by each VNet. An object's state follows from
// which of the two exist (topology.Network.PeeringState); the only state
// stored is Disconnected, and on azure the ranges an object has synced.
// The events of this file move a pair between states:
//
//	createPeering         none → Initiated; with the partner Initiated, both
//	                      Connected and in sync; refused while the partner
//	                      is Disconnected (remote-peering-disconnected)
//	updatePeering         changes the flags given; Disconnected → Initiated,
//	                      the platform's recovery
//	deletePeering         the object goes; a Connected partner → Disconnected
//	syncPeering           azure: a Connected pair syncs each other's current
//	                      address space (FullyInSync)
//	deleteVirtualNetwork  (vnet.go) every object toward the VNet → Disconnected
//
// TestPeeringLifecycle holds the whole (state, event) → (states, code)
// table.

// PeeringFlags are the values an event gives the flags of a peering
// object, by flag (topology.PeeringFlag):
//
//	PeeringFlags{topology.FlagAllowForwardedTraffic: Bool(true)}
//
// A nil entry is "not given": createPeering then uses the flag's default
// (topology.PeeringFlag.Default: access true, the rest false) and
// updatePeering leaves the flag as it is.
type PeeringFlags [topology.NumPeeringFlags]*bool

// Bool returns a pointer to b, for PeeringFlags and SetVirtualMachine
// literals.
func Bool(b bool) *bool { return &b }

func (f PeeringFlags) fields() []Field {
	var out []Field
	for _, flag := range topology.PeeringFlags() {
		if v := f[flag]; v != nil {
			out = append(out, Field{flag.Key(), *v})
		}
	}
	return out
}

func (f PeeringFlags) applyTo(p *topology.Peering) {
	for flag, v := range f {
		if v != nil {
			topology.PeeringFlag(flag).Set(p, *v)
		}
	}
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

// CreatePeering creates P(VNet→RemoteVirtualNetwork) named Name.
type CreatePeering struct {
	VNet, Name, RemoteVirtualNetwork string
	Flags                            PeeringFlags
}

// Kind implements Event.
func (CreatePeering) Kind() string { return "createPeering" }

// Fields implements Event.
func (e CreatePeering) Fields() []Field {
	return append([]Field{{"vnet", e.VNet}, {"name", e.Name}, {"remoteVirtualNetwork", e.RemoteVirtualNetwork}}, e.Flags.fields()...)
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
		return refusef(diag.UnknownReference, "peering %s/%s names remote virtual network %q, which does not exist", e.VNet, e.Name, e.RemoteVirtualNetwork)
	}
	if back := remote.PeeringTo(e.VNet); back != nil && back.Disconnected {
		return refusef(diag.RemotePeeringDisconnected,
			"peering %s/%s is Disconnected; update or delete and re-create it before creating %s/%s",
			remote.Name, back.Name, e.VNet, e.Name)
	}
	p := topology.NewPeering(e.Name, e.RemoteVirtualNetwork)
	e.Flags.applyTo(p)
	if v.Peerings == nil {
		v.Peerings = map[string]*topology.Peering{}
	}
	v.Peerings[e.Name] = p
	t.related[remote.Name] = true
	t.syncOnConnect(v, p)
	return nil
}

// UpdatePeering re-puts a peering object, changing only the flags given.
// Updating a Disconnected object makes it Initiated (docs/semantics.md#peering-states).
type UpdatePeering struct {
	Peering PeeringRef
	Flags   PeeringFlags
}

// Kind implements Event.
func (UpdatePeering) Kind() string { return "updatePeering" }

// Fields implements Event.
func (e UpdatePeering) Fields() []Field { return append(e.Peering.fields(), e.Flags.fields()...) }

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

// DeletePeering deletes a peering object. A Connected partner becomes
// Disconnected.
type DeletePeering struct{ Peering PeeringRef }

// Kind implements Event.
func (DeletePeering) Kind() string { return "deletePeering" }

// Fields implements Event.
func (e DeletePeering) Fields() []Field { return e.Peering.fields() }

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

// SyncPeering syncs an azure peering object with its remote VNet's current
// address space, as Sync-AzVirtualNetworkPeering does: after V's space
// changes, syncing X's object toward V (LocalNotInSync) makes the pair
// FullyInSync; syncing V's own object changes nothing, since X's space has
// not changed.
type SyncPeering struct{ Peering PeeringRef }

// Kind implements Event.
func (SyncPeering) Kind() string { return "syncPeering" }

// Fields implements Event.
func (e SyncPeering) Fields() []Field { return e.Peering.fields() }

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
	p.SyncedRemote = slices.Clone(t.n.VirtualNetworks[p.RemoteVirtualNetwork].AddressSpace)
	return nil
}
