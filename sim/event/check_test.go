package event

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/vnetsim/vnetsim/topology"
)

// TestScopedValidationOnEstate checks Apply's scoped validation against
// validating the whole generated estate, for the benchmark's events and for
// events that introduce errors far from the VNet they change.
func TestScopedValidationOnEstate(t *testing.T) {
	for _, platform := range []topology.Platform{topology.WindowsSDN, topology.Azure} {
		t.Run(platform.String(), func(t *testing.T) {
			n := topology.Generate(topology.GenerateOptions{Hubs: 2, Spokes: 12, Platform: platform})
			evs := []Event{
				// A new VNet overlapping spoke00-003, peered with hub00:
				// peered-overlaps-hub-peer, an error on azure only.
				CreateVirtualNetwork{Name: "x", AddressSpace: []netip.Prefix{pfx("10.0.12.0/24")}},
				CreatePeering{VNet: "x", Name: "x-to-hub", RemoteVirtualNetwork: "hub00"},
				CreatePeering{VNet: "hub00", Name: "hub-to-x", RemoteVirtualNetwork: "x"},
				// A VM named like one in another VNet: duplicate-name.
				SetVirtualMachine{VNet: "spoke01-002", Name: "vm00-005-a", Subnet: "s0", IPAddress: addr("10.64.8.9")},
				// The hub's gateway, used by every spoke: remote-gateway-missing.
				RemoveGateway{VNet: "hub01"},
				// A spoke's second useRemoteGateways object: remote-gateway-multiple.
				CreatePeering{VNet: "spoke00-001", Name: "to-hub01", RemoteVirtualNetwork: "hub01", Flags: PeeringFlags{topology.FlagUseRemoteGateways: Bool(true)}},
				// A Basic hub gateway offering transit: an error on azure.
				SetGateway{VNet: "hub00", Gateway: GatewaySpec{Name: "gw-00", Type: topology.Vpn, SKU: "Basic", Connections: []string{"dc00"}}},
				// The appliance address moved: spokes' routes lose it (a warning only).
				SetVirtualMachine{VNet: "hub00", Name: "nva-00", IPAddress: addr("100.64.1.5")},
				// Hub-to-hub peering gone: the nva routes of the hubs cross it.
				DeletePeering{Peering: PeeringRef{VNet: "hub00", RemoteVirtualNetwork: "hub01"}},
			}
			for _, ev := range evs {
				var r *Refusal
				next, r := applyChecked(t, n, ev)
				if r == nil {
					n = next
				}
			}
		})
	}
}

// TestScopedValidationRandom applies seeded random events to small
// generated estates on both platforms; applyChecked compares each verdict
// with validating the whole network, so a neighbourhood that misses a
// check shows up here.
func TestScopedValidationRandom(t *testing.T) {
	prefixes := []string{"10.0.0.0/22", "10.0.2.0/24", "10.0.64.0/22", "10.9.0.0/16", "100.64.0.0/16", "100.64.128.0/17", "10.200.0.0/16"}
	ips := []string{"100.64.1.4", "100.65.1.4", "10.0.0.4", "10.0.64.4", "10.200.0.4"}
	for _, platform := range []topology.Platform{topology.WindowsSDN, topology.Azure} {
		t.Run(platform.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(platform)))
			n := topology.Generate(topology.GenerateOptions{Hubs: 2, Spokes: 6, Platform: platform})
			pick := func(names []string) string { return names[rng.IntN(len(names))] }
			accepted := 0
			for i := range 250 {
				vnets := slices.Sorted(maps.Keys(n.VirtualNetworks))
				v := pick(vnets)
				var ev Event
				switch rng.IntN(14) {
				case 0:
					ev = CreatePeering{VNet: v, Name: fmt.Sprintf("p%d", i), RemoteVirtualNetwork: pick(vnets),
						Flags: PeeringFlags{topology.FlagUseRemoteGateways: Bool(rng.IntN(3) == 0), topology.FlagAllowGatewayTransit: Bool(rng.IntN(2) == 0)}}
				case 1, 2:
					peerings := slices.Sorted(maps.Keys(n.VirtualNetworks[v].Peerings))
					if len(peerings) == 0 {
						continue
					}
					ref := PeeringRef{VNet: v, Name: pick(peerings)}
					if rng.IntN(2) == 0 {
						ev = DeletePeering{Peering: ref}
					} else {
						ev = UpdatePeering{Peering: ref, Flags: PeeringFlags{topology.FlagUseRemoteGateways: Bool(rng.IntN(2) == 0), topology.FlagAllowGatewayTransit: Bool(rng.IntN(2) == 0)}}
					}
				case 3:
					ev = AddAddressPrefix{VNet: v, Prefix: pfx(pick(prefixes))}
				case 4:
					ev = RemoveAddressPrefix{VNet: v, Prefix: pfx(pick(prefixes))}
				case 5:
					if rng.IntN(2) == 0 {
						ev = RemoveGateway{VNet: v}
					} else {
						ev = SetGateway{VNet: v, Gateway: GatewaySpec{Type: topology.Vpn, SKU: pick([]string{"Basic", "VpnGw1"})}}
					}
				case 6:
					subnets := slices.Sorted(maps.Keys(n.VirtualNetworks[v].Subnets))
					if len(subnets) == 0 {
						continue
					}
					ev = SetVirtualMachine{VNet: v, Name: pick([]string{"x1", "x2", "nva-00", "vm00-000-a"}), Subnet: pick(subnets), IPAddress: addr(pick(ips))}
				case 7:
					tables := slices.Sorted(maps.Keys(n.RouteTables))
					ev = AddRoute{RouteTable: pick(tables), Route: topology.Route{Name: fmt.Sprintf("r%d", i), AddressPrefix: pfx(pick(prefixes)),
						NextHopType: topology.NextHopVirtualAppliance, NextHopIPAddress: addr(pick(ips))}}
				case 8:
					ev = CreateVirtualNetwork{Name: fmt.Sprintf("v%d", i), AddressSpace: []netip.Prefix{pfx(pick(prefixes))}}
				case 9:
					if rng.IntN(4) == 0 {
						ev = DeleteVirtualNetwork{Name: v}
					} else {
						ev = AddSubnet{VNet: v, Subnet: SubnetSpec{Name: fmt.Sprintf("s%d", i), AddressPrefix: pfx(pick(prefixes))}}
					}
				case 11:
					subnets := slices.Sorted(maps.Keys(n.VirtualNetworks[v].Subnets))
					if len(subnets) == 0 {
						continue
					}
					ev = SetLoadBalancer{VNet: v, Name: pick([]string{"lb1", "lb2", "vm00-001-a"}), Subnet: pick(subnets), FrontendIPAddress: addr(pick(ips))}
				case 12:
					if rng.IntN(2) == 0 {
						ev = CreateRouteTable{Name: fmt.Sprintf("t%d", i), Routes: []topology.Route{{Name: "r", AddressPrefix: pfx(pick(prefixes)),
							NextHopType: topology.NextHopVirtualAppliance, NextHopIPAddress: addr(pick(ips))}}}
					} else {
						ev = CreateAccessControlList{Name: fmt.Sprintf("a%d", i), Rules: []topology.ACLRule{{Name: "r", Priority: rng.IntN(70000)}}}
					}
				case 13:
					subnets := slices.Sorted(maps.Keys(n.VirtualNetworks[v].Subnets))
					if len(subnets) == 0 {
						continue
					}
					tables := append(slices.Sorted(maps.Keys(n.RouteTables)), "")
					ev = SetSubnet{VNet: v, Name: pick(subnets), RouteTable: ptr(pick(tables))}
				case 10:
					remote := pick(vnets)
					if back := n.VirtualNetworks[remote].PeeringTo(v); back == nil {
						ev = CreatePeering{VNet: remote, Name: fmt.Sprintf("back%d", i), RemoteVirtualNetwork: v}
					} else {
						continue
					}
				}
				next, r := applyChecked(t, n, ev)
				if t.Failed() {
					t.Fatalf("event %d: %s %v", i, ev.Kind(), ev.Fields())
				}
				if r == nil {
					n = next
					accepted++
				}
			}
			t.Logf("%d of 250 events accepted", accepted)
			if accepted < 50 {
				t.Errorf("only %d events accepted; the test exercises too little", accepted)
			}
		})
	}
}
