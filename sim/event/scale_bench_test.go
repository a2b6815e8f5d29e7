package event

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/vnetsim/vnetsim/internal/simtest"
	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/topology"
)

// bigStep is one scenario step's events: n new VNets, then each peered
// with a hub both ways (2n peerings), as a lab that builds an estate in one
// step does.
func bigStep(n int) (*topology.Network, []Event) {
	start := &topology.Network{Name: "t", Platform: topology.WindowsSDN, NetworkController: "nc1",
		VirtualNetworks: map[string]*topology.VirtualNetwork{}, RouteTables: map[string]*topology.RouteTable{},
		AccessControlLists: map[string]*topology.ACL{}, OnPremises: map[string]*topology.OnPremises{}}
	evs := []Event{CreateVirtualNetwork{Name: "hub", AddressSpace: []netip.Prefix{netip.MustParsePrefix("100.64.0.0/16")}}}
	for i := range n {
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}), 24)
		evs = append(evs, CreateVirtualNetwork{Name: fmt.Sprintf("v%04d", i), AddressSpace: []netip.Prefix{p},
			Subnets: []SubnetSpec{{Name: "s", AddressPrefix: p}}})
	}
	for i := range n {
		v := fmt.Sprintf("v%04d", i)
		evs = append(evs, CreatePeering{VNet: v, Name: "to-hub", RemoteVirtualNetwork: "hub"},
			CreatePeering{VNet: "hub", Name: "to-" + v, RemoteVirtualNetwork: v})
	}
	return start, evs
}

// BenchmarkApplyBigStep applies bigStep's events one after the other, as
// a scenario step does.
func BenchmarkApplyBigStep(b *testing.B) {
	for _, n := range []int{250, 1000, 3000} {
		start, evs := bigStep(n)
		b.Run(fmt.Sprintf("vnets=%d/peerings=%d", n, 2*n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				net := start
				for _, ev := range evs {
					next, r := Apply(net, ev)
					if r != nil {
						b.Fatalf("%s refused: %v", ev.Kind(), r)
					}
					net = next
				}
			}
		})
	}
}

// A step that builds a hub's spokes checks each event against the VNets
// around it, not the whole network: the last spoke's peering toward a hub
// of 1,000 spokes, and the hub's object toward it, make as many
// allocations as with a hub of 100 (the check walked every peering of the
// network, and the hub's copy copied each of its objects: six times as
// many). The maps an event copies still grow with the estate, in bytes.
func TestApplyCostsWhatItTouches(t *testing.T) {
	cost := func(spokes int) (toHub, fromHub float64) {
		start, evs := bigStep(spokes)
		net := start
		for _, ev := range evs[:len(evs)-2] {
			var r *Refusal
			if net, r = Apply(net, ev); r != nil {
				t.Fatalf("%s refused: %v", ev.Kind(), r)
			}
		}
		toHub = testing.AllocsPerRun(5, func() { Apply(net, evs[len(evs)-2]) })
		next, _ := Apply(net, evs[len(evs)-2])
		fromHub = testing.AllocsPerRun(5, func() { Apply(next, evs[len(evs)-1]) })
		return toHub, fromHub
	}
	smallTo, smallFrom := cost(100)
	largeTo, largeFrom := cost(1000)
	if largeTo > 1.2*smallTo || largeFrom > 1.2*smallFrom {
		t.Errorf("allocations per event: %.0f and %.0f with 100 spokes, %.0f and %.0f with 1000", smallTo, smallFrom, largeTo, largeFrom)
	}
}

// BenchmarkScaleEvent is one event applied to the estate, then an engine
// for the new network state, then a trace on it: what a scenario step or an
// interactive what-if pays.
func BenchmarkScaleEvent(b *testing.B) {
	simtest.EachScale(b, func(b *testing.B, n *topology.Network) {
		from, to := simtest.ScaleFlow(n)
		e := sim.New(n)
		f, err := e.NewFlow(from, to, topology.TCP, 443)
		if err != nil || e.Trace(f).Result != sim.Delivered {
			b.Fatalf("the benchmark flow %s→%s is not delivered before the event (%v)", from, to, err)
		}
		// Deny TCP 443 from the first spoke on the last spoke's ACL: the
		// flow must change fate, so a stale engine would be caught.
		ev := AddACLRule{AccessControlList: fmt.Sprintf("acl-hub%02d-spokes", len(n.OnPremises)-1), Rule: topology.ACLRule{
			Name: "deny-https", Priority: 150, Type: topology.Inbound, Action: topology.Deny, Protocol: topology.TCP,
			SourceAddressPrefixes:      []topology.AddressMatch{{Prefix: netip.PrefixFrom(f.Src, 32)}},
			DestinationAddressPrefixes: []topology.AddressMatch{topology.AnyAddress},
			SourcePortRanges:           []topology.PortRange{topology.AnyPort}, DestinationPortRanges: []topology.PortRange{{Lo: 443, Hi: 443}},
		}}
		for b.Loop() {
			next, ref := Apply(n, ev)
			if ref != nil {
				b.Fatal(ref)
			}
			if tr := sim.New(next).Trace(f); tr.Result != sim.Dropped {
				b.Fatalf("after the event the flow is %s, want dropped", tr.Result)
			}
		}
	})
}

// benchEvents returns 100 events a change window on the generated estate
// might hold: new spokes peered both ways, flag changes, VM changes and ACL
// rules. Every one is accepted.
func benchEvents() []Event {
	var evs []Event
	for i := range 20 {
		name := fmt.Sprintf("new-%02d", i)
		evs = append(evs,
			CreateVirtualNetwork{Name: name, AddressSpace: []netip.Prefix{netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 100, byte(i), 0}), 24)},
				Subnets:         []SubnetSpec{{Name: "s0", AddressPrefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 100, byte(i), 0}), 26)}},
				VirtualMachines: []VirtualMachineSpec{{Name: name + "-vm", Subnet: "s0", IPAddress: netip.AddrFrom4([4]byte{10, 100, byte(i), 4}), Running: true}}},
			CreatePeering{VNet: name, Name: name + "-to-hub00", RemoteVirtualNetwork: "hub00"},
			CreatePeering{VNet: "hub00", Name: "hub00-to-" + name, RemoteVirtualNetwork: name},
		)
	}
	for i := range 20 {
		evs = append(evs, UpdatePeering{Peering: PeeringRef{VNet: fmt.Sprintf("spoke00-%03d", i*20), RemoteVirtualNetwork: "hub00"},
			Flags: PeeringFlags{topology.FlagAllowVirtualNetworkAccess: Bool(i%2 == 0)}})
	}
	for i := range 10 {
		evs = append(evs, SetVirtualMachine{VNet: fmt.Sprintf("spoke00-%03d", i*40), Name: fmt.Sprintf("vm00-%03d-a", i*40), Running: Bool(false)})
	}
	for i := range 10 {
		evs = append(evs, AddACLRule{AccessControlList: "acl-hub00-spokes", Rule: topology.ACLRule{Name: fmt.Sprintf("r%d", i),
			Priority: 1000 + i, Type: topology.Inbound, Action: topology.Deny, Protocol: topology.UDP,
			SourceAddressPrefixes: []topology.AddressMatch{topology.AnyAddress}, SourcePortRanges: []topology.PortRange{topology.AnyPort},
			DestinationAddressPrefixes: []topology.AddressMatch{topology.AnyAddress}, DestinationPortRanges: []topology.PortRange{{Lo: uint16(5000 + i), Hi: uint16(5000 + i)}}}})
	}
	return evs
}

// BenchmarkApply100 applies 100 events in a row to the 500-spoke estate,
// the cost of a 100-step scenario's events.
func BenchmarkApply100(b *testing.B) {
	start := topology.Generate(topology.GenerateOptions{Hubs: 1, Spokes: 500})
	evs := benchEvents()
	b.ReportAllocs()
	for b.Loop() {
		n := start
		for _, ev := range evs {
			var r *Refusal
			if n, r = Apply(n, ev); r != nil {
				b.Fatalf("%s %v: %v", ev.Kind(), ev.Fields(), r)
			}
		}
	}
}
