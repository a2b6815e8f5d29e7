package topology

import (
	"net/netip"
	"slices"
)

// PeeringState is the derived state of one peering object (docs/semantics.md#peering-states).
// The zero value, Absent, is used by expectations for an object that does
// not exist.
type PeeringState uint8

const (
	Absent       PeeringState = iota // no such object
	Initiated                        // only this side exists
	Connected                        // both sides exist; traffic may cross
	Disconnected                     // was Connected, then the other side or the remote VNet was deleted
)

var peeringStateNames = enum[PeeringState]{"Absent", "Initiated", "Connected", "Disconnected"}

func (s PeeringState) String() string               { return peeringStateNames.str(s) }
func (s PeeringState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
func ParsePeeringState(s string) (PeeringState, error) {
	return peeringStateNames.parse("peering state", s)
}

// SyncLevel is an azure peering object's address-space sync level.
type SyncLevel uint8

const (
	FullyInSync             SyncLevel = iota
	LocalNotInSync                    // this object has not synced the remote's changed space
	RemoteNotInSync                   // the remote's object has not synced this VNet's changed space
	LocalAndRemoteNotInSync           // both
)

var syncLevelNames = enum[SyncLevel]{"FullyInSync", "LocalNotInSync", "RemoteNotInSync", "LocalAndRemoteNotInSync"}

func (l SyncLevel) String() string               { return syncLevelNames.str(l) }
func (l SyncLevel) MarshalText() ([]byte, error) { return []byte(l.String()), nil }
func ParseSyncLevel(s string) (SyncLevel, error) { return syncLevelNames.parse("sync level", s) }

// Reverse returns the object the remote VNet owns back toward owner, or nil
// when the remote VNet or that object does not exist.
func (n *Network) Reverse(owner string, p *Peering) *Peering {
	remote := n.VirtualNetworks[p.RemoteVirtualNetwork]
	if remote == nil {
		return nil
	}
	return remote.PeeringTo(owner)
}

// PeeringState derives the state of p, owned by the VNet named owner
// (docs/semantics.md#peering-states): Disconnected while p.Disconnected is set, Connected when
// the remote VNet owns an object back to owner that is not itself
// Disconnected, else Initiated.
func (n *Network) PeeringState(owner string, p *Peering) PeeringState {
	if p == nil {
		return Absent
	}
	return stateOf(p, n.Reverse(owner, p))
}

// StateOf is PeeringState for a caller that has found back, the remote
// VNet's object toward p's owner (nil when there is none), in an index of
// its own: looking it up in the remote's map is linear, and a hub has
// thousands.
func StateOf(p, back *Peering) PeeringState {
	if p == nil {
		return Absent
	}
	return stateOf(p, back)
}

// stateOf derives the state of the non-nil object p from back, the remote
// VNet's object toward p's owner (nil when there is none).
func stateOf(p, back *Peering) PeeringState {
	switch {
	case p.Disconnected:
		return Disconnected
	case back != nil && !back.Disconnected:
		return Connected
	}
	return Initiated
}

// linked reports whether objects a and b, the two sides of one peering,
// both exist and neither is Disconnected.
func linked(a, b *Peering) bool {
	return a != nil && b != nil && !a.Disconnected && !b.Disconnected
}

// SyncLevel derives the azure sync level of p, owned by owner: "local" is
// whether p has synced the remote's current space, "remote" whether the
// remote's object has synced owner's current space. A peering that is not
// Connected, or a nil p, is reported FullyInSync.
func (n *Network) SyncLevel(owner string, p *Peering) SyncLevel {
	if p == nil {
		return FullyInSync
	}
	return SyncLevelOf(n.VirtualNetworks[owner], n.VirtualNetworks[p.RemoteVirtualNetwork], p, n.Reverse(owner, p))
}

// SyncLevelOf is SyncLevel for a caller that has found back, the remote's
// object toward owner, itself (see StateOf).
func SyncLevelOf(owner, remoteVNet *VirtualNetwork, p, back *Peering) SyncLevel {
	if owner == nil || remoteVNet == nil || StateOf(p, back) != Connected {
		return FullyInSync
	}
	local := !samePrefixes(p.SyncedRemote, remoteVNet.AddressSpace)
	remote := !samePrefixes(back.SyncedRemote, owner.AddressSpace)
	switch {
	case local && remote:
		return LocalAndRemoteNotInSync
	case local:
		return LocalNotInSync
	case remote:
		return RemoteNotInSync
	}
	return FullyInSync
}

// samePrefixes reports whether a and b hold the same prefixes, in any order.
func samePrefixes(a, b []netip.Prefix) bool {
	if len(a) != len(b) {
		return false
	}
	for _, p := range a {
		if !slices.Contains(b, p) {
			return false
		}
	}
	// Equal lengths and a within b: b within a too, unless a repeats a
	// prefix ([x, x] against [x, y]).
	for _, p := range b {
		if !slices.Contains(a, p) {
			return false
		}
	}
	return true
}

// Connected reports whether traffic may cross between VNets a and b: both
// objects exist and neither is Disconnected. It says nothing of flags.
func (n *Network) Connected(a, b string) bool {
	va, vb := n.VirtualNetworks[a], n.VirtualNetworks[b]
	if va == nil || vb == nil {
		return false
	}
	return linked(va.PeeringTo(b), vb.PeeringTo(a))
}
