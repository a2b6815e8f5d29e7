package event

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vnetsim/vnetsim/internal/simtest"
	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// pairYAML is two VNets A and B on one controller with a VM each and no
// peering; every state of the table is reached from it by events.
const pairYAML = `
name: pair
platform: PLATFORM
networkController: nc1
virtualNetworks:
  A:
    addressSpace: [10.1.0.0/16]
    subnets: {s1: {addressPrefix: 10.1.1.0/24}}
    virtualMachines: {a1: {subnet: s1, ipAddress: 10.1.1.4}}
  B:
    addressSpace: [10.2.0.0/16]
    subnets: {s1: {addressPrefix: 10.2.1.0/24}}
    virtualMachines: {b1: {subnet: s1, ipAddress: 10.2.1.4}}
  C:
    addressSpace: [10.1.128.0/17]
    subnets: {s1: {addressPrefix: 10.1.129.0/24}}
`

// loadT loads a topology text and fails the test on any load error.
func pair(t testing.TB, platform string) *topology.Network {
	return simtest.Load(t, strings.Replace(pairYAML, "PLATFORM", platform, 1))
}

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func addr(s string) netip.Addr  { return netip.MustParseAddr(s) }

// Events of the table, named the way the rows read.
var (
	createAB = CreatePeering{VNet: "A", Name: "ab", RemoteVirtualNetwork: "B"}
	createBA = CreatePeering{VNet: "B", Name: "ba", RemoteVirtualNetwork: "A"}
	updateAB = UpdatePeering{Peering: PeeringRef{VNet: "A", Name: "ab"}}
	deleteAB = DeletePeering{Peering: PeeringRef{VNet: "A", Name: "ab"}}
	deleteBA = DeletePeering{Peering: PeeringRef{VNet: "B", RemoteVirtualNetwork: "A"}}
	deleteB  = DeleteVirtualNetwork{Name: "B"}
	recreate = CreateVirtualNetwork{Name: "B", AddressSpace: []netip.Prefix{pfx("10.2.0.0/16")}}
	// A's subnet routes 10.0.0.0/8 to b1 as an appliance, which is in
	// reach only while the pair is Connected.
	viaB       = CreateRouteTable{Name: "via-b", Routes: []topology.Route{{Name: "to-b1", AddressPrefix: pfx("10.0.0.0/8"), NextHopType: topology.NextHopVirtualAppliance, NextHopIPAddress: addr("10.2.1.4")}}}
	attachViaB = SetSubnet{VNet: "A", Name: "s1", RouteTable: ptr("via-b")}
)

// States of the pair, each the events that reach it from pairYAML.
var (
	none            []Event
	abInitiated     = []Event{createAB}
	connected       = []Event{createAB, createBA}
	abDisconnected  = []Event{createAB, createBA, deleteBA}
	remoteVNetGone  = []Event{createAB, createBA, deleteB}
	abRecovered     = []Event{createAB, createBA, deleteBA, updateAB}
	initiatedNoVNet = []Event{createAB, deleteB}
	routedViaB      = []Event{createAB, createBA, viaB, attachViaB}
)

// applyAll applies events in order and fails the test on a refusal.
func applyAll(t testing.TB, n *topology.Network, evs []Event) *topology.Network {
	t.Helper()
	for _, ev := range evs {
		var r *Refusal
		if n, r = Apply(n, ev); r != nil {
			t.Fatalf("setup %s: refused: %v", ev.Kind(), r)
		}
	}
	return n
}

// equalNetworks compares networks deeply, cycles and netip values included;
// the index a network caches (unexported) is not part of its content.
var equalNetworks = cmp.Options{cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{}), cmpopts.IgnoreUnexported(topology.Network{})}

func stateOf(n *topology.Network, vnet, name string) topology.PeeringState {
	v := n.VirtualNetworks[vnet]
	if v == nil {
		return topology.Absent
	}
	return n.PeeringState(vnet, v.Peerings[name])
}

// TestPeeringLifecycle is the peering lifecycle
// (docs/semantics.md#peering-states, #address-space-changes) as one table:
// a state, reached by events, plus one event gives the states of both
// objects and the refusal code.
func TestPeeringLifecycle(t *testing.T) {
	const (
		I = topology.Initiated
		C = topology.Connected
		D = topology.Disconnected
		X = topology.Absent
	)
	tests := []struct {
		name     string
		platform string
		state    []Event
		event    Event
		ab, ba   topology.PeeringState
		code     diag.Code
	}{
		// Creating sides.
		{"create first side", "windows-sdn", none, createAB, I, X, ""},
		{"create second side connects both", "windows-sdn", abInitiated, createBA, C, C, ""},
		{"create same name again", "windows-sdn", connected, createAB, C, C, diag.DuplicateName},
		{"create to missing VNet", "windows-sdn", none, CreatePeering{VNet: "A", Name: "ax", RemoteVirtualNetwork: "X"}, X, X, diag.UnknownReference},
		{"create from missing VNet", "windows-sdn", none, CreatePeering{VNet: "X", Name: "xa", RemoteVirtualNetwork: "A"}, X, X, diag.NotFound},
		{"create to itself", "windows-sdn", none, CreatePeering{VNet: "A", Name: "aa", RemoteVirtualNetwork: "A"}, X, X, diag.PeeringSelf},

		// Losing the partner.
		{"delete partner disconnects", "windows-sdn", connected, deleteBA, D, X, ""},
		{"delete remote VNet disconnects", "windows-sdn", connected, deleteB, D, X, ""},
		{"delete remote VNet of an initiated side", "windows-sdn", abInitiated, deleteB, D, X, ""},
		{"delete initiated side leaves nothing", "windows-sdn", abInitiated, deleteAB, X, X, ""},
		{"delete connected side", "windows-sdn", connected, deleteAB, X, D, ""},
		{"delete missing side", "windows-sdn", abInitiated, deleteBA, I, X, diag.NotFound},

		// A deletion is refused only for its own reasons: the appliance
		// route it leaves out of reach is valid's to report. A change that
		// would put it out of reach is refused.
		{"delete partner under an appliance route", "windows-sdn", routedViaB, deleteBA, D, X, ""},
		{"delete own side under an appliance route", "azure", routedViaB, deleteAB, X, D, ""},
		{"delete appliance VNet under an appliance route", "windows-sdn", routedViaB, deleteB, D, X, ""},
		{"route to an appliance out of reach", "windows-sdn", append(slices.Clone(abInitiated), viaB), attachViaB, I, X, diag.RouteNextHopUnreachable},

		// Recovering from Disconnected.
		{"create partner of disconnected side", "windows-sdn", abDisconnected, createBA, D, X, diag.RemotePeeringDisconnected},
		{"create partner of disconnected side azure", "azure", abDisconnected, createBA, D, X, diag.RemotePeeringDisconnected},
		{"re-created VNet does not revive", "windows-sdn", remoteVNetGone, recreate, D, X, ""},
		{"update disconnected side", "windows-sdn", abDisconnected, updateAB, I, X, ""},
		{"delete disconnected side", "windows-sdn", abDisconnected, deleteAB, X, X, ""},
		{"create partner after update", "windows-sdn", abRecovered, createBA, C, C, ""},
		{"update after remote VNet gone", "windows-sdn", initiatedNoVNet, updateAB, I, X, ""},

		// Flags.
		{"flag change keeps connected", "windows-sdn", connected,
			UpdatePeering{Peering: PeeringRef{VNet: "A", RemoteVirtualNetwork: "B"}, Flags: PeeringFlags{topology.FlagAllowForwardedTraffic: Bool(true)}}, C, C, ""},
		{"update by wrong remote", "windows-sdn", connected,
			UpdatePeering{Peering: PeeringRef{VNet: "A", Name: "ab", RemoteVirtualNetwork: "C"}}, C, C, diag.NotFound},

		// Address space while peered (docs/semantics.md#address-space-changes).
		{"add range while owning a side", "windows-sdn", abInitiated, AddAddressPrefix{VNet: "A", Prefix: pfx("10.9.0.0/16")}, I, X, diag.AddressSpaceLocked},
		{"add range while remote of a side", "windows-sdn", abInitiated, AddAddressPrefix{VNet: "B", Prefix: pfx("10.9.0.0/16")}, I, X, diag.AddressSpaceLocked},
		{"remove range while disconnected", "windows-sdn", abDisconnected, RemoveAddressPrefix{VNet: "A", Prefix: pfx("10.1.0.0/16")}, D, X, diag.AddressSpaceLocked},
		{"add range while peered azure", "azure", connected, AddAddressPrefix{VNet: "A", Prefix: pfx("10.9.0.0/16")}, C, C, ""},
		{"sync on windows-sdn", "windows-sdn", connected, SyncPeering{Peering: PeeringRef{VNet: "A", Name: "ab"}}, C, C, diag.InvalidValue},
		{"sync an initiated side", "azure", abInitiated, SyncPeering{Peering: PeeringRef{VNet: "A", Name: "ab"}}, I, X, diag.PeeringNotConnected},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := applyAll(t, pair(t, tc.platform), tc.state)
			got, r := applyChecked(t, n, tc.event)
			var code diag.Code
			if r != nil {
				code = r.Code
			}
			if code != tc.code {
				t.Fatalf("code = %q, want %q (refusal: %v)", code, tc.code, r)
			}
			if ab, ba := stateOf(got, "A", "ab"), stateOf(got, "B", "ba"); ab != tc.ab || ba != tc.ba {
				t.Errorf("states = (%v, %v), want (%v, %v)", ab, ba, tc.ab, tc.ba)
			}
		})
	}
}

// TestAzureSync follows docs/semantics.md#address-space-changes on azure: a changed VNet's own object
// is RemoteNotInSync, its partner LocalNotInSync, the partner does not route
// to the new range until syncPeering on it (not on the changed VNet's own
// object) makes both FullyInSync.
func TestAzureSync(t *testing.T) {
	n := applyAll(t, pair(t, "azure"), connected)
	levels := func(n *topology.Network) [2]topology.SyncLevel {
		return [2]topology.SyncLevel{
			n.SyncLevel("A", n.VirtualNetworks["A"].Peerings["ab"]),
			n.SyncLevel("B", n.VirtualNetworks["B"].Peerings["ba"]),
		}
	}
	const (
		in    = topology.FullyInSync
		local = topology.LocalNotInSync
		rem   = topology.RemoteNotInSync
		both  = topology.LocalAndRemoteNotInSync
	)
	steps := []struct {
		event  Event
		want   [2]topology.SyncLevel
		b1ToA9 string // the fate of b1 → a9, once a9 exists in A's new range
	}{
		{AddAddressPrefix{VNet: "A", Prefix: pfx("10.9.0.0/16")}, [2]topology.SyncLevel{rem, local}, ""},
		{AddSubnet{VNet: "A", Subnet: SubnetSpec{Name: "s9", AddressPrefix: pfx("10.9.1.0/24")}}, [2]topology.SyncLevel{rem, local}, ""},
		{SetVirtualMachine{VNet: "A", Name: "a9", Subnet: "s9", IPAddress: addr("10.9.1.4")}, [2]topology.SyncLevel{rem, local},
			"dropped:address-space-not-synced via b1"},
		{AddAddressPrefix{VNet: "B", Prefix: pfx("10.8.0.0/16")}, [2]topology.SyncLevel{both, both}, "dropped:address-space-not-synced via b1"},
		// Sync-AzVirtualNetworkPeering syncs the object it is called on with
		// its remote's space: B's object takes A's new range, A's is still
		// stale about B's.
		{SyncPeering{Peering: PeeringRef{VNet: "B", Name: "ba"}}, [2]topology.SyncLevel{local, rem}, "delivered via b1,a9"},
		{SyncPeering{Peering: PeeringRef{VNet: "A", Name: "ab"}}, [2]topology.SyncLevel{in, in}, "delivered via b1,a9"},
		{RemoveAddressPrefix{VNet: "B", Prefix: pfx("10.8.0.0/16")}, [2]topology.SyncLevel{local, rem}, "delivered via b1,a9"},
		// Syncing the changed VNet's own object changes nothing: A's space
		// has not changed since B's object last synced it.
		{SyncPeering{Peering: PeeringRef{VNet: "B", Name: "ba"}}, [2]topology.SyncLevel{local, rem}, "delivered via b1,a9"},
		{SyncPeering{Peering: PeeringRef{VNet: "A", RemoteVirtualNetwork: "B"}}, [2]topology.SyncLevel{in, in}, "delivered via b1,a9"},
	}
	for _, s := range steps {
		var r *Refusal
		if n, r = applyChecked(t, n, s.event); r != nil {
			t.Fatalf("%s %v: refused: %v", s.event.Kind(), s.event.Fields(), r)
		}
		if got := levels(n); got != s.want {
			t.Errorf("after %s %v: levels = %v, want %v", s.event.Kind(), s.event.Fields(), got, s.want)
		}
		if st := stateOf(n, "A", "ab"); st != topology.Connected {
			t.Errorf("after %s: state = %v, want Connected", s.event.Kind(), st)
		}
		if s.b1ToA9 != "" {
			if got := fate(t, n, "b1", "a9", 443); got != s.b1ToA9 {
				t.Errorf("after %s %v: b1 → a9 %s, want %s", s.event.Kind(), s.event.Fields(), got, s.b1ToA9)
			}
		}
	}
}
