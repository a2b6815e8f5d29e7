package topology

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vnetsim/vnetsim/topology/diag"
)

// ruleTest is one row: a topology and the diagnostics Check must report,
// as "code@line", sorted. A nil want means no diagnostic at all.
type ruleTest struct {
	name string
	yaml string
	want []string
}

func runRules(t *testing.T, tests []ruleTest) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, _, ds := checkT(t, tt.yaml)
			if n == nil {
				t.Fatalf("fixture does not load:\n%s", formatDiags(ds))
			}
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if diff := cmp.Diff(want, codesAt(ds)); diff != "" && (len(want) > 0 || len(ds) > 0) {
				t.Errorf("(-want +got):\n%s\n%s", diff, formatDiags(ds))
			}
			for _, d := range ds {
				if !d.Valid() || d.Summary == "" || d.Detail == "" {
					t.Errorf("diagnostic lacks a code, severity, summary or detail: %+v", d)
				}
			}
		})
	}
}

// pair is a two-VNet topology on platform: A (10.1.0.0/16) and B
// (10.2.0.0/16), with aExtra written under A from line 6 and bExtra under B.
func pair(platform, aExtra, bExtra string) string {
	return "name: t\nplatform: " + platform + "\nvirtualNetworks:\n" +
		"  A:\n    addressSpace: [10.1.0.0/16]\n" + aExtra +
		"  B:\n    addressSpace: [10.2.0.0/16]\n" + bExtra
}

// TestPeeringStateWarnings covers docs/semantics.md#peering-states: validate warns about every
// peering object that is not Connected and names the object to create.
func TestPeeringStateWarnings(t *testing.T) {
	runRules(t, []ruleTest{
		{"both objects: Connected", pair("windows-sdn",
			"    peerings: {a-b: {remoteVirtualNetwork: B}}\n",
			"    peerings: {b-a: {remoteVirtualNetwork: A}}\n"), nil},
		{"one object: Initiated", pair("windows-sdn",
			"    peerings: {a-b: {remoteVirtualNetwork: B}}\n", ""), []string{"peering-not-connected@6"}},
		{"objects under different names still pair", pair("azure",
			"    peerings: {x: {remoteVirtualNetwork: B}}\n",
			"    peerings: {y: {remoteVirtualNetwork: A}}\n"), nil},
	})
	_, _, ds := checkT(t, pair("windows-sdn", "    peerings: {a-b: {remoteVirtualNetwork: B}}\n", ""))
	if !strings.Contains(ds[0].Summary, "create peering from B to A") {
		t.Errorf("summary %q does not name the object to create", ds[0].Summary)
	}
	// When the other object exists, Disconnected, the warnings say to re-put
	// it rather than create one that exists.
	_, _, ds = checkT(t, pair("azure",
		"    peerings: {ab: {remoteVirtualNetwork: B}}\n",
		"    peerings: {ba: {remoteVirtualNetwork: A, peeringState: Disconnected}}\n"))
	var got []string
	for _, d := range ds {
		got = append(got, d.Summary)
	}
	want := []string{
		"peering ab: Initiated; peering ba of B is Disconnected: update or re-create it",
		"peering ba: Disconnected; update or re-create it",
	}
	if !slices.Equal(got, want) {
		t.Errorf("summaries %q, want %q", got, want)
	}
}

// TestPeeringRequirements covers docs/semantics.md#peering-requirements.
func TestPeeringRequirements(t *testing.T) {
	runRules(t, []ruleTest{
		// A peering to itself or a second peering to the same remote.
		{"self", pair("windows-sdn", "    peerings: {a-a: {remoteVirtualNetwork: A}}\n", ""), []string{"peering-self@6"}},
		{"duplicate", pair("windows-sdn",
			"    peerings:\n      a-b: {remoteVirtualNetwork: B}\n      a-b2: {remoteVirtualNetwork: B}\n",
			"    peerings: {b-a: {remoteVirtualNetwork: A}}\n"), []string{"peering-duplicate@8"}},
		// Peered VNets must not overlap; each object is refused.
		{"overlap, both objects", "name: t\nvirtualNetworks:\n" +
			"  A: {addressSpace: [10.1.0.0/16], peerings: {a-b: {remoteVirtualNetwork: B}}}\n" +
			"  B: {addressSpace: [10.9.0.0/16, 10.1.128.0/17], peerings: {b-a: {remoteVirtualNetwork: A}}}\n",
			[]string{"peering-address-overlap@3", "peering-address-overlap@4"}},
		{"overlap, one object", "name: t\nvirtualNetworks:\n" +
			"  A: {addressSpace: [10.1.0.0/16], peerings: {a-b: {remoteVirtualNetwork: B}}}\n" +
			"  B: {addressSpace: [10.0.0.0/8]}\n",
			[]string{"peering-address-overlap@3", "peering-not-connected@3"}},
		{"overlap, IPv6", "name: t\nvirtualNetworks:\n" +
			"  A: {addressSpace: [\"fd00::/48\"], peerings: {a-b: {remoteVirtualNetwork: B}}}\n" +
			"  B: {addressSpace: [\"fd00::/64\"], peerings: {b-a: {remoteVirtualNetwork: A}}}\n",
			[]string{"peering-address-overlap@3", "peering-address-overlap@4"}},
		{"IPv4 and IPv6 never overlap", "name: t\nvirtualNetworks:\n" +
			"  A: {addressSpace: [10.0.0.0/8], peerings: {a-b: {remoteVirtualNetwork: B}}}\n" +
			"  B: {addressSpace: [\"::/0\"], peerings: {b-a: {remoteVirtualNetwork: A}}}\n", nil},
		{"unpeered overlap is fine", "name: t\nvirtualNetworks:\n" +
			"  A: {addressSpace: [10.1.0.0/16]}\n  B: {addressSpace: [10.1.0.0/16]}\n", nil},
		// windows-sdn: one Network Controller.
		{"controllers differ, windows-sdn", "name: t\nnetworkController: nc1\nvirtualNetworks:\n" +
			"  A: {addressSpace: [10.1.0.0/16], peerings: {a-b: {remoteVirtualNetwork: B}}}\n" +
			"  B: {networkController: nc2, addressSpace: [10.2.0.0/16], peerings: {b-a: {remoteVirtualNetwork: A}}}\n",
			[]string{"peering-controller-mismatch@4", "peering-controller-mismatch@5"}},
		{"controllers differ, azure has none", "name: t\nplatform: azure\nvirtualNetworks:\n" +
			"  A: {networkController: x, addressSpace: [10.1.0.0/16], peerings: {a-b: {remoteVirtualNetwork: B}}}\n" +
			"  B: {addressSpace: [10.2.0.0/16], peerings: {b-a: {remoteVirtualNetwork: A}}}\n", nil},
		// Two spokes of one hub that overlap: warning on windows-sdn,
		// error on azure.
		{"spokes overlap, windows-sdn", hubSpokes("windows-sdn", "10.1.0.0/16", "10.1.0.0/24"), []string{"peered-overlaps-hub-peer@11"}},
		{"spokes overlap, azure", hubSpokes("azure", "10.1.0.0/16", "10.1.0.0/24"), []string{"peered-overlaps-hub-peer@11"}},
		{"spokes apart", hubSpokes("azure", "10.1.0.0/16", "10.2.0.0/16"), nil},
	})
	_, _, win := checkT(t, hubSpokes("windows-sdn", "10.1.0.0/16", "10.1.0.0/24"))
	_, _, az := checkT(t, hubSpokes("azure", "10.1.0.0/16", "10.1.0.0/24"))
	if win[0].Severity != diag.Warning || az[0].Severity != diag.Error {
		t.Errorf("peered-overlaps-hub-peer severity: windows-sdn %v, azure %v; want warning, error", win[0].Severity, az[0].Severity)
	}
}

// hubSpokes is a hub with two spokes, both peered both ways. s2's object
// toward the hub is on line 11.
func hubSpokes(platform, s1, s2 string) string {
	return "name: t\nplatform: " + platform + "\nvirtualNetworks:\n" +
		"  hub:\n    addressSpace: [10.0.0.0/16]\n" +
		"    peerings: {h-s1: {remoteVirtualNetwork: s1}, h-s2: {remoteVirtualNetwork: s2}}\n" +
		"  s1:\n    addressSpace: [" + s1 + "]\n    peerings: {s1-h: {remoteVirtualNetwork: hub}}\n" +
		"  s2:\n    peerings: {s2-h: {remoteVirtualNetwork: hub}}\n    addressSpace: [" + s2 + "]\n"
}

// transit is a hub with a gateway (line 6) and one spoke; hubFlags and
// spokeFlags are the flags of the hub's object (line 7) and the spoke's
// (line 10); spokeExtra adds lines under the spoke.
func transit(platform, sku, hubFlags, spokeFlags, spokeExtra string) string {
	return "name: t\nplatform: " + platform + "\nvirtualNetworks:\n" +
		"  hub:\n    addressSpace: [10.0.0.0/16]\n" +
		"    gateway: {type: Vpn, sku: " + sku + "}\n" +
		"    peerings: {h-s: {remoteVirtualNetwork: s" + hubFlags + "}}\n" +
		"  s:\n    addressSpace: [10.1.0.0/16]\n" +
		"    peerings: {s-h: {remoteVirtualNetwork: hub" + spokeFlags + "}}\n" + spokeExtra
}

// TestGatewayTransit covers docs/semantics.md#gateway-transit.
func TestGatewayTransit(t *testing.T) {
	const allow, use = ", allowGatewayTransit: true", ", useRemoteGateways: true"
	runRules(t, []ruleTest{
		{"transit set up", transit("windows-sdn", "VpnGw1", allow, use, ""), nil},
		{"transit disabled on the hub", transit("windows-sdn", "VpnGw1", "", use, ""), []string{"remote-gateway-transit-disabled@10"}},
		{"remote has no gateway", "name: t\nvirtualNetworks:\n" +
			"  hub: {addressSpace: [10.0.0.0/16], peerings: {h-s: {remoteVirtualNetwork: s, allowGatewayTransit: true}}}\n" +
			"  s: {addressSpace: [10.1.0.0/16], peerings: {s-h: {remoteVirtualNetwork: hub, useRemoteGateways: true}}}\n",
			[]string{"gateway-transit-without-gateway@3", "remote-gateway-missing@4"}},
		{"spoke has its own gateway", transit("windows-sdn", "VpnGw1", allow, use, "    gateway: {type: Vpn}\n"),
			[]string{"remote-gateway-with-local-gateway@10"}},
		{"remote object absent: only not connected", "name: t\nvirtualNetworks:\n" +
			"  hub: {addressSpace: [10.0.0.0/16], gateway: {type: Vpn}}\n" +
			"  s: {addressSpace: [10.1.0.0/16], peerings: {s-h: {remoteVirtualNetwork: hub, useRemoteGateways: true}}}\n",
			[]string{"peering-not-connected@4"}},
		{"two remote gateways", "name: t\nvirtualNetworks:\n" +
			"  h1: {addressSpace: [10.0.0.0/16], gateway: {type: Vpn}, peerings: {h1-s: {remoteVirtualNetwork: s, allowGatewayTransit: true}}}\n" +
			"  h2: {addressSpace: [10.9.0.0/16], gateway: {type: Vpn}, peerings: {h2-s: {remoteVirtualNetwork: s, allowGatewayTransit: true}}}\n" +
			"  s:\n    addressSpace: [10.1.0.0/16]\n    peerings:\n" +
			"      s-h1: {remoteVirtualNetwork: h1, useRemoteGateways: true}\n" +
			"      s-h2: {remoteVirtualNetwork: h2, useRemoteGateways: true}\n",
			[]string{"remote-gateway-multiple@9"}},
		{"Basic SKU offers transit, azure", transit("azure", "Basic", allow, use, ""), []string{"gateway-transit-unsupported-sku@7"}},
		{"Basic SKU offers transit, windows-sdn", transit("windows-sdn", "Basic", allow, use, ""), nil},
	})
}

// routes is a VNet A with subnet s1 using table rt, a VM a1 (10.1.1.4,
// forwarding per fwd), and the route table's routes from line 12 on.
func routes(fwd string, extraVNets string, routes ...string) string {
	return "name: t\nvirtualNetworks:\n" +
		"  A:\n    addressSpace: [10.1.0.0/16]\n" +
		"    subnets: {s1: {addressPrefix: 10.1.1.0/24, routeTable: rt}}\n" +
		"    virtualMachines: {a1: {subnet: s1, ipAddress: 10.1.1.4, ipForwarding: " + fwd + "}}\n" +
		"    loadBalancers: {ilb: {subnet: s1, frontendIpAddress: 10.1.1.100}}\n" +
		extraVNets +
		"routeTables:\n  rt:\n    routes:\n" + strings.Join(routes, "")
}

func route(prefix, hopType, ip string) string {
	r := "      - {name: r" + strings.NewReplacer(".", "-", "/", "-").Replace(prefix) + ", addressPrefix: " + prefix + ", nextHopType: " + hopType
	if ip != "" {
		r += ", nextHopIpAddress: " + ip
	}
	return r + "}\n"
}

// TestRouteNextHops covers docs/semantics.md#user-routes-and-next-hops.
func TestRouteNextHops(t *testing.T) {
	const peerC = "    peerings: {a-c: {remoteVirtualNetwork: C}}\n"
	const vnetC = "  C:\n    addressSpace: [10.3.0.0/16]\n    subnets: {s: {addressPrefix: 10.3.1.0/24}}\n" +
		"    virtualMachines: {nva: {subnet: s, ipAddress: 10.3.1.4, ipForwarding: true}}\n"
	const backC = "    peerings: {c-a: {remoteVirtualNetwork: A}}\n"
	runRules(t, []ruleTest{
		// Invalid combinations.
		{"appliance without IP", routes("true", "", route("10.9.0.0/16", "VirtualAppliance", "")), []string{"route-next-hop-invalid@11"}},
		{"IP with Internet", routes("true", "", route("0.0.0.0/0", "Internet", "10.1.1.4")), []string{"route-next-hop-invalid@11"}},
		{"IP with None", routes("true", "", route("0.0.0.0/0", "None", "10.1.1.4")), []string{"route-next-hop-invalid@11"}},
		{"every other type without IP", routes("true", "",
			route("10.7.0.0/16", "None", ""), route("10.8.0.0/16", "Internet", ""),
			route("10.9.0.0/16", "VnetLocal", ""), route("10.6.0.0/16", "VirtualNetworkGateway", "")), nil},
		// Appliance addresses, per subnet using the table.
		{"appliance in the VNet", routes("true", "", route("10.9.0.0/16", "VirtualAppliance", "10.1.1.4")), nil},
		{"frontend as next hop", routes("false", "", route("10.9.0.0/16", "VirtualAppliance", "10.1.1.100")), nil},
		{"nobody holds it", routes("true", "", route("10.9.0.0/16", "VirtualAppliance", "10.1.1.99")), []string{"route-next-hop-not-found@11"}},
		{"VM without ipForwarding", routes("false", "", route("10.9.0.0/16", "VirtualAppliance", "10.1.1.4")), []string{"route-next-hop-not-forwarding@11"}},
		{"appliance in an unpeered VNet", routes("true", vnetC, route("10.9.0.0/16", "VirtualAppliance", "10.3.1.4")),
			[]string{"route-next-hop-unreachable@15"}},
		{"appliance in a Connected peer", routes("true", peerC+vnetC+backC, route("10.9.0.0/16", "VirtualAppliance", "10.3.1.4")), nil},
		{"appliance in an Initiated peer", routes("true", peerC+vnetC, route("10.9.0.0/16", "VirtualAppliance", "10.3.1.4")),
			[]string{"peering-not-connected@8", "route-next-hop-unreachable@16"}},
		{"table no subnet uses", "name: t\nrouteTables:\n  rt:\n    routes:\n" + route("10.9.0.0/16", "VirtualAppliance", "10.9.9.9"), nil},
		// A VirtualNetworkGateway next hop where the gateway is ExpressRoute.
		{"own ExpressRoute gateway", "name: t\nvirtualNetworks:\n  A:\n    addressSpace: [10.1.0.0/16]\n" +
			"    subnets: {s1: {addressPrefix: 10.1.1.0/24, routeTable: rt}}\n    gateway: {type: ExpressRoute}\n" +
			"routeTables:\n  rt:\n    routes:\n" + route("10.9.0.0/16", "VirtualNetworkGateway", ""),
			[]string{"route-next-hop-invalid@10"}},
		{"ExpressRoute gateway through transit", "name: t\nvirtualNetworks:\n" +
			"  hub: {addressSpace: [10.0.0.0/16], gateway: {type: ExpressRoute}, peerings: {h-s: {remoteVirtualNetwork: s, allowGatewayTransit: true}}}\n" +
			"  s:\n    addressSpace: [10.1.0.0/16]\n    subnets: {s1: {addressPrefix: 10.1.1.0/24, routeTable: rt}}\n" +
			"    peerings: {s-h: {remoteVirtualNetwork: hub, useRemoteGateways: true}}\n" +
			"routeTables:\n  rt:\n    routes:\n" + route("10.9.0.0/16", "VirtualNetworkGateway", ""),
			[]string{"route-next-hop-invalid@11"}},
		// On azure a Basic gateway offers no transit, so the spoke's
		// subnets do not route to it: its route is no concern of the
		// hub's gateway type (the engine drops such packets as
		// gateway-not-available).
		{"ExpressRoute Basic hub through transit, azure", "name: t\nplatform: azure\nvirtualNetworks:\n" +
			"  hub: {addressSpace: [10.0.0.0/16], gateway: {type: ExpressRoute, sku: Basic}, peerings: {h-s: {remoteVirtualNetwork: s, allowGatewayTransit: true}}}\n" +
			"  s:\n    addressSpace: [10.1.0.0/16]\n    subnets: {s1: {addressPrefix: 10.1.1.0/24, routeTable: rt}}\n" +
			"    peerings: {s-h: {remoteVirtualNetwork: hub, useRemoteGateways: true}}\n" +
			"routeTables:\n  rt:\n    routes:\n" + route("10.9.0.0/16", "VirtualNetworkGateway", ""),
			[]string{"gateway-transit-unsupported-sku@4"}},
	})
}

// acl is an ACL on platform with one rule per "priority direction" pair;
// rule i is on line 5+i.
func acl(platform string, rules ...string) string {
	s := "name: t\nplatform: " + platform + "\naccessControlLists:\n  acl:\n    rules:\n"
	for i, r := range rules {
		prio, dir, _ := strings.Cut(r, " ")
		s += "      - {name: r" + string(rune('a'+i)) + ", priority: " + prio + ", type: " + dir + ", action: Allow}\n"
	}
	return s
}

// TestACLPriorities covers the priority rules of docs/semantics.md#acls.
func TestACLPriorities(t *testing.T) {
	runRules(t, []ruleTest{
		// windows-sdn: 1-65535; 1-100 and 65001-65535 reserved; unique per ACL.
		{"windows-sdn user band", acl("windows-sdn", "101 Inbound", "65000 Inbound"), nil},
		{"windows-sdn reserved low", acl("windows-sdn", "1 Inbound", "100 Outbound"), []string{"acl-priority-reserved@6", "acl-priority-reserved@7"}},
		{"windows-sdn reserved high", acl("windows-sdn", "65001 Inbound", "65535 Outbound"), []string{"acl-priority-reserved@6", "acl-priority-reserved@7"}},
		{"windows-sdn out of range", acl("windows-sdn", "0 Inbound", "65536 Inbound", "-5 Inbound"),
			[]string{"acl-priority-invalid@6", "acl-priority-invalid@7", "acl-priority-invalid@8"}},
		{"windows-sdn far out of range", acl("windows-sdn", "5000000000 Inbound", "-5000000000 Outbound"),
			[]string{"acl-priority-invalid@6", "acl-priority-invalid@7"}},
		{"windows-sdn duplicate across directions", acl("windows-sdn", "200 Inbound", "200 Outbound"), []string{"acl-priority-duplicate@7"}},
		// azure: 100-4096, unique per direction, nothing reserved.
		{"azure range", acl("azure", "100 Inbound", "4096 Outbound"), nil},
		{"azure out of range", acl("azure", "99 Inbound", "4097 Inbound"), []string{"acl-priority-invalid@6", "acl-priority-invalid@7"}},
		{"azure same priority, other direction", acl("azure", "200 Inbound", "200 Outbound"), nil},
		{"azure duplicate in one direction", acl("azure", "200 Inbound", "300 Outbound", "200 Inbound"), []string{"acl-priority-duplicate@8"}},
	})
}

// TestStructure covers the checks Load makes on names and addresses.
func TestStructure(t *testing.T) {
	const head = "name: t\nvirtualNetworks:\n  A:\n    addressSpace: [10.1.0.0/16, \"fd01::/48\"]\n" +
		"    subnets: {s1: {addressPrefix: 10.1.1.0/24}, s6: {addressPrefix: \"fd01:0:0:1::/64\"}}\n"
	runRules(t, []ruleTest{
		{"IPv6 subnet and VM", head + "    virtualMachines: {v6: {subnet: s6, ipAddress: \"fd01:0:0:1::4\"}}\n", nil},
		{"VM outside its subnet", head + "    virtualMachines: {a1: {subnet: s1, ipAddress: 10.1.2.4}}\n", []string{"address-outside-subnet@6"}},
		{"IPv4 VM in an IPv6 subnet", head + "    virtualMachines: {a1: {subnet: s6, ipAddress: 10.1.1.4}}\n", []string{"address-outside-subnet@6"}},
		{"VM and frontend share an address", head +
			"    virtualMachines: {a1: {subnet: s1, ipAddress: 10.1.1.4}}\n" +
			"    loadBalancers: {lb: {subnet: s1, frontendIpAddress: 10.1.1.4}}\n", []string{"duplicate-address@7"}},
		{"VM and load balancer share a name", head +
			"    virtualMachines: {web: {subnet: s1, ipAddress: 10.1.1.4}}\n" +
			"    loadBalancers: {web: {subnet: s1, frontendIpAddress: 10.1.1.5}}\n", []string{"ambiguous-name@7"}},
		// Names are unique within their map: the same VM name in two VNets is
		// valid, and only ambiguous as an endpoint.
		{"one VM name in two VNets", head + "    virtualMachines: {web: {subnet: s1, ipAddress: 10.1.1.4}}\n" +
			"  B:\n    addressSpace: [10.2.0.0/16]\n    subnets: {s1: {addressPrefix: 10.2.1.0/24}}\n" +
			"    virtualMachines: {web: {subnet: s1, ipAddress: 10.2.1.4}}\n", []string{"ambiguous-name@10"}},
		{"same address in two VNets is fine", head + "    virtualMachines: {a1: {subnet: s1, ipAddress: 10.1.1.4}}\n" +
			"  B:\n    addressSpace: [10.1.0.0/16]\n    subnets: {s1: {addressPrefix: 10.1.1.0/24}}\n" +
			"    virtualMachines: {b1: {subnet: s1, ipAddress: 10.1.1.4}}\n", nil},
		{"subnet spanning two ranges", "name: t\nvirtualNetworks:\n  A:\n    addressSpace: [10.1.0.0/24, 10.1.1.0/24]\n" +
			"    subnets: {s: {addressPrefix: 10.1.0.0/23}}\n", []string{"subnet-outside-address-space@5"}},
		{"equal subnets", "name: t\nvirtualNetworks:\n  A:\n    addressSpace: [10.1.0.0/16]\n" +
			"    subnets:\n      s1: {addressPrefix: 10.1.1.0/24}\n      s2: {addressPrefix: 10.1.1.0/24}\n", []string{"subnet-overlap@7"}},
		{"host bits", "name: t\nvirtualNetworks:\n  A:\n    addressSpace: [10.1.2.3/16]\n", []string{"non-canonical-prefix@4"}},
	})
}

// TestValidateModel checks Validate on models changed in memory, as the
// simulator does after an event: paths, not positions, and no
// dependence on map order.
func TestValidateModel(t *testing.T) {
	base := func(t *testing.T) *Network {
		return loadT(t, pair("windows-sdn",
			"    peerings: {a-b: {remoteVirtualNetwork: B}}\n",
			"    peerings: {b-a: {remoteVirtualNetwork: A}}\n"))
	}
	tests := []struct {
		name   string
		change func(n *Network)
		want   diag.Code
		path   diag.Path
		text   string
	}{
		{"remote object deleted: Disconnected", func(n *Network) {
			delete(n.VirtualNetworks["B"].Peerings, "b-a")
			n.VirtualNetworks["A"].Peerings["a-b"].Disconnected = true
		}, diag.PeeringNotConnected, peeringPath("A", "a-b"), "Disconnected"},
		{"remote VNet deleted", func(n *Network) { delete(n.VirtualNetworks, "B") },
			diag.PeeringNotConnected, peeringPath("A", "a-b"), "does not exist"},
		{"range added to B overlaps A", func(n *Network) {
			b := n.VirtualNetworks["B"]
			b.AddressSpace = append(b.AddressSpace, netip.MustParsePrefix("10.1.128.0/17"))
		}, diag.PeeringAddressOverlap, peeringPath("A", "a-b"), "10.1.128.0/17 of B"},
		{"subnet added outside", func(n *Network) {
			a := n.VirtualNetworks["A"]
			a.Subnets["x"] = &Subnet{Name: "x", VirtualNetwork: a, AddressPrefix: netip.MustParsePrefix("10.7.0.0/24")}
		}, diag.SubnetOutsideAddressSpace, subnetPath("A", "x").Child("addressPrefix"), "10.7.0.0/24"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := base(t)
			tt.change(n)
			ds := Validate(n)
			i := slices.IndexFunc(ds, func(d diag.Diagnostic) bool { return d.Code == tt.want })
			if i < 0 {
				t.Fatalf("no %s in:\n%v", tt.want, ds)
			}
			if d := ds[i]; !slices.Equal(d.Path, tt.path) || !strings.Contains(d.Summary, tt.text) || d.Subject.IsValid() {
				t.Errorf("got path %s summary %q subject %v; want path %s, summary containing %q, no subject",
					d.Path, d.Summary, d.Subject, tt.path, tt.text)
			}
		})
	}
	if Validate(nil) != nil {
		t.Errorf("Validate(nil) is not nil")
	}
}

// TestValidateDeterministic runs Validate repeatedly over a file with many
// findings: map order must never show in the result.
func TestValidateDeterministic(t *testing.T) {
	var all []string
	for _, path := range exampleFiles(t, "broken/*.yaml") {
		n, _, _ := Load(path, readFile(t, path))
		if n == nil {
			continue
		}
		first := formatDiags(Validate(n))
		for range 20 {
			if got := formatDiags(Validate(n)); got != first {
				t.Fatalf("%s: Validate is not deterministic:\n%s\nvs\n%s", path, first, got)
			}
		}
		all = append(all, first)
	}
	if len(all) == 0 {
		t.Fatal("no broken example loads")
	}
}

// TestValidatorIndexMatchesState checks that the peering index Validate
// uses answers exactly as Network.PeeringState and Network.Connected do,
// including after objects and VNets are deleted.
func TestValidatorIndexMatchesState(t *testing.T) {
	var nets []*Network
	for _, path := range exampleFiles(t, "*.yaml") {
		nets = append(nets, loadT(t, string(readFile(t, path))))
	}
	for _, path := range exampleFiles(t, "broken/*.yaml") {
		if n, _, _ := Load(path, readFile(t, path)); n != nil {
			nets = append(nets, n)
		}
	}
	hs := loadT(t, string(readFile(t, "../examples/hub-spoke.yaml")))
	delete(hs.VirtualNetworks, "spoke2")
	delete(hs.VirtualNetworks["spoke1"].Peerings, "spoke1-to-hub")
	hs.VirtualNetworks["hub"].Peerings["hub-to-spoke1"].Disconnected = true
	nets = append(nets, hs)
	for _, n := range nets {
		x := newValidator(n)
		names := sortedKeys(n.VirtualNetworks)
		for _, v := range n.VirtualNetworks {
			for _, p := range v.Peerings {
				if got, want := x.state(v.Name, p), n.PeeringState(v.Name, p); got != want {
					t.Errorf("%s: state of %s/%s = %v, want %v", n.Name, v.Name, p.Name, got, want)
				}
			}
		}
		for _, a := range append(names, "gone") {
			for _, b := range append(names, "gone") {
				if got, want := x.connected(a, b), n.Connected(a, b); got != want {
					t.Errorf("%s: connected(%s, %s) = %v, want %v", n.Name, a, b, got, want)
				}
			}
		}
	}
}

// A VNet without a Network Controller is named as such in a mismatch, not
// as the controller "".
func TestControllerMismatchNamesAnUnsetController(t *testing.T) {
	_, _, ds := checkT(t, pair("windows-sdn",
		"    networkController: nc1\n    peerings: {ab: {remoteVirtualNetwork: B}}\n",
		"    peerings: {ba: {remoteVirtualNetwork: A}}\n"))
	for _, d := range ds {
		if d.Code == diag.PeeringControllerMismatch && (strings.Contains(d.Summary, `""`) || !strings.Contains(d.Summary, "no Network Controller")) {
			t.Errorf("summary %q", d.Summary)
		}
	}
	if len(ds) == 0 {
		t.Error("no diagnostic")
	}
}

// The ranges of one address space must not overlap or repeat: one
// invalid-value error per overlapping set, at the range that overlaps an
// earlier one.
func TestAddressSpaceOverlap(t *testing.T) {
	space := func(ranges string) string {
		return "name: t\nplatform: azure\nvirtualNetworks:\n  A:\n    addressSpace: [" + ranges + "]\n"
	}
	runRules(t, []ruleTest{
		{"disjoint", space("10.1.0.0/16, 10.2.0.0/16"), nil},
		{"a range twice", space("10.1.0.0/16, 10.1.0.0/16"), []string{"invalid-value@5"}},
		{"a range inside another", space("10.1.0.0/16, 10.1.0.0/24"), []string{"invalid-value@5"}},
		{"two sets", space("10.1.0.0/16, 10.1.0.0/24, 10.2.0.0/16, 10.2.1.0/24, 10.2.2.0/24"), []string{"invalid-value@5", "invalid-value@5"}},
	})
}

// samePrefixes compares sets: a repeated prefix does not stand in for a
// missing one.
func TestSamePrefixes(t *testing.T) {
	a, b := netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("10.2.0.0/16")
	if samePrefixes([]netip.Prefix{a, a}, []netip.Prefix{a, b}) || samePrefixes([]netip.Prefix{a, b}, []netip.Prefix{a, a}) {
		t.Error("[a a] and [a b] compare equal")
	}
	if !samePrefixes([]netip.Prefix{a, b}, []netip.Prefix{b, a}) {
		t.Error("order matters")
	}
}
