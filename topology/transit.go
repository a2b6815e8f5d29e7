package topology

import (
	"slices"
	"strings"
)

// Gateway transit (docs/semantics.md#gateway-transit) decides which
// gateway a VNet's subnets route to: its own, or a hub's. The validator,
// the engine and the diagrams all ask the functions below, so that the
// rule is written once.

// CanOfferTransit reports whether g, a gateway, may offer gateway transit
// on the platform: on azure a Basic SKU may not.
func (r Rules) CanOfferTransit(g *Gateway) bool {
	return g != nil && !(r.BasicGatewayNoTransit && g.IsBasic())
}

// TransitHub returns the VNet whose gateway v uses through gateway
// transit, or nil. v uses one when it has no gateway of its own and one of
// its peering objects sets useRemoteGateways toward a hub whose gateway can
// offer transit, with both objects of the pair present and neither
// Disconnected, and the hub's object back allowing gateway transit; the
// first such object by name wins, as a VNet uses one remote gateway.
//
// back returns the object a hub owns toward v, as VirtualNetwork.PeeringTo
// does; a caller with an index of its own passes a lookup in it, since a
// hub has thousands of objects to scan, and nil means PeeringTo. v's own
// objects are read from v.
func (n *Network) TransitHub(v *VirtualNetwork, back func(hub *VirtualNetwork) *Peering) *VirtualNetwork {
	if v == nil || v.Gateway != nil {
		return nil
	}
	// Only the objects that set useRemoteGateways matter, seldom more than
	// one: they alone are sorted, so that a VNet without any costs no
	// allocation.
	var uses []*Peering
	for _, p := range v.Peerings {
		if p.UseRemoteGateways {
			uses = append(uses, p)
		}
	}
	if len(uses) == 0 {
		return nil
	}
	slices.SortFunc(uses, func(a, b *Peering) int { return strings.Compare(a.Name, b.Name) })
	if back == nil {
		back = func(hub *VirtualNetwork) *Peering { return hub.PeeringTo(v.Name) }
	}
	rules := n.Platform.Rules()
	for _, p := range uses {
		hub := n.VirtualNetworks[p.RemoteVirtualNetwork]
		if hub == nil || !rules.CanOfferTransit(hub.Gateway) {
			continue
		}
		if own := v.PeeringTo(hub.Name); own == nil || own.Disconnected {
			continue
		}
		if b := back(hub); b == nil || b.Disconnected || !b.AllowGatewayTransit {
			continue
		}
		return hub
	}
	return nil
}

// GatewayVNet returns the VNet whose gateway v's subnets route to: v
// itself when it has a gateway, else its TransitHub (back as there); nil
// when there is none.
func (n *Network) GatewayVNet(v *VirtualNetwork, back func(hub *VirtualNetwork) *Peering) *VirtualNetwork {
	if v != nil && v.Gateway != nil {
		return v
	}
	return n.TransitHub(v, back)
}
