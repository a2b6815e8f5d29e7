package topology

import (
	"strings"
	"testing"
)

// TransitHub is the one statement of which hub's gateway a spoke uses; the
// validator, the engine and the diagrams ask it.
func TestTransitHub(t *testing.T) {
	const allow, use = ", allowGatewayTransit: true", ", useRemoteGateways: true"
	two := "name: t\nvirtualNetworks:\n" +
		"  h1: {addressSpace: [10.0.0.0/16], gateway: {type: Vpn, sku: SKU1}, peerings: {h1-s: {remoteVirtualNetwork: s, allowGatewayTransit: true}}}\n" +
		"  h2: {addressSpace: [10.9.0.0/16], gateway: {type: Vpn}, peerings: {h2-s: {remoteVirtualNetwork: s, allowGatewayTransit: true}}}\n" +
		"  s:\n    addressSpace: [10.1.0.0/16]\n    peerings:\n" +
		"      s-h1: {remoteVirtualNetwork: h1, useRemoteGateways: true}\n" +
		"      s-h2: {remoteVirtualNetwork: h2, useRemoteGateways: true}\n"
	for _, tc := range []struct {
		name, topo, want string
		edit             func(n *Network)
	}{
		{"transit set up", transit("windows-sdn", "VpnGw1", allow, use, ""), "hub", nil},
		{"hub does not allow transit", transit("windows-sdn", "VpnGw1", "", use, ""), "", nil},
		{"spoke does not use it", transit("windows-sdn", "VpnGw1", allow, "", ""), "", nil},
		{"spoke has its own gateway", transit("windows-sdn", "VpnGw1", allow, use, "    gateway: {type: Vpn}\n"), "", nil},
		{"Basic hub, azure", transit("azure", "Basic", allow, use, ""), "", nil},
		{"Basic hub, windows-sdn", transit("windows-sdn", "Basic", allow, use, ""), "hub", nil},
		{"hub's object gone", transit("windows-sdn", "VpnGw1", allow, use, ""), "", func(n *Network) {
			delete(n.VirtualNetworks["hub"].Peerings, "h-s")
		}},
		{"spoke's object Disconnected", transit("windows-sdn", "VpnGw1", allow, use, ""), "", func(n *Network) {
			n.VirtualNetworks["s"].Peerings["s-h"].Disconnected = true
		}},
		{"two hubs: the first by name", strings.Replace(two, "SKU1", "VpnGw1", 1), "h1", nil},
		{"two hubs: the first that offers transit", "name: t\nplatform: azure\n" + strings.TrimPrefix(strings.Replace(two, "SKU1", "Basic", 1), "name: t\n"), "h2", nil},
	} {
		n := loadT(t, tc.topo)
		if tc.edit != nil {
			tc.edit(n)
		}
		s := n.VirtualNetworks["s"]
		var got string
		if hub := n.TransitHub(s, nil); hub != nil {
			got = hub.Name
		}
		if got != tc.want {
			t.Errorf("%s: TransitHub = %q, want %q", tc.name, got, tc.want)
		}
		// The same answer through a caller's index of the hub's objects.
		indexed := n.TransitHub(s, func(hub *VirtualNetwork) *Peering { return hub.PeeringTo("s") })
		if (indexed == nil) != (got == "") || indexed != nil && indexed.Name != got {
			t.Errorf("%s: TransitHub through a lookup = %v, want %q", tc.name, indexed, got)
		}
		gw := n.GatewayVNet(s, nil)
		switch {
		case s.Gateway != nil && gw != s, s.Gateway == nil && got == "" && gw != nil, got != "" && (gw == nil || gw.Name != got):
			t.Errorf("%s: GatewayVNet = %v", tc.name, gw)
		}
	}
}
