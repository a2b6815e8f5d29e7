package scenarios

import (
	"context"
	"fmt"
	"net/netip"
	"testing"

	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/sim/event"
	"github.com/vnetsim/vnetsim/topology"
)

// bench100 is a 100-step scenario on the generated 500-spoke estate: each
// step applies one event (new spokes peered both ways, flag changes, VM
// changes, ACL rules) and checks a peering state; every tenth step also
// traces a packet.
func bench100() *Scenario {
	sc := &Scenario{Name: "bench", Topology: topology.Generate(topology.GenerateOptions{Hubs: 1, Spokes: 500})}
	add := func(ev event.Event, ex Expectation) {
		st := Step{Name: fmt.Sprintf("step %d", len(sc.Steps)+1), Do: []Do{{Event: ev}}, Expect: []Check{{Expectation: ex}}}
		if len(sc.Steps)%10 == 9 {
			st.Expect = append(st.Expect, Check{Expectation: TraceExpectation{From: "vm00-000-a", To: "vm00-499-b",
				Protocol: topology.TCP, Port: 443, Result: sim.Delivered}})
		}
		sc.Steps = append(sc.Steps, st)
	}
	connected := func(vnet, remote string) Expectation {
		return PeeringExpectation{Peering: event.PeeringRef{VNet: vnet, RemoteVirtualNetwork: remote}, State: topology.Connected}
	}
	for i := range 15 {
		name := fmt.Sprintf("new-%02d", i)
		base := netip.AddrFrom4([4]byte{10, 100, byte(i), 0})
		add(event.CreateVirtualNetwork{Name: name, AddressSpace: []netip.Prefix{netip.PrefixFrom(base, 24)},
			Subnets: []event.SubnetSpec{{Name: "s0", AddressPrefix: netip.PrefixFrom(base, 26)}}},
			ValidExpectation{})
		add(event.CreatePeering{VNet: name, Name: name + "-to-hub00", RemoteVirtualNetwork: "hub00"},
			PeeringExpectation{Peering: event.PeeringRef{VNet: name, Name: name + "-to-hub00"}, State: topology.Initiated})
		add(event.CreatePeering{VNet: "hub00", Name: "hub00-to-" + name, RemoteVirtualNetwork: name}, connected(name, "hub00"))
	}
	for i := range 20 {
		spoke := fmt.Sprintf("spoke00-%03d", 1+i*20)
		add(event.UpdatePeering{Peering: event.PeeringRef{VNet: spoke, RemoteVirtualNetwork: "hub00"},
			Flags: event.PeeringFlags{topology.FlagAllowForwardedTraffic: event.Bool(true)}}, connected(spoke, "hub00"))
	}
	for i := range 15 {
		vnet := fmt.Sprintf("spoke00-%03d", 1+i*20)
		add(event.SetVirtualMachine{VNet: vnet, Name: fmt.Sprintf("vm00-%03d-b", 1+i*20), Running: event.Bool(i%2 == 0)}, connected(vnet, "hub00"))
	}
	for i := range 20 {
		add(event.AddACLRule{AccessControlList: "acl-hub00-spokes", Rule: topology.ACLRule{Name: fmt.Sprintf("r%d", i),
			Priority: 1000 + i, Type: topology.Inbound, Action: topology.Deny, Protocol: topology.UDP,
			SourceAddressPrefixes: []topology.AddressMatch{topology.AnyAddress}, SourcePortRanges: []topology.PortRange{topology.AnyPort},
			DestinationAddressPrefixes: []topology.AddressMatch{topology.AnyAddress}, DestinationPortRanges: []topology.PortRange{{Lo: uint16(5000 + i), Hi: uint16(5000 + i)}}}},
			connected("hub00", "spoke00-000"))
	}
	return sc
}

// BenchmarkRun100Steps runs bench100; every step must pass.
func BenchmarkRun100Steps(b *testing.B) {
	sc := bench100()
	if r := Run(context.Background(), sc, Options{}); !r.Passed || len(r.Steps) != 100 {
		b.Fatalf("benchmark scenario: passed %v, %d steps:\n%s", r.Passed, len(r.Steps), failures(r))
	}
	b.ReportAllocs()
	for b.Loop() {
		Run(context.Background(), sc, Options{})
	}
}
