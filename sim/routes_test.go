package sim

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vnetsim/vnetsim/topology"
)

// routeLines renders a table one route per line: prefix, next hop type,
// next hop IP, source, state.
func routeLines(t *RouteTable) []string {
	var out []string
	for _, r := range t.Routes {
		ip := "-"
		if r.NextHopIPAddress.IsValid() {
			ip = r.NextHopIPAddress.String()
		}
		out = append(out, fmt.Sprintf("%s %s %s %s %s", r.AddressPrefix, r.NextHopType, ip, r.Source, r.State))
	}
	return out
}

// routesFixture is a hub with a gateway, a spoke using it, and route
// tables the rows attach to the spoke's subnet.
const routesFixture = `
name: routes
platform: PLATFORM
networkController: nc1
virtualNetworks:
  hub:
    addressSpace: [10.0.0.0/16]
    subnets: {GatewaySubnet: {addressPrefix: 10.0.255.0/27}}
    gateway: {name: gw, type: Vpn, connections: [dc1]}
    peerings: {hub-to-spoke: {remoteVirtualNetwork: spoke, allowGatewayTransit: true}}
  spoke:
    addressSpace: [SPOKE_SPACE]
    subnets: {app: {addressPrefix: 10.1.1.0/24, routeTable: RT}}
    peerings: {spoke-to-hub: {remoteVirtualNetwork: hub, useRemoteGateways: true}}
  lonely:
    addressSpace: [10.7.0.0/16]
    peerings: {lonely-to-hub: {remoteVirtualNetwork: hub}}
routeTables:
  plain: {routes: []}
  nobgp: {disableGatewayRoutePropagation: true, routes: []}
  override:
    routes:
      - {name: hub-via-nva, addressPrefix: 10.0.0.0/16, nextHopType: VirtualAppliance, nextHopIpAddress: 10.0.0.4}
      - {name: dc-direct, addressPrefix: 192.168.0.0/16, nextHopType: None}
  narrow-onprem:
    routes: []
  default-nva:
    routes: [{name: all-via-nva, addressPrefix: 0.0.0.0/0, nextHopType: VirtualAppliance, nextHopIpAddress: 10.0.0.4}]
  default-internet:
    routes: [{name: all-out, addressPrefix: 0.0.0.0/0, nextHopType: Internet}]
onPremises:
  dc1: {addressSpace: [ONPREM]}
`

// routesTopo returns routesFixture with defaults for every placeholder not in repl.
func routesTopo(repl ...string) string {
	return fill(routesFixture, map[string]string{"PLATFORM": "windows-sdn", "RT": "plain", "SPOKE_SPACE": "10.1.0.0/16", "ONPREM": "192.168.0.0/16"}, repl)
}

func TestRoutes(t *testing.T) {
	tests := []struct {
		name   string
		topo   string
		mutate func(*topology.Network)
		want   []string
	}{
		{name: "§4 windows-sdn: own range, Connected peer, transit gateway routes", topo: routesTopo(), want: []string{
			"10.0.0.0/16 VNetPeering - Default Active",
			"10.1.0.0/16 VnetLocal - Default Active",
			"192.168.0.0/16 VirtualNetworkGateway - VirtualNetworkGateway Active",
		}},
		{name: "§4 an Initiated peering gives no route", topo: routesTopo(), mutate: deletePeering("hub", "hub-to-spoke"), want: []string{
			"10.1.0.0/16 VnetLocal - Default Active",
		}},
		{name: "§4 disableGatewayRoutePropagation drops gateway routes", topo: routesTopo("RT", "nobgp"), want: []string{
			"10.0.0.0/16 VNetPeering - Default Active",
			"10.1.0.0/16 VnetLocal - Default Active",
		}},
		{name: "§4 user > system and user > gateway on equal prefixes; the losers are Invalid", topo: routesTopo("RT", "override"), want: []string{
			"10.0.0.0/16 VirtualAppliance 10.0.0.4 User Active",
			"10.0.0.0/16 VNetPeering - Default Invalid",
			"10.1.0.0/16 VnetLocal - Default Active",
			"192.168.0.0/16 None - User Active",
			"192.168.0.0/16 VirtualNetworkGateway - VirtualNetworkGateway Invalid",
		}},
		{name: "§4 gateway > system on equal prefixes", topo: routesTopo("ONPREM", "10.1.0.0/16", "SPOKE_SPACE", "10.1.0.0/16"), want: []string{
			"10.0.0.0/16 VNetPeering - Default Active",
			"10.1.0.0/16 VirtualNetworkGateway - VirtualNetworkGateway Active",
			"10.1.0.0/16 VnetLocal - Default Invalid",
		}},
		{name: "§4 windows-sdn: a more specific gateway route wins by length", topo: routesTopo("ONPREM", "10.0.5.0/24"), want: []string{
			"10.0.0.0/16 VNetPeering - Default Active",
			"10.0.5.0/24 VirtualNetworkGateway - VirtualNetworkGateway Active",
			"10.1.0.0/16 VnetLocal - Default Active",
		}},
		{name: "§4 azure: VNetPeering beats a more specific gateway route", topo: routesTopo("PLATFORM", "azure", "ONPREM", "10.0.5.0/24"), want: []string{
			"0.0.0.0/0 Internet - Default Active",
			"10.0.0.0/8 None - Default Active",
			"10.0.0.0/16 VNetPeering - Default Active",
			"10.0.5.0/24 VirtualNetworkGateway - VirtualNetworkGateway Invalid",
			"10.1.0.0/16 VnetLocal - Default Active",
			"100.64.0.0/10 None - Default Active",
			"172.16.0.0/12 None - Default Active",
			"192.168.0.0/16 None - Default Active",
		}},
		// An equal prefix is no exception to "VnetLocal and VNetPeering
		// system routes win over more specific gateway routes".
		{name: "§4 azure: VnetLocal beats a gateway route of the same prefix", topo: routesTopo("PLATFORM", "azure", "ONPREM", "10.1.0.0/16"), want: []string{
			"0.0.0.0/0 Internet - Default Active",
			"10.0.0.0/8 None - Default Active",
			"10.0.0.0/16 VNetPeering - Default Active",
			"10.1.0.0/16 VnetLocal - Default Active",
			"10.1.0.0/16 VirtualNetworkGateway - VirtualNetworkGateway Invalid",
			"100.64.0.0/10 None - Default Active",
			"172.16.0.0/12 None - Default Active",
			"192.168.0.0/16 None - Default Active",
		}},
		{name: "§4 azure: VNetPeering beats a gateway route of the same prefix", topo: routesTopo("PLATFORM", "azure", "ONPREM", "10.0.0.0/16"), want: []string{
			"0.0.0.0/0 Internet - Default Active",
			"10.0.0.0/8 None - Default Active",
			"10.0.0.0/16 VNetPeering - Default Active",
			"10.0.0.0/16 VirtualNetworkGateway - VirtualNetworkGateway Invalid",
			"10.1.0.0/16 VnetLocal - Default Active",
			"100.64.0.0/10 None - Default Active",
			"172.16.0.0/12 None - Default Active",
			"192.168.0.0/16 None - Default Active",
		}},
		{name: "§4 azure: a gateway route still beats a None system route of the same prefix", topo: routesTopo("PLATFORM", "azure"), want: []string{
			"0.0.0.0/0 Internet - Default Active",
			"10.0.0.0/8 None - Default Active",
			"10.0.0.0/16 VNetPeering - Default Active",
			"10.1.0.0/16 VnetLocal - Default Active",
			"100.64.0.0/10 None - Default Active",
			"172.16.0.0/12 None - Default Active",
			"192.168.0.0/16 VirtualNetworkGateway - VirtualNetworkGateway Active",
			"192.168.0.0/16 None - Default Invalid",
		}},
		{name: "§4 azure: a user route still beats VnetLocal and a gateway route of the same prefix", topo: routesTopo("PLATFORM", "azure", "RT", "override", "ONPREM", "10.0.0.0/16"), want: []string{
			"0.0.0.0/0 Internet - Default Active",
			"10.0.0.0/8 None - Default Active",
			"10.0.0.0/16 VirtualAppliance 10.0.0.4 User Active",
			"10.0.0.0/16 VirtualNetworkGateway - VirtualNetworkGateway Invalid",
			"10.0.0.0/16 VNetPeering - Default Invalid",
			"10.1.0.0/16 VnetLocal - Default Active",
			"100.64.0.0/10 None - Default Active",
			"172.16.0.0/12 None - Default Active",
			"192.168.0.0/16 None - User Active",
			"192.168.0.0/16 None - Default Invalid",
		}},
		{name: "§4 azure: an own range covering 10/8 removes its None route", topo: routesTopo("PLATFORM", "azure", "SPOKE_SPACE", "10.0.0.0/8", "RT", "nobgp"),
			mutate: func(n *topology.Network) {
				// The spoke now overlaps the hub; keep only the spoke's own view.
				delete(n.VirtualNetworks["spoke"].Peerings, "spoke-to-hub")
			},
			want: []string{
				"0.0.0.0/0 Internet - Default Active",
				"10.0.0.0/8 VnetLocal - Default Active",
				"100.64.0.0/10 None - Default Active",
				"172.16.0.0/12 None - Default Active",
				"192.168.0.0/16 None - Default Active",
			}},
		// udr-overview's routing example: a user route for 0.0.0.0/0
		// removes the reserved ranges' None routes, whatever its next hop.
		{name: "§4 azure: a user 0.0.0.0/0 route removes the None routes", topo: routesTopo("PLATFORM", "azure", "RT", "default-nva"), want: []string{
			"0.0.0.0/0 VirtualAppliance 10.0.0.4 User Active",
			"0.0.0.0/0 Internet - Default Invalid",
			"10.0.0.0/16 VNetPeering - Default Active",
			"10.1.0.0/16 VnetLocal - Default Active",
			"192.168.0.0/16 VirtualNetworkGateway - VirtualNetworkGateway Active",
		}},
		{name: "§4 azure: so does a user 0.0.0.0/0 route to the Internet", topo: routesTopo("PLATFORM", "azure", "RT", "default-internet"), want: []string{
			"0.0.0.0/0 Internet - User Active",
			"0.0.0.0/0 Internet - Default Invalid",
			"10.0.0.0/16 VNetPeering - Default Active",
			"10.1.0.0/16 VnetLocal - Default Active",
			"192.168.0.0/16 VirtualNetworkGateway - VirtualNetworkGateway Active",
		}},
		{name: "§4 azure: a gateway-learned 0.0.0.0/0 keeps the None routes", topo: routesTopo("PLATFORM", "azure", "ONPREM", "0.0.0.0/0"), want: []string{
			"0.0.0.0/0 VirtualNetworkGateway - VirtualNetworkGateway Active",
			"0.0.0.0/0 Internet - Default Invalid",
			"10.0.0.0/8 None - Default Active",
			"10.0.0.0/16 VNetPeering - Default Active",
			"10.1.0.0/16 VnetLocal - Default Active",
			"100.64.0.0/10 None - Default Active",
			"172.16.0.0/12 None - Default Active",
			"192.168.0.0/16 None - Default Active",
		}},
		{name: "§4 azure: peering routes use the synced ranges", topo: routesTopo("PLATFORM", "azure", "RT", "nobgp"),
			mutate: func(n *topology.Network) {
				hub := n.VirtualNetworks["hub"]
				hub.AddressSpace = append(hub.AddressSpace, pfx("10.5.0.0/16"))
			},
			want: []string{
				"0.0.0.0/0 Internet - Default Active",
				"10.0.0.0/8 None - Default Active",
				"10.0.0.0/16 VNetPeering - Default Active",
				"10.1.0.0/16 VnetLocal - Default Active",
				"100.64.0.0/10 None - Default Active",
				"172.16.0.0/12 None - Default Active",
				"192.168.0.0/16 None - Default Active",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := loadT(t, tt.topo)
			if tt.mutate != nil {
				tt.mutate(n)
			}
			rt, err := New(n).Routes("spoke", "app")
			if err != nil {
				t.Fatal(err)
			}
			if rt.Subnet != "spoke/app" {
				t.Errorf("Subnet = %q", rt.Subnet)
			}
			if diff := cmp.Diff(tt.want, routeLines(rt)); diff != "" {
				t.Errorf("routes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRoutesLookup(t *testing.T) {
	rt, err := New(loadT(t, routesTopo("RT", "override"))).Routes("spoke", "app")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dst string
		want      string // "prefix type", or "" for no route
	}{
		{"longest prefix: own range", "10.1.1.4", "10.1.0.0/16 VnetLocal"},
		{"the Active user route, not the Invalid system one", "10.0.0.9", "10.0.0.0/16 VirtualAppliance"},
		{"no route", "8.8.8.8", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := rt.Lookup(addr(tt.dst))
			got := ""
			if ok {
				got = r.AddressPrefix.String() + " " + r.NextHopType.String()
			}
			if got != tt.want {
				t.Errorf("Lookup(%s) = %q, want %q", tt.dst, got, tt.want)
			}
		})
	}
}

func TestRoutesErrors(t *testing.T) {
	e := New(loadT(t, routesTopo()))
	for _, c := range [][2]string{{"nope", "app"}, {"spoke", "nope"}} {
		if _, err := e.Routes(c[0], c[1]); err == nil {
			t.Errorf("Routes(%s, %s) gave no error", c[0], c[1])
		}
	}
}

func TestRouteVocabulary(t *testing.T) {
	// The spellings of docs/reference/vocabularies.md, so a rename breaks a test, not a pipeline.
	for got, want := range map[string]string{
		SourceDefault.String(): "Default", SourceUser.String(): "User", SourceVirtualNetworkGateway.String(): "VirtualNetworkGateway",
		Active.String(): "Active", Invalid.String(): "Invalid",
		OutcomeAll.String(): "all", OutcomeSome.String(): "some", OutcomeNone.String(): "none",
		LevelVNet.String(): "vnet", LevelSubnet.String(): "subnet",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}
