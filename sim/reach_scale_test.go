package sim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/vnetsim/vnetsim/topology"
)

// A subnet-level summary is counted by group pairs, never pair by pair;
// it must agree with the listing on random estates, with and without
// restricted sides (overlapping or not), in counts and in examples.
func TestReachSummaryByGroupAgreesWithListing(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for round := range 40 {
		n := randomEstate(r, true)
		addOverlap(r, n)
		e := New(n)
		var names []string
		for _, u := range e.units(LevelSubnet, nil) {
			names = append(names, u.name)
		}
		pick := func() []string {
			if r.IntN(3) == 0 {
				return nil // every subnet
			}
			var out []string
			for _, nm := range names {
				if r.IntN(2) == 0 {
					out = append(out, nm)
				}
			}
			return out
		}
		var vnets []string
		for _, v := range e.sortedVNets() {
			if r.IntN(2) == 0 {
				vnets = append(vnets, v.Name)
			}
		}
		for _, q := range []struct {
			level Level
			sides [2][]string
		}{
			{LevelSubnet, [2][]string{nil, nil}},
			{LevelSubnet, [2][]string{pick(), pick()}},
			{LevelVNet, [2][]string{nil, nil}},
			{LevelVNet, [2][]string{vnets, nil}},
			{LevelVNet, [2][]string{nil, vnets}},
		} {
			opts := ReachOptions{Level: q.level, Protocol: topology.ProtocolAll, From: q.sides[0], To: q.sides[1],
				MaxExamples: 1 + r.IntN(8), NoExplanations: true, Workers: 1 + r.IntN(2)}
			if msg := summaryDisagrees(e, opts); msg != "" {
				t.Fatalf("round %d, %s level, from %v to %v: %s", round, q.level, q.sides[0], q.sides[1], msg)
			}
		}
	}
}

// summaryDisagrees compares e's summary for opts with the counts and first
// examples of the listing, which walks every pair; "" when they agree.
func summaryDisagrees(e *Engine, opts ReachOptions) string {
	opts.Summary = false
	full := e.Reach(opts)
	opts.Summary = true
	sum := e.Reach(opts)
	var want ReachCounts
	var notAll []ReachPair
	for _, p := range full.Pairs {
		want.add(p.Result, 1)
		if p.Result != OutcomeAll && len(notAll) < max(opts.MaxExamples, 1) {
			notAll = append(notAll, p)
		}
	}
	if sum.Counts != want {
		return fmt.Sprintf("summary counts %+v, listing %+v", sum.Counts, want)
	}
	if diff := cmp.Diff(notAll, sum.Examples, netipEqual); diff != "" {
		return fmt.Sprintf("examples differ (-listing +summary):\n%s", diff)
	}
	return ""
}

// Shared rows (see shareRows) stand for walks only when every condition
// holds. Estates with many alike spokes, each damaged in one way that
// breaks a condition for one spoke, must summarise exactly as the listing
// walks them; and rows must in fact be shared, or the test proves nothing.
func TestReachSharedRowsAgreeWithWalks(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	shared := 0
	for round := range 60 {
		platform := topology.WindowsSDN
		if r.IntN(2) == 0 {
			platform = topology.Azure
		}
		n := topology.Generate(topology.GenerateOptions{Hubs: 1 + r.IntN(3), Spokes: 3 + r.IntN(5), SubnetsPerSpoke: 1 + r.IntN(3), Platform: platform})
		damage := breakOneSpoke(r, n)
		e := New(n)
		opts := ReachOptions{Level: LevelSubnet, Protocol: topology.TCP, MaxExamples: 20, NoExplanations: true, Workers: 2}
		if r.IntN(2) == 0 {
			opts.Protocol = topology.ProtocolAll
		}
		for _, level := range []Level{LevelSubnet, LevelVNet} {
			opts.Level = level
			if msg := summaryDisagrees(e, opts); msg != "" {
				t.Fatalf("round %d (%s, %s), %s level: %s", round, platform, damage, level, msg)
			}
		}
		opts.Level = LevelSubnet
		q := e.newQuestion(opts)
		e.Reach(opts) // warm, as Reach does before sharing
		q.groupSubnets()
		for _, m := range q.members {
			q.addrClasses(m[0])
		}
		q.frozen = true
		var srcs []int
		for g := range q.members {
			srcs = append(srcs, g)
		}
		for g, l := range q.shareRows(srcs) {
			if l >= 0 && l != g {
				shared++
			}
		}
	}
	if shared == 0 {
		t.Error("no source group ever shared a row")
	}
}

// breakOneSpoke damages one spoke of n so that it differs from its
// neighbours in one thing a walk reads, and says what it did.
func breakOneSpoke(r *rand.Rand, n *topology.Network) string {
	var spokes []*topology.VirtualNetwork
	for _, v := range n.SortedVirtualNetworks() {
		if v.Gateway == nil {
			spokes = append(spokes, v)
		}
	}
	v, w := spokes[r.IntN(len(spokes))], spokes[r.IntN(len(spokes))]
	acls := n.SortedACLs()
	switch r.IntN(13) {
	case 0:
		a := acls[r.IntN(len(acls))]
		a.Rules = append(a.Rules, topology.ACLRule{Name: "deny-one-spoke", Priority: 150, Type: topology.Inbound, Action: topology.Deny,
			Protocol: topology.ProtocolAll, SourceAddressPrefixes: []topology.AddressMatch{{Prefix: v.AddressSpace[0]}},
			SourcePortRanges: []topology.PortRange{topology.AnyPort}, DestinationAddressPrefixes: []topology.AddressMatch{topology.AnyAddress}, DestinationPortRanges: []topology.PortRange{topology.AnyPort}})
		return "an ACL denies " + v.Name
	case 1:
		for _, vm := range v.VirtualMachines {
			vm.IPForwarding = true
		}
		return v.Name + " forwards"
	case 2:
		if v != w {
			peer(v, w)
			return "peered " + v.Name + " with " + w.Name
		}
	case 3:
		for _, p := range v.Peerings {
			p.AllowForwardedTraffic = false
		}
		return v.Name + " refuses forwarded traffic"
	case 4:
		v.Region = "elsewhere"
		return v.Name + " moved region"
	case 5:
		for _, p := range v.Peerings {
			hub := n.VirtualNetworks[p.RemoteVirtualNetwork]
			for _, back := range hub.Peerings {
				if back.RemoteVirtualNetwork == v.Name {
					back.SyncedRemote = []netip.Prefix{netip.MustParsePrefix("10.255.0.0/24")}
				}
			}
		}
		return "the hub has not synced " + v.Name
	case 6:
		for _, s := range v.Subnets {
			rt := &topology.RouteTable{Name: "rt-" + v.Name, Routes: []topology.Route{{Name: "to-w", AddressPrefix: w.AddressSpace[0], NextHopType: topology.NextHopNone}}}
			n.RouteTables[rt.Name] = rt
			s.RouteTable = rt
		}
		return v.Name + " null-routes " + w.Name
	case 11:
		if v != w {
			// On azure v's VirtualNetwork tag now holds w's range, and the
			// spokes' ACLs keep only the default rules, which read the tag:
			// w's packets meet AllowVnetInBound at v, other spokes'
			// DenyAllInBound.
			rt := &topology.RouteTable{Name: "rt-" + v.Name, Routes: []topology.Route{{Name: "to-w", AddressPrefix: w.AddressSpace[0], NextHopType: topology.NextHopNone}}}
			n.RouteTables[rt.Name] = rt
			for _, s := range v.Subnets {
				s.RouteTable = rt
			}
			for _, a := range acls {
				a.Rules = nil
			}
			return v.Name + " routes " + w.Name + " itself, and ACLs have default rules only"
		}
	case 7:
		for _, p := range v.Peerings {
			p.UseRemoteGateways = false
		}
		return v.Name + " stops using the hub gateway"
	case 8:
		for _, p := range v.Peerings {
			p.AllowVirtualNetworkAccess = false
		}
		return v.Name + " blocks access to its hub"
	case 10:
		if v != w {
			// Same offsets inside w's range: v's subnets overlap w's, not
			// each other.
			from, to := v.AddressSpace[0].Addr().As4(), w.AddressSpace[0].Addr().As4()
			for _, sn := range v.Subnets {
				a := sn.AddressPrefix.Addr().As4()
				a[1], a[2] = a[1]-from[1]+to[1], a[2]-from[2]+to[2]
				sn.AddressPrefix = netip.PrefixFrom(netip.AddrFrom4(a), sn.AddressPrefix.Bits())
			}
			for _, vm := range v.VirtualMachines {
				a := vm.IPAddress.As4()
				a[1], a[2] = a[1]-from[1]+to[1], a[2]-from[2]+to[2]
				vm.IPAddress = netip.AddrFrom4(a)
			}
			v.AddressSpace = slices.Clone(w.AddressSpace)
			return v.Name + " overlaps " + w.Name
		}
	case 9:
		for _, p := range v.Peerings {
			hub := n.VirtualNetworks[p.RemoteVirtualNetwork]
			for name, back := range hub.Peerings {
				if back.RemoteVirtualNetwork == v.Name {
					delete(hub.Peerings, name)
				}
			}
		}
		return "the hub's peering to " + v.Name + " is gone"
	}
	a := acls[r.IntN(len(acls))]
	a.Rules = append(a.Rules, topology.ACLRule{Name: "deny-half", Priority: 160, Type: topology.Direction(r.IntN(2)), Action: topology.Deny,
		Protocol: topology.TCP, SourceAddressPrefixes: []topology.AddressMatch{{Prefix: netip.PrefixFrom(v.AddressSpace[0].Addr(), 23)}},
		SourcePortRanges: []topology.PortRange{topology.AnyPort}, DestinationAddressPrefixes: []topology.AddressMatch{topology.AnyAddress}, DestinationPortRanges: []topology.PortRange{topology.AnyPort}})
	return "an ACL denies half of " + v.Name
}

// peer connects a and b with default objects both ways.
func peer(a, b *topology.VirtualNetwork) {
	a.Peerings["x-"+b.Name] = &topology.Peering{Name: "x-" + b.Name, RemoteVirtualNetwork: b.Name, AllowVirtualNetworkAccess: true, SyncedRemote: slices.Clone(b.AddressSpace)}
	b.Peerings["x-"+a.Name] = &topology.Peering{Name: "x-" + a.Name, RemoteVirtualNetwork: a.Name, AllowVirtualNetworkAccess: true, SyncedRemote: slices.Clone(a.AddressSpace)}
}

// A listing with more pairs than MaxPairs is answered as a summary, so
// that a caller can bound memory on an estate of unknown size.
func TestReachMaxPairsSummarises(t *testing.T) {
	n := topology.Generate(topology.GenerateOptions{Hubs: 1, Spokes: 3})
	e := New(n)
	for _, tc := range []struct {
		name      string
		maxPairs  int
		summarise bool
	}{
		{"unbounded", 0, false},
		{"bound above the pairs", 1000, false},
		{"bound below the pairs", 10, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := e.Reach(ReachOptions{Level: LevelSubnet, Protocol: topology.TCP, MaxPairs: tc.maxPairs, NoExplanations: true})
			if got.Summarised != tc.summarise || (got.Pairs == nil) != tc.summarise {
				t.Errorf("Summarised %v with %d pairs, want summarised %v", got.Summarised, len(got.Pairs), tc.summarise)
			}
			if total := got.Counts.All + got.Counts.Some + got.Counts.None; total != 14*13 {
				t.Errorf("counted %d pairs, want %d", total, 14*13)
			}
		})
	}
}

// Progress counts every source unit once, in order, ending at the total,
// in listings and in summaries.
func TestReachProgress(t *testing.T) {
	n := topology.Generate(topology.GenerateOptions{Hubs: 2, Spokes: 3})
	for _, tc := range []struct {
		name  string
		opts  ReachOptions
		total int
	}{
		{"vnet listing", ReachOptions{Level: LevelVNet}, 8},
		{"subnet summary", ReachOptions{Level: LevelSubnet, Summary: true}, 28},
		{"one source", ReachOptions{Level: LevelSubnet, Summary: true, From: []string{"spoke00-000/s1"}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var done []int
			tc.opts.Progress = func(d, total int) {
				if total != tc.total {
					t.Errorf("total %d, want %d", total, tc.total)
				}
				done = append(done, d)
			}
			tc.opts.NoExplanations, tc.opts.Workers = true, 2
			New(n).Reach(tc.opts)
			if !slices.IsSorted(done) || len(done) == 0 || done[len(done)-1] != tc.total {
				t.Errorf("progress went %v, want rising to %d", done, tc.total)
			}
		})
	}
}

// On a generated estate of a few hundred subnets per hub, where almost
// every row is shared, the summary still agrees with the listing's walks.
func TestReachSharedRowsOnALargerEstate(t *testing.T) {
	if testing.Short() {
		t.Skip("a quarter of a million pairs")
	}
	n := topology.Generate(topology.GenerateOptions{Hubs: 3, Spokes: 40, Platform: topology.Azure})
	breakOneSpoke(rand.New(rand.NewPCG(1, 2)), n)
	for _, level := range []Level{LevelSubnet, LevelVNet} {
		opts := ReachOptions{Level: level, Protocol: topology.ProtocolAll, MaxExamples: 50, NoExplanations: true}
		if msg := summaryDisagrees(New(n), opts); msg != "" {
			t.Fatalf("%s level: %s", level, msg)
		}
	}
}

// ReachEach hands over the pairs Reach lists, in the same order and with
// the same explanations, counts and examples, and stops at yield's first
// error.
func TestReachEachYieldsTheListing(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    *topology.Network
		opts ReachOptions
	}{
		{"hub-spoke, vnets", loadFileT(t, "../examples/hub-spoke.yaml"), ReachOptions{Level: LevelVNet, Protocol: topology.TCP, Ports: []topology.PortRange{{Lo: 22, Hi: 22}}}},
		{"hub-spoke, subnets, every port", loadFileT(t, "../examples/hub-spoke.yaml"), ReachOptions{Level: LevelSubnet}},
		{"generated, subnets", topology.Generate(topology.GenerateOptions{Hubs: 2, Spokes: 8}), ReachOptions{Level: LevelSubnet, Protocol: topology.TCP}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := New(tc.n).Reach(tc.opts)
			var got []ReachPair
			r, err := New(tc.n).ReachEach(tc.opts, func(p ReachPair) error { got = append(got, p); return nil })
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want.Pairs, got, netipEqual); diff != "" {
				t.Errorf("pairs differ (-Reach +ReachEach):\n%s", diff)
			}
			if r.Pairs != nil || r.Counts != want.Counts || !cmp.Equal(r.Examples, want.Examples, netipEqual) {
				t.Errorf("ReachEach kept %d pairs, counted %+v with %d examples; Reach %+v with %d", len(r.Pairs), r.Counts, len(r.Examples), want.Counts, len(want.Examples))
			}
			stop := errors.New("stop")
			calls := 0
			if _, err := New(tc.n).ReachEach(tc.opts, func(ReachPair) error { calls++; return stop }); err != stop || calls != 1 {
				t.Errorf("after yield's error: %d calls, error %v", calls, err)
			}
		})
	}
}

// A listing handed over by ReachEach is held one batch at a time: while
// 161,202 subnet pairs stream, the live heap grows by a small fraction of
// what keeping them would take (15 MB for Reach's Pairs alone). The heap is
// measured after a collection every 20,000 pairs, on an engine whose
// caches a first answer has filled.
func TestReachEachHoldsOneBatch(t *testing.T) {
	e := New(topology.Generate(topology.GenerateOptions{Hubs: 1, Spokes: 100}))
	opts := ReachOptions{Level: LevelSubnet, Protocol: topology.TCP, Ports: []topology.PortRange{{Lo: 443, Hi: 443}}}
	if _, err := e.ReachEach(opts, func(ReachPair) error { return nil }); err != nil {
		t.Fatal(err)
	}
	live := func() uint64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	base, peak, pairs := live(), uint64(0), 0
	if _, err := e.ReachEach(opts, func(ReachPair) error {
		if pairs++; pairs%20000 == 0 {
			peak = max(peak, live())
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	held := uint64(pairs) * uint64(unsafe.Sizeof(ReachPair{}))
	if grew := peak - min(peak, base); pairs < 160000 || grew > held/4 {
		t.Errorf("the live heap grew by %d bytes while %d pairs streamed (keeping them takes %d)", grew, pairs, held)
	}
}

// chainEstate is n VNets of one subnet each, each peered both ways with
// the next, on platform: every VNet reaches its two neighbours and nothing
// else (peering is not transitive).
func chainEstate(platform topology.Platform, n int) *topology.Network {
	net := &topology.Network{Name: "chain", Platform: platform, VirtualNetworks: map[string]*topology.VirtualNetwork{},
		RouteTables: map[string]*topology.RouteTable{}, AccessControlLists: map[string]*topology.ACL{}, OnPremises: map[string]*topology.OnPremises{}}
	name := func(i int) string { return fmt.Sprintf("v%05d", i) }
	for i := range n {
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}), 24)
		v := &topology.VirtualNetwork{Name: name(i), AddressSpace: []netip.Prefix{p}, Subnets: map[string]*topology.Subnet{},
			VirtualMachines: map[string]*topology.VirtualMachine{}, LoadBalancers: map[string]*topology.LoadBalancer{}, Peerings: map[string]*topology.Peering{}}
		v.Subnets["s"] = &topology.Subnet{Name: "s", VirtualNetwork: v, AddressPrefix: p}
		net.VirtualNetworks[v.Name] = v
	}
	for i := 0; i+1 < n; i++ {
		a, b := net.VirtualNetworks[name(i)], net.VirtualNetworks[name(i+1)]
		a.Peerings["to-"+b.Name] = &topology.Peering{Name: "to-" + b.Name, RemoteVirtualNetwork: b.Name, AllowVirtualNetworkAccess: true}
		b.Peerings["to-"+a.Name] = &topology.Peering{Name: "to-" + a.Name, RemoteVirtualNetwork: a.Name, AllowVirtualNetworkAccess: true}
	}
	return net
}

// On chains, where a VNet's routes carry packets to its two neighbours
// only and every other pair is counted without a walk, summaries agree
// with the listing: windows-sdn (no route) and azure (None routes for the
// private ranges), with a one-sided link, a disconnected one, a public
// range that azure's Internet route carries, and restricted sides.
func TestReachSummaryOfAChainAgreesWithListing(t *testing.T) {
	for _, platform := range []topology.Platform{topology.WindowsSDN, topology.Azure} {
		n := chainEstate(platform, 12)
		delete(n.VirtualNetworks["v00003"].Peerings, "to-v00004")
		n.VirtualNetworks["v00006"].Peerings["to-v00007"].Disconnected = true
		pub := netip.MustParsePrefix("203.0.113.0/24")
		v9 := n.VirtualNetworks["v00009"]
		v9.AddressSpace = append(v9.AddressSpace, pub)
		v9.Subnets["pub"] = &topology.Subnet{Name: "pub", VirtualNetwork: v9, AddressPrefix: pub}
		e := New(n)
		for _, opts := range []ReachOptions{
			{Level: LevelVNet}, {Level: LevelSubnet},
			{Level: LevelVNet, Protocol: topology.TCP, Ports: []topology.PortRange{{Lo: 443, Hi: 443}}, From: []string{"v00002", "v00009"}},
			{Level: LevelSubnet, To: []string{"v00009/pub", "v00001/s"}},
		} {
			opts.MaxExamples, opts.NoExplanations = 50, true
			if msg := summaryDisagrees(e, opts); msg != "" {
				t.Errorf("%s, %s level, from %v to %v: %s", platform, opts.Level, opts.From, opts.To, msg)
			}
		}
	}
}

// A chain's summary costs what its VNets' routes reach, not a walk per
// pair: four times the VNets make at most five times the allocations (a
// walk per pair made sixteen times as many).
func TestReachSummaryOfAChainGrowsLinearly(t *testing.T) {
	for _, level := range []Level{LevelVNet, LevelSubnet} {
		allocs := func(n int) float64 {
			net := chainEstate(topology.WindowsSDN, n)
			return testing.AllocsPerRun(1, func() {
				New(net).Reach(ReachOptions{Level: level, Summary: true, Protocol: topology.TCP, Ports: []topology.PortRange{{Lo: 443, Hi: 443}}})
			})
		}
		if small, large := allocs(100), allocs(400); large > 5*small {
			t.Errorf("%s summary: %.0f allocations for 100 VNets, %.0f for 400", level, small, large)
		}
	}
}

// BenchmarkReachChain is the summary of a chain of VNets: 1,000 and 2,000
// always, 10,000 with VNETSIM_BENCH_LARGE=1.
func BenchmarkReachChain(b *testing.B) {
	sizes := []int{1000, 2000}
	if os.Getenv("VNETSIM_BENCH_LARGE") == "1" {
		sizes = append(sizes, 10000)
	}
	for _, n := range sizes {
		net := chainEstate(topology.WindowsSDN, n)
		for _, level := range []Level{LevelVNet, LevelSubnet} {
			b.Run(fmt.Sprintf("vnets=%d/level=%s", n, level), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					New(net).Reach(ReachOptions{Level: level, Summary: true, Protocol: topology.TCP, Ports: []topology.PortRange{{Lo: 443, Hi: 443}}})
				}
			})
		}
	}
}
