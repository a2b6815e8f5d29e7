package sim

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vnetsim/vnetsim/topology"
)

func TestReachPairs(t *testing.T) {
	hubSpokeFile := loadFileT(t, "../examples/hub-spoke.yaml")
	exits := loadT(t, exitsYAML)
	tcp443 := []topology.PortRange{{Lo: 443, Hi: 443}}
	tests := []struct {
		name     string
		n        *topology.Network
		from, to string
		opts     ReachOptions
		want     Outcome
		reason   Reason
	}{
		{"subnet: every TCP port but SSH", hubSpokeFile, "spoke2/app", "spoke1/app", ReachOptions{Protocol: topology.TCP}, OutcomeSome, ACLDenied},
		{"subnet: HTTPS only", hubSpokeFile, "spoke2/app", "spoke1/app", ReachOptions{Protocol: topology.TCP, Ports: tcp443}, OutcomeAll, ""},
		{"subnet: the other direction", hubSpokeFile, "spoke1/app", "spoke2/app", ReachOptions{Protocol: topology.TCP}, OutcomeAll, ""},
		{"vnet: some subnet pair is cut", hubSpokeFile, "spoke2", "spoke1", ReachOptions{Protocol: topology.TCP}, OutcomeSome, ACLDenied},
		{"vnet: every protocol", hubSpokeFile, "spoke3", "spoke1", ReachOptions{Protocol: topology.ProtocolAll}, OutcomeAll, ""},
		{"vnet: not transitive", loadT(t, chainYAML), "A", "C", ReachOptions{Protocol: topology.TCP}, OutcomeNone, NotPeered},
		{"subnet: an overlapping, unpeered VNet is not reached", loadT(t, overlap("PLATFORM", "azure")), "A/s1", "B/s1", ReachOptions{Protocol: topology.TCP}, OutcomeNone, NotPeered},
		{"vnet: an overlapping, unpeered VNet is not reached", loadT(t, overlap()), "B", "A", ReachOptions{Protocol: topology.ProtocolAll}, OutcomeNone, NotPeered},
		{"subnet: every port is 1-65535, not port 0", loadT(t, aclTopo("windows-sdn", "deny-port-zero", "")), "A/s1", "B/s1", ReachOptions{Protocol: topology.TCP}, OutcomeAll, ""},
		{"subnet: a range from 0 leaves port 0 out", loadT(t, aclTopo("windows-sdn", "deny-port-zero", "")), "A/s1", "B/s1",
			ReachOptions{Protocol: topology.TCP, Ports: []topology.PortRange{topology.AnyPort}}, OutcomeAll, ""},
		{"subnet: ACL prefix inside the destination subnet", loadT(t, aclTopo("windows-sdn", "deny-half", "")), "A/s1", "B/s1",
			ReachOptions{Protocol: topology.TCP, Ports: tcp443}, OutcomeSome, ACLDenied},
		// A dropped example is preferred to one that left through the
		// Internet, which has no reason.
		{"subnet: a dropped example over one that exited", exits, "A/s1", "C/s1", ReachOptions{Protocol: topology.TCP}, OutcomeNone, NullRoute},
		{"vnet: a dropped example over one that exited", exits, "A", "C", ReachOptions{Protocol: topology.TCP}, OutcomeNone, NullRoute},
		{"subnet: every packet left through the Internet: no reason", exits, "A/s1", "C/s0", ReachOptions{Protocol: topology.TCP}, OutcomeNone, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.n).ReachPair(tt.from, tt.to, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if p.Result != tt.want || p.Reason != tt.reason {
				t.Errorf("got %s %s, want %s %s (%d of %d classes delivered; %s)", p.Result, p.Reason, tt.want, tt.reason,
					p.DeliveredClasses, p.Classes, p.Explanation)
			}
			if p.Result != OutcomeAll && (p.Example == nil || p.Explanation == "") {
				t.Errorf("a %s pair has no example or explanation", p.Result)
			}
		})
	}
	if _, err := New(hubSpokeFile).ReachPair("nope", "spoke1", ReachOptions{}); err == nil {
		t.Error("an unknown unit gave no error")
	}
}

// exitsYAML is A, whose user default route sends everything it does not
// know to the Internet but the upper half of C/s1 to None, and C, which A
// is not peered with.
const exitsYAML = `
name: exits
platform: azure
virtualNetworks:
  A:
    addressSpace: [10.1.0.0/16]
    subnets: {s1: {addressPrefix: 10.1.1.0/24, routeTable: rt-a}}
  C:
    addressSpace: [10.3.0.0/16]
    subnets:
      s0: {addressPrefix: 10.3.0.0/24}
      s1: {addressPrefix: 10.3.1.0/24}
routeTables:
  rt-a:
    routes:
      - {name: out, addressPrefix: 0.0.0.0/0, nextHopType: Internet}
      - {name: drop-upper, addressPrefix: 10.3.1.128/25, nextHopType: None}
`

func TestReachListsEveryPairInOrder(t *testing.T) {
	e := New(loadFileT(t, "../examples/hub-spoke.yaml"))
	r := e.Reach(ReachOptions{Level: LevelVNet, Protocol: topology.TCP})
	var got []string
	for _, p := range r.Pairs {
		got = append(got, fmt.Sprintf("%s>%s %s", p.From, p.To, p.Result))
	}
	want := []string{
		"hub>spoke1 all", "hub>spoke2 all", "hub>spoke3 all",
		"spoke1>hub all", "spoke1>spoke2 all", "spoke1>spoke3 all",
		"spoke2>hub all", "spoke2>spoke1 some", "spoke2>spoke3 all",
		"spoke3>hub all", "spoke3>spoke1 all", "spoke3>spoke2 all",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pairs (-want +got):\n%s", diff)
	}
	if r.Counts != (ReachCounts{All: 11, Some: 1}) || len(r.Examples) != 1 {
		t.Errorf("counts %+v, %d examples", r.Counts, len(r.Examples))
	}
}

func TestReachSummaryIsCappedAndDeterministic(t *testing.T) {
	n := topology.Generate(topology.GenerateOptions{Hubs: 2, Spokes: 6})
	// Break forwarding into one spoke so that many pairs are not all.
	n.VirtualNetworks["spoke01-002"].Peerings["spoke01-002-to-hub01"].AllowForwardedTraffic = false
	full := New(n).Reach(ReachOptions{Level: LevelSubnet, Protocol: topology.TCP, Workers: 1})
	sum := New(n).Reach(ReachOptions{Level: LevelSubnet, Protocol: topology.TCP, Summary: true, MaxExamples: 5, Workers: 2})
	if sum.Pairs != nil || len(sum.Examples) != 5 {
		t.Fatalf("summary has %d pairs and %d examples", len(sum.Pairs), len(sum.Examples))
	}
	if sum.Counts != full.Counts {
		t.Errorf("counts differ: %+v vs %+v", sum.Counts, full.Counts)
	}
	var notAll []ReachPair
	for _, p := range full.Pairs {
		if p.Result != OutcomeAll {
			notAll = append(notAll, p)
		}
	}
	if diff := cmp.Diff(notAll[:5], sum.Examples, netipEqual); diff != "" {
		t.Errorf("examples are not the first non-all pairs (-full +summary):\n%s", diff)
	}
	if !slices.IsSortedFunc(full.Pairs, func(a, b ReachPair) int {
		if c := strings.Compare(a.From, b.From); c != 0 {
			return c
		}
		return strings.Compare(a.To, b.To)
	}) {
		t.Error("pairs are not sorted by (from, to)")
	}
	again := New(n).Reach(ReachOptions{Level: LevelSubnet, Protocol: topology.TCP, Workers: 2})
	if diff := cmp.Diff(full, again, netipEqual); diff != "" {
		t.Errorf("one worker and two disagree (-1 +2):\n%s", diff)
	}
}

// netipEqual compares netip values with ==.
var netipEqual = cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})

// randomEstate returns a generated estate with random damage: peerings
// without forwarded traffic or access, stopped appliances, random ACL rules
// and routes, so that reach has every outcome to find.
//
// With tags false, no random rule uses the VirtualNetwork tag.
func randomEstate(r *rand.Rand, tags bool) *topology.Network {
	platform := topology.WindowsSDN
	if r.IntN(2) == 0 {
		platform = topology.Azure
	}
	n := topology.Generate(topology.GenerateOptions{Hubs: 1 + r.IntN(2), Spokes: 1 + r.IntN(3), SubnetsPerSpoke: 1 + r.IntN(3), Platform: platform})
	vnets := n.SortedVirtualNetworks()
	for range r.IntN(3) {
		v := vnets[r.IntN(len(vnets))]
		for _, p := range v.SortedPeerings() {
			switch r.IntN(4) {
			case 0:
				p.AllowForwardedTraffic = false
			case 1:
				p.AllowVirtualNetworkAccess = false
			}
		}
	}
	for _, v := range vnets {
		for _, vm := range v.SortedVirtualMachines() {
			if r.IntN(8) == 0 {
				vm.Running = false
			}
		}
	}
	for _, a := range n.SortedACLs() {
		for i := range 1 + r.IntN(3) {
			a.Rules = append(a.Rules, topology.ACLRule{
				Name: fmt.Sprintf("random-%d", i), Priority: 100 + r.IntN(400), Type: topology.Direction(r.IntN(2)),
				Action: topology.Action(r.IntN(2)), Protocol: topology.Protocol(r.IntN(3)),
				SourceAddressPrefixes:      randomList(r, func() topology.AddressMatch { return randomMatch(r, tags) }),
				SourcePortRanges:           []topology.PortRange{topology.AnyPort},
				DestinationAddressPrefixes: randomList(r, func() topology.AddressMatch { return randomMatch(r, tags) }),
				DestinationPortRanges:      randomList(r, func() topology.PortRange { return randomPorts(r) }),
			})
		}
	}
	for _, rt := range n.SortedRouteTables() {
		if r.IntN(3) == 0 {
			rt.Routes = append(rt.Routes, topology.Route{Name: "random-none", AddressPrefix: netip.PrefixFrom(randomAddr(r), 24+r.IntN(5)).Masked(), NextHopType: topology.NextHopNone})
		}
	}
	return n
}

// addOverlap adds, at random, a VNet whose address space overlaps another
// VNet's or an on-premises site's: a twin of a VNet (its ranges, subnets
// and VM addresses, VMs renamed) or a VNet over a site's range with a VM at
// its host's address, left unpeered, peered with hub00 one way (Initiated)
// or both ways. It returns the new VNet, or nil when it added none.
func addOverlap(r *rand.Rand, n *topology.Network) *topology.VirtualNetwork {
	t := &topology.VirtualNetwork{Name: "twin", NetworkController: "nc1", Subnets: map[string]*topology.Subnet{},
		VirtualMachines: map[string]*topology.VirtualMachine{}, LoadBalancers: map[string]*topology.LoadBalancer{}, Peerings: map[string]*topology.Peering{}}
	vnets := n.SortedVirtualNetworks()
	switch r.IntN(4) {
	case 0:
		return nil
	case 1:
		site := n.SortedOnPremises()[0]
		t.AddressSpace = slices.Clone(site.AddressSpace)
		s := &topology.Subnet{Name: "s1", VirtualNetwork: t, AddressPrefix: site.AddressSpace[0]}
		t.Subnets["s1"] = s
		for _, h := range slices.Sorted(maps.Keys(site.Hosts)) {
			t.VirtualMachines["twin-"+h] = &topology.VirtualMachine{Name: "twin-" + h, Subnet: s, IPAddress: site.Hosts[h], Running: true}
		}
	default:
		v := vnets[r.IntN(len(vnets))]
		t.AddressSpace = slices.Clone(v.AddressSpace)
		for _, sn := range v.SortedSubnets() {
			c := *sn
			c.VirtualNetwork = t
			t.Subnets[c.Name] = &c
		}
		for _, vm := range v.SortedVirtualMachines() {
			c := *vm
			c.Name, c.Subnet = "twin-"+vm.Name, t.Subnets[vm.Subnet.Name]
			t.VirtualMachines[c.Name] = &c
		}
	}
	n.VirtualNetworks[t.Name] = t
	hub := n.VirtualNetworks["hub00"]
	switch r.IntN(3) {
	case 1:
		peer(t, hub)
		delete(hub.Peerings, "x-twin")
	case 2:
		peer(t, hub)
	}
	return t
}

func randomAddr(r *rand.Rand) netip.Addr {
	return netip.AddrFrom4([4]byte{10, 0, byte(r.IntN(16)), byte(r.IntN(256))})
}

// randomList returns one to three items, mostly one, as a rule's address
// and port lists hold.
func randomList[T any](r *rand.Rand, item func() T) []T {
	out := []T{item()}
	for r.IntN(3) == 0 && len(out) < 3 {
		out = append(out, item())
	}
	return out
}

// randomMatch returns a rule address entry. With tags false it names no
// tag whose addresses a new peering changes (VirtualNetwork, Internet).
func randomMatch(r *rand.Rand, tags bool) topology.AddressMatch {
	switch r.IntN(6) {
	case 0:
		return topology.AnyAddress
	case 1:
		if tags {
			return topology.AddressMatch{Tag: topology.TagVirtualNetwork}
		}
	case 2:
		if tags {
			return topology.AddressMatch{Tag: topology.TagInternet}
		}
	case 3:
		return topology.AddressMatch{Tag: topology.TagAzureLoadBalancer}
	}
	return topology.AddressMatch{Prefix: netip.PrefixFrom(randomAddr(r), 20+r.IntN(10)).Masked()}
}

func randomPorts(r *rand.Rand) topology.PortRange {
	if r.IntN(3) == 0 {
		return topology.AnyPort
	}
	lo := uint16(r.IntN(1000))
	return topology.PortRange{Lo: lo, Hi: lo + uint16(r.IntN(600))}
}

// randomIn returns a random address of p (IPv4).
func randomIn(r *rand.Rand, p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	host := uint32(r.Uint64()) & (1<<(32-p.Bits()) - 1)
	u := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]) | host
	return netip.AddrFrom4([4]byte{byte(u >> 24), byte(u >> 16), byte(u >> 8), byte(u)})
}

// TestReachAgreesWithTrace is the equivalence-class property: every packet
// is treated like its class's representative, so a random packet's fate
// matches the representative's, and pairs Reach calls all or none have no
// packet that says otherwise.
func TestReachAgreesWithTrace(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	flows := 0
	for round := range 40 {
		n := randomEstate(r, true)
		addOverlap(r, n)
		e := New(n)
		proto := []topology.Protocol{topology.TCP, topology.UDP, topology.ICMP}[r.IntN(3)]
		opts := ReachOptions{Level: LevelSubnet, Protocol: proto}
		q := e.newQuestion(opts)
		reach := e.Reach(opts)
		outcome := map[[2]string]Outcome{}
		for _, p := range reach.Pairs {
			outcome[[2]string{p.From, p.To}] = p.Result
		}
		var subnets []*topology.Subnet
		for _, v := range n.SortedVirtualNetworks() {
			subnets = append(subnets, v.SortedSubnets()...)
		}
		for range 100 {
			ss, ds := subnets[r.IntN(len(subnets))], subnets[r.IntN(len(subnets))]
			if ss == ds {
				continue
			}
			src, dst := randomIn(r, ss.AddressPrefix), randomIn(r, ds.AddressPrefix)
			var port uint16
			if proto.HasPorts() {
				port = uint16(1 + r.IntN(1200))
			}
			from, to := e.subnetName(ss), e.subnetName(ds)
			f := Flow{From: from, To: to, Src: src, Dst: dst, Protocol: proto, Port: port, DstSubnet: to}
			got := e.Trace(f)
			rep := f
			rep.Src, rep.Dst, rep.Port = classRep(q.addrClasses(ss), src), classRep(q.addrClasses(ds), dst), portRep(q, proto, port)
			want := e.Trace(rep)
			// The memo reach walks with must agree with a fresh walk.
			ep := Endpoint{Name: from, Kind: EndpointSubnet, Addr: rep.Src, VirtualNetwork: ss.VirtualNetwork.Name, Subnet: ss.Name, Prefix: ss.AddressPrefix}
			if m := e.trace(rep, ep, true, &q.memo); m.Result != want.Result || m.Reason != want.Reason {
				t.Fatalf("round %d: memoized walk says %s %s, a fresh one %s %s\n%s", round, m.Result, m.Reason, want.Result, want.Reason, render(want))
			}
			flows++
			checkArrived(t, e, f, got)
			if got.Result != want.Result || got.Reason != want.Reason {
				t.Fatalf("round %d: %s:%d → %s is %s %s, its representative %s:%d → %s is %s %s\n%s\n%s",
					round, src, port, dst, got.Result, got.Reason, rep.Src, rep.Port, rep.Dst, want.Result, want.Reason, render(got), render(want))
			}
			switch o := outcome[[2]string{from, to}]; {
			case o == OutcomeAll && got.Result != Delivered, o == OutcomeNone && got.Result == Delivered:
				t.Fatalf("round %d: reach says %s → %s is %s, but %s", round, from, to, o, render(got))
			}
		}
	}
	if flows < 2000 {
		t.Errorf("only %d flows checked", flows)
	}
}

// TestDeliveredTracesEndAtTheirDestination: a delivered packet reaches
// the endpoint asked for, never another one holding the same address in
// an overlapping VNet or site.
func TestDeliveredTracesEndAtTheirDestination(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	delivered, twins := 0, 0
	for round := range 60 {
		n := randomEstate(r, true)
		twin := addOverlap(r, n)
		e := New(n)
		var names []string
		for _, v := range n.SortedVirtualNetworks() {
			for _, vm := range v.SortedVirtualMachines() {
				names = append(names, vm.Name)
			}
			for _, s := range v.SortedSubnets() {
				names = append(names, v.Name+"/"+s.Name)
			}
		}
		for _, o := range n.SortedOnPremises() {
			names = append(names, slices.Sorted(maps.Keys(o.Hosts))...)
		}
		for range 150 {
			from, to := names[r.IntN(len(names))], names[r.IntN(len(names))]
			f, err := e.NewFlow(from, to, topology.TCP, uint16(1+r.IntN(1000)))
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			tr := e.Trace(f)
			checkArrived(t, e, f, tr)
			if tr.Result == Delivered {
				delivered++
				if twin != nil && strings.HasPrefix(to, "twin") {
					twins++
				}
			}
		}
	}
	if delivered < 1000 || twins < 20 {
		t.Errorf("only %d delivered traces checked, %d of them to an overlapping VNet", delivered, twins)
	}
}

// checkArrived fails when tr is delivered elsewhere than f's destination:
// a VM's hop, a load balancer followed by its backend, a subnet's
// VNET/SUBNET hop or a host's site. A literal address may be anywhere.
func checkArrived(t *testing.T, e *Engine, f Flow, tr Trace) {
	t.Helper()
	if tr.Result != Delivered {
		return
	}
	last := tr.Hops[len(tr.Hops)-1]
	ep, err := e.Resolve(f.To)
	if err != nil {
		t.Fatal(err)
	}
	var ok bool
	switch ep.Kind {
	case EndpointVM:
		ok = last.Node == ep.VM && last.VirtualNetwork == ep.VirtualNetwork
	case EndpointLoadBalancer:
		ok = len(tr.Hops) > 1 && tr.Hops[len(tr.Hops)-2].Node == ep.Name && last.VirtualNetwork == ep.VirtualNetwork
	case EndpointSubnet:
		ok = last.Node == f.DstSubnet && last.VirtualNetwork+"/"+last.Subnet == f.DstSubnet
	case EndpointHost:
		ok = last.Node == ep.OnPremises
	default:
		ok = true
	}
	if !ok {
		t.Fatalf("%s → %s (%s) is delivered to %s in %s/%s\n%s", f.From, f.To, ep.describe(), last.Node, last.VirtualNetwork, last.Subnet, render(tr))
	}
}

// TestReachGroupsAgreeWithPairs checks the subnet grouping reach uses:
// every pair answered from its groups' representatives has the outcome and
// class counts of walking the pair itself.
func TestReachGroupsAgreeWithPairs(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for round := range 30 {
		n := randomEstate(r, true)
		addOverlap(r, n)
		e := New(n)
		opts := ReachOptions{Level: LevelSubnet, Protocol: topology.TCP, NoExplanations: true}
		grouped := e.Reach(opts)
		q := e.newQuestion(opts)
		units := map[string]reachUnit{}
		for _, u := range e.units(LevelSubnet, nil) {
			units[u.name] = u
		}
		for _, p := range grouped.Pairs {
			want := q.pair(units[p.From], units[p.To])
			if p.Result != want.Result || p.Classes != want.Classes || p.DeliveredClasses != want.DeliveredClasses {
				t.Fatalf("round %d: %s → %s grouped %s (%d/%d), walked %s (%d/%d)", round, p.From, p.To,
					p.Result, p.DeliveredClasses, p.Classes, want.Result, want.DeliveredClasses, want.Classes)
			}
			if (p.Example == nil) != (want.Example == nil) || (p.Example != nil && p.Reason != want.Reason) {
				t.Fatalf("round %d: %s → %s examples differ: %v %s vs %v %s", round, p.From, p.To, p.Example, p.Reason, want.Example, want.Reason)
			}
		}
	}
}

// classRep returns the representative of a's class.
func classRep(cs []addrClass, a netip.Addr) netip.Addr {
	for _, c := range cs {
		if c.lo.Compare(a) <= 0 && a.Compare(c.hi) <= 0 {
			return c.rep
		}
	}
	panic(fmt.Sprintf("%s is in no class of %v", a, cs))
}

// portRep returns the representative port of port's class.
func portRep(q *question, proto topology.Protocol, port uint16) uint16 {
	best := uint16(0)
	for _, c := range q.classes {
		if c.proto == proto && c.port <= port && c.port >= best {
			best = c.port
		}
	}
	return best
}

// TestAddingAPeeringKeepsDeliveredFlows is the no-downtime rule of docs/semantics.md#peering-states
// property: adding a Connected peering never drops a flow that was
// delivered. The new objects accept forwarded traffic: a new peering's
// routes are more specific than user routes that covered the peer, so a
// flow an appliance used to hand to another appliance may now cross the new
// peering directly, and with allowForwardedTraffic unset the platform
// refuses it; and no rule uses the VirtualNetwork tag, which grows with
// every peering, so that a Deny on it matches more (see docs/decisions.md,
// "Simulation engine").
func TestAddingAPeeringKeepsDeliveredFlows(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	checked := 0
	for round := range 200 {
		n := randomEstate(r, false)
		vnets := n.SortedVirtualNetworks()
		var vms []*topology.VirtualMachine
		for _, v := range vnets {
			vms = append(vms, v.SortedVirtualMachines()...)
		}
		before := New(n)
		var delivered []Flow
		for range 60 {
			a, b := vms[r.IntN(len(vms))], vms[r.IntN(len(vms))]
			f, err := before.NewFlow(a.Name, b.Name, topology.TCP, uint16(1+r.IntN(1000)))
			if err != nil {
				t.Fatal(err)
			}
			if before.Trace(f).Result == Delivered {
				delivered = append(delivered, f)
			}
		}
		// Peer two VNets that are not peered yet.
		x, y := vnets[r.IntN(len(vnets))], vnets[r.IntN(len(vnets))]
		if x == y || x.PeeringTo(y.Name) != nil || y.PeeringTo(x.Name) != nil {
			continue
		}
		after := n.Clone()
		ax, ay := after.VirtualNetworks[x.Name], after.VirtualNetworks[y.Name]
		ax.Peerings["new"] = &topology.Peering{Name: "new", RemoteVirtualNetwork: y.Name, AllowVirtualNetworkAccess: true, AllowForwardedTraffic: true, SyncedRemote: y.AddressSpace}
		ay.Peerings["new"] = &topology.Peering{Name: "new", RemoteVirtualNetwork: x.Name, AllowVirtualNetworkAccess: true, AllowForwardedTraffic: true, SyncedRemote: x.AddressSpace}
		e := New(after)
		for _, f := range delivered {
			checked++
			if tr := e.Trace(f); tr.Result != Delivered {
				t.Fatalf("round %d: peering %s with %s drops a delivered flow:\n%s", round, x.Name, y.Name, render(tr))
			}
		}
	}
	if checked < 200 {
		t.Errorf("only %d delivered flows checked", checked)
	}
}
