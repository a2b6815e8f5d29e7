package sim

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/topology"
)

// Fixtures. Each is a small network that one group of rules varies with
// string replacements, so that every row shows the one thing it changes.

// twoVNetsYAML is A and B with one VM each and a peering object on each side.
const twoVNetsYAML = `
name: two
platform: PLATFORM
networkController: nc1
virtualNetworks:
  A:
    region: REGION_A
    addressSpace: [10.1.0.0/16]
    subnets: {s1: {addressPrefix: 10.1.1.0/24}}
    virtualMachines: {a1: {subnet: s1, ipAddress: 10.1.1.4}}
    peerings: {a-to-b: {remoteVirtualNetwork: B, allowVirtualNetworkAccess: ACCESS_AB}}
  B:
    region: REGION_B
    addressSpace: [10.2.0.0/16]
    subnets: {s1: {addressPrefix: 10.2.1.0/24}}
    virtualMachines: {b1: {subnet: s1, ipAddress: 10.2.1.4, running: B1_RUNNING}}
    loadBalancers:
      ilb: {subnet: s1, frontendIpAddress: 10.2.1.100, sku: LB_SKU, backends: [b1], rules: [{protocol: TCP, frontendPort: 443, backendPort: 8443}]}
    peerings: {b-to-a: {remoteVirtualNetwork: A}}
`

// two returns twoVNetsYAML with defaults for every placeholder not in repl
// (placeholder, value, ...).
func two(repl ...string) string {
	return fill(twoVNetsYAML, map[string]string{"PLATFORM": "windows-sdn", "REGION_A": "westeurope", "REGION_B": "westeurope",
		"ACCESS_AB": "true", "B1_RUNNING": "true", "LB_SKU": "Standard"}, repl)
}

// hubSpokeYAML is a hub with an appliance, a VPN gateway to dc1 and two spokes
// whose route table sends 10.0.0.0/8 to the appliance.
const hubSpokeYAML = `
name: hs
platform: PLATFORM
networkController: nc1
virtualNetworks:
  hub:
    addressSpace: [10.0.0.0/16]
    subnets:
      nva: {addressPrefix: 10.0.2.0/24, routeTable: NVA_RT}
      GatewaySubnet: {addressPrefix: 10.0.255.0/27}
    gateway: {name: hub-gw, type: GW_TYPE, sku: GW_SKU, connections: [dc1]}
    virtualMachines:
      nva1: {subnet: nva, ipAddress: 10.0.2.4, ipForwarding: NVA_FWD, running: NVA_RUNNING}
      nva2: {subnet: nva, ipAddress: 10.0.2.5, ipForwarding: true}
    loadBalancers:
      nva-ilb: {subnet: nva, frontendIpAddress: 10.0.2.100, backends: [nva1]}
    peerings:
      hub-to-spoke1: {remoteVirtualNetwork: spoke1, allowGatewayTransit: true}
      hub-to-spoke2: {remoteVirtualNetwork: spoke2, allowGatewayTransit: true}
  spoke1:
    addressSpace: [10.1.0.0/16]
    subnets: {app: {addressPrefix: 10.1.1.0/24, routeTable: SPOKE1_RT}}
    virtualMachines: {app1: {subnet: app, ipAddress: 10.1.1.4}}
    peerings: {spoke1-to-hub: {remoteVirtualNetwork: hub, useRemoteGateways: S1_URG, allowForwardedTraffic: true}}
  spoke2:
    addressSpace: [10.2.0.0/16]
    subnets: {app: {addressPrefix: 10.2.1.0/24, routeTable: rt-spoke}}
    virtualMachines: {app2: {subnet: app, ipAddress: 10.2.1.4}}
    peerings: {spoke2-to-hub: {remoteVirtualNetwork: hub, useRemoteGateways: true, allowForwardedTraffic: S2_AFT}}
  far:
    addressSpace: [10.9.0.0/16]
    subnets: {s1: {addressPrefix: 10.9.1.0/24}}
    virtualMachines: {far1: {subnet: s1, ipAddress: 10.9.1.4, ipForwarding: true}}
routeTables:
  rt-spoke:
    routes: [{name: to-nva, addressPrefix: 10.0.0.0/8, nextHopType: VirtualAppliance, nextHopIpAddress: NVA_IP}]
  rt-gw:
    routes: [{name: to-gw, addressPrefix: 10.0.0.0/8, nextHopType: VirtualNetworkGateway}]
  rt-null:
    routes: [{name: drop-spoke2, addressPrefix: 10.2.0.0/16, nextHopType: None}]
  rt-loop:
    routes: [{name: to-nva2, addressPrefix: 10.2.0.0/16, nextHopType: VirtualAppliance, nextHopIpAddress: 10.0.2.5}]
  rt-loop2:
    routes: [{name: to-nva1, addressPrefix: 10.2.0.0/16, nextHopType: VirtualAppliance, nextHopIpAddress: 10.0.2.4}]
  rt-none: {routes: []}
  rt-inspect-in-spoke1: {routes: [{name: to-app1, addressPrefix: 10.0.2.0/24, nextHopType: VirtualAppliance, nextHopIpAddress: 10.1.1.4}]}
  rt-default: {routes: [{name: all-via-nva, addressPrefix: 0.0.0.0/0, nextHopType: VirtualAppliance, nextHopIpAddress: 10.0.2.4}]}
  rt-out: {routes: [{name: all-out, addressPrefix: 0.0.0.0/0, nextHopType: Internet}]}
onPremises:
  dc1: {addressSpace: [192.168.0.0/16], hosts: {op1: 192.168.1.10}}
`

// hs returns hubSpokeYAML with defaults for every placeholder not in repl.
func hs(repl ...string) string {
	return fill(hubSpokeYAML, map[string]string{"PLATFORM": "windows-sdn", "NVA_RT": "rt-none", "GW_TYPE": "Vpn", "GW_SKU": "VpnGw1",
		"NVA_FWD": "true", "NVA_RUNNING": "true", "SPOKE1_RT": "rt-spoke", "S1_URG": "true", "S2_AFT": "true",
		"NVA_IP": "10.0.2.4"}, repl)
}

// chainYAML is A↔B↔C, with no A↔C peering.
const chainYAML = `
name: chainYAML
networkController: nc1
virtualNetworks:
  A:
    addressSpace: [10.1.0.0/16]
    subnets: {s1: {addressPrefix: 10.1.1.0/24}}
    virtualMachines: {a1: {subnet: s1, ipAddress: 10.1.1.4}}
    peerings: {a-to-b: {remoteVirtualNetwork: B}}
  B:
    addressSpace: [10.2.0.0/16]
    subnets: {s1: {addressPrefix: 10.2.1.0/24}}
    virtualMachines: {b1: {subnet: s1, ipAddress: 10.2.1.4}}
    peerings: {b-to-a: {remoteVirtualNetwork: A}, b-to-c: {remoteVirtualNetwork: C}}
  C:
    addressSpace: [10.3.0.0/16]
    subnets: {s1: {addressPrefix: 10.3.1.0/24}}
    virtualMachines: {c1: {subnet: s1, ipAddress: 10.3.1.4}}
    peerings: {c-to-b: {remoteVirtualNetwork: B}}
`

// overlapYAML is A and B on the same range, not peered: a2 in A and b1 in
// B share an address; dc1 overlaps C, which B's gateway connects to.
const overlapYAML = `
name: overlap
platform: PLATFORM
networkController: nc1
virtualNetworks:
  A:
    addressSpace: [10.0.0.0/16]
    subnets: {s1: {addressPrefix: 10.0.1.0/24}}
    virtualMachines:
      a1: {subnet: s1, ipAddress: 10.0.1.4}
      a2: {subnet: s1, ipAddress: 10.0.1.5}
    peerings: PEERINGS_A
  B:
    addressSpace: [10.0.0.0/16]
    subnets:
      s1: {addressPrefix: 10.0.1.0/24}
      GatewaySubnet: {addressPrefix: 10.0.255.0/27}
    virtualMachines: {b1: {subnet: s1, ipAddress: 10.0.1.5}}
    gateway: {type: Vpn, connections: [dc1]}
  C:
    addressSpace: [192.168.0.0/16]
    subnets: {s1: {addressPrefix: 192.168.1.0/24}}
    virtualMachines: {c1: {subnet: s1, ipAddress: 192.168.1.10}}
onPremises:
  dc1: {addressSpace: [192.168.0.0/16], hosts: {op1: 192.168.1.10}}
`

func overlap(repl ...string) string {
	return fill(overlapYAML, map[string]string{"PLATFORM": "windows-sdn", "PEERINGS_A": "{}"}, repl)
}

// Mutations for states a file cannot express.
func deletePeering(vnet, name string) func(*topology.Network) {
	return func(n *topology.Network) { delete(n.VirtualNetworks[vnet].Peerings, name) }
}

func disconnect(vnet, name string) func(*topology.Network) {
	return func(n *topology.Network) {
		n.VirtualNetworks[vnet].Peerings[name].Disconnected = true
	}
}

func noAccess(vnet, name string) func(*topology.Network) {
	return func(n *topology.Network) {
		n.VirtualNetworks[vnet].Peerings[name].AllowVirtualNetworkAccess = false
	}
}

// gatewayInspectsInSpoke1 makes app1 in spoke1 an appliance that the
// hub's GatewaySubnet sends the hub's nva subnet to, and sets
// allowForwardedTraffic to aft on both objects between hub and spoke1.
func gatewayInspectsInSpoke1(aft bool) func(*topology.Network) {
	return func(n *topology.Network) {
		hub, spoke1 := n.VirtualNetworks["hub"], n.VirtualNetworks["spoke1"]
		hub.Subnets["GatewaySubnet"].RouteTable = n.RouteTables["rt-inspect-in-spoke1"]
		spoke1.Subnets["app"].RouteTable = n.RouteTables["rt-none"]
		spoke1.VirtualMachines["app1"].IPForwarding = true
		spoke1.Peerings["spoke1-to-hub"].AllowForwardedTraffic = aft
		hub.Peerings["hub-to-spoke1"].AllowForwardedTraffic = aft
	}
}

// growUnsynced adds 10.20.0.0/16 with a subnet and VM to VNet B while
// A's object still holds B's old space (azure, docs/semantics.md#address-space-changes).
func growUnsynced(n *topology.Network) {
	b := n.VirtualNetworks["B"]
	b.AddressSpace = append(b.AddressSpace, pfx("10.20.0.0/16"))
	s := &topology.Subnet{Name: "s2", VirtualNetwork: b, AddressPrefix: pfx("10.20.1.0/24")}
	b.Subnets["s2"] = s
	b.VirtualMachines["b2"] = &topology.VirtualMachine{Name: "b2", Subnet: s, IPAddress: addr("10.20.1.4"), Running: true}
}

// basicHubILB moves spoke1 to another region than the hub and makes the
// hub's nva-ilb a Basic load balancer in front of nva2.
func basicHubILB(n *topology.Network) {
	n.VirtualNetworks["spoke1"].Region = "westus"
	hub := n.VirtualNetworks["hub"]
	lb := hub.LoadBalancers["nva-ilb"]
	lb.SKU, lb.Backends = topology.Basic, []*topology.VirtualMachine{hub.VirtualMachines["nva2"]}
}

func TestTrace(t *testing.T) {
	tests := []struct {
		name     string
		topo     string
		mutate   func(*topology.Network)
		from, to string
		proto    topology.Protocol // zero (All) means TCP here
		port     uint16            // zero means 443 here
		result   Result
		reason   Reason
		via      string // hop nodes, comma separated; "" skips the check
		explains string // a substring of the explanation; "" skips the check
	}{
		// §1: traffic crosses a peering only while both objects are Connected.
		{name: "§1 both objects exist: Connected, delivered", topo: two(), from: "a1", to: "b1", result: Delivered, via: "a1,b1"},
		{name: "§1 only P(A→B): Initiated, the fix names the missing side", topo: two(), mutate: deletePeering("B", "b-to-a"),
			from: "a1", to: "b1", result: Dropped, reason: PeeringNotConnected, explains: "create the peering from B to A"},
		{name: "§1 only P(A→B), seen from B", topo: two(), mutate: deletePeering("B", "b-to-a"),
			from: "b1", to: "a1", result: Dropped, reason: PeeringNotConnected, explains: "create the peering from B to A"},
		{name: "§1 Disconnected P(A→B) carries no traffic", topo: two(), mutate: disconnect("A", "a-to-b"),
			from: "a1", to: "b1", result: Dropped, reason: PeeringNotConnected, explains: "a-to-b is Disconnected"},
		{name: "§1 peering is not transitive", topo: chainYAML, from: "a1", to: "c1", result: Dropped, reason: NotPeered,
			explains: "create the peering from A to C and from C to A"},
		{name: "§1 each link of the chainYAML works", topo: chainYAML, from: "c1", to: "b1", result: Delivered},

		// §3: peering flags.
		{name: "§3 allowVirtualNetworkAccess=false blocks A to B", topo: two("ACCESS_AB", "false"),
			from: "a1", to: "b1", result: Dropped, reason: PeeringAccessDisabled, explains: "set allowVirtualNetworkAccess on a-to-b"},
		{name: "§3 allowVirtualNetworkAccess=false blocks B to A too", topo: two("ACCESS_AB", "false"),
			from: "b1", to: "a1", result: Dropped, reason: PeeringAccessDisabled},
		{name: "§3 forwarded traffic needs allowForwardedTraffic on the receiving side", topo: hs("S2_AFT", "false"),
			from: "app1", to: "app2", result: Dropped, reason: ForwardedTrafficBlocked, via: "app1,nva1",
			explains: "spoke2 does not accept forwarded traffic from hub (source 10.1.1.4 is outside hub): set allowForwardedTraffic on peering spoke2-to-hub"},
		{name: "§3 the appliance's own traffic is not forwarded", topo: hs("S2_AFT", "false"),
			from: "nva1", to: "app2", result: Delivered},
		{name: "§3 gateway transit reaches on-premises", topo: hs(), from: "app1", to: "op1", result: Delivered, via: "app1,hub-gw,dc1"},
		{name: "§3 gateway transit needs access on the spoke's object", topo: hs(), from: "app1", to: "op1", result: Dropped, reason: PeeringAccessDisabled,
			explains: "set allowVirtualNetworkAccess on spoke1-to-hub", mutate: noAccess("spoke1", "spoke1-to-hub")},
		{name: "§3 gateway transit needs access on the hub's object", topo: hs(), from: "app1", to: "op1", result: Dropped, reason: PeeringAccessDisabled,
			explains: "set allowVirtualNetworkAccess on hub-to-spoke1", mutate: noAccess("hub", "hub-to-spoke1")},
		{name: "§3 without useRemoteGateways there is no gateway route", topo: hs("S1_URG", "false"),
			from: "app1", to: "op1", result: Dropped, reason: NoRoute},
		{name: "§3 azure: a Basic gateway offers no transit", topo: hs("PLATFORM", "azure", "GW_SKU", "Basic"),
			from: "app1", to: "op1", result: Dropped, reason: NullRoute, explains: "192.168.0.0/16"},

		// §5.3 VnetLocal and VNetPeering.
		{name: "§5.3 VnetLocal delivers inside the VNet", topo: hs(), from: "nva1", to: "nva2", result: Delivered, via: "nva1,nva2"},
		{name: "§5.3 spoke to spoke through the appliance", topo: hs(), from: "app1", to: "app2", result: Delivered, via: "app1,nva1,app2"},

		// §5.3 VirtualAppliance next hops.
		{name: "§5.3 appliance address held by nothing: next-hop-not-found", topo: hs("NVA_IP", "10.0.2.99"),
			from: "app1", to: "app2", result: Dropped, reason: NextHopNotFound, explains: "fix route rt-spoke/to-nva"},
		{name: "§5.3 appliance outside the VNet and its peers: next-hop-unreachable", topo: hs("NVA_IP", "10.9.1.4"),
			from: "app1", to: "app2", result: Dropped, reason: NextHopUnreachable, explains: "far"},
		{name: "§5.3 stopped appliance: next-hop-down", topo: hs("NVA_RUNNING", "false"),
			from: "app1", to: "app2", result: Dropped, reason: NextHopDown, via: "app1,nva1", explains: "start it"},
		{name: "§5.3 appliance without ipForwarding", topo: hs("NVA_FWD", "false"),
			from: "app1", to: "app2", result: Dropped, reason: IPForwardingDisabled, explains: "set ipForwarding on nva1"},
		{name: "§5.3 an internal load balancer frontend as next hop", topo: hs("NVA_IP", "10.0.2.100"),
			from: "app1", to: "app2", result: Delivered, via: "app1,nva-ilb,nva1,app2"},

		// §5.3 VirtualNetworkGateway next hops.
		{name: "§5.3 no own gateway and no transit: gateway-not-available", topo: hs("SPOKE1_RT", "rt-gw", "S1_URG", "false"),
			from: "app1", to: "app2", result: Dropped, reason: GatewayNotAvailable},
		{name: "§5.3 spoke to spoke through the hub VPN gateway needs no allowForwardedTraffic",
			topo: hs("SPOKE1_RT", "rt-gw", "S2_AFT", "false"), from: "app1", to: "app2", result: Delivered, via: "app1,hub-gw,app2"},
		{name: "§5.3 an ExpressRoute gateway does not re-route between VNets",
			topo: hs("SPOKE1_RT", "rt-gw", "GW_TYPE", "ExpressRoute"), from: "app1", to: "app2", result: Dropped, reason: NoRoute, via: "app1,hub-gw"},
		{name: "§5.3 on-premises enters through the gateway and reaches a transit spoke",
			topo: hs("S2_AFT", "false"), from: "op1", to: "app2", result: Delivered, via: "dc1,hub-gw,app2"},
		{name: "§5.3 on-premises through a hub appliance is forwarded traffic again", topo: hs("S2_AFT", "false"),
			mutate: func(n *topology.Network) {
				// The hub inspects traffic from the gateway: GatewaySubnet
				// sends spoke2 to the appliance nva2.
				n.VirtualNetworks["hub"].Subnets["GatewaySubnet"].RouteTable = n.RouteTables["rt-loop"]
			},
			from: "op1", to: "app2", result: Dropped, reason: ForwardedTrafficBlocked, via: "dc1,hub-gw,nva2"},
		// Spoke-to-spoke traffic through the hub's VPN gateway needs no
		// allowForwardedTraffic, whether or not the receiving spoke uses
		// the gateway; traffic from on-premises is exempt only into VNets
		// that use the gateway through transit.
		{name: "§5.3 spoke to spoke through the hub VPN gateway into a spoke without transit needs no allowForwardedTraffic",
			topo: hs("SPOKE1_RT", "rt-gw", "S2_AFT", "false"), mutate: func(n *topology.Network) {
				n.VirtualNetworks["spoke2"].Peerings["spoke2-to-hub"].UseRemoteGateways = false
			},
			from: "app1", to: "app2", result: Delivered, via: "app1,hub-gw,app2"},
		{name: "§5.3 on-premises to an appliance in a spoke without transit needs allowForwardedTraffic", topo: hs("S1_URG", "false"), mutate: gatewayInspectsInSpoke1(false),
			from: "op1", to: "nva2", result: Dropped, reason: ForwardedTrafficBlocked, via: "dc1,hub-gw", explains: "set allowForwardedTraffic on peering spoke1-to-hub"},
		{name: "§5.3 on-premises to an appliance in a transit spoke needs none", topo: hs(), mutate: gatewayInspectsInSpoke1(false),
			from: "op1", to: "nva2", result: Dropped, reason: ForwardedTrafficBlocked, via: "dc1,hub-gw,app1", explains: "set allowForwardedTraffic on peering hub-to-spoke1"},
		{name: "§5.3 on-premises to an appliance in a spoke that accepts forwarded traffic", topo: hs("S1_URG", "false"), mutate: gatewayInspectsInSpoke1(true),
			from: "op1", to: "nva2", result: Delivered, via: "dc1,hub-gw,app1,nva2"},
		{name: "§5.3 on-premises learns the hub's ranges", topo: hs(), from: "op1", to: "nva2", result: Delivered, via: "dc1,hub-gw,nva2"},
		{name: "§5.3 on-premises does not learn a spoke without transit", topo: hs("S1_URG", "false"),
			from: "op1", to: "app1", result: Dropped, reason: NoRoute, explains: "spoke1 is not advertised to dc1"},

		// §5.3 None and Internet.
		{name: "§5.3 a user None route is a null-route", topo: hs("SPOKE1_RT", "rt-null"),
			from: "app1", to: "app2", result: Dropped, reason: NullRoute, explains: "rt-null/drop-spoke2"},
		{name: "§5.3 azure: 0.0.0.0/0 leaves through the Internet", topo: two("PLATFORM", "azure"),
			from: "a1", to: "8.8.8.8", result: Exited},
		{name: "§4 azure: a reserved range goes to the user 0.0.0.0/0 route's next hop", topo: hs("PLATFORM", "azure", "SPOKE1_RT", "rt-default", "NVA_RT", "rt-out"),
			from: "app1", to: "10.99.0.1", result: Exited, via: "app1,nva1"},
		{name: "§4 azure: so does a user 0.0.0.0/0 route to the Internet", topo: hs("PLATFORM", "azure", "NVA_RT", "rt-out"),
			from: "nva1", to: "172.16.0.1", result: Exited},
		{name: "§4 azure: without a user 0.0.0.0/0 route a reserved range is null-routed", topo: hs("PLATFORM", "azure", "NVA_RT", "rt-out"),
			from: "app2", to: "172.16.0.1", result: Dropped, reason: NullRoute, explains: "system route None"},
		{name: "§4 windows-sdn has no Internet route", topo: two(), from: "a1", to: "8.8.8.8", result: Dropped, reason: NoRoute},

		// §5.6 reason precedence when nothing routes to a known VNet.
		{name: "§5.6 azure: the peer's new range is not synced", topo: two("PLATFORM", "azure"), mutate: growUnsynced,
			from: "a1", to: "b2", result: Dropped, reason: AddressSpaceNotSynced, explains: "sync peering a-to-b"},
		{name: "§5.6 azure: the synced range still works", topo: two("PLATFORM", "azure"), mutate: growUnsynced,
			from: "a1", to: "b1", result: Delivered},
		{name: "§5.6 azure: a system None route to a known VNet says peering-not-connected",
			topo: two("PLATFORM", "azure"), mutate: deletePeering("B", "b-to-a"), from: "a1", to: "b1", result: Dropped, reason: PeeringNotConnected},
		{name: "§5.6 azure: a system None route to a VNet without peerings says not-peered",
			topo: chainYAML, mutate: func(n *topology.Network) { n.Platform = topology.Azure }, from: "a1", to: "c1", result: Dropped, reason: NotPeered},

		// §5.4 a named destination is where a delivered packet ends: an
		// address inside several places' ranges never reaches another one.
		{name: "§5.4 overlapping unpeered VNets: the packet stays in A", topo: overlap(), from: "a1", to: "b1", result: Dropped, reason: NotPeered,
			via: "a1", explains: "10.0.1.5 is inside A's own range 10.0.0.0/16, so the packet stays in A and never reaches b1 in B: A and B are not peered"},
		{name: "§5.4 overlapping unpeered VNets on azure", topo: overlap("PLATFORM", "azure"), from: "a1", to: "b1", result: Dropped, reason: NotPeered},
		{name: "§5.4 overlapping VNets, one object: peering-not-connected", topo: overlap("PEERINGS_A", "{a-to-b: {remoteVirtualNetwork: B}}"),
			from: "a1", to: "b1", result: Dropped, reason: PeeringNotConnected, explains: "create the peering from B to A, after giving them address spaces that do not overlap"},
		{name: "§5.4 overlapping Connected VNets (an error): no-route", topo: overlap("PEERINGS_A", "{a-to-b: {remoteVirtualNetwork: B}}"),
			mutate: func(n *topology.Network) { peer(n.VirtualNetworks["B"], n.VirtualNetworks["A"]) }, from: "a1", to: "b1", result: Dropped, reason: NoRoute},
		{name: "§5.4 overlapping VNets: a subnet destination is not entered elsewhere", topo: overlap(), from: "a1", to: "B/s1", result: Dropped, reason: NotPeered,
			explains: "never reaches subnet B/s1"},
		{name: "§5.4 overlapping VNets: the source's own VM is still reached", topo: overlap(), from: "a1", to: "a2", result: Delivered, via: "a1,a2"},
		{name: "§5.4 a literal address is delivered wherever the routes take it", topo: overlap(), from: "a1", to: "10.0.1.5", result: Delivered, via: "a1,a2"},
		{name: "§5.4 an on-premises host inside a VNet's range is not that VNet's VM", topo: overlap(), from: "c1", to: "op1", result: Dropped, reason: NoRoute,
			explains: "192.168.1.10 is inside C's own range 192.168.0.0/16, so the packet stays in C and never reaches op1 in on-premises site dc1"},
		{name: "§5.4 a VM inside a site's range is not reached through the gateway", topo: overlap(),
			mutate: func(n *topology.Network) {
				peer(n.VirtualNetworks["B"], n.VirtualNetworks["C"])
				delete(n.VirtualNetworks["C"].Peerings, "x-B")
			},
			from: "b1", to: "c1", result: Dropped, reason: PeeringNotConnected, via: "b1,B-gw",
			explains: "so the packet never reaches c1 in C"},

		// §5.4 destination.
		{name: "§5.4 stopped destination VM", topo: two("B1_RUNNING", "false"), from: "a1", to: "b1", result: Dropped, reason: DestinationNotFound, explains: "b1 is not running"},
		{name: "§5.4 no VM holds the address: the last hop is the address, in B", topo: two(), from: "a1", to: "10.2.1.9", result: Dropped, reason: DestinationNotFound,
			via: "a1,10.2.1.9", explains: "no VM or load balancer frontend in B/s1 holds 10.2.1.9"},
		{name: "§5.4 no VM holds an address of the source's own VNet", topo: two(), from: "a1", to: "10.1.1.9", result: Dropped, reason: DestinationNotFound, via: "a1,10.1.1.9"},
		{name: "§5.4 a subnet counts as delivered when the packet enters it", topo: two(), from: "a1", to: "B/s1", result: Delivered},
		{name: "§5.4 a frontend in no subnet holds nothing", topo: two(), from: "a1", to: "10.2.1.100", result: Dropped, reason: DestinationNotFound,
			mutate: func(n *topology.Network) { n.VirtualNetworks["B"].LoadBalancers["ilb"].Subnet = nil }},
		{name: "§5.4 load balancer with a rule for the port", topo: two(), from: "a1", to: "ilb", port: 443, result: Delivered, via: "a1,ilb,b1"},
		{name: "§5.4 load balancer without a rule for the port", topo: two(), from: "a1", to: "ilb", port: 80, result: Dropped, reason: LoadBalancerNoBackend, explains: "no rule for TCP port 80"},
		{name: "§5.4 load balancer without a running backend", topo: two("B1_RUNNING", "false"), from: "a1", to: "ilb", port: 443, result: Dropped, reason: LoadBalancerNoBackend, explains: "no running backend"},
		{name: "§5.4 azure: Basic ILB over global peering", topo: two("PLATFORM", "azure", "LB_SKU", "Basic", "REGION_B", "northeurope"),
			from: "a1", to: "ilb", port: 443, result: Dropped, reason: LoadBalancerUnreachable},
		{name: "§5.4 azure: Basic ILB in the same region", topo: two("PLATFORM", "azure", "LB_SKU", "Basic"),
			from: "a1", to: "ilb", port: 443, result: Delivered},
		{name: "§5.4 azure: Standard ILB over global peering", topo: two("PLATFORM", "azure", "REGION_B", "northeurope"),
			from: "a1", to: "ilb", port: 443, result: Delivered},
		{name: "§5.4 azure: a Basic ILB as next hop over global peering", topo: hs("PLATFORM", "azure", "NVA_IP", "10.0.2.100"),
			mutate: basicHubILB, from: "app1", to: "app2", result: Dropped, reason: LoadBalancerUnreachable, via: "app1,nva-ilb"},
		{name: "§5.4 azure: a Basic ILB behind an appliance is local to it", topo: hs("PLATFORM", "azure"),
			mutate: func(n *topology.Network) {
				basicHubILB(n)
				// spoke1 reaches the frontend through nva1, which is in the hub.
				rt := n.RouteTables["rt-spoke"]
				rt.Routes = append(rt.Routes, topology.Route{Name: "ilb-via-nva", AddressPrefix: pfx("10.0.2.100/32"),
					NextHopType: topology.NextHopVirtualAppliance, NextHopIPAddress: addr("10.0.2.4")})
			},
			from: "app1", to: "nva-ilb", result: Delivered, via: "app1,nva1,nva-ilb,nva2"},
		{name: "§5.4 azure: a Basic ILB sent to straight over global peering", topo: hs("PLATFORM", "azure"),
			mutate: basicHubILB, from: "app1", to: "nva-ilb", result: Dropped, reason: LoadBalancerUnreachable, via: "app1,nva-ilb"},
		{name: "§5.4 windows-sdn: a Basic ILB is reachable across regions", topo: two("LB_SKU", "Basic", "REGION_B", "northeurope"),
			from: "a1", to: "ilb", port: 443, result: Delivered},

		// §5.5 loops.
		{name: "§5.5 two appliances sending to each other loop", topo: hs("NVA_IP", "10.0.2.4", "NVA_RT", "rt-loop"),
			mutate: func(n *topology.Network) {
				// nva2 routes spoke2 back to nva1.
				s := &topology.Subnet{Name: "nva-b", VirtualNetwork: n.VirtualNetworks["hub"], AddressPrefix: pfx("10.0.3.0/24"), RouteTable: n.RouteTables["rt-loop2"]}
				n.VirtualNetworks["hub"].Subnets["nva-b"] = s
				vm := n.VirtualNetworks["hub"].VirtualMachines["nva2"]
				vm.Subnet, vm.IPAddress = s, addr("10.0.3.5")
				n.RouteTables["rt-loop"].Routes[0].NextHopIPAddress = addr("10.0.3.5")
			},
			from: "app1", to: "app2", result: Dropped, reason: Loop, via: "app1,nva1,nva2,nva1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := loadT(t, tt.topo)
			if tt.mutate != nil {
				tt.mutate(n)
			}
			proto, port := tt.proto, tt.port
			if proto == topology.ProtocolAll {
				proto = topology.TCP
			}
			if port == 0 {
				port = 443
			}
			e := New(n)
			f, err := e.NewFlow(tt.from, tt.to, proto, port)
			if err != nil {
				t.Fatal(err)
			}
			tr := e.Trace(f)
			checkTrace(t, tr, tt.result, tt.reason, tt.via, tt.explains)
		})
	}
}

// checkTrace checks a trace's verdict and the invariants every trace keeps:
// a drop is the last step of the last hop and explains itself.
func checkTrace(t *testing.T, tr Trace, result Result, reason Reason, wantVia, explains string) {
	t.Helper()
	if tr.Result != result || tr.Reason != reason {
		t.Errorf("got %s %s, want %s %s\n%s", tr.Result, tr.Reason, result, reason, render(tr))
	}
	if wantVia != "" && via(tr) != wantVia {
		t.Errorf("via %s, want %s\n%s", via(tr), wantVia, render(tr))
	}
	if !strings.Contains(tr.Explanation, explains) {
		t.Errorf("explanation %q does not say %q", tr.Explanation, explains)
	}
	if tr.Explanation == "" {
		t.Error("no explanation")
	}
	if len(tr.Hops) == 0 {
		t.Fatalf("no hops")
	}
	last := tr.Hops[len(tr.Hops)-1]
	if len(last.Steps) == 0 {
		t.Fatalf("last hop %s has no steps", last.Node)
	}
	kind := last.Steps[len(last.Steps)-1].Kind
	switch tr.Result {
	case Dropped:
		if kind != StepDrop || tr.Reason == "" {
			t.Errorf("dropped trace ends in a %s step with reason %q", kind, tr.Reason)
		}
	case Delivered:
		if kind != StepDeliver || tr.Reason != "" {
			t.Errorf("delivered trace ends in a %s step with reason %q", kind, tr.Reason)
		}
	}
}

func TestTraceFacts(t *testing.T) {
	n := loadT(t, two("REGION_B", "northeurope"))
	n.VirtualNetworks["A"].VirtualMachines["a1"].BandwidthMbps = 1000
	n.VirtualNetworks["B"].VirtualMachines["b1"].BandwidthMbps = 500
	tr := traceT(t, New(n), "a1", "b1", 443)
	if tr.Result != Delivered || len(tr.Hops) != 2 || tr.BandwidthMbps != 500 {
		t.Fatalf("got %s, %d hops, %d Mbps\n%s", tr.Result, len(tr.Hops), tr.BandwidthMbps, render(tr))
	}
	want := []string{
		"peering a-to-b is global (westeurope to northeurope): it adds inter-region latency",
		"the path is bounded by 500 Mbps, the smallest bandwidth a VM on it declares",
	}
	if strings.Join(tr.Facts, "\n") != strings.Join(want, "\n") {
		t.Errorf("facts:\n%s\nwant:\n%s", strings.Join(tr.Facts, "\n"), strings.Join(want, "\n"))
	}
}

// A packet that keeps finding new appliances ends at the hop cap (§5.5).
func TestTraceHopCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: cap\nnetworkController: nc1\nvirtualNetworks:\n  A:\n    addressSpace: [10.1.0.0/16]\n    subnets:\n")
	const n = 40
	for i := range n {
		fmt.Fprintf(&b, "      s%d: {addressPrefix: 10.1.%d.0/24, routeTable: rt%d}\n", i, i, i)
	}
	b.WriteString("    virtualMachines:\n")
	for i := range n {
		fmt.Fprintf(&b, "      nva%d: {subnet: s%d, ipAddress: 10.1.%d.4, ipForwarding: true}\n", i, i, i)
	}
	b.WriteString("routeTables:\n")
	for i := range n {
		fmt.Fprintf(&b, "  rt%d: {routes: [{name: next, addressPrefix: 10.9.0.0/16, nextHopType: VirtualAppliance, nextHopIpAddress: 10.1.%d.4}]}\n", i, (i+1)%n)
	}
	e := New(loadT(t, b.String()))
	f, err := e.NewFlow("nva0", "10.9.0.1", topology.TCP, 443)
	if err != nil {
		t.Fatal(err)
	}
	tr := e.Trace(f)
	if tr.Result != Dropped || tr.Reason != Loop || len(tr.Hops) > maxHops+2 {
		t.Errorf("got %s %s after %d hops", tr.Result, tr.Reason, len(tr.Hops))
	}
}

// fill returns tmpl with each placeholder of defaults replaced by its value,
// or by the value repl gives it (placeholder, value, ...).
func fill(tmpl string, defaults map[string]string, repl []string) string {
	vals := maps.Clone(defaults)
	for i := 0; i+1 < len(repl); i += 2 {
		vals[repl[i]] = repl[i+1]
	}
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		tmpl = strings.ReplaceAll(tmpl, k, vals[k])
	}
	return tmpl
}

// A packet that crosses into B and finds nobody at its address ends at a
// hop in B, named by the address, so a scenario's via can show where it was
// lost.
func TestDestinationNotFoundEndsInTheDestinationVNet(t *testing.T) {
	tr := traceT(t, New(loadT(t, two())), "a1", "10.2.1.9", 443)
	if n := len(tr.Hops); n != 2 {
		t.Fatalf("%d hops, want 2: %s", n, via(tr))
	}
	if h := tr.Hops[1]; h.Node != "10.2.1.9" || h.VirtualNetwork != "B" || h.Subnet != "s1" {
		t.Errorf("last hop %s in %s/%s, want 10.2.1.9 in B/s1", h.Node, h.VirtualNetwork, h.Subnet)
	}
}
