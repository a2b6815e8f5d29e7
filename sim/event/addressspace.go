package event

import (
	"maps"
	"net/netip"
	"slices"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// AddAddressPrefix adds a range to a VNet's address space.
type AddAddressPrefix struct {
	VNet   string
	Prefix netip.Prefix
}

// Kind implements Event.
func (AddAddressPrefix) Kind() string { return "addAddressPrefix" }

// Fields implements Event.
func (e AddAddressPrefix) Fields() []Field {
	return []Field{{"vnet", e.VNet}, {"prefix", e.Prefix.String()}}
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

// RemoveAddressPrefix removes a range from a VNet's address space.
type RemoveAddressPrefix struct {
	VNet   string
	Prefix netip.Prefix
}

// Kind implements Event.
func (RemoveAddressPrefix) Kind() string { return "removeAddressPrefix" }

// Fields implements Event.
func (e RemoveAddressPrefix) Fields() []Field {
	return []Field{{"vnet", e.VNet}, {"prefix", e.Prefix.String()}}
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

// checkAddressSpaceChange refuses a range change on windows-sdn while the
// VNet takes part in any peering object (docs/semantics.md#address-space-changes). On azure the change
// is allowed; the refusal check's neighbourhood brings in the peers the new range overlaps.
func (t *tx) checkAddressSpaceChange(v *topology.VirtualNetwork, verb string, pfx netip.Prefix) *Refusal {
	objs := peeringObjectsOf(t.n, v.Name)
	if len(objs) > 0 && t.n.Platform.Rules().AddressSpaceLockedWhilePeered {
		return refusef(diag.AddressSpaceLocked,
			"cannot %s %s on %q while it is peered (%s); delete the peering, change the address space, then re-create the peering",
			verb, pfx, v.Name, listSome(objs, 3))
	}
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
