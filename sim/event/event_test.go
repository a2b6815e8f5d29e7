package event

import (
	"encoding/json"
	"fmt"
	"iter"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vnetsim/vnetsim/internal/simtest"
	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// applyChecked applies ev and fails the test when Apply changed its input,
// or when a refusal did not hand back the input itself.
func applyChecked(t *testing.T, n *topology.Network, ev Event) (*topology.Network, *Refusal) {
	t.Helper()
	before := n.Clone()
	n.ACLUsers("") // build the input's index, so that the result inherits it
	got, r := Apply(n, ev)
	if diff := cmp.Diff(before, n, equalNetworks); diff != "" {
		t.Fatalf("Apply changed its input (-before +after):\n%s", diff)
	}
	if r != nil && got != n {
		t.Fatalf("a refused event returned a new network")
	}
	checkAgainstFullValidation(t, n, ev, r)
	checkUsersIndex(t, got)
	return got, r
}

// checkUsersIndex compares n's index of ACL and route table users, which
// Apply hands down from network to network, with one built from scratch.
func checkUsersIndex(t *testing.T, n *topology.Network) {
	t.Helper()
	fresh := n.ShallowCopy() // shares the VNets, not the index
	for name := range n.AccessControlLists {
		if got, want := n.ACLUsers(name), fresh.ACLUsers(name); !slices.Equal(got, want) {
			t.Errorf("users of ACL %s = %v, want %v", name, got, want)
		}
	}
	for name := range n.RouteTables {
		if got, want := n.RouteTableUsers(name), fresh.RouteTableUsers(name); !slices.Equal(got, want) {
			t.Errorf("users of route table %s = %v, want %v", name, got, want)
		}
	}
	// The other questions answer sets: compare them as sets.
	set := func(seq iter.Seq[string]) []string { return slices.Compact(slices.Sorted(seq)) }
	same := func(what string, got, want iter.Seq[string]) {
		if g, w := set(got), set(want); !slices.Equal(g, w) {
			t.Errorf("%s = %v, want %v", what, g, w)
		}
	}
	for vn, v := range n.VirtualNetworks {
		same("VNets peered toward "+vn, n.PeeredBy(vn), fresh.PeeredBy(vn))
		for _, p := range v.AddressSpace {
			same("VNets overlapping "+p.String(), n.Overlapping(p), fresh.Overlapping(p))
		}
		for _, p := range v.Peerings {
			same("VNets peered toward "+p.RemoteVirtualNetwork, n.PeeredBy(p.RemoteVirtualNetwork), fresh.PeeredBy(p.RemoteVirtualNetwork))
			if got, want := set(slices.Values(n.PeeringsBetween(vn, p.RemoteVirtualNetwork))), set(slices.Values(fresh.PeeringsBetween(vn, p.RemoteVirtualNetwork))); !slices.Equal(got, want) {
				t.Errorf("peerings from %s to %s = %v, want %v", vn, p.RemoteVirtualNetwork, got, want)
			}
		}
		for _, vm := range v.VirtualMachines {
			same("holders of "+vm.IPAddress.String(), n.AddressHolders(vm.IPAddress), fresh.AddressHolders(vm.IPAddress))
		}
	}
}

// checkAgainstFullValidation compares Apply's verdict with the slow
// reference its scoped check stands for: validating the whole network
// before and after the event. A refusal for a diagnostic code must name an
// error the reference finds new; an acceptance means the reference finds
// none.
func checkAgainstFullValidation(t *testing.T, n *topology.Network, ev Event, r *Refusal) {
	t.Helper()
	tx := newTx(n)
	if ev.apply(tx) != nil || tx.skipValidation {
		return // refused before validation, or never validated
	}
	before := map[string]bool{}
	for _, e := range modelErrors(n) {
		before[e.key()] = true
	}
	newCodes := map[diag.Code]bool{}
	for _, e := range modelErrors(tx.n) {
		if !before[e.key()] {
			newCodes[e.d.Code] = true
		}
	}
	switch {
	case r == nil && len(newCodes) > 0:
		t.Errorf("%s accepted, but validating the whole network finds new errors %v", ev.Kind(), newCodes)
	case r != nil && !newCodes[r.Code]:
		t.Errorf("%s refused with %s, but validating the whole network finds new errors %v", ev.Kind(), r.Code, newCodes)
	}
}

// fate traces from → to over TCP and returns "delivered", "exited" or
// "dropped:REASON", followed by " via a,b,c".
func fate(t *testing.T, n *topology.Network, from, to string, port uint16) string {
	t.Helper()
	e := sim.New(n)
	f, err := e.NewFlow(from, to, topology.TCP, port)
	if err != nil {
		t.Fatalf("flow %s → %s: %v", from, to, err)
	}
	tr := e.Trace(f)
	s := tr.Result.String()
	if tr.Reason != "" {
		s += ":" + string(tr.Reason)
	}
	var via []string
	for _, h := range tr.Hops {
		via = append(via, h.Node)
	}
	return s + " via " + strings.Join(via, ",")
}

func hubSpoke(t testing.TB) *topology.Network {
	return simtest.LoadFile(t, "../../examples/hub-spoke.yaml")
}

// TestEventsChangeTheNetwork applies every event kind to a working estate
// and checks the state and the reachability after it: a packet's fate
// (with its hops) and a fact about the changed object.
func TestEventsChangeTheNetwork(t *testing.T) {
	// spoke1 ↔ spoke2 as a direct peering, for rows that start from it.
	directPeering := []Event{
		CreatePeering{VNet: "spoke1", Name: "s1-to-s2", RemoteVirtualNetwork: "spoke2"},
		CreatePeering{VNet: "spoke2", Name: "s2-to-s1", RemoteVirtualNetwork: "spoke1"},
	}
	// Without the appliance route, a spoke that leaves the hub is simply
	// not peered, rather than routing to an appliance out of reach.
	noChaining := RemoveRoute{RouteTable: "rt-spoke", Name: "to-hub-nva"}
	unpeerSpoke3 := []Event{noChaining,
		DeletePeering{Peering: PeeringRef{VNet: "spoke3", Name: "spoke3-to-hub"}},
		DeletePeering{Peering: PeeringRef{VNet: "hub", Name: "hub-to-spoke3"}}}
	state := func(vnet, name string, want topology.PeeringState) func(*testing.T, *topology.Network) {
		return func(t *testing.T, n *topology.Network) {
			if got := stateOf(n, vnet, name); got != want {
				t.Errorf("%s/%s is %v, want %v", vnet, name, got, want)
			}
		}
	}
	tests := []struct {
		name     string
		setup    []Event
		event    Event
		from, to string
		port     uint16
		want     string
		fact     func(*testing.T, *topology.Network)
	}{
		// Peerings. Creating one causes no downtime (docs/semantics.md#peering-states).
		{"createPeering one side keeps the appliance path", nil,
			directPeering[0], "app1", "app2", 443, "delivered via app1,nva1,app2", state("spoke1", "s1-to-s2", topology.Initiated)},
		{"createPeering second side goes direct", directPeering[:1],
			directPeering[1], "app1", "app2", 443, "delivered via app1,app2", state("spoke2", "s2-to-s1", topology.Connected)},
		{"updatePeering forwarded traffic off", nil,
			UpdatePeering{Peering: PeeringRef{VNet: "spoke2", Name: "spoke2-to-hub"}, Flags: PeeringFlags{topology.FlagAllowForwardedTraffic: Bool(false)}},
			"app1", "app2", 443, "dropped:forwarded-traffic-blocked via app1,nva1", state("spoke2", "spoke2-to-hub", topology.Connected)},
		{"updatePeering access off", nil,
			UpdatePeering{Peering: PeeringRef{VNet: "spoke1", RemoteVirtualNetwork: "hub"}, Flags: PeeringFlags{topology.FlagAllowVirtualNetworkAccess: Bool(false)}},
			"app1", "web1", 443, "dropped:peering-access-disabled via app1", state("spoke1", "spoke1-to-hub", topology.Connected)},
		{"deletePeering disconnects the other side", nil,
			DeletePeering{Peering: PeeringRef{VNet: "spoke2", Name: "spoke2-to-hub"}},
			"web1", "app2", 443, "dropped:peering-not-connected via web1", state("hub", "hub-to-spoke2", topology.Disconnected)},

		// Virtual networks, subnets and VMs.
		{"createVirtualNetwork is not peered", nil,
			CreateVirtualNetwork{Name: "spoke4", AddressSpace: []netip.Prefix{pfx("10.4.0.0/16")},
				Subnets:         []SubnetSpec{{Name: "app", AddressPrefix: pfx("10.4.1.0/24")}},
				VirtualMachines: []VirtualMachineSpec{{Name: "app4", Subnet: "app", IPAddress: addr("10.4.1.4"), Running: true}}},
			"app4", "web1", 443, "dropped:not-peered via app4", func(t *testing.T, n *topology.Network) {
				if c := n.VirtualNetworks["spoke4"].NetworkController; c != "nc1" {
					t.Errorf("spoke4's controller = %q, want the file's nc1", c)
				}
			}},
		{"deleteVirtualNetwork disconnects its peers", nil,
			DeleteVirtualNetwork{Name: "spoke3"},
			"app1", "web1", 443, "delivered via app1,web1", state("hub", "hub-to-spoke3", topology.Disconnected)},
		{"addSubnet and a VM in it are reachable", []Event{AddSubnet{VNet: "spoke3", Subnet: SubnetSpec{Name: "db", AddressPrefix: pfx("10.3.2.0/24")}}},
			SetVirtualMachine{VNet: "spoke3", Name: "db3", Subnet: "db", IPAddress: addr("10.3.2.4")},
			"app1", "db3", 443, "delivered via app1,nva1,db3", nil},
		{"removeSubnet of an empty subnet", nil,
			RemoveSubnet{VNet: "hub", Name: "GatewaySubnet"},
			"app1", "web1", 443, "delivered via app1,web1", func(t *testing.T, n *topology.Network) {
				if n.VirtualNetworks["hub"].Subnets["GatewaySubnet"] != nil {
					t.Error("GatewaySubnet is still there")
				}
			}},
		{"setVirtualMachine stops the appliance", nil,
			SetVirtualMachine{VNet: "hub", Name: "nva1", Running: Bool(false)},
			"app1", "app2", 443, "dropped:next-hop-down via app1,nva1", nil},
		{"setVirtualMachine moves a VM", nil,
			SetVirtualMachine{VNet: "spoke1", Name: "db1", Subnet: "app", IPAddress: addr("10.1.1.9")},
			"app2", "db1", 22, "dropped:acl-denied via app2,nva1,db1", nil},

		// Address space (azure allows it while peered, windows-sdn does not).
		{"addAddressPrefix once unpeered", unpeerSpoke3,
			AddAddressPrefix{VNet: "spoke3", Prefix: pfx("10.33.0.0/16")},
			"app1", "app3", 443, "dropped:not-peered via app1", func(t *testing.T, n *topology.Network) {
				if got := n.VirtualNetworks["spoke3"].AddressSpace; len(got) != 2 || got[1] != pfx("10.33.0.0/16") {
					t.Errorf("spoke3's space = %v, want 10.3.0.0/16 and 10.33.0.0/16", got)
				}
			}},
		{"removeAddressPrefix once unpeered", append(unpeerSpoke3, AddAddressPrefix{VNet: "spoke3", Prefix: pfx("10.33.0.0/16")},
			AddSubnet{VNet: "spoke3", Subnet: SubnetSpec{Name: "new", AddressPrefix: pfx("10.33.1.0/24")}},
			SetVirtualMachine{VNet: "spoke3", Name: "app3", Subnet: "new", IPAddress: addr("10.33.1.4")},
			RemoveSubnet{VNet: "spoke3", Name: "app"}),
			RemoveAddressPrefix{VNet: "spoke3", Prefix: pfx("10.3.0.0/16")},
			"app3", "web1", 443, "dropped:not-peered via app3", func(t *testing.T, n *topology.Network) {
				if got := n.VirtualNetworks["spoke3"].AddressSpace; len(got) != 1 || got[0] != pfx("10.33.0.0/16") {
					t.Errorf("spoke3's space = %v, want 10.33.0.0/16 alone", got)
				}
			}},

		// Gateways.
		{"setGateway without connections", nil,
			SetGateway{VNet: "hub", Gateway: GatewaySpec{Name: "hub-gw", Type: topology.Vpn, SKU: "VpnGw1"}},
			"app1", "op1", 443, "dropped:no-route via app1", nil},

		{"removeGateway once no spoke uses it", []Event{
			UpdatePeering{Peering: PeeringRef{VNet: "spoke1", Name: "spoke1-to-hub"}, Flags: PeeringFlags{topology.FlagUseRemoteGateways: Bool(false)}},
			UpdatePeering{Peering: PeeringRef{VNet: "spoke2", Name: "spoke2-to-hub"}, Flags: PeeringFlags{topology.FlagUseRemoteGateways: Bool(false)}},
			UpdatePeering{Peering: PeeringRef{VNet: "spoke3", Name: "spoke3-to-hub"}, Flags: PeeringFlags{topology.FlagUseRemoteGateways: Bool(false)}}},
			RemoveGateway{VNet: "hub"},
			"nva1", "op1", 443, "dropped:no-route via nva1", func(t *testing.T, n *topology.Network) {
				if n.VirtualNetworks["hub"].Gateway != nil {
					t.Error("the hub still has a gateway")
				}
			}},

		// Extension events: load balancers, new tables and ACLs, subnet links.
		{"setLoadBalancer in front of a spoke VM", nil,
			SetLoadBalancer{VNet: "spoke3", Name: "ilb3", Subnet: "app", FrontendIPAddress: addr("10.3.1.100"), Backends: []string{"app3"}},
			"web1", "ilb3", 443, "delivered via web1,ilb3,app3", nil},
		{"removeLoadBalancer leaves its address empty", nil,
			RemoveLoadBalancer{VNet: "hub", Name: "web-ilb"},
			"app1", "10.0.3.100", 443, "dropped:destination-not-found via app1,10.0.3.100", nil},
		{"a new route table attached to a subnet", []Event{CreateRouteTable{Name: "rt-drop", Routes: []topology.Route{
			{Name: "hub-null", AddressPrefix: pfx("10.0.3.0/24"), NextHopType: topology.NextHopNone}}}},
			SetSubnet{VNet: "spoke2", Name: "app", RouteTable: ptr("rt-drop")},
			"app2", "web1", 443, "dropped:null-route via app2", nil},
		{"a new ACL attached to a subnet", []Event{CreateAccessControlList{Name: "deny-in", InboundDefaultAction: topology.Deny}},
			SetSubnet{VNet: "spoke3", Name: "app", AccessControlList: ptr("deny-in")},
			"web1", "app3", 443, "dropped:acl-denied via web1,app3", nil},
		{"setSubnet detaches a route table", nil,
			SetSubnet{VNet: "spoke1", Name: "app", RouteTable: ptr("")},
			"app1", "app2", 443, "dropped:not-peered via app1", nil},

		// Routes and ACLs.
		{"addRoute null-routes a spoke", nil,
			AddRoute{RouteTable: "rt-spoke", Route: topology.Route{Name: "blackhole", AddressPrefix: pfx("10.2.0.0/16"), NextHopType: topology.NextHopNone}},
			"app1", "app2", 443, "dropped:null-route via app1", nil},
		{"removeRoute ends service chaining", nil,
			RemoveRoute{RouteTable: "rt-spoke", Name: "to-hub-nva"},
			"app1", "app2", 443, "dropped:not-peered via app1", nil},
		{"addAclRule denies HTTPS from the hub", nil,
			AddACLRule{AccessControlList: "app-acl", Rule: topology.ACLRule{Name: "deny-hub", Priority: 150, Type: topology.Inbound,
				Action: topology.Deny, Protocol: topology.TCP, SourceAddressPrefixes: []topology.AddressMatch{{Prefix: pfx("10.0.0.0/16")}},
				SourcePortRanges: []topology.PortRange{topology.AnyPort}, DestinationAddressPrefixes: []topology.AddressMatch{topology.AnyAddress}, DestinationPortRanges: []topology.PortRange{{Lo: 443, Hi: 443}}}},
			"web1", "app1", 443, "dropped:acl-denied via web1,app1", nil},
		{"removeAclRule lets SSH in", nil,
			RemoveACLRule{AccessControlList: "app-acl", Name: "deny-spoke2-ssh"},
			"app2", "app1", 22, "delivered via app2,nva1,app1", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := applyAll(t, hubSpoke(t), tc.setup)
			got, r := applyChecked(t, n, tc.event)
			if r != nil {
				t.Fatalf("refused: %v", r)
			}
			if f := fate(t, got, tc.from, tc.to, tc.port); f != tc.want {
				t.Errorf("%s → %s: %s, want %s", tc.from, tc.to, f, tc.want)
			}
			if tc.fact != nil {
				tc.fact(t, got)
			}
		})
	}
}

// errorCodes returns the codes of the errors sim.Validate reports on n.
func errorCodes(n *topology.Network) []diag.Code {
	var out []diag.Code
	for _, d := range sim.Validate(n) {
		if d.Severity == diag.Error && !slices.Contains(out, d.Code) {
			out = append(out, d.Code)
		}
	}
	slices.Sort(out)
	return out
}

// TestDeletionsLeaveErrorsToValid: a deletion is refused only by its own
// codes. The errors it leaves in other objects are accepted with it and
// reported by validation afterwards, as the platform deletes the object
// and complains later about the objects that relied on it.
func TestDeletionsLeaveErrorsToValid(t *testing.T) {
	tests := []struct {
		name  string
		event Event
		code  diag.Code // an error the network did not have and now has
	}{
		{"spoke side of a peering an appliance route crosses", DeletePeering{Peering: PeeringRef{VNet: "spoke2", Name: "spoke2-to-hub"}}, diag.RouteNextHopUnreachable},
		{"hub side of a peering an appliance route crosses", DeletePeering{Peering: PeeringRef{VNet: "hub", RemoteVirtualNetwork: "spoke2"}}, diag.RouteNextHopUnreachable},
		{"gateway spokes use for transit", RemoveGateway{VNet: "hub"}, diag.RemoteGatewayMissing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := hubSpoke(t)
			if slices.Contains(errorCodes(n), tc.code) {
				t.Fatalf("the example already has %s", tc.code)
			}
			got, r := applyChecked(t, n, tc.event)
			if r != nil {
				t.Fatalf("refused: %v", r)
			}
			if codes := errorCodes(got); !slices.Contains(codes, tc.code) {
				t.Errorf("valid reports errors %v, want %s among them", codes, tc.code)
			}
		})
	}
}

// TestPeeringRecoveryOnHubSpoke walks docs/semantics.md#peering-states on the example: the
// spoke deletes its side, the hub's side is Disconnected and traffic stops;
// re-creating the spoke side first is refused, re-putting the hub side
// makes it Initiated, and then the spoke side connects both again.
func TestPeeringRecoveryOnHubSpoke(t *testing.T) {
	spokeSide := PeeringRef{VNet: "spoke1", Name: "spoke1-to-hub"}
	recreate := CreatePeering{VNet: "spoke1", Name: "spoke1-to-hub", RemoteVirtualNetwork: "hub",
		Flags: PeeringFlags{topology.FlagUseRemoteGateways: Bool(true), topology.FlagAllowForwardedTraffic: Bool(true)}}
	n := hubSpoke(t)

	n, r := applyChecked(t, n, DeletePeering{Peering: spokeSide})
	if r != nil {
		t.Fatalf("deletePeering spoke1-to-hub refused: %v", r)
	}
	if got := stateOf(n, "hub", "hub-to-spoke1"); got != topology.Disconnected {
		t.Errorf("hub-to-spoke1 is %v, want Disconnected", got)
	}
	// The hub has no route back: the drop names the peering (docs/semantics.md
	// #drop-reason-precedence). The spoke's user route for 10.0.0.0/8 still points at the
	// hub's appliance, now out of reach: a user route's verdict, not a
	// missing route's (docs/semantics.md#drop-reason-precedence).
	for _, tc := range []struct{ from, to, want string }{
		{"web1", "app1", "dropped:peering-not-connected via web1"},
		{"app1", "web1", "dropped:next-hop-unreachable via app1"},
	} {
		if got := fate(t, n, tc.from, tc.to, 443); got != tc.want {
			t.Errorf("%s → %s: %s, want %s", tc.from, tc.to, got, tc.want)
		}
	}
	if codes := errorCodes(n); !slices.Contains(codes, diag.RouteNextHopUnreachable) {
		t.Errorf("valid reports errors %v, want route-next-hop-unreachable among them", codes)
	}

	if _, r := applyChecked(t, n, recreate); r == nil || r.Code != diag.RemotePeeringDisconnected {
		t.Fatalf("re-creating spoke1-to-hub while hub-to-spoke1 is Disconnected: %v, want remote-peering-disconnected", r)
	}

	n, r = applyChecked(t, n, UpdatePeering{Peering: PeeringRef{VNet: "hub", Name: "hub-to-spoke1"}})
	if r != nil {
		t.Fatalf("updatePeering hub-to-spoke1 refused: %v", r)
	}
	if got := stateOf(n, "hub", "hub-to-spoke1"); got != topology.Initiated {
		t.Errorf("after updatePeering hub-to-spoke1 is %v, want Initiated", got)
	}

	n, r = applyChecked(t, n, recreate)
	if r != nil {
		t.Fatalf("createPeering spoke1-to-hub refused: %v", r)
	}
	for _, o := range [][2]string{{"hub", "hub-to-spoke1"}, {"spoke1", "spoke1-to-hub"}} {
		if got := stateOf(n, o[0], o[1]); got != topology.Connected {
			t.Errorf("%s/%s is %v, want Connected", o[0], o[1], got)
		}
	}
	for _, tc := range [][2]string{{"web1", "app1"}, {"app1", "web1"}} {
		if got, want := fate(t, n, tc[0], tc[1], 443), "delivered via "+tc[0]+","+tc[1]; got != want {
			t.Errorf("%s → %s: %s, want %s", tc[0], tc[1], got, want)
		}
	}
	if codes := errorCodes(n); len(codes) > 0 {
		t.Errorf("valid reports errors %v after recovery, want none", codes)
	}
}

// TestAddressSpaceProcedureOnHubSpoke is the windows-sdn procedure of
// docs/semantics.md#address-space-changes on a hub and spoke whose spokes route to the hub's
// appliance: remove the peering, change the range, re-create the peering.
// Every step is accepted and the spoke's new range is reachable after it.
func TestAddressSpaceProcedureOnHubSpoke(t *testing.T) {
	n := applyAll(t, hubSpoke(t), []Event{
		DeletePeering{Peering: PeeringRef{VNet: "spoke1", Name: "spoke1-to-hub"}},
		DeletePeering{Peering: PeeringRef{VNet: "hub", Name: "hub-to-spoke1"}},
		AddAddressPrefix{VNet: "spoke1", Prefix: pfx("10.11.0.0/16")},
		CreatePeering{VNet: "hub", Name: "hub-to-spoke1", RemoteVirtualNetwork: "spoke1", Flags: PeeringFlags{topology.FlagAllowGatewayTransit: Bool(true)}},
		CreatePeering{VNet: "spoke1", Name: "spoke1-to-hub", RemoteVirtualNetwork: "hub",
			Flags: PeeringFlags{topology.FlagUseRemoteGateways: Bool(true), topology.FlagAllowForwardedTraffic: Bool(true)}},
		AddSubnet{VNet: "spoke1", Subnet: SubnetSpec{Name: "new", AddressPrefix: pfx("10.11.1.0/24"), RouteTable: "rt-spoke"}},
		SetVirtualMachine{VNet: "spoke1", Name: "new1", Subnet: "new", IPAddress: addr("10.11.1.4")},
	})
	if got := n.VirtualNetworks["spoke1"].AddressSpace; !slices.Equal(got, []netip.Prefix{pfx("10.1.0.0/16"), pfx("10.11.0.0/16")}) {
		t.Errorf("spoke1's space = %v, want 10.1.0.0/16 and 10.11.0.0/16", got)
	}
	for _, o := range [][2]string{{"hub", "hub-to-spoke1"}, {"spoke1", "spoke1-to-hub"}} {
		if got := stateOf(n, o[0], o[1]); got != topology.Connected {
			t.Errorf("%s/%s is %v, want Connected", o[0], o[1], got)
		}
	}
	for _, tc := range []struct{ from, to, want string }{
		{"web1", "new1", "delivered via web1,new1"},
		{"app2", "new1", "delivered via app2,nva1,new1"},
		{"app1", "web1", "delivered via app1,web1"},
	} {
		if got := fate(t, n, tc.from, tc.to, 443); got != tc.want {
			t.Errorf("%s → %s: %s, want %s", tc.from, tc.to, got, tc.want)
		}
	}
	if codes := errorCodes(n); len(codes) > 0 {
		t.Errorf("valid reports errors %v, want none", codes)
	}
}

// TestEventRefusals proves each refusal code with the smallest event that
// earns it; applyChecked proves the network is unchanged.
func TestEventRefusals(t *testing.T) {
	tests := []struct {
		name  string
		setup []Event
		event Event
		code  diag.Code
	}{
		// Names that do not exist.
		{"deletePeering unknown", nil, DeletePeering{Peering: PeeringRef{VNet: "hub", Name: "nope"}}, diag.NotFound},
		{"addAddressPrefix unknown VNet", nil, AddAddressPrefix{VNet: "nope", Prefix: pfx("10.9.0.0/16")}, diag.NotFound},
		{"removeAddressPrefix absent range", nil, RemoveAddressPrefix{VNet: "hub", Prefix: pfx("10.9.0.0/16")}, diag.NotFound},
		{"deleteVirtualNetwork unknown", nil, DeleteVirtualNetwork{Name: "nope"}, diag.NotFound},
		{"removeSubnet unknown", nil, RemoveSubnet{VNet: "hub", Name: "nope"}, diag.NotFound},
		{"removeGateway none", nil, RemoveGateway{VNet: "spoke1"}, diag.NotFound},
		{"addRoute unknown table", nil, AddRoute{RouteTable: "nope", Route: topology.Route{Name: "r", AddressPrefix: pfx("10.0.0.0/8")}}, diag.NotFound},
		{"removeRoute unknown route", nil, RemoveRoute{RouteTable: "rt-spoke", Name: "nope"}, diag.NotFound},
		{"addAclRule unknown ACL", nil, AddACLRule{AccessControlList: "nope", Rule: topology.ACLRule{Name: "r", Priority: 200}}, diag.NotFound},
		{"removeAclRule unknown rule", nil, RemoveACLRule{AccessControlList: "app-acl", Name: "nope"}, diag.NotFound},
		{"setVirtualMachine unknown VNet", nil, SetVirtualMachine{VNet: "nope", Name: "vm"}, diag.NotFound},

		// Refused-event codes.
		{"address space locked on the hub", nil, AddAddressPrefix{VNet: "hub", Prefix: pfx("10.9.0.0/16")}, diag.AddressSpaceLocked},
		{"range holds a subnet", []Event{RemoveRoute{RouteTable: "rt-spoke", Name: "to-hub-nva"},
			DeletePeering{Peering: PeeringRef{VNet: "spoke3", Name: "spoke3-to-hub"}}, DeletePeering{Peering: PeeringRef{VNet: "hub", Name: "hub-to-spoke3"}},
			AddAddressPrefix{VNet: "spoke3", Prefix: pfx("10.33.0.0/16")}},
			RemoveAddressPrefix{VNet: "spoke3", Prefix: pfx("10.3.0.0/16")}, diag.AddressRangeInUse},
		{"last range", []Event{CreateVirtualNetwork{Name: "x", AddressSpace: []netip.Prefix{pfx("10.9.0.0/16")}}},
			RemoveAddressPrefix{VNet: "x", Prefix: pfx("10.9.0.0/16")}, diag.MissingField},
		{"subnet in use by a VM", nil, RemoveSubnet{VNet: "spoke1", Name: "data"}, diag.AddressRangeInUse},

		// Errors the event would introduce (topology.Validate).
		{"duplicate peering name", nil, CreatePeering{VNet: "hub", Name: "hub-to-spoke1", RemoteVirtualNetwork: "spoke1"}, diag.DuplicateName},
		{"second peering to one remote", nil, CreatePeering{VNet: "hub", Name: "again", RemoteVirtualNetwork: "spoke1"}, diag.PeeringDuplicate},
		{"first new error by path, then code", nil, CreateVirtualNetwork{Name: "y", AddressSpace: []netip.Prefix{pfx("10.9.0.0/16")},
			Subnets:         []SubnetSpec{{Name: "s", AddressPrefix: pfx("10.8.1.0/24")}},
			VirtualMachines: []VirtualMachineSpec{{Name: "y1", Subnet: "s", IPAddress: netip.MustParseAddr("10.7.0.4"), Running: true}}},
			diag.SubnetOutsideAddressSpace},
		{"peering overlapping VNets", []Event{CreateVirtualNetwork{Name: "x", AddressSpace: []netip.Prefix{pfx("10.1.128.0/17")}}},
			CreatePeering{VNet: "x", Name: "x-to-spoke1", RemoteVirtualNetwork: "spoke1"}, diag.PeeringAddressOverlap},
		{"peering across controllers", []Event{CreateVirtualNetwork{Name: "x", NetworkController: "nc2", AddressSpace: []netip.Prefix{pfx("10.9.0.0/16")}}},
			CreatePeering{VNet: "x", Name: "x-to-hub", RemoteVirtualNetwork: "hub"}, diag.PeeringControllerMismatch},
		{"subnet outside the space", nil, AddSubnet{VNet: "spoke2", Subnet: SubnetSpec{Name: "x", AddressPrefix: pfx("10.9.0.0/24")}}, diag.SubnetOutsideAddressSpace},
		{"subnet overlap", nil, AddSubnet{VNet: "spoke2", Subnet: SubnetSpec{Name: "x", AddressPrefix: pfx("10.2.1.128/25")}}, diag.SubnetOverlap},
		{"duplicate subnet", nil, AddSubnet{VNet: "spoke2", Subnet: SubnetSpec{Name: "app", AddressPrefix: pfx("10.2.9.0/24")}}, diag.DuplicateName},
		{"subnet names a missing ACL", nil, AddSubnet{VNet: "spoke2", Subnet: SubnetSpec{Name: "x", AddressPrefix: pfx("10.2.9.0/24"), AccessControlList: "nope"}}, diag.UnknownReference},
		{"VM address taken", nil, SetVirtualMachine{VNet: "spoke1", Name: "x", Subnet: "app", IPAddress: addr("10.1.1.4")}, diag.DuplicateAddress},
		{"VM outside its subnet", nil, SetVirtualMachine{VNet: "spoke1", Name: "x", Subnet: "app", IPAddress: addr("10.1.2.9")}, diag.AddressOutsideSubnet},
		{"new VM without an address", nil, SetVirtualMachine{VNet: "spoke1", Name: "x", Subnet: "app"}, diag.MissingField},
		{"appliance route without its address", nil,
			AddRoute{RouteTable: "rt-spoke", Route: topology.Route{Name: "x", AddressPrefix: pfx("192.168.0.0/16"), NextHopType: topology.NextHopVirtualAppliance}}, diag.RouteNextHopInvalid},
		{"ACL priority taken", nil, AddACLRule{AccessControlList: "app-acl", Rule: topology.ACLRule{Name: "x", Priority: 200}}, diag.ACLPriorityDuplicate},
		{"ACL priority out of range", nil, AddACLRule{AccessControlList: "app-acl", Rule: topology.ACLRule{Name: "x", Priority: 70000}}, diag.ACLPriorityInvalid},
		{"transit flag withdrawn", nil, UpdatePeering{Peering: PeeringRef{VNet: "hub", Name: "hub-to-spoke1"}, Flags: PeeringFlags{topology.FlagAllowGatewayTransit: Bool(false)}}, diag.RemoteGatewayTransitDisabled},
		{"own gateway under transit", nil, SetGateway{VNet: "spoke1", Gateway: GatewaySpec{Name: "gw", Type: topology.Vpn}}, diag.RemoteGatewayWithLocal},
		{"load balancer backend unknown", nil, SetLoadBalancer{VNet: "hub", Name: "x", Subnet: "web", FrontendIPAddress: addr("10.0.3.9"), Backends: []string{"app1"}}, diag.UnknownReference},
		{"load balancer outside its subnet", nil, SetLoadBalancer{VNet: "hub", Name: "x", Subnet: "web", FrontendIPAddress: addr("10.0.2.9")}, diag.AddressOutsideSubnet},
		{"removeLoadBalancer unknown", nil, RemoveLoadBalancer{VNet: "hub", Name: "nope"}, diag.NotFound},
		{"route table exists", nil, CreateRouteTable{Name: "rt-spoke"}, diag.DuplicateName},
		{"new route table with a bad route", nil, CreateRouteTable{Name: "x", Routes: []topology.Route{{Name: "r", AddressPrefix: pfx("0.0.0.0/0"), NextHopType: topology.NextHopVirtualAppliance}}}, diag.RouteNextHopInvalid},
		{"ACL exists", nil, CreateAccessControlList{Name: "app-acl"}, diag.DuplicateName},
		{"setSubnet unknown table", nil, SetSubnet{VNet: "spoke1", Name: "app", RouteTable: ptr("nope")}, diag.UnknownReference},
		{"setSubnet unknown subnet", nil, SetSubnet{VNet: "spoke1", Name: "nope"}, diag.NotFound},
		{"gateway to a missing site", nil, SetGateway{VNet: "hub", Gateway: GatewaySpec{Name: "gw", Connections: []string{"nope"}}}, diag.UnknownReference},

		// Every name an event creates follows the loader's name rule
		// (topology.CheckName): invalid-value.
		{"peering named with a slash", nil, CreatePeering{VNet: "hub", Name: "to/x", RemoteVirtualNetwork: "spoke1"}, diag.InvalidValue},
		{"VNet named with a comma", nil, CreateVirtualNetwork{Name: "x,y", AddressSpace: []netip.Prefix{pfx("10.9.0.0/16")}}, diag.InvalidValue},
		{"VNet's subnet named with a trailing space", nil, CreateVirtualNetwork{Name: "x", AddressSpace: []netip.Prefix{pfx("10.9.0.0/16")},
			Subnets: []SubnetSpec{{Name: "s ", AddressPrefix: pfx("10.9.1.0/24")}}}, diag.InvalidValue},
		{"VNet's VM named like an address", nil, CreateVirtualNetwork{Name: "x", AddressSpace: []netip.Prefix{pfx("10.9.0.0/16")},
			Subnets:         []SubnetSpec{{Name: "s", AddressPrefix: pfx("10.9.1.0/24")}},
			VirtualMachines: []VirtualMachineSpec{{Name: "10.9.1.4", Subnet: "s", IPAddress: addr("10.9.1.4"), Running: true}}}, diag.InvalidValue},
		{"subnet named with a NUL", nil, AddSubnet{VNet: "spoke2", Subnet: SubnetSpec{Name: "a\x00b", AddressPrefix: pfx("10.2.9.0/24")}}, diag.InvalidValue},
		{"gateway named with a newline", nil, SetGateway{VNet: "hub", Gateway: GatewaySpec{Name: "gw\nx", Type: topology.Vpn}}, diag.InvalidValue},
		{"route named with a bidi override", nil, AddRoute{RouteTable: "rt-spoke", Route: topology.Route{Name: "r\u202e", AddressPrefix: pfx("192.168.0.0/16"), NextHopType: topology.NextHopNone}}, diag.InvalidValue},
		{"ACL rule named with a slash", nil, AddACLRule{AccessControlList: "app-acl", Rule: topology.ACLRule{Name: "a/b", Priority: 300}}, diag.InvalidValue},
		{"new VM named like an address", nil, SetVirtualMachine{VNet: "spoke1", Name: "10.1.1.99", Subnet: "app", IPAddress: addr("10.1.1.99")}, diag.InvalidValue},
		{"new VM named too long", nil, SetVirtualMachine{VNet: "spoke1", Name: strings.Repeat("v", 81), Subnet: "app", IPAddress: addr("10.1.1.99")}, diag.InvalidValue},
		{"load balancer named with a comma", nil, SetLoadBalancer{VNet: "hub", Name: "a,b", Subnet: "web", FrontendIPAddress: addr("10.0.3.9")}, diag.InvalidValue},
		{"route table named with a leading space", nil, CreateRouteTable{Name: " rt"}, diag.InvalidValue},
		{"new route table's route named with a comma", nil, CreateRouteTable{Name: "x", Routes: []topology.Route{{Name: "a,b", AddressPrefix: pfx("192.168.0.0/16"), NextHopType: topology.NextHopNone}}}, diag.InvalidValue},
		{"ACL named with a slash", nil, CreateAccessControlList{Name: "a/b"}, diag.InvalidValue},
		{"new ACL's rule named with a NUL", nil, CreateAccessControlList{Name: "x", Rules: []topology.ACLRule{{Name: "\x00", Priority: 200}}}, diag.InvalidValue},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := applyAll(t, hubSpoke(t), tc.setup)
			_, r := applyChecked(t, n, tc.event)
			if r == nil {
				t.Fatalf("accepted, want refusal %s", tc.code)
			}
			if r.Code != tc.code {
				t.Errorf("refused with %s (%s), want %s", r.Code, r.Message, tc.code)
			}
			if r.Message == "" {
				t.Error("refusal without a message")
			}
		})
	}
}

// TestEventFields pins the contract spelling of every event kind's key and
// arguments, as reports print them and diff plans encode them.
func TestEventFields(t *testing.T) {
	events := []Event{
		CreatePeering{VNet: "A", Name: "a-to-b", RemoteVirtualNetwork: "B", Flags: PeeringFlags{topology.FlagUseRemoteGateways: Bool(true)}},
		UpdatePeering{Peering: PeeringRef{VNet: "A", RemoteVirtualNetwork: "B"}, Flags: PeeringFlags{topology.FlagAllowForwardedTraffic: Bool(false)}},
		DeletePeering{Peering: PeeringRef{VNet: "A", Name: "a-to-b"}},
		SyncPeering{Peering: PeeringRef{VNet: "B", Name: "b-to-a"}},
		AddAddressPrefix{VNet: "A", Prefix: pfx("10.9.0.0/16")},
		RemoveAddressPrefix{VNet: "A", Prefix: pfx("10.9.0.0/16")},
		CreateVirtualNetwork{Name: "D", Region: "westeurope", AddressSpace: []netip.Prefix{pfx("10.4.0.0/16")},
			Subnets:         []SubnetSpec{{Name: "s1", AddressPrefix: pfx("10.4.1.0/24"), RouteTable: "rt"}},
			Gateway:         &GatewaySpec{Name: "gw", Type: topology.ExpressRoute, Connections: []string{"dc1"}},
			VirtualMachines: []VirtualMachineSpec{{Name: "d1", Subnet: "s1", IPAddress: addr("10.4.1.4"), IPForwarding: true, Running: true}}},
		DeleteVirtualNetwork{Name: "D"},
		AddSubnet{VNet: "A", Subnet: SubnetSpec{Name: "s2", AddressPrefix: pfx("10.1.2.0/24"), AccessControlList: "acl"}},
		RemoveSubnet{VNet: "A", Name: "s2"},
		SetGateway{VNet: "A", Gateway: GatewaySpec{Name: "gw", Type: topology.Vpn, SKU: "VpnGw1"}},
		RemoveGateway{VNet: "A"},
		AddRoute{RouteTable: "rt", Route: topology.Route{Name: "r", AddressPrefix: pfx("0.0.0.0/0"), NextHopType: topology.NextHopVirtualAppliance, NextHopIPAddress: addr("10.0.2.4")}},
		RemoveRoute{RouteTable: "rt", Name: "r"},
		AddACLRule{AccessControlList: "acl", Rule: topology.ACLRule{Name: "r", Priority: 200, Type: topology.Outbound, Action: topology.Allow,
			Protocol: topology.UDP, SourceAddressPrefixes: []topology.AddressMatch{{Tag: topology.TagVirtualNetwork}}, SourcePortRanges: []topology.PortRange{topology.AnyPort},
			DestinationAddressPrefixes: []topology.AddressMatch{{Prefix: pfx("10.2.0.0/16")}}, DestinationPortRanges: []topology.PortRange{{Lo: 53, Hi: 53}}}},
		RemoveACLRule{AccessControlList: "acl", Name: "r"},
		SetVirtualMachine{VNet: "A", Name: "a1", Running: Bool(false)},
		SetLoadBalancer{VNet: "A", Name: "ilb", Subnet: "s1", FrontendIPAddress: addr("10.1.1.100"), SKU: topology.Basic,
			Backends: []string{"a1"}, Rules: []topology.LoadBalancerRule{{Protocol: topology.TCP, FrontendPort: 80, BackendPort: 8080}}},
		RemoveLoadBalancer{VNet: "A", Name: "ilb"},
		CreateRouteTable{Name: "rt", DisableGatewayRoutePropagation: true,
			Routes: []topology.Route{{Name: "r", AddressPrefix: pfx("0.0.0.0/0"), NextHopType: topology.NextHopNone}}},
		CreateAccessControlList{Name: "acl", InboundDefaultAction: topology.Deny, Rules: []topology.ACLRule{{Name: "r", Priority: 200,
			SourceAddressPrefixes: []topology.AddressMatch{topology.AnyAddress}, DestinationAddressPrefixes: []topology.AddressMatch{topology.AnyAddress},
			SourcePortRanges: []topology.PortRange{topology.AnyPort}, DestinationPortRanges: []topology.PortRange{topology.AnyPort}}}},
		SetSubnet{VNet: "A", Name: "s1", AccessControlList: ptr(""), RouteTable: ptr("rt")},
	}
	kinds := append(slices.Clone(Kinds), ExtensionKinds...)
	if len(events) != len(kinds) {
		t.Fatalf("%d events for %d kinds", len(events), len(kinds))
	}
	var b strings.Builder
	for i, ev := range events {
		if ev.Kind() != kinds[i] {
			t.Errorf("event %d: kind %q, want %q (Kinds order)", i, ev.Kind(), kinds[i])
		}
		line, err := json.Marshal(map[string]any{ev.Kind(): Args(ev)})
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	simtest.Golden(t, "testdata/events.golden", []byte(b.String()))
}

func ptr(s string) *string { return &s }

// TestApplyConcurrently applies events to one shared network from several
// goroutines, as a caller exploring alternatives may: the index of ACL
// users each builds or inherits on first use must not race (go test -race)
// and must agree.
func TestApplyConcurrently(t *testing.T) {
	n := hubSpoke(t)
	rule := topology.ACLRule{Name: "x", Priority: 300, Type: topology.Inbound, Action: topology.Deny, Protocol: topology.TCP,
		SourceAddressPrefixes: []topology.AddressMatch{topology.AnyAddress}, DestinationAddressPrefixes: []topology.AddressMatch{topology.AnyAddress},
		SourcePortRanges: []topology.PortRange{topology.AnyPort}, DestinationPortRanges: []topology.PortRange{topology.AnyPort}}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			got, r := Apply(n, AddACLRule{AccessControlList: "app-acl", Rule: rule})
			if r != nil {
				t.Errorf("refused: %v", r)
				return
			}
			if users := got.ACLUsers("app-acl"); !slices.Equal(users, []string{"spoke1"}) {
				t.Errorf("users of app-acl = %v, want [spoke1]", users)
			}
			if a := got.VirtualNetworks["spoke1"].Subnets["app"].AccessControlList; len(a.Rules) != 2 {
				t.Errorf("spoke1/app's ACL has %d rules, want the new one too", len(a.Rules))
			}
		})
	}
	wg.Wait()
}

func TestPeeringRefFind(t *testing.T) {
	n := hubSpoke(t)
	tests := []struct {
		name string
		ref  PeeringRef
		want string // the found object's name; "" for none
	}{
		{"by name", PeeringRef{VNet: "spoke1", Name: "spoke1-to-hub"}, "spoke1-to-hub"},
		{"by remote", PeeringRef{VNet: "spoke1", RemoteVirtualNetwork: "hub"}, "spoke1-to-hub"},
		{"name and remote agree", PeeringRef{VNet: "spoke1", Name: "spoke1-to-hub", RemoteVirtualNetwork: "hub"}, "spoke1-to-hub"},
		{"name and remote disagree", PeeringRef{VNet: "spoke1", Name: "spoke1-to-hub", RemoteVirtualNetwork: "spoke2"}, ""},
		{"unknown name", PeeringRef{VNet: "spoke1", Name: "nope"}, ""},
		{"no peering to remote", PeeringRef{VNet: "spoke1", RemoteVirtualNetwork: "spoke2"}, ""},
		{"unknown vnet", PeeringRef{VNet: "nowhere", Name: "spoke1-to-hub"}, ""},
		{"neither name nor remote", PeeringRef{VNet: "spoke1"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if p := tt.ref.Find(n); p != nil {
				got = p.Name
			}
			if got != tt.want {
				t.Errorf("Find = %q, want %q", got, tt.want)
			}
		})
	}
}

// loadWithErrors loads a topology that may have model errors, failing only
// when it does not load at all.
func loadWithErrors(t testing.TB, text string) *topology.Network {
	t.Helper()
	n, _, ds := topology.Load("test.yaml", []byte(text))
	if n == nil {
		t.Fatalf("load: %v", ds.Err())
	}
	return n
}

// Validate reports a set of overlapping objects as one diagnostic, but an
// event that adds an object to a set the network already has is still
// refused: each object of the set is an error of its own.
func TestRefusalJoiningAnOverlappingSet(t *testing.T) {
	subnets := loadWithErrors(t, `
name: t
virtualNetworks:
  A:
    addressSpace: [10.1.0.0/16]
    subnets: {s1: {addressPrefix: 10.1.1.0/24}, s2: {addressPrefix: 10.1.1.0/24}}
`)
	spokes := loadWithErrors(t, `
name: t
platform: azure
virtualNetworks:
  hub:
    addressSpace: [10.0.0.0/16]
    peerings: {h-a: {remoteVirtualNetwork: a}, h-b: {remoteVirtualNetwork: b}}
  a: {addressSpace: [10.1.0.0/16], peerings: {a-h: {remoteVirtualNetwork: hub}}}
  b: {addressSpace: [10.1.0.0/16], peerings: {b-h: {remoteVirtualNetwork: hub}}}
  c: {addressSpace: [10.1.0.0/24]}
`)
	for _, tc := range []struct {
		name  string
		n     *topology.Network
		event Event
		code  diag.Code
	}{
		{"a third subnet of the same prefix", subnets, AddSubnet{VNet: "A", Subnet: SubnetSpec{Name: "s3", AddressPrefix: pfx("10.1.1.0/24")}}, diag.SubnetOverlap},
		{"a subnet holding the set", subnets, AddSubnet{VNet: "A", Subnet: SubnetSpec{Name: "s0", AddressPrefix: pfx("10.1.0.0/22")}}, diag.SubnetOverlap},
		{"a third spoke of the same space", spokes, CreatePeering{VNet: "c", Name: "c-h", RemoteVirtualNetwork: "hub"}, diag.PeeredOverlapsHubPeer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, r := applyChecked(t, tc.n, tc.event)
			if r == nil || r.Code != tc.code {
				t.Errorf("got refusal %v, want %s", r, tc.code)
			}
		})
	}
}

// An event on a hub whose spokes overlap costs time and memory linear in
// the spokes: the overlaps are checked as sets, not pairs. Four times the
// spokes may allocate at most five times as much.
func TestEventOnOverlappingSpokesGrowsLinearly(t *testing.T) {
	cost := func(spokes int) uint64 {
		var b strings.Builder
		b.WriteString("name: t\nplatform: azure\nvirtualNetworks:\n  hub:\n    addressSpace: [10.255.0.0/16]\n    peerings:\n")
		for i := range spokes {
			fmt.Fprintf(&b, "      h-%d: {remoteVirtualNetwork: s%d}\n", i, i)
		}
		for i := range spokes {
			fmt.Fprintf(&b, "  s%d: {addressSpace: [10.1.0.0/16], peerings: {p: {remoteVirtualNetwork: hub}}}\n", i)
		}
		n := loadWithErrors(t, b.String())
		ev := CreateVirtualNetwork{Name: "x", AddressSpace: []netip.Prefix{pfx("10.1.0.0/16")}}
		if next, r := Apply(n, ev); r != nil {
			t.Fatalf("%s refused: %v", ev.Kind(), r)
		} else {
			n = next
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, r := Apply(n, CreatePeering{VNet: "x", Name: "x-h", RemoteVirtualNetwork: "hub"})
		runtime.ReadMemStats(&after)
		if r == nil || r.Code != diag.PeeredOverlapsHubPeer {
			t.Fatalf("got refusal %v, want %s", r, diag.PeeredOverlapsHubPeer)
		}
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := cost(100), cost(400)
	if large > 5*small {
		t.Errorf("refusing a peering allocated %d bytes with 100 overlapping spokes and %d with 400: more than linear", small, large)
	}
}
